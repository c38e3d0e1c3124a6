// A Redis that stalls (SIGSTOP: a paused VM, a long fork or a swapped-out server) and then runs
// what it was sent, late. Real Redis, real clock: each test stalls a `redis-server` of its own.
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { BRIEF_RECONNECT, redisPerTest } from '../../../scripts/testing/redis-per-test';
import { apiError, fakeProvider, HI } from './__fixtures__/fake-provider';
import { startPausableRedis } from './__fixtures__/pausable-redis';
import { routerOverRedis } from './__fixtures__/routers';
import type { Router } from './router';

const { afterTest, connected } = redisPerTest();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Two instances over a Redis the test can stall; `a` goes out for `durationMs` after 2 failures. */
async function twoInstances(durationMs: number) {
  const redis = await startPausableRedis();
  afterTest(() => redis.stop());
  const client = () => connected(new Redis(redis.url, BRIEF_RECONNECT));
  const prefix = `test:${randomUUID()}:`;
  const shared = { a: fakeProvider('a'), b: fakeProvider('b') };
  const [one, two] = [0, 1].map(() => {
    const router = routerOverRedis({
      client: client(),
      prefix,
      providers: shared,
      durationMs,
      commandTimeoutMs: 200,
    });
    afterTest(() => router.close());
    return router;
  }) as [Router, Router];
  for (const router of [one, two]) {
    await vi.waitFor(() => expect(router.stats().state).toMatchObject({ syncs: 1 }), {
      timeout: 5_000,
    });
  }
  const events: string[] = [];
  one.onStateUnavailable((e) => events.push(`unavailable:${e.reason}`));
  one.onStateRecovered(() => events.push('recovered'));
  const admin = client();
  return {
    redis,
    one,
    two,
    events,
    admin,
    shared,
    cooldownKey: `${prefix}cooldown:a`,
    /** `one` takes `a` out while Redis is stalled: its script waits in the server's socket. */
    async coolAStalled() {
      redis.pause();
      shared.a.fallback = apiError(503);
      await one.complete({ model: 'chat', messages: HI });
      await one.complete({ model: 'chat', messages: HI });
      shared.a.fallback = 'ok';
      await vi.waitFor(() => expect(events).toEqual(['unavailable:timeout']), { timeout: 5_000 });
    },
    /** Resolves once `two` has had whatever Redis published before now. */
    async twoHeardAll() {
      const received = (two.stats().state as { received: number }).received;
      const sentinel = { from: 'sentinel', type: 'recovered', deployment: 'none', ms: 0, at: 0 };
      await admin.publish(`${prefix}events`, JSON.stringify(sentinel));
      await vi.waitFor(() => expect(two.stats().state).toMatchObject({ received: received + 1 }), {
        timeout: 5_000,
      });
    },
  };
}

describe('createRedisRouterState through a Redis stall (real Redis, real clock)', () => {
  it('never replays a cooldown that ended during the stall, and is available at the late reply', async () => {
    const { redis, one, two, events, admin, cooldownKey, coolAStalled, twoHeardAll } =
      await twoInstances(1_000);
    await coolAStalled();
    await sleep(2_500);
    redis.resume();
    // The script's reply, late, says Redis works: no other command was needed.
    await vi.waitFor(() => expect(events).toEqual(['unavailable:timeout', 'recovered']), {
      timeout: 5_000,
    });
    expect(one.stats().state).toMatchObject({ state: 'available' });
    // Redis ran the script 2.5 s after the cooldown was decided, 1.5 s after it ended: it wrote
    // and published nothing.
    expect(await admin.exists(cooldownKey)).toBe(0);
    await twoHeardAll();
    expect(two.stats().cooldowns.shared).toBe(0);
    expect(two.stats().deployments.a!.status).toBe('healthy');
    expect((await two.complete({ model: 'chat', messages: HI })).route.deployment).toBe('a');
  });

  it('shares only what is left of a cooldown that outlasted the stall', async () => {
    // 10 s: it must outlast the timeout's detection, the stall, the recovery and the news to
    // `two` on a loaded machine, so that `a` is still cooling when `two` is asked.
    const { redis, two, events, admin, cooldownKey, coolAStalled, twoHeardAll } =
      await twoInstances(10_000);
    await coolAStalled();
    await sleep(1_500);
    const resumedAt = performance.now();
    redis.resume();
    await vi.waitFor(() => expect(events).toEqual(['unavailable:timeout', 'recovered']), {
      timeout: 5_000,
    });
    await twoHeardAll();
    // What is left is at most the 10 s less the 1.5 s stall and the time since: 8.5 s less it,
    // in Redis and on the other instance alike. A cooldown counted from the late run of the
    // script would have 10 s less the time since the resume left, 1.5 s more, however slow.
    const bound = 8_600 - (performance.now() - resumedAt);
    expect(await admin.pttl(cooldownKey)).toBeLessThanOrEqual(bound);
    expect(two.stats().deployments.a!.status).toBe('cooling');
    expect(two.stats().deployments.a!.cooldownRemainingMs).toBeLessThanOrEqual(bound);
  });

  it('never lets a recovery delayed by the stall undo a cooldown decided after it', async () => {
    const { redis, one, two, events, admin, shared, cooldownKey, twoHeardAll } =
      await twoInstances(1_500);
    shared.a.fallback = apiError(503);
    await one.complete({ model: 'chat', messages: HI });
    await one.complete({ model: 'chat', messages: HI });
    shared.a.fallback = 'ok';
    await vi.waitFor(() => expect(two.stats().deployments.a!.status).toBe('cooling'), {
      timeout: 5_000,
    });
    await sleep(1_600);
    redis.pause();
    // `one` probes `a` on its own (its claim times out): it answers, and the recovery's script
    // waits in the stalled server's socket.
    expect((await one.complete({ model: 'chat', messages: HI })).route.deployment).toBe('a');
    expect(one.stats().recoveries.probe).toBe(1);
    // Then `two` probes `a` too, which fails again: a cooldown decided after the recovery.
    shared.a.fallback = apiError(503);
    await two.complete({ model: 'chat', messages: HI });
    shared.a.fallback = 'ok';
    expect(two.stats().deployments.a!.status).toBe('cooling');
    redis.resume();
    await vi.waitFor(() => expect(events).toEqual(['unavailable:timeout', 'recovered']), {
      timeout: 5_000,
    });
    await twoHeardAll();
    // Whichever script Redis ran first, the late recovery brings `a` back on no instance.
    expect(two.stats().recoveries.shared).toBe(0);
    expect(two.stats().deployments.a!.status).toBe('cooling');
    expect(await admin.pttl(cooldownKey)).toBeGreaterThan(0);
  });
});
