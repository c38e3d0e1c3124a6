// A Redis slower than `commandTimeoutMs`: a real `redis-server` behind a proxy on 127.0.0.1 that
// holds its replies. Real Redis, real clock.
import { randomUUID } from 'node:crypto';
import { startReplyDropProxy } from '@x/internal/testing';
import Redis from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { BRIEF_RECONNECT, redisPerTest } from '../../../scripts/testing/redis-per-test';
import { apiError, fakeProvider, HI } from './__fixtures__/fake-provider';
import { routerOverRedis } from './__fixtures__/routers';

const { server, afterTest, connected } = redisPerTest();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('createRedisRouterState over a Redis slower than commandTimeoutMs (real Redis, real clock)', () => {
  it('is declared unavailable once, and recovered once after it answers in time again', async () => {
    const redis = await server();
    const proxy = await startReplyDropProxy(redis.port);
    afterTest(() => proxy.close());
    const providers = { a: fakeProvider('a'), b: fakeProvider('b') };
    const router = routerOverRedis({
      client: connected(new Redis(proxy.url, BRIEF_RECONNECT)),
      prefix: `test:${randomUUID()}:`,
      providers,
      commandTimeoutMs: 100,
    });
    afterTest(() => router.close());
    await vi.waitFor(() => expect(router.stats().state).toMatchObject({ syncs: 1 }), {
      timeout: 5_000,
    });
    const events: string[] = [];
    router.onStateUnavailable((e) => events.push(`unavailable:${e.reason}`));
    router.onStateRecovered(() => events.push('recovered'));

    // Every reply now comes 250 ms after its command: each command times out, then is answered.
    // Two failures of `a` start a cooldown, whose script is the first command to time out.
    proxy.setDelay(250);
    providers.a.fallback = apiError(503);
    for (let i = 0; i < 2; i++) await router.complete({ model: 'chat', messages: HI });
    await vi.waitFor(() => expect(events).toEqual(['unavailable:timeout']), { timeout: 5_000 });
    await sleep(2_500);
    // Late replies (the sync's, the probes') are no recovery: one outage, still running.
    expect(events).toEqual(['unavailable:timeout']);
    expect(router.stats().state).toMatchObject({ state: 'unavailable', outages: 1 });

    proxy.setDelay(0);
    await vi.waitFor(() => expect(events).toEqual(['unavailable:timeout', 'recovered']), {
      timeout: 20_000,
    });
    expect(router.stats().state).toMatchObject({ state: 'available', outages: 1 });
  }, 30_000);
});
