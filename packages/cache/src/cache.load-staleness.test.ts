// A load started before set(), delete() or clear() answers its callers but does not store its
// older answer afterwards, in memory or in the store, as a store read sent before them does not.
import { randomUUID } from 'node:crypto';
import { until } from '@x/internal/testing';
import { describe, expect, inject, it, vi } from 'vitest';
import { chatRequest as req } from './__fixtures__/chat-request';
import { redisClients } from './__fixtures__/redis-clients';
import { createCache } from './cache';
import { createRedisStore } from './redis-store';

const connect = redisClients(inject('redisUrl'));

/** A load of `req(1)` by `cache`, whose loader resolves when `finish()` is called. */
async function heldLoad(cache: ReturnType<typeof createCache<string>>) {
  let finish!: (value: string) => void;
  const loader = vi.fn(() => new Promise<string>((resolve) => (finish = resolve)));
  const loading = cache.load(req(1), loader);
  await until(() => loader.mock.calls.length > 0);
  return { loading, finish: (value: string) => finish(value) };
}

describe('a load the key changed under (memory)', () => {
  it('keeps the value set() during the load', async () => {
    const cache = createCache<string>();
    const { loading, finish } = await heldLoad(cache);
    cache.set(req(1), 'newer');
    finish('older');
    // Its callers still get the loaded answer.
    expect(await loading).toEqual({ value: 'older', source: 'loader' });
    expect(cache.get(req(1))).toBe('newer');
  });

  it('does not bring back a key delete()d during the load', async () => {
    const cache = createCache<string>();
    cache.set(req(1), 'first');
    cache.delete(req(1));
    const { loading, finish } = await heldLoad(cache);
    cache.delete(req(1));
    finish('older');
    expect((await loading).value).toBe('older');
    expect(cache.has(req(1))).toBe(false);
  });

  it('does not refill memory clear()ed during the load', async () => {
    const cache = createCache<string>();
    const { loading, finish } = await heldLoad(cache);
    cache.clear();
    finish('older');
    expect((await loading).value).toBe('older');
    expect(cache.size).toBe(0);
  });

  it('stores the answer of a load started after the change', async () => {
    const cache = createCache<string>();
    cache.set(req(1), 'first');
    cache.delete(req(1));
    const { loading, finish } = await heldLoad(cache);
    finish('loaded');
    await loading;
    expect(cache.get(req(1))).toBe('loaded');
  });
});

describe('a load the key changed under (Redis)', () => {
  /** A cache on a Redis store under a fresh prefix, and a second cache on the same prefix. */
  function caches() {
    const prefix = `stale-load:${randomUUID()}:`;
    const store = createRedisStore({ client: connect(), prefix, commandTimeoutMs: 5_000 });
    const other = createRedisStore({ client: connect(), prefix, commandTimeoutMs: 5_000 });
    return { cache: createCache<string>({ store }), reader: createCache<string>({ store: other }) };
  }

  it('leaves the value set() during the load in Redis', async () => {
    const { cache, reader } = caches();
    const { loading, finish } = await heldLoad(cache);
    cache.set(req(1), 'newer');
    finish('older');
    expect((await loading).value).toBe('older');
    await cache.flush();
    expect(await reader.lookup(req(1))).toBe('newer');
    await Promise.all([cache.close(), reader.close()]);
  });

  it('does not write back a key delete()d during the load, and gives its lock back', async () => {
    const { cache, reader } = caches();
    const { loading, finish } = await heldLoad(cache);
    cache.delete(req(1));
    finish('older');
    expect((await loading).value).toBe('older');
    await cache.flush();
    expect(await reader.lookup(req(1))).toBeUndefined();
    // The lock is free: the reader loads at once rather than wait for a holder.
    expect(await reader.load(req(1), async () => 'again')).toEqual({
      value: 'again',
      source: 'loader',
    });
    expect(reader.stats().store?.lockWaits).toBe(0);
    await Promise.all([cache.close(), reader.close()]);
  });
});
