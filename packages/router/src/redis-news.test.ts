import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiError, HI } from './__fixtures__/fake-provider';
import { type FakeRedis, fakeRedis } from './__fixtures__/fake-redis';
import { primaryAndBackup } from './__fixtures__/routers';
import { createRedisRouterState } from './redis';
import { COOLDOWN_SCRIPT, PROBE_SCRIPT } from './redis-scripts';

/**
 * What the Redis state makes of the news on its channel and of Redis' replies, late ones
 * included. In-process fakes of the client and the subscription, so fake timers drive the
 * command timeouts and the clock the messages are dated by; `redis-stall.test.ts` stalls a real
 * server.
 */
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const CHANNEL = 'x:router:events';

/** A router over `a` then `b` on a Redis state over `redis`, subscribed and synced. */
async function routerOn(redis: FakeRedis) {
  const built = primaryAndBackup({
    cooldown: { failures: 1, durationMs: 1_000, maxRetryAfterMs: 5_000 },
    state: createRedisRouterState({
      client: redis.client,
      subscriber: redis.subscriber,
      commandTimeoutMs: 200,
    }),
  });
  const events: string[] = [];
  built.router.onStateUnavailable((e) => events.push(`unavailable:${e.reason}`));
  built.router.onStateRecovered(() => events.push('recovered'));
  await vi.advanceTimersByTimeAsync(0);
  return { ...built, events };
}

/** Another instance's cooldown of `deployment`, as its text on the channel. */
const cooldownText = (deployment: string, ms: string, at = Date.now()) =>
  `{"from":"other","type":"cooldown","deployment":"${deployment}","ms":${ms},"reason":"failures","at":${at}}`;

describe('createRedisRouterState receiving cooldowns', () => {
  it('applies what is left of a cooldown from when it was decided, not its whole length', async () => {
    const redis = fakeRedis();
    const { router } = await routerOn(redis);
    // Decided 400 ms ago (a slow delivery), and 2 s ago (over before it arrived).
    redis.subscriber.emit('message', CHANNEL, cooldownText('a', '1000', Date.now() - 400));
    redis.subscriber.emit('message', CHANNEL, cooldownText('b', '1000', Date.now() - 2_000));
    expect(router.stats().deployments.a).toMatchObject({
      status: 'cooling',
      cooldownRemainingMs: 600,
    });
    expect(router.stats().deployments.b!.status).toBe('healthy');
    expect(router.stats().cooldowns.shared).toBe(1);
  });

  it.each([
    ['an infinite length (1e400)', '1e400'],
    ['a negative length', '-5'],
    ['a length of 0', '0'],
  ])('ignores a cooldown of %s', async (_name, ms) => {
    const redis = fakeRedis();
    const { router } = await routerOn(redis);
    redis.subscriber.emit('message', CHANNEL, cooldownText('a', ms));
    expect(router.stats().deployments.a!.status).toBe('healthy');
    expect(router.stats().state).toMatchObject({ received: 0 });
    expect((await router.complete({ model: 'chat', messages: HI })).route.deployment).toBe('a');
  });

  it('caps a cooldown longer than the router would decide itself at its own longest', async () => {
    const redis = fakeRedis();
    const { router } = await routerOn(redis);
    redis.subscriber.emit('message', CHANNEL, cooldownText('a', '1e12'));
    expect(router.stats().deployments.a).toMatchObject({
      status: 'cooling',
      cooldownRemainingMs: 5_000,
    });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(router.stats().deployments.a!.status).toBe('probe-due');
  });

  it('takes a cooldown dated far in the future as decided now: a later recovery still counts', async () => {
    const redis = fakeRedis();
    const { router } = await routerOn(redis);
    // A sender whose clock is a year ahead, or another program's message.
    redis.subscriber.emit('message', CHANNEL, cooldownText('a', '1000', Date.now() + 3.2e10));
    expect(router.stats().deployments.a!.status).toBe('cooling');
    await vi.advanceTimersByTimeAsync(100);
    const recovered = `{"from":"other","type":"recovered","deployment":"a","ms":0,"at":${Date.now()}}`;
    redis.subscriber.emit('message', CHANNEL, recovered);
    expect(router.stats().deployments.a!.status).toBe('healthy');
  });
});

