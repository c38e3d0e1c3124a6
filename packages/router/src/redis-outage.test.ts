import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiError, HI } from './__fixtures__/fake-provider';
import { primaryAndBackup } from './__fixtures__/routers';
import { createRedisRouterState } from './redis';
import type { RedisRouterClientLike, RedisSubscriberLike } from './redis-types';

/**
 * The Redis state against a server that stops answering (a paused or overloaded Redis: commands
 * neither succeed nor fail). In-process fakes of the client and the subscription, so fake timers
 * drive the command timeouts; `redis.test.ts` covers the real server's other outages.
 */
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const never = () => new Promise<never>(() => {});

/** A client whose first command (the start-up sync) answers, the second fails, the rest hang. */
function hangingRedis() {
  let calls = 0;
  const client: RedisRouterClientLike = {
    eval() {
      calls++;
      if (calls === 1) return Promise.resolve(['-2', '', '-2', '']);
      if (calls === 2) return Promise.reject(Object.assign(new Error('LOADING'), { code: 'ERR' }));
      return never();
    },
  };
  const subscriber: RedisSubscriberLike & { disconnected: boolean; disconnect(): void } = {
    disconnected: false,
    subscribe: () => Promise.resolve(1),
    on: () => undefined,
    removeListener: () => undefined,
    quit: never,
    disconnect() {
      subscriber.disconnected = true;
    },
  };
  return { client, subscriber, evals: () => calls };
}

function routerOver(redis: ReturnType<typeof hangingRedis>, subscriberIsOwn: boolean) {
  return primaryAndBackup({
    cooldown: { failures: 1, durationMs: 1_000 },
    state: createRedisRouterState(
      subscriberIsOwn
        ? { client: { ...redis.client, duplicate: () => redis.subscriber }, commandTimeoutMs: 500 }
        : { client: redis.client, subscriber: redis.subscriber, commandTimeoutMs: 500 },
    ),
  });
}

describe('createRedisRouterState with a Redis that stopped answering', () => {
  it('lets the probe go at once while Redis is known unavailable, instead of waiting for its claim', async () => {
    const redis = hangingRedis();
    const { a, router } = routerOver(redis, false);
    await vi.advanceTimersByTimeAsync(0);
    a.script = [apiError(503)];
    expect((await router.complete({ model: 'chat', messages: HI })).route.deployment).toBe('b');
    await vi.advanceTimersByTimeAsync(0);
    expect(router.stats().state).toMatchObject({ state: 'unavailable' });
    await vi.advanceTimersByTimeAsync(1_000);
    let served: string | undefined;
    void router.complete({ model: 'chat', messages: HI }).then((r) => {
      served = r.route.deployment;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(served).toBe('a');
    // The claim and the recovery went out all the same (a reply would say Redis is back).
    expect(redis.evals()).toBe(4);
  });

  it('closes within commandTimeoutMs, dropping the connection it owns when QUIT gets no answer', async () => {
    const redis = hangingRedis();
    const { router } = routerOver(redis, true);
    await vi.advanceTimersByTimeAsync(0);
    let closed = false;
    void router.close().then(() => {
      closed = true;
    });
    await vi.advanceTimersByTimeAsync(499);
    expect(closed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(closed).toBe(true);
    expect(redis.subscriber.disconnected).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('closes within commandTimeoutMs and leaves a subscriber it was given connected', async () => {
    const redis = hangingRedis();
    const unsubscribe = vi.fn(never);
    const { router } = routerOver(
      { ...redis, subscriber: Object.assign(redis.subscriber, { unsubscribe }) },
      false,
    );
    await vi.advanceTimersByTimeAsync(0);
    let closed = false;
    void router.close().then(() => {
      closed = true;
    });
    await vi.advanceTimersByTimeAsync(500);
    expect(closed).toBe(true);
    expect(unsubscribe).toHaveBeenCalledOnce();
    expect(redis.subscriber.disconnected).toBe(false);
  });
});

describe('createRedisRouterState with a probe claim Redis is slow to answer', () => {
  /** Redis answers everything at once except the first probe claim, which hangs. */
  function slowClaimRedis() {
    let calls = 0;
    let claims = 0;
    const client: RedisRouterClientLike = {
      eval(_script, _numKeys, ...args) {
        calls++;
        if (calls === 1) return Promise.resolve(['-2', '', '-2', '']);
        if (String(args[0]).includes('probe:')) {
          claims++;
          return claims === 1 ? never() : Promise.resolve(1);
        }
        return Promise.resolve(1);
      },
    };
    const subscriber: RedisSubscriberLike = {
      subscribe: () => Promise.resolve(1),
      on: () => undefined,
      removeListener: () => undefined,
      quit: () => Promise.resolve('OK'),
    };
    return { client, subscriber, claims: () => claims };
  }

  it("rejects with the caller's abort reason at once and frees the probe slot for the next call", async () => {
    const redis = slowClaimRedis();
    const { a, router } = primaryAndBackup({
      cooldown: { failures: 1, durationMs: 1_000 },
      state: createRedisRouterState({
        client: redis.client,
        subscriber: redis.subscriber,
        commandTimeoutMs: 5_000,
      }),
    });
    await vi.advanceTimersByTimeAsync(0);
    a.script = [apiError(503)];
    expect((await router.complete({ model: 'chat', messages: HI })).route.deployment).toBe('b');
    await vi.advanceTimersByTimeAsync(1_000);
    const controller = new AbortController();
    const outcome = router
      .complete({ model: 'chat', messages: HI, signal: controller.signal })
      .then(
        () => 'answered',
        (error: unknown) => error,
      );
    await vi.advanceTimersByTimeAsync(0);
    expect(redis.claims()).toBe(1);
    const reason = new Error('caller left');
    controller.abort(reason);
    await vi.advanceTimersByTimeAsync(0);
    // Well before the claim's commandTimeoutMs.
    expect(await outcome).toBe(reason);
    expect(router.stats()).toMatchObject({ cancelled: 1 });
    // The slot is free: the next call probes `a` (its claim answered) instead of passing it over.
    expect((await router.complete({ model: 'chat', messages: HI })).route.deployment).toBe('a');
    expect(redis.claims()).toBe(2);
    await router.close();
  });
});
