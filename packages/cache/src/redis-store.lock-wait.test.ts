// Waits for a load lock held by another cache sharing the store (another process, or another
// deployment behind a router), and loaders that ask for their own key. Real clock and a real
// redis-server, except the test of the default bound, which runs on fake timers and a scripted
// client.
import { randomUUID } from 'node:crypto';
import { until } from '@x/internal/testing';
import type Redis from 'ioredis';
import { describe, expect, inject, it, vi } from 'vitest';
import { chatRequest as req } from './__fixtures__/chat-request';
import { redisClients } from './__fixtures__/redis-clients';
import { createCache } from './cache';
import { isCacheLoadCycleError } from './errors';
import { createRedisStore, type RedisStoreClient, type RedisStoreOptions } from './redis-store';

const url = inject('redisUrl');
const connect = redisClients(url);

// A fresh connection's first commands on a loaded machine can outlast the default 500 ms: a lock
// take that timed out lets the holder load without its lock, and the waiter then never waits.
const commandTimeoutMs = 5_000;

/** A cache with a Redis store of its own client (as in another process) under `prefix`. */
function cacheOn(prefix: string, options: Partial<RedisStoreOptions> = {}) {
  const client = connect();
  const store = createRedisStore({ client, prefix, commandTimeoutMs, ...options });
  return { cache: createCache<string>({ store }), store, client };
}

let adminClient: Redis | undefined;
/**
 * Waits until Redis holds `lockKey`. The holder's loader being called does not say so (a lock take
 * that failed loads without the lock): this makes the tests' precondition explicit.
 */
async function lockHeld(lockKey: string): Promise<void> {
  adminClient ??= connect();
  const admin = adminClient;
  await vi.waitFor(async () => expect(await admin.exists(lockKey)).toBe(1), {
    timeout: 5_000,
    interval: 20,
  });
}

/** A loader that never settles until `finish()`: a deployment that hangs, holding the lock. */
function hanging() {
  let finish!: (value: string) => void;
  const loader = vi.fn(() => new Promise<string>((resolve) => (finish = resolve)));
  return { loader, finish: (value: string) => finish(value) };
}

describe('createRedisStore waiting for another cache’s load', () => {
  it('loads by itself within lockWaitMs when the lock holder hangs, renewing its lock', async () => {
    const prefix = `t:${randomUUID()}:`;
    const admin = connect();
    const holder = cacheOn(prefix);
    const waiter = cacheOn(prefix, { lockWaitMs: 1000 });
    const lockKey = `${prefix}lock:${holder.cache.key(req(1))}`;
    const hang = hanging();
    const held = holder.cache.getOrLoad(req(1), hang.loader);
    await until(() => hang.loader.mock.calls.length > 0);
    await lockHeld(lockKey);
    const own = vi.fn(async () => 'own answer');
    let settled = false;
    const started = performance.now();
    const waited = waiter.cache.getOrLoad(req(1), own).finally(() => {
      settled = true;
    });
    // Before this release it waited for the holder (60 s, or the holder's own timeout).
    await vi.waitFor(() => expect(settled).toBe(true), { timeout: 10_000, interval: 50 });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(await waited).toBe('own answer');
    expect(own).toHaveBeenCalledTimes(1);
    // Every wait counts in lockWaits (before this release only those ending with a value did).
    expect(waiter.cache.stats().store).toMatchObject({ lockTimeouts: 1, lockWaits: 1, errors: 0 });
    // The holder still holds its lock: the waiter loaded without it.
    expect(await admin.exists(lockKey)).toBe(1);
    // The waiter's answer is written as usual: a third cache reads it from the store.
    await waiter.cache.flush();
    const third = cacheOn(prefix);
    expect(await third.cache.lookup(req(1))).toBe('own answer');
    hang.finish('late holder answer');
    expect(await held).toBe('late holder answer');
    await Promise.all([holder.cache.close(), waiter.cache.close(), third.cache.close()]);
    await Promise.all([holder.store.close(), waiter.store.close(), third.store.close()]);
  });

  it('stops waiting at lockWaitMs even when pollIntervalMs is longer', async () => {
    const prefix = `t:${randomUUID()}:`;
    const holder = cacheOn(prefix);
    const waiter = cacheOn(prefix, { lockWaitMs: 200, pollIntervalMs: 60_000 });
    const hang = hanging();
    const held = holder.cache.getOrLoad(req(1), hang.loader);
    await until(() => hang.loader.mock.calls.length > 0);
    await lockHeld(`${prefix}lock:${holder.cache.key(req(1))}`);
    const started = performance.now();
    // Before this release the wait slept a whole poll (60 s) before it looked at the time.
    expect(await waiter.cache.getOrLoad(req(1), async () => 'own')).toBe('own');
    expect(performance.now() - started).toBeLessThan(5_000);
    hang.finish('late');
    await held;
    await Promise.all([holder.store.close(), waiter.store.close()]);
  });

  it('still calls a fast loader once for two caches that miss together, with the defaults', async () => {
    const prefix = `t:${randomUUID()}:`;
    const a = cacheOn(prefix);
    const b = cacheOn(prefix);
    let calls = 0;
    const loader = async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 200));
      return `answer ${calls}`;
    };
    const [x, y] = await Promise.all([
      a.cache.getOrLoad(req(1), loader),
      b.cache.getOrLoad(req(1), loader),
    ]);
    expect(calls).toBe(1);
    expect([x, y]).toEqual(['answer 1', 'answer 1']);
    const stats = [a.cache.stats().store!, b.cache.stats().store!];
    expect(stats[0]!.lockWaits + stats[1]!.lockWaits).toBe(1);
    expect(stats[0]!.lockTimeouts + stats[1]!.lockTimeouts).toBe(0);
    await Promise.all([a.store.close(), b.store.close()]);
  });
});

