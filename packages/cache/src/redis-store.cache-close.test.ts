// cache.close() while a load waits for another process's load of the same key (another cache
// with a client of its own holds the Redis lock), in the README's order: caches before their
// store, so store.close() cannot end that wait. Real redis-server and clock; the foreign loader
// waits on a promise the test resolves only after the assertions about close().
import { randomUUID } from 'node:crypto';
import { until } from '@x/internal/testing';
import type Redis from 'ioredis';
import { describe, expect, inject, it, vi } from 'vitest';
import { chatRequest as req } from './__fixtures__/chat-request';
import { redisClients } from './__fixtures__/redis-clients';
import { createCache } from './cache';
import { isCacheClosedError } from './errors';
import { createRedisStore } from './redis-store';

const connect = redisClients(inject('redisUrl'));
// Long enough that a cache waiting for the lock cannot reach it during the test: before this
// release close() waited for the other process's load up to this bound.
const lockWaitMs = 120_000;

/** A cache with a Redis store of its own client (as in another process) under `prefix`. */
function cacheOn(prefix: string) {
  const client = connect();
  const store = createRedisStore({ client, prefix, commandTimeoutMs: 5_000, lockWaitMs });
  return { cache: createCache<string>({ store }), store, client };
}

/** Another process's load of `req(1)`, holding the lock until `finish()`. */
async function foreignLoad(prefix: string, admin: Redis) {
  const holder = cacheOn(prefix);
  let finish!: (value: string) => void;
  const loader = vi.fn(() => new Promise<string>((resolve) => (finish = resolve)));
  const held = holder.cache.getOrLoad(req(1), loader);
  await until(() => loader.mock.calls.length > 0);
  const lockKey = `${prefix}lock:${holder.cache.key(req(1))}`;
  // A lock take that failed would load without the lock: make the precondition explicit.
  await vi.waitFor(async () => expect(await admin.exists(lockKey)).toBe(1), { timeout: 5_000 });
  return { holder, held, lockKey, finish: (value: string) => finish(value) };
}

/** Whether `promise` settled within `ms` (a generous bound: the old code never settled). */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = promise.then(
    () => true as const,
    () => true as const,
  );
  try {
    return await Promise.race([settled, bound]);
  } finally {
    clearTimeout(timer);
  }
}

describe('cache.close() while a load waits for another process’s load', () => {
  it('ends the wait: the load loads by itself and close() does not wait for the other process', async () => {
    const prefix = `t:${randomUUID()}:`;
    const admin = connect();
    const foreign = await foreignLoad(prefix, admin);
    const waiter = cacheOn(prefix);
    const reads = vi.spyOn(waiter.client, 'getrangeBuffer');
    const own = vi.fn(async () => 'own answer');
    const waiting = waiter.cache.getOrLoad(req(1), own);
    // The miss, then a poll: the waiter found the other process's lock and waits for it.
    await until(() => reads.mock.calls.length >= 2);
    const closed = waiter.cache.close();
    // Before this release close() waited as long as the other process's loader ran (here until
    // finish(), which comes only after this), up to lockWaitMs.
    expect(await settlesWithin(closed, 10_000)).toBe(true);
    // The caller in flight still gets an answer: its own loader's, written to the store as usual.
    expect(await waiting).toBe('own answer');
    expect(own).toHaveBeenCalledTimes(1);
    expect(waiter.cache.stats().store).toMatchObject({ lockWaits: 1, lockTimeouts: 0, errors: 0 });
    expect(await admin.exists(foreign.lockKey)).toBe(1);
    expect(await cacheOn(prefix).cache.lookup(req(1))).toBe('own answer');
    await expect(waiter.cache.getOrLoad(req(1), own)).rejects.toSatisfy(isCacheClosedError);
    foreign.finish('foreign answer');
    expect(await foreign.held).toBe('foreign answer');
    await Promise.all([foreign.holder.store.close(), waiter.store.close()]);
  });

  it('starts no wait for a load that reaches the lock once close() was called', async () => {
    const prefix = `t:${randomUUID()}:`;
    const admin = connect();
    const foreign = await foreignLoad(prefix, admin);
    const waiter = cacheOn(prefix);
    const takes = vi.spyOn(waiter.client, 'eval');
    const own = vi.fn(async () => 'own answer');
    // The load reads the store first: it finds the lock held after close() was called.
    const waiting = waiter.cache.getOrLoad(req(1), own);
    const closed = waiter.cache.close();
    expect(await settlesWithin(closed, 10_000)).toBe(true);
    expect(await waiting).toBe('own answer');
    expect(takes).toHaveBeenCalled();
    // Found the lock held, did not wait: not counted as a wait.
    expect(waiter.cache.stats().store).toMatchObject({ lockWaits: 0, lockTimeouts: 0, errors: 0 });
    foreign.finish('foreign answer');
    await foreign.held;
    await Promise.all([foreign.holder.store.close(), waiter.store.close()]);
  });

  it('still takes a lock nobody holds for a load in flight when close() is called', async () => {
    const prefix = `t:${randomUUID()}:`;
    const admin = connect();
    const { cache, store } = cacheOn(prefix);
    const lockKey = `${prefix}lock:${cache.key(req(1))}`;
    let locked: number | undefined;
    const loading = cache.getOrLoad(req(1), async () => {
      locked = await admin.exists(lockKey);
      return 'mine';
    });
    await cache.close();
    expect(await loading).toBe('mine');
    // Another process missing the key meanwhile waits for this load rather than load it too.
    expect(locked).toBe(1);
    expect(await admin.exists(lockKey)).toBe(0);
    await store.close();
  });
});
