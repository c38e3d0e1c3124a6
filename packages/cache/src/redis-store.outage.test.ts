// Real clock throughout: each test runs its own redis-server and makes it misbehave (a rotated
// password, writes paused, a password the client lacks), which would disturb the tests sharing the
// global one.
import { randomUUID } from 'node:crypto';
import { errorTexts, expectNoSecret } from '@x/internal/testing';
import Redis, { type RedisOptions } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { redisPerTest } from '../../../scripts/testing/redis-per-test';
import { createCache } from './cache';
import { isCacheStoreError } from './errors';
import { createRedisStore, type RedisStoreClient } from './redis-store';

const { server, afterTest } = redisPerTest();

function connect(url: string, options: RedisOptions = {}): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: 1, ...options });
  client.on('error', () => {});
  afterTest(() => client.disconnect());
  return client;
}

const req = (n: number | string) => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content: `question ${n}` }],
  options: { temperature: 0 },
});

describe('createRedisStore when Redis misbehaves', () => {
  it('keeps the Redis password out of store errors when Redis refuses the password', async () => {
    const secret = 'hunter2-rotated-away';
    const redis = await server();
    const admin = connect(redis.url);
    await admin.config('SET', 'requirepass', secret);
    await admin.auth(secret);
    const client = connect(`redis://:${secret}@127.0.0.1:${redis.port}`);
    await client.ping();
    const cache = createCache({ store: createRedisStore({ client, commandTimeoutMs: 1000 }) });
    const errors: unknown[] = [];
    cache.onStoreError((error) => errors.push(error));
    // The password is rotated and the connection dropped: ioredis reconnects with the old one.
    await admin.config('SET', 'requirepass', 'the-new-password');
    await admin.client('KILL', 'TYPE', 'normal');

    // Which command meets the refused AUTH depends on the reconnection's timing: ask until one does.
    let n = 0;
    await vi.waitFor(async () => {
      expect(await cache.getOrLoad(req(n++), async () => 'loaded')).toBe('loaded');
      await cache.flush();
      expect(errorTexts(errors).join('\n')).toContain('WRONGPASS');
    }, 10_000);
    expect(errors.every(isCacheStoreError)).toBe(true);
    const texts = errorTexts(errors).join('\n');
    expect(texts).not.toContain(secret);
  });

  it('gives back a lock that Redis took after its command timed out, so nobody waits for it', async () => {
    const redis = await server();
    const admin = connect(redis.url);
    const client = connect(redis.url, { maxRetriesPerRequest: null });
    const prefix = `t:${randomUUID()}:`;
    const store = createRedisStore({ client, prefix, commandTimeoutMs: 100 });
    const cache = createCache({ store });
    const lockKey = `${prefix}lock:${cache.key(req(1))}`;
    // Reads go on, writes wait: the read misses, the lock (SET NX) is held back past its timeout.
    await admin.client('PAUSE', 500, 'WRITE');
    const failing = cache.getOrLoad(req(1), async () => {
      throw new Error('provider down');
    });
    await expect(failing).rejects.toThrow('provider down');
    expect(cache.stats().store).toMatchObject({ errors: 1 });
    // Once writes resume the late SET NX lands (a write sent after it on the same connection
    // returns after it); the store must release it, not leave it for lockTtlMs (10 s by
    // default) to every process that misses the key.
    await client.set(`${prefix}after-pause`, '1');
    await vi.waitFor(async () => expect(await admin.exists(lockKey)).toBe(0), {
      timeout: 3000,
      interval: 50,
    });
    await store.close();
  });

  it.each([
    { refused: 'a wrong password', code: 'WRONGPASS', password: `old-${randomUUID()}` },
    { refused: 'no password', code: 'NOAUTH', password: undefined },
  ])(
    'sends nothing for probeIntervalMs after Redis refuses $refused ($code), as after a timeout',
    async ({ code, password }) => {
      const required = `pw-${randomUUID()}`;
      const redis = await server({ requirepass: required });
      // `retryStrategy`: a short, fixed delay between the refused reconnections.
      const client = connect(`redis://127.0.0.1:${redis.port}`, {
        password,
        retryStrategy: () => 50,
      });
      const { counted, sent } = counting(client);
      const cache = createCache({
        store: createRedisStore({
          client: counted,
          commandTimeoutMs: 500,
          probeIntervalMs: 60_000,
        }),
      });
      const errors: unknown[] = [];
      cache.onStoreError((error) => errors.push(error));

      for (let n = 0; n < 10; n++) {
        expect(await cache.getOrLoad(req(n), async () => `loaded ${n}`)).toBe(`loaded ${n}`);
      }
      await cache.flush();

      // The first read met the refusal; nothing was sent after it (no lock, no write, no read).
      expect(sent).toEqual(['get']);
      expect(cache.stats().store!.errors).toBeGreaterThanOrEqual(10);
      expectNoSecret(errorTexts(errors).join('\n'), password ?? required, { shows: code });
    },
  );
});

/** `client` behind a wrapper that lists the commands the store sends. */
function counting(client: Redis): { counted: RedisStoreClient; sent: string[] } {
  const sent: string[] = [];
  const counted: Record<string, unknown> = {};
  for (const [name, command] of [
    ['get', 'getBuffer'],
    ['set', 'set'],
    ['del', 'del'],
    ['eval', 'eval'],
    ['scan', 'scan'],
  ] as const) {
    const run = client[command] as (...args: unknown[]) => unknown;
    counted[command] = (...args: unknown[]) => {
      sent.push(name);
      return run.apply(client, args);
    };
  }
  return { counted: counted as unknown as RedisStoreClient, sent };
}