describe('lockWaits counts every wait for another cache’s load', () => {
  it('counts a wait that ends because the holder’s load failed, and one that ran out', async () => {
    const prefix = `t:${randomUUID()}:`;
    const holder = cacheOn(prefix);
    const waiter = cacheOn(prefix, { lockWaitMs: 2_000 });
    // The holder's load fails while the waiter waits: its lock goes, with no value.
    let fail!: (error: Error) => void;
    const failing = vi.fn(() => new Promise<string>((_resolve, reject) => (fail = reject)));
    const failed = holder.cache.getOrLoad(req(1), failing).catch((e: unknown) => e);
    await until(() => failing.mock.calls.length > 0);
    await lockHeld(`${prefix}lock:${holder.cache.key(req(1))}`);
    const reads = vi.spyOn(waiter.client, 'getrangeBuffer');
    const own = waiter.cache.getOrLoad(req(1), async () => 'own');
    // The first read is the miss, the next ones polls: the waiter found the lock and waits.
    await until(() => reads.mock.calls.length >= 2);
    fail(new Error('provider 500'));
    expect(await own).toBe('own');
    expect(await failed).toMatchObject({ message: 'provider 500' });
    // Before this release: lockWaits 0 (only a wait that ended with a value counted).
    expect(waiter.cache.stats().store).toMatchObject({ lockWaits: 1, lockTimeouts: 0 });
    // The holder hangs past a lockWaitMs: a wait that ran out counts in both.
    const short = cacheOn(prefix, { lockWaitMs: 200 });
    const hang = hanging();
    const held = holder.cache.getOrLoad(req(2), hang.loader);
    await until(() => hang.loader.mock.calls.length > 0);
    await lockHeld(`${prefix}lock:${holder.cache.key(req(2))}`);
    expect(await short.cache.getOrLoad(req(2), async () => 'own 2')).toBe('own 2');
    expect(short.cache.stats().store).toMatchObject({ lockWaits: 1, lockTimeouts: 1 });
    hang.finish('late');
    await held;
    await Promise.all([holder.store.close(), waiter.store.close(), short.store.close()]);
  });

  it('counts a wait every caller of the load left during it, not as a timeout', async () => {
    const prefix = `t:${randomUUID()}:`;
    const holder = cacheOn(prefix);
    const client = connect();
    const reads = vi.spyOn(client, 'getrangeBuffer');
    const store = createRedisStore({ client, prefix, commandTimeoutMs });
    const waiter = createCache<string>({ store });
    const hang = hanging();
    const held = holder.cache.getOrLoad(req(1), hang.loader);
    await until(() => hang.loader.mock.calls.length > 0);
    await lockHeld(`${prefix}lock:${holder.cache.key(req(1))}`);
    const leave = new AbortController();
    const own = vi.fn(async () => 'own');
    const left = waiter.getOrLoad(req(1), own, { signal: leave.signal });
    // The first read is the miss, the next ones polls: the holder's lock was found, and waited for.
    await until(() => reads.mock.calls.length >= 2);
    leave.abort(new Error('caller gave up'));
    await expect(left).rejects.toThrow('caller gave up');
    expect(own).not.toHaveBeenCalled();
    // Before this release: lockWaits 0 (a wait its caller ended was not counted).
    expect(waiter.stats().store).toMatchObject({ lockWaits: 1, lockTimeouts: 0, errors: 0 });
    hang.finish('late');
    await held;
    await Promise.all([holder.store.close(), store.close()]);
  });

  it('counts a wait that close() of the store ended, with the error', async () => {
    const prefix = `t:${randomUUID()}:`;
    const holder = cacheOn(prefix);
    const client = connect();
    const reads = vi.spyOn(client, 'getrangeBuffer');
    const store = createRedisStore({ client, prefix, commandTimeoutMs });
    const waiter = createCache<string>({ store });
    const hang = hanging();
    const held = holder.cache.getOrLoad(req(1), hang.loader);
    await until(() => hang.loader.mock.calls.length > 0);
    await lockHeld(`${prefix}lock:${holder.cache.key(req(1))}`);
    const own = waiter.getOrLoad(req(1), async () => 'own');
    await until(() => reads.mock.calls.length >= 2);
    await store.close();
    // The waiting cache loads by itself.
    expect(await own).toBe('own');
    // Before this release: lockWaits 0 (only the store errors counted: the lock, then the write).
    expect(waiter.stats().store).toMatchObject({ lockWaits: 1, lockTimeouts: 0, errors: 2 });
    hang.finish('late');
    await held;
    await holder.store.close();
  });

  it('does not count a lock taken at once', async () => {
    const { cache, store } = cacheOn(`t:${randomUUID()}:`);
    expect(await cache.getOrLoad(req(1), async () => 'mine')).toBe('mine');
    expect(cache.stats().store).toMatchObject({ lockWaits: 0, lockTimeouts: 0 });
    await store.close();
  });
});

