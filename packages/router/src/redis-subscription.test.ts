// The subscription that brings the other instances' news, against a real `redis-server` of each
// test's own (real Redis, real clock): one started while Redis is down, and apps that share a
// Redis under different ioredis `keyPrefix`es.
import { randomUUID } from 'node:crypto';
import Redis, { type RedisOptions } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { BRIEF_RECONNECT, redisPerTest } from '../../../scripts/testing/redis-per-test';
import { apiError, fakeProvider, HI } from './__fixtures__/fake-provider';
import { routerOverRedis } from './__fixtures__/routers';
import type { Router } from './router';

const { server, afterTest, connected } = redisPerTest();

const providers = () => ({ a: fakeProvider('a'), b: fakeProvider('b') });
type Providers = ReturnType<typeof providers>;

/** One instance over the Redis at `port`, its client made with `options` (a `keyPrefix`). */
function instance(port: number, prefix: string, shared: Providers, options: RedisOptions = {}) {
  const client = connected(new Redis({ ...BRIEF_RECONNECT, port, ...options }));
  const router = routerOverRedis({ client, prefix, providers: shared });
  afterTest(() => router.close());
  return router;
}

/** Two failures of `a` on `router`: it takes `a` out, and tells the others. */
async function coolA(router: Router, shared: Providers) {
  shared.a.fallback = apiError(503);
  await router.complete({ model: 'chat', messages: HI });
  await router.complete({ model: 'chat', messages: HI });
  shared.a.fallback = 'ok';
  await vi.waitFor(() => expect(router.stats().state).toMatchObject({ published: 1 }), {
    timeout: 5_000,
  });
}

describe('createRedisRouterState subscribing (real Redis, real clock)', () => {
  it('subscribes once Redis is back when it started while Redis was down, and hears the others', async () => {
    const redis = await server();
    await redis.stop();
    const prefix = `test:${randomUUID()}:`;
    const shared = providers();
    const late = instance(redis.port, prefix, shared);
    const events: string[] = [];
    late.onStateUnavailable((e) => events.push(`unavailable:${e.reason}`));
    late.onStateRecovered(() => events.push('recovered'));
    await vi.waitFor(() => expect(events).toEqual(['unavailable:disconnected']), {
      timeout: 5_000,
    });
    expect(late.stats().state).toMatchObject({ state: 'unavailable' });
    // Long enough for the client to give up on its SUBSCRIBE (one retry, 50 ms apart): ioredis
    // will not send it again by itself.
    await new Promise((resolve) => setTimeout(resolve, 500));

    await redis.restart();
    await vi.waitFor(() => expect(events).toEqual(['unavailable:disconnected', 'recovered']), {
      timeout: 5_000,
    });
    expect(late.stats().state).toMatchObject({ state: 'available' });
    const admin = connected(new Redis({ ...BRIEF_RECONNECT, port: redis.port }));
    expect(await admin.pubsub('NUMSUB', `${prefix}events`)).toEqual([`${prefix}events`, 1]);

    const theirs = providers();
    const other = instance(redis.port, prefix, theirs);
    await vi.waitFor(() => expect(other.stats().state).toMatchObject({ syncs: 1 }), {
      timeout: 5_000,
    });
    expect(await admin.pubsub('NUMSUB', `${prefix}events`)).toEqual([`${prefix}events`, 2]);
    await coolA(other, theirs);
    await vi.waitFor(() => expect(late.stats().deployments.a!.status).toBe('cooling'), {
      timeout: 5_000,
    });
    expect(late.stats().cooldowns).toEqual({ local: 0, shared: 1 });
  });

  it('keeps apps apart that share a Redis and a prefix under different keyPrefixes', async () => {
    const redis = await server();
    const prefix = 'x:router:';
    const [app1, app1Again, app2] = [providers(), providers(), providers()];
    const one = instance(redis.port, prefix, app1, { keyPrefix: 'app1:' });
    const oneAgain = instance(redis.port, prefix, app1Again, { keyPrefix: 'app1:' });
    const two = instance(redis.port, prefix, app2, { keyPrefix: 'app2:' });
    for (const router of [one, oneAgain, two]) {
      await vi.waitFor(() => expect(router.stats().state).toMatchObject({ syncs: 1 }), {
        timeout: 5_000,
      });
    }
    await coolA(one, app1);
    // Another instance of app 1 hears it, on the channel named after its keyPrefix...
    await vi.waitFor(() => expect(oneAgain.stats().deployments.a!.status).toBe('cooling'), {
      timeout: 5_000,
    });
    const admin = connected(new Redis({ ...BRIEF_RECONNECT, port: redis.port }));
    expect(await admin.pubsub('NUMSUB', `app1:${prefix}events`, `app2:${prefix}events`)).toEqual([
      `app1:${prefix}events`,
      2,
      `app2:${prefix}events`,
      1,
    ]);
    // ...and app 2's deployment `a`, another server, stays in rotation.
    expect(two.stats().deployments.a!.status).toBe('healthy');
    expect(two.stats().state).toMatchObject({ received: 0 });
    expect((await two.complete({ model: 'chat', messages: HI })).route.deployment).toBe('a');
    // The keys were apart already (ioredis prefixes them): a late instance of app 2 finds none.
    const twoLate = instance(redis.port, prefix, providers(), { keyPrefix: 'app2:' });
    await vi.waitFor(() => expect(twoLate.stats().state).toMatchObject({ syncs: 1 }), {
      timeout: 5_000,
    });
    expect(twoLate.stats().deployments.a!.status).toBe('healthy');
  });
});
