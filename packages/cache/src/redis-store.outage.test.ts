// Real clock throughout: each test runs its own redis-server and makes it misbehave (a rotated
// password, writes paused, a password the client lacks, a lost reply, a frozen process), which
// would disturb the tests sharing the global one.
import { randomUUID } from 'node:crypto';
import { deferred } from '@x/internal';
import { errorTexts, expectNoSecret, startReplyDropProxy } from '@x/internal/testing';
import Redis, { type RedisOptions } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { redisPerTest } from '../../../scripts/testing/redis-per-test';
import { chatRequest as req } from './__fixtures__/chat-request';
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
    await admin.client('KILL', 'TYPE', 'NORMAL');

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

describe('createRedisStore when a reply is lost or Redis freezes', () => {
  /** A client through a proxy that can drop one reply and cut the connection. */
  async function throughProxy(port: number, retryDelayMs: number) {
    const proxy = await startReplyDropProxy(port);
    afterTest(() => proxy.close());
    // ioredis reconnects after `retryDelayMs` and sends the command without a reply again
    const client = connect(proxy.url, { retryStrategy: () => retryDelayMs });
    await client.ping();
    return { proxy, client };
  }

  it('loads at once when the client sends the lock command again after its reply was lost (a reset)', async () => {
    const redis = await server();
    const admin = connect(redis.url);
    const { proxy, client } = await throughProxy(redis.port, 20);
    const prefix = `t:${randomUUID()}:`;
    // (a timeout long enough for the reconnection: the command is answered, not timed out; a lock
    // TTL far past the wait below, so a wait for our own lock cannot end within it)
    const store = createRedisStore({
      client,
      prefix,
      commandTimeoutMs: 2_000,
      lockTtlMs: 60_000,
      lockWaitMs: 30_000,
      pollIntervalMs: 10,
    });
    afterTest(() => store.close());
    const cache = createCache({ store });
    const errors: unknown[] = [];
    cache.onStoreError((error) => errors.push(error));
    const loader = vi.fn(async () => 'loaded');

    // Redis takes the lock, the reply is lost, and ioredis sends the same SET NX again.
    const dropped = proxy.dropReplyTo(`${prefix}lock:`);
    const loading = cache.getOrLoad(req(1), loader);
    await dropped;
    // Refused as someone else's, the process waited for its own lock: lockWaitMs (30 s) here.
    // (10 s leaves room for a reconnection on a loaded machine)
    await vi.waitFor(() => expect(loader).toHaveBeenCalledTimes(1), { timeout: 10_000 });
    expect(await loading).toBe('loaded');
    await cache.flush();
    expect(proxy.connections()).toBe(2);
    expect(errors).toEqual([]);
    // Released after the load: another process finds the value, not a lock.
    expect(await admin.exists(`${prefix}lock:${cache.key(req(1))}`)).toBe(0);
    expect(await admin.exists(`${prefix}v:${cache.key(req(1))}`)).toBe(1);
  });

  it('gives back a lock whose command Redis ran again after it timed out, so nobody waits for it', async () => {
    const redis = await server();
    const admin = connect(redis.url);
    // the command is sent again 300 ms after the reset, long after its 100 ms timeout
    const { proxy, client } = await throughProxy(redis.port, 300);
    const prefix = `t:${randomUUID()}:`;
    // (a lock TTL far past the waits below, so a lock left behind cannot expire within them)
    const store = createRedisStore({ client, prefix, commandTimeoutMs: 100, lockTtlMs: 60_000 });
    afterTest(() => store.close());
    const cache = createCache({ store });
    const lockKey = `${prefix}lock:${cache.key(req(1))}`;

    const dropped = proxy.dropReplyTo(`${prefix}lock:`);
    expect(await cache.getOrLoad(req(1), async () => 'loaded without the lock')).toBe(
      'loaded without the lock',
    );
    await dropped;
    // the lock timed out (and the write after the load found the outage gate closed)
    expect(cache.stats().store!.errors).toBeGreaterThanOrEqual(1);
    // The resent SET NX finds our token: taken, late, so given back. Read as someone else's
    // lock, it stayed for lockTtlMs (60 s here), held by nobody, for every process missing the key.
    await vi.waitFor(() => expect(proxy.connections()).toBe(2), { timeout: 10_000 });
    await vi.waitFor(async () => expect(await admin.exists(lockKey)).toBe(0), {
      timeout: 10_000,
      interval: 50,
    });
  });

  it('sends one probe per probeIntervalMs while Redis is frozen, not the renewals of every load (SIGSTOP)', async () => {
    const redis = await server();
    const admin = connect(redis.url);
    // the redis-server this test started (its pid, as Redis reports it)
    const pid = Number(/process_id:(\d+)/.exec(await admin.info('server'))![1]);
    const probeIntervalMs = 1000;
    const { counted, sent } = counting(connect(redis.url));
    // renewals every 200 ms; a command is lost after 100 ms; then one probe a second
    const store = createRedisStore({
      client: counted,
      lockTtlMs: 600,
      commandTimeoutMs: 100,
      probeIntervalMs,
    });
    afterTest(() => store.close());
    const cache = createCache({ store });
    const finish = deferred<void>();
    let started = 0;
    const loads = Array.from({ length: 16 }, (_, n) =>
      cache.getOrLoad(req(n), async () => {
        started++;
        await finish.promise;
        return n;
      }),
    );
    await vi.waitFor(() => expect(started).toBe(16), { timeout: 5_000 });

    process.kill(pid, 'SIGSTOP');
    // runs before the server's stop (cleanups run last first): a stopped process ignores SIGTERM
    afterTest(() => process.kill(pid, 'SIGCONT'));
    const before = sent.length;
    const frozenAt = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const whileFrozen = sent.length - before;
    // A loaded machine fires the timer late: the probes are counted over the time that passed.
    const frozenMs = performance.now() - frozenAt;
    process.kill(pid, 'SIGCONT');
    finish.resolve();
    expect(await Promise.all(loads)).toEqual(Array.from({ length: 16 }, (_, n) => n));

    // Ungated, 16 loads renewing every 200 ms sent about 200 scripts into the frozen socket.
    // Gated: at most one renewal per load before the first one times out (100 ms, less than the
    // 200 ms between renewals), then one probe a second (2 or 3 in 2.5 s), and one more at most
    // for a probe timer firing late.
    expect(whileFrozen).toBeLessThanOrEqual(16 + Math.ceil(frozenMs / probeIntervalMs) + 1);
  });
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