describe('a load every caller left, whose loader ignores its signal', () => {
  it('gives its lock back at once, so another cache does not wait for it', async () => {
    const prefix = `t:${randomUUID()}:`;
    const admin = connect();
    const holder = cacheOn(prefix, { lockTtlMs: 600 });
    const other = cacheOn(prefix, { lockWaitMs: 10_000 });
    const lockKey = `${prefix}lock:${holder.cache.key(req(1))}`;
    const hang = hanging();
    const leave = new AbortController();
    const left = holder.cache.getOrLoad(req(1), hang.loader, { signal: leave.signal });
    await until(() => hang.loader.mock.calls.length > 0);
    await lockHeld(lockKey);
    leave.abort(new Error('caller gave up'));
    await expect(left).rejects.toThrow('caller gave up');
    // Before this release the lock was renewed as long as the loader ran: for ever here.
    await vi.waitFor(async () => expect(await admin.exists(lockKey)).toBe(0), {
      timeout: 5_000,
      interval: 50,
    });
    await holder.cache.close();
    expect(await other.cache.getOrLoad(req(1), async () => 'other')).toBe('other');
    expect(other.cache.stats().store).toMatchObject({ lockTimeouts: 0 });
    await other.cache.flush();
    // The abandoned loader's late answer is not stored over it.
    hang.finish('late');
    await holder.cache.flush();
    const valueKey = `${prefix}v:${holder.cache.key(req(1))}`;
    expect(await cacheOn(prefix).cache.lookup(req(1))).toBe('other');
    expect(await admin.exists(valueKey)).toBe(1);
    expect(await admin.exists(lockKey)).toBe(0);
    await Promise.all([holder.store.close(), other.store.close()]);
  });
});

