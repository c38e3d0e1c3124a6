// Closing a router whose Redis subscriber (the one it made with `duplicate()`) is still
// connecting: ioredis dropping such a connection keeps a timer that held the process 2 s after
// `close()`. Real `redis-server`, real clock.
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { describe, expect, it } from 'vitest';
import { BRIEF_RECONNECT, redisPerTest } from '../../../scripts/testing/redis-per-test';
import { fakeProvider } from './__fixtures__/fake-provider';
import { routerOverRedis } from './__fixtures__/routers';

const { server, connected } = redisPerTest();

/** The timers that would keep the process alive. */
const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('router.close() with its subscriber still connecting (real Redis)', () => {
  it('leaves no timer of the subscriber behind, for any moment of its connection', async () => {
    const redis = await server();
    const client = connected(new Redis({ ...BRIEF_RECONNECT, port: redis.port }));
    await new Promise((resolve) => client.once('ready', resolve));
    // Closed at once, after one turn, and after a few: the subscriber is `connecting`, then
    // `connect`, then usually `ready`.
    for (const turns of [0, 1, 3, 10]) {
      const before = timers();
      const providers = { a: fakeProvider('a'), b: fakeProvider('b') };
      const router = routerOverRedis({ client, prefix: `test:${randomUUID()}:`, providers });
      for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
      await router.close();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(timers(), `closed after ${turns} turns`).toBeLessThanOrEqual(before);
    }
  });
});
