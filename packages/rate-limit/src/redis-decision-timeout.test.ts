import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRateLimiter } from './rate-limiter';
import { createRedisStore, type RedisClientLike } from './redis';

// A Redis that does not answer within decisionTimeoutMs, on the fake clock: the policy decides,
// probes follow, and a late reply's tokens are given back.

describe('decision timeout', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A client whose replies the test releases by hand; `hang` leaves them pending forever. */
  function scriptedClient() {
    const calls: { resolve: (reply: unknown) => void }[] = [];
    let hang = true;
    const client: RedisClientLike = {
      evalsha: () =>
        new Promise((resolve) => {
          if (hang) calls.push({ resolve });
          else resolve([0]);
        }),
      eval: () => Promise.resolve([0]),
    };
    return {
      client,
      calls,
      recover: () => {
        hang = false;
      },
    };
  }

  it('applies the policy exactly when decisionTimeoutMs passes, then probes once per interval', async () => {
    vi.useFakeTimers();
    const fake = scriptedClient();
    const store = createRedisStore({
      client: fake.client,
      outagePolicy: 'fail-closed',
      decisionTimeoutMs: 250,
      probeIntervalMs: 1000,
    });
    const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 1 } }, store });
    let result: boolean | undefined;
    void limiter.tryAcquire('k').then((v) => {
      result = v;
    });
    await vi.advanceTimersByTimeAsync(249);
    expect(result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(result).toBe(false);
    expect(store.stats()).toMatchObject({
      state: 'unavailable',
      timeouts: 1,
      fallbackDecisions: 1,
    });
    // during the probe interval the policy decides without asking Redis
    expect(await limiter.tryAcquire('k')).toBe(false);
    expect(fake.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    fake.recover();
    expect(await limiter.tryAcquire('k')).toBe(true);
    expect(store.stats()).toMatchObject({ state: 'available', outages: 1, decisions: 1 });
  });

  it.each([
    ['numbers', false, [0]],
    // a client made with stringNumbers answers the script's integers as text
    ['text, from a stringNumbers client', true, ['0']],
  ])(
    'gives back the tokens of a reply that arrives after the policy decided (%s)',
    async (_, text, late) => {
      vi.useFakeTimers();
      const fake = scriptedClient();
      const adjustments: unknown[][] = [];
      const client: RedisClientLike & { options: object } = {
        options: { stringNumbers: text },
        evalsha: (...args) => {
          if (args[3] === 'adjust') {
            adjustments.push(args);
            return Promise.resolve([0]);
          }
          return fake.client.evalsha(...args);
        },
        eval: fake.client.eval,
      };
      const store = createRedisStore({ client, outagePolicy: 'fail-open', decisionTimeoutMs: 100 });
      const limiter = createRateLimiter({
        limits: { tokens: { ratePerSecond: 10, capacity: 50 } },
        store,
      });
      const pending = limiter.tryAcquire('k', { tokens: 7 });
      await vi.advanceTimersByTimeAsync(100);
      expect(await pending).toBe(true); // fail-open
      fake.calls[0]!.resolve(late); // Redis admitted it after all
      await vi.advanceTimersByTimeAsync(0);
      expect(adjustments).toHaveLength(1);
      // mode, limits, spec (rate, capacity), then one request of -7 for the one key, then the
      // call's id, which Redis records so that the refund, if sent again, is applied once
      expect(adjustments[0]!.slice(3, 9)).toEqual(['adjust', 1, '0.01', '50', 1, -7]);
      expect(adjustments[0]!.slice(9)).toEqual([expect.stringMatching(/^[\w-]{8}$/)]);
    },
  );

  it('gives nothing back for a late reply that is not the script reply', async () => {
    vi.useFakeTimers();
    const fake = scriptedClient();
    const adjustments: unknown[][] = [];
    const client: RedisClientLike = {
      evalsha: (...args) => {
        if (args[3] === 'adjust') {
          adjustments.push(args);
          return Promise.resolve([0]);
        }
        return fake.client.evalsha(...args);
      },
      eval: fake.client.eval,
    };
    const store = createRedisStore({ client, outagePolicy: 'fail-open', decisionTimeoutMs: 100 });
    const limiter = createRateLimiter({
      limits: { tokens: { ratePerSecond: 10, capacity: 50 } },
      store,
    });
    for (const late of [[null], [''], [[0]], ['0']]) {
      const pending = limiter.tryAcquire('k', { tokens: 7 });
      await vi.advanceTimersByTimeAsync(100);
      expect(await pending).toBe(true); // fail-open
      fake.calls.shift()!.resolve(late); // nothing says Redis admitted it
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(adjustments).toEqual([]);
  });
});
