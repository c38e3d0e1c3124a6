// The subscriber the Redis state duplicates from the app's client (`createRedisRouterState({
// client })`): a router whose `close()` is forgotten must not keep the process alive once the app
// let go of its own client, as no other package's forgotten `close()` does; and the subscriber
// follows the client's end and return. Real `redis-server`, child processes, real clock (what is
// tested is whether Node's event loop stays alive).

import { randomUUID } from 'node:crypto';
import { freePort } from '@x/internal/testing';
import Redis from 'ioredis';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { fakeProvider } from './__fixtures__/fake-provider';
import {
  AWAIT_SUBSCRIBED,
  readmeRedisExample,
  reportingExitAtOnce,
  runWithRedis,
} from './__fixtures__/readme-redis-example';
import { routerOverRedis } from './__fixtures__/routers';

afterEach(() => {
  vi.unstubAllEnvs();
});

const EXITED = { code: 0, stdout: '', stderr: '' };

describe('createRedisRouterState() with close() forgotten (real Redis, child process, real clock)', () => {
  it('lets the README example exit without router.close(): the subscriber ends with the app client', async () => {
    expect(await runWithRedis(readmeRedisExample())).toEqual(EXITED);
  });

  it('lets it exit at once when the app client ends while the subscriber is still connecting', async () => {
    // Dropped mid-connect, an ioredis 5 connection held the process 2 s (2,015 ms against 65);
    // ioredis 6 does not, so `ioredis-5-and-resp2.test.ts` runs this case on ioredis 5.
    const script = reportingExitAtOnce(readmeRedisExample());
    expect(await runWithRedis(script)).toEqual({ ...EXITED, stdout: 'true\n' });
  });

  it('lets it exit when the app client is disconnected after the subscription is in place', async () => {
    const script = readmeRedisExample().replace(
      'redis.disconnect();',
      `${AWAIT_SUBSCRIBED}redis.disconnect();`,
    );
    expect(await runWithRedis(script)).toEqual(EXITED);
  });

  it('lets it exit with a client whose end it cannot hear of: the subscriber holds no reference', async () => {
    // A client-like object (only what the state needs): its `end` is not observable, so only a
    // subscriber socket that does not hold the event loop lets the process end.
    const script = readmeRedisExample()
      .replace(
        'createRedisRouterState({ client: redis })',
        'createRedisRouterState({ client: { eval: redis.eval.bind(redis), duplicate: () => redis.duplicate() } })',
      )
      .replace('redis.disconnect();', `${AWAIT_SUBSCRIBED}redis.disconnect();`);
    expect(await runWithRedis(script)).toEqual(EXITED);
  });

  it('lets it exit with Redis down: the subscriber stops reconnecting once the app client ended', async () => {
    // Nothing listens there: without following the client, ioredis retries for good.
    const url = `redis://127.0.0.1:${await freePort()}`;
    expect(await runWithRedis(readmeRedisExample(), url)).toEqual(EXITED);
  });
});

describe('the subscriber createRedisRouterState() duplicates (real Redis, real clock)', () => {
  it('disconnects when the app client ends, and subscribes again when the client connects again', async () => {
    const client = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
    client.on('error', () => {});
    const router = routerOverRedis({
      client,
      prefix: `test:${randomUUID()}:`,
      providers: { a: fakeProvider('a'), b: fakeProvider('b') },
    });
    const unavailable: unknown[] = [];
    router.onStateUnavailable((event) => unavailable.push(event));
    try {
      await vi.waitFor(() => expect(router.stats().state).toMatchObject({ state: 'available' }), {
        timeout: 5_000,
      });
      client.disconnect();
      await vi.waitFor(
        () =>
          expect(unavailable).toEqual([
            { kind: 'redis', reason: 'disconnected', error: undefined },
          ]),
        { timeout: 5_000 },
      );
      expect(router.stats().state).toMatchObject({ state: 'unavailable' });
      await client.connect();
      await vi.waitFor(() => expect(router.stats().state).toMatchObject({ state: 'available' }), {
        timeout: 5_000,
      });
    } finally {
      await router.close();
      client.disconnect();
    }
  });
});
