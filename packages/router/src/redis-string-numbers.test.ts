import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { afterEach, expect, inject, it, vi } from 'vitest';
import { apiError, fakeProvider, HI } from './__fixtures__/fake-provider';
import { routerOverRedis } from './__fixtures__/routers';

const open: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

it('shares cooldowns through a client made with stringNumbers: true (integers answered as text)', async () => {
  const redis = new Redis(inject('redisUrl'), { stringNumbers: true });
  open.push(() => redis.disconnect());
  expect(await redis.eval('return 1', 0)).toBe('1'); // what such a client answers
  const providers = { a: fakeProvider('a'), b: fakeProvider('b') };
  const router = routerOverRedis({
    client: redis,
    prefix: `test:${randomUUID()}:`,
    providers,
    durationMs: 200,
  });
  open.push(() => router.close());
  const events: string[] = [];
  router.onStateUnavailable((e) => events.push(`${e.reason}:${e.error}`));
  await vi.waitFor(() => expect(router.stats().state).toMatchObject({ syncs: 1 }));
  providers.a.script = [apiError(503), apiError(503)];
  await router.complete({ model: 'chat', messages: HI });
  await router.complete({ model: 'chat', messages: HI });
  await vi.waitFor(() => expect(router.stats().deployments.a!.status).toBe('probe-due'));
  await router.complete({ model: 'chat', messages: HI });
  expect(events).toEqual([]);
  expect(router.stats().state).toMatchObject({
    state: 'available',
    published: 1,
    probes: { won: 1 },
  });
});