describe('createRedisRouterState after a command timed out', () => {
  /**
   * Redis answers everything at once but the first cooldown script, whose reply the test sends
   * (the cooldown written back after the recovery is answered at once).
   */
  function slowCooldownRedis() {
    let answer: ((reply: unknown) => void) | undefined;
    const redis = fakeRedis((script) =>
      script === COOLDOWN_SCRIPT && answer === undefined
        ? new Promise((resolve) => {
            answer = resolve;
          })
        : undefined,
    );
    return { redis, answer: (reply: unknown) => answer!(reply) };
  }

  async function timedOut() {
    const slow = slowCooldownRedis();
    const built = await routerOn(slow.redis);
    built.a.script = [apiError(503)];
    await built.router.complete({ model: 'chat', messages: HI });
    await vi.advanceTimersByTimeAsync(200);
    expect(built.events).toEqual(['unavailable:timeout']);
    expect(built.router.stats().state).toMatchObject({ state: 'unavailable' });
    return { ...slow, ...built };
  }

  // A Redis slower than commandTimeoutMs answers every command late: taken as back at each late
  // reply, it flapped between unavailable and recovered. Only answers in time end the outage.
  it('is not available again at the late reply, but after 3 probes answered in time', async () => {
    const { router, events, answer, redis } = await timedOut();
    answer(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(events).toEqual(['unavailable:timeout']);
    // Probes go out commandTimeoutMs apart; the fake answers each at once.
    await vi.advanceTimersByTimeAsync(400);
    expect(events).toEqual(['unavailable:timeout']);
    await vi.advanceTimersByTimeAsync(400);
    expect(events).toEqual(['unavailable:timeout', 'recovered']);
    expect(router.stats().state).toMatchObject({ state: 'available', outages: 1, syncs: 2 });
    expect(redis.scripts.filter((s) => s === PROBE_SCRIPT)).toHaveLength(3);
    // Recovered: no more probes.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(redis.scripts.filter((s) => s === PROBE_SCRIPT)).toHaveLength(3);
  });

  it('is not available again when news arrives on the channel after a timeout', async () => {
    const { router, events, redis } = await timedOut();
    redis.subscriber.emit('message', CHANNEL, cooldownText('b', '1000'));
    redis.subscriber.emit('message', CHANNEL, 'not news, yet it came through Redis');
    await vi.advanceTimersByTimeAsync(0);
    expect(events).toEqual(['unavailable:timeout']);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(events).toEqual(['unavailable:timeout', 'recovered']);
    expect(router.stats().state).toMatchObject({ state: 'available', outages: 1 });
  });

  it('probes a Redis that never answers ever further apart, up to 10 s', async () => {
    const redis = fakeRedis(() => new Promise(() => {}));
    const { events } = await routerOn(redis);
    await vi.advanceTimersByTimeAsync(200);
    expect(events).toEqual(['unavailable:timeout']);
    const probes = () => redis.scripts.filter((s) => s === PROBE_SCRIPT).length;
    // Gaps of 200, 400, 800 ... ms, each after the probe before timed out (200 ms).
    await vi.advanceTimersByTimeAsync(1_900);
    expect(probes()).toBe(3);
    // Then one every 10.2 s at most: a minute sends 6 more.
    await vi.advanceTimersByTimeAsync(120_000);
    const afterTwoMinutes = probes();
    await vi.advanceTimersByTimeAsync(61_200);
    expect(probes() - afterTwoMinutes).toBe(6);
    expect(events).toEqual(['unavailable:timeout']);
  });
});

describe('createRedisRouterState subscribing', () => {
  it('is unavailable until Redis confirms the subscription, and subscribes again once ready after a refusal', async () => {
    let refuse = true;
    const redis = fakeRedis(undefined, () =>
      refuse ? Promise.reject(new Error('Connection is closed.')) : Promise.resolve(1),
    );
    const { router, events } = await routerOn(redis);
    expect(events).toEqual(['unavailable:error']);
    expect(router.stats().state).toMatchObject({ state: 'unavailable', syncs: 0 });
    refuse = false;
    redis.subscriber.emit('ready');
    await vi.advanceTimersByTimeAsync(0);
    expect(redis.subscriber.subscribes).toBe(2);
    expect(events).toEqual(['unavailable:error', 'recovered']);
    expect(router.stats().state).toMatchObject({ state: 'available', syncs: 1 });
  });
});
