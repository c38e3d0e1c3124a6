import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRedisServer } from '../../../scripts/testing/redis-server';
import { isRateLimitStoreUnavailableError } from './errors';
import { createRateLimiter } from './rate-limiter';
import { createRedisStore } from './redis';

// A redis-server of the file's own, stopped and restarted: the outage policies decide while it
// is down, and the store recovers once it is back.

const prefix = `test:${process.pid}:`;

describe('outage policies', () => {
  let server: Awaited<ReturnType<typeof startRedisServer>>;
  let own: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    // maxRetriesPerRequest: null queues commands until Redis is back: any decision made during
    // the outage can only come from the decision timeout.
    own = new Redis(server.url, { maxRetriesPerRequest: null, retryStrategy: () => 20 });
    own.on('error', () => {}); // reconnect errors are expected while the server is down
    // Connected before the first test: its first decisions have 100 ms each, which setting up a
    // connection on a loaded machine can use up (no earlier test of this file warms it up).
    await own.ping();
  });
  afterAll(async () => {
    own.disconnect();
    await server.stop();
  });

  /**
   * Stops Redis and waits until the client has seen its connection close. A take sent before then
   * goes out on the dying socket, and a take in flight when a connection closes is decided at once
   * by the outage policy (reason `error`); after it, takes queue and only the decision timeout
   * decides (reason `timeout`), which is what these tests look at.
   */
  const stopRedis = async () => {
    await server.stop();
    await vi.waitFor(() => expect(own.status).not.toBe('ready'), { timeout: 5_000 });
  };

  it('applies fail-open, fail-closed and local within the decision timeout, then recovers', async () => {
    const make = (outagePolicy: 'fail-open' | 'fail-closed' | 'local') => {
      const store = createRedisStore({
        client: own,
        prefix,
        outagePolicy,
        decisionTimeoutMs: 100,
        localShare: 0.5,
        probeIntervalMs: 50,
      });
      const limiter = createRateLimiter({
        limits: { requests: { ratePerSecond: 0.001, capacity: 4 } },
        store,
      });
      return { store, limiter };
    };
    const open = make('fail-open');
    const closed = make('fail-closed');
    const local = make('local');
    const events: unknown[] = [];
    open.store.onUnavailable((e) => events.push(e));
    const recovered: unknown[] = [];
    open.store.onRecovered((e) => recovered.push(e));
    const key = randomUUID();
    expect(await open.limiter.tryAcquire(key, { requests: 4 })).toBe(true);
    expect(await open.limiter.tryAcquire(key)).toBe(false);

    await stopRedis();

    // fail-open admits even an exhausted key
    expect(await open.limiter.tryAcquire(key)).toBe(true);
    expect(events).toEqual([{ policy: 'fail-open', reason: 'timeout', error: undefined }]);
    expect(open.store.stats()).toMatchObject({
      state: 'unavailable',
      outages: 1,
      fallbackDecisions: 1,
      timeouts: 1,
    });
    // fail-closed admits nothing
    expect(await closed.limiter.tryAcquire(randomUUID())).toBe(false);
    const error = await closed.limiter.acquire(randomUUID()).catch((e: unknown) => e);
    expect(isRateLimitStoreUnavailableError(error)).toBe(true);
    expect(closed.limiter.stats().store).toMatchObject({
      policy: 'fail-closed',
      state: 'unavailable',
    });
    // local admits from half of the limit (capacity 4 * 0.5)
    const localKey = randomUUID();
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await local.limiter.tryAcquire(localKey));
    expect(results).toEqual([true, true, false]);
    expect(local.store.stats()).toMatchObject({ policy: 'local', state: 'unavailable' });

    await server.restart();
    let state = open.store.stats().state;
    for (let i = 0; i < 200 && state !== 'available'; i++) {
      await new Promise((r) => setTimeout(r, 25));
      await open.limiter.tryAcquire(randomUUID());
      state = open.store.stats().state;
    }
    expect(state).toBe('available');
    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toMatchObject({ policy: 'fail-open', downMs: expect.any(Number) });
  });

  it('sends the corrections made while Redis was unreachable once it answers again', async () => {
    for (const outagePolicy of ['fail-open', 'fail-closed', 'local'] as const) {
      const store = createRedisStore({
        client: own,
        prefix,
        outagePolicy,
        decisionTimeoutMs: 100,
        probeIntervalMs: 300,
      });
      const limiter = createRateLimiter({
        limits: { tokens: { ratePerSecond: 1, capacity: 5 } },
        store,
      });
      const key = randomUUID();
      await stopRedis();
      // the first call times out and starts the outage; the correction is then not sent at all
      await limiter.tryAcquire(key).catch(() => false);
      expect(store.stats().state).toBe('unavailable');
      await limiter.adjust(key, { tokens: 10 });
      await server.restart();
      await new Promise((r) => setTimeout(r, 350));
      // the next decision reaches Redis, and the held correction follows it
      let state = store.stats().state;
      for (let i = 0; i < 100 && state !== 'available'; i++) {
        await limiter.tryAcquire(randomUUID()).catch(() => false);
        state = store.stats().state;
        if (state !== 'available') await new Promise((r) => setTimeout(r, 25));
      }
      expect(state).toBe('available');
      await vi.waitFor(async () => expect(await limiter.waitTimeMs(key)).toBeGreaterThan(4_000), {
        timeout: 2_000,
      });
      expect(await limiter.tryAcquire(key)).toBe(false);
    }
  });

  it('keeps deciding, by the local policy, while Redis stops in the middle of a run', async () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const until = async (condition: () => boolean) => {
      for (let i = 0; i < 400 && !condition(); i++) await sleep(25);
      expect(condition()).toBe(true);
    };
    const store = createRedisStore({
      client: own,
      prefix,
      outagePolicy: 'local',
      localShare: 1,
      decisionTimeoutMs: 100,
      probeIntervalMs: 50,
    });
    const limiter = createRateLimiter({
      limits: { requests: { ratePerSecond: 10_000, capacity: 10_000 } },
      store,
    });
    let running = true;
    const outcomes: boolean[] = [];
    const loop = (async () => {
      while (running) {
        outcomes.push(await limiter.tryAcquire('mid-run'));
        await sleep(5);
      }
    })();
    await until(() => store.stats().decisions >= 3);
    await server.stop();
    await until(() => store.stats().fallbackDecisions >= 5);
    await server.restart();
    await until(() => store.stats().state === 'available');
    running = false;
    await loop;
    expect(outcomes.every(Boolean)).toBe(true);
    expect(store.stats()).toMatchObject({ outages: 1, state: 'available' });
  });
});