describe('createRedisStore lockWaitMs default', () => {
  it('waits 30 s for a lock held elsewhere, then loads without it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const sent: string[] = [];
      // Another holder's lock for ever: every take refused, never a value.
      const client: RedisStoreClient = {
        getBuffer: async () => null,
        set: async () => 'OK',
        del: async () => 1,
        eval: async (script) => {
          sent.push(script.includes("'NX'") ? 'take' : 'other');
          return 0;
        },
        scan: async () => ['0', []],
      };
      const cache = createCache({ store: createRedisStore({ client }) });
      const loader = vi.fn(async () => 'own');
      const pending = cache.getOrLoad(req(1), loader);
      await vi.advanceTimersByTimeAsync(29_900);
      expect(loader).not.toHaveBeenCalled();
      // every pollIntervalMs (50 ms): a read and another try
      expect(sent.filter((command) => command === 'take').length).toBeGreaterThan(50);
      await vi.advanceTimersByTimeAsync(200);
      expect(loader).toHaveBeenCalledTimes(1);
      expect(await pending).toBe('own');
      expect(cache.stats().store).toMatchObject({ lockTimeouts: 1, errors: 0 });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('a loader that asks for its own key, with a Redis store', () => {
  it('refuses the call with CacheLoadCycleError and gives the lock back', async () => {
    const prefix = `t:${randomUUID()}:`;
    const client = connect();
    const store = createRedisStore({ client, prefix, commandTimeoutMs });
    const cache = createCache<string>({ store });
    const lockKey = `${prefix}lock:${cache.key(req(1))}`;
    const loader = vi.fn(async (signal: AbortSignal) => {
      // Past the lock: Redis holds it while this loader runs.
      expect(await client.exists(lockKey)).toBe(1);
      return cache.getOrLoad(req(1), async () => 'inner', { signal });
    });
    const error = await cache.getOrLoad(req(1), loader).catch((e: unknown) => e);
    expect(isCacheLoadCycleError(error)).toBe(true);
    expect(error).toMatchObject({ key: cache.key(req(1)), through: [] });
    expect(loader).toHaveBeenCalledTimes(1);
    await cache.flush();
    expect(await client.exists(lockKey)).toBe(0);
    expect(await client.exists(`${prefix}v:${cache.key(req(1))}`)).toBe(0);
    // Nothing is left waiting: the next call loads.
    expect(await cache.getOrLoad(req(1), async () => 'fresh')).toBe('fresh');
    await store.close();
  });

  it('loads by itself at once when the loader asks another cache on the same store', async () => {
    const prefix = `t:${randomUUID()}:`;
    const outer = cacheOn(prefix);
    // Another cache on the same Redis: the lock it finds is the outer load's, which waits for it.
    const inner = cacheOn(prefix, { lockWaitMs: 10_000 });
    const value = await outer.cache.getOrLoad(req(1), async (signal) => {
      await Promise.resolve();
      return inner.cache.getOrLoad(req(1), async () => 'inner answer', { signal });
    });
    expect(value).toBe('inner answer');
    // Before this release it waited lockWaitMs for the outer load's lock: a lockTimeout.
    expect(inner.cache.stats().store).toMatchObject({ lockWaits: 0, lockTimeouts: 0, errors: 0 });
    // Asked while the outer loader is being called, without its signal: the same.
    const again = await outer.cache.getOrLoad(req(2), () =>
      inner.cache.getOrLoad(req(2), async () => 'inner 2'),
    );
    expect(again).toBe('inner 2');
    expect(inner.cache.stats().store).toMatchObject({ lockWaits: 0, lockTimeouts: 0, errors: 0 });
    await Promise.all([outer.store.close(), inner.store.close()]);
  });

  // The lock found held is under another prefix than the outer load's: another process's, which
  // the inner cache waits for as for any other.
  it('waits for another process when the loader asks a cache of another prefix', async () => {
    const outer = cacheOn(`t:${randomUUID()}:`);
    const otherPrefix = `t:${randomUUID()}:`;
    const inner = cacheOn(otherPrefix);
    const elsewhere = cacheOn(otherPrefix); // another process: its own client
    const { loader, finish } = hanging();
    const held = elsewhere.cache.getOrLoad(req(1), loader);
    await until(() => loader.mock.calls.length === 1);
    await lockHeld(`${otherPrefix}lock:${elsewhere.cache.key(req(1))}`);
    const innerLoader = vi.fn(async () => 'loaded twice');
    const reads = vi.spyOn(inner.client, 'getrangeBuffer');
    const value = outer.cache.getOrLoad(req(1), (signal) =>
      inner.cache.getOrLoad(req(1), innerLoader, { signal }),
    );
    // The miss, then a poll: the inner cache found the other process's lock and waits for it.
    await until(() => reads.mock.calls.length >= 2);
    finish('from the other process');
    expect(await held).toBe('from the other process');
    expect(await value).toBe('from the other process');
    expect(innerLoader).not.toHaveBeenCalled();
    expect(inner.cache.stats().store).toMatchObject({ lockWaits: 1, lockTimeouts: 0 });
    await Promise.all([outer.store.close(), inner.store.close(), elsewhere.store.close()]);
  });
});
