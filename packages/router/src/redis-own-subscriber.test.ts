// The subscriber the Redis state duplicates from the app's client (`createRedisRouterState({
// client })`): a router whose `close()` is forgotten must not keep the process alive once the app
// let go of its own client, as no other package's forgotten `close()` does; and the subscriber
// follows the client's end and return. Real `redis-server`, child processes, real clock (what is
// tested is whether Node's event loop stays alive).

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort, runModuleScript } from '@x/internal/testing';
import Redis from 'ioredis';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { fakeProvider } from './__fixtures__/fake-provider';
import { routerOverRedis } from './__fixtures__/routers';

const packageDir = join(import.meta.dirname, '..');
const source = (file: string) => pathToFileURL(join(packageDir, 'src', file)).href;
const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
const CLOSE = 'await router.close();';

/** The README's example of `@x/router/redis`, without `router.close()`, importing the sources. */
function exampleWithoutClose(): string {
  const example = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .find((code) => code.includes('createRedisRouterState({ client: redis })'));
  expect(example).toBeDefined();
  expect(example).toContain(CLOSE);
  return example!
    .split('\n')
    .filter((line) => !line.startsWith(CLOSE))
    .join('\n')
    .replace("from '@x/router/redis'", `from '${source('redis.ts')}'`)
    .replace("from '@x/router'", `from '${source('index.ts')}'`);
}

/** Put before the example's `redis.disconnect()`: waits until the subscription is in place. */
const AWAIT_SUBSCRIBED = `while (router.stats().state?.state !== 'available') {
  await new Promise((resolve) => setTimeout(resolve, 20));
}
`;

/**
 * Runs `script` in a child process with `REDIS_URL` set; the old state's subscriber kept the
 * child alive for good, so it is killed after 15 s (code -1).
 */
function run(script: string, url: string = inject('redisUrl')) {
  vi.stubEnv('REDIS_URL', url);
  return runModuleScript(source('redis.ts'), 'routerRedis', script, 15_000);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

const EXITED = { code: 0, stdout: '', stderr: '' };

describe('createRedisRouterState() with close() forgotten (real Redis, child process, real clock)', () => {
  it('lets the README example exit without router.close(): the subscriber ends with the app client', async () => {
    expect(await run(exampleWithoutClose())).toEqual(EXITED);
  });

  it('lets it exit at once when the app client ends while the subscriber is still connecting', async () => {
    // Dropped mid-connect, an ioredis connection held the process 2 s (2,015 ms against 65).
    const script = exampleWithoutClose().replace(
      'redis.disconnect();',
      "redis.disconnect(); globalThis.ended = performance.now(); process.on('exit', () => console.log(performance.now() - globalThis.ended < 1_000));",
    );
    expect(await run(script)).toEqual({ ...EXITED, stdout: 'true\n' });
  });

  it('lets it exit when the app client is disconnected after the subscription is in place', async () => {
    const script = exampleWithoutClose().replace(
      'redis.disconnect();',
      `${AWAIT_SUBSCRIBED}redis.disconnect();`,
    );
    expect(await run(script)).toEqual(EXITED);
  });

  it('lets it exit with a client whose end it cannot hear of: the subscriber holds no reference', async () => {
    // A client-like object (only what the state needs): its `end` is not observable, so only a
    // subscriber socket that does not hold the event loop lets the process end.
    const script = exampleWithoutClose()
      .replace(
        'createRedisRouterState({ client: redis })',
        'createRedisRouterState({ client: { eval: redis.eval.bind(redis), duplicate: () => redis.duplicate() } })',
      )
      .replace('redis.disconnect();', `${AWAIT_SUBSCRIBED}redis.disconnect();`);
    expect(await run(script)).toEqual(EXITED);
  });

  it('lets it exit with Redis down: the subscriber stops reconnecting once the app client ended', async () => {
    // Nothing listens there: without following the client, ioredis retries for good.
    const url = `redis://127.0.0.1:${await freePort()}`;
    expect(await run(exampleWithoutClose(), url)).toEqual(EXITED);
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
      await vi.waitFor(() => expect(router.stats().state).toMatchObject({ state: 'available' }));
      client.disconnect();
      await vi.waitFor(() =>
        expect(unavailable).toEqual([{ kind: 'redis', reason: 'disconnected', error: undefined }]),
      );
      expect(router.stats().state).toMatchObject({ state: 'unavailable' });
      await client.connect();
      await vi.waitFor(() => expect(router.stats().state).toMatchObject({ state: 'available' }));
    } finally {
      await router.close();
      client.disconnect();
    }
  });
});
