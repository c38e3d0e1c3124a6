import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCache } from './cache';
import { isCacheStoreError } from './errors';
import type { CacheStore } from './store';

const req = (n: number | string, extra: object = {}) => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content: `question ${n}` }],
  options: { temperature: 0 },
  ...extra,
});

/** A loader that resolves after `ms` fake milliseconds and records its signal. */
function slowLoader<T>(value: T, ms = 100) {
  const signals: AbortSignal[] = [];
  const loader = vi.fn((signal: AbortSignal) => {
    signals.push(signal);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => resolve(value), ms);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason);
      });
    });
  });
  return { loader, signals };
}

/** A Map-backed store, with switches to make it fail. */
function memoryStore() {
  const data = new Map<string, { value: Uint8Array; expiresAt: number }>();
  const calls: string[] = [];
  let failing = false;
  const store: CacheStore & { fail(on: boolean): void; data: typeof data; calls: string[] } = {
    data,
    calls,
    fail(on: boolean) {
      failing = on;
    },
    async get(key) {
      calls.push(`get ${key}`);
      if (failing) throw new Error('store down');
      const hit = data.get(key);
      return hit && hit.expiresAt > Date.now() ? hit.value : undefined;
    },
    async set(key, value, ttlMs) {
      calls.push(`set ${key} ${ttlMs}`);
      if (failing) throw new Error('store down');
      data.set(key, { value, expiresAt: Date.now() + ttlMs });
    },
    async delete(key) {
      calls.push(`delete ${key}`);
      if (failing) throw new Error('store down');
      data.delete(key);
    },
  };
  return store;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('cache.getOrLoad', () => {
  it('calls the loader once when concurrent callers miss the same key', async () => {
    const cache = createCache();
    const { loader } = slowLoader({ text: 'blue' });
    const all = Promise.all([1, 2, 3, 4, 5].map(() => cache.getOrLoad(req(1), loader)));
    await vi.advanceTimersByTimeAsync(100);
    expect(await all).toEqual(Array(5).fill({ text: 'blue' }));
    expect(loader).toHaveBeenCalledTimes(1);
    expect(await cache.getOrLoad(req(1), loader)).toEqual({ text: 'blue' });
    expect(loader).toHaveBeenCalledTimes(1);
    expect(cache.stats()).toMatchObject({ loads: 1, coalesced: 4, hits: 1, misses: 1 });
  });

  it('says where each answer came from when called through load()', async () => {
    const store = memoryStore();
    const writer = createCache({ store });
    writer.set(req('shared'), 'from store');
    await writer.flush();
    const cache = createCache({ store });
    const { loader } = slowLoader('fresh');
    const first = cache.load(req(1), loader);
    const joined = cache.load(req(1), loader);
    expect(cache.stats().inflight).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(await first).toEqual({ value: 'fresh', source: 'loader' });
    expect(await joined).toEqual({ value: 'fresh', source: 'coalesced' });
    expect(await cache.load(req(1), loader)).toEqual({ value: 'fresh', source: 'memory' });
    expect(await cache.load(req('shared'), loader)).toEqual({
      value: 'from store',
      source: 'store',
    });
    const sampled = req(2, { options: { temperature: 1 } });
    expect(await cache.load(sampled, async () => 's')).toEqual({ value: 's', source: 'uncached' });
    expect(cache.stats().inflight).toBe(0);
  });

  it('calls the loader once per key when different keys miss together', async () => {
    const cache = createCache();
    const { loader } = slowLoader('v');
    const all = Promise.all([1, 2, 1, 2].map((n) => cache.getOrLoad(req(n), loader)));
    await vi.advanceTimersByTimeAsync(100);
    await all;
    expect(loader).toHaveBeenCalledTimes(2);
  });

  it('rejects every waiter and caches nothing when the loader fails', async () => {
    const cache = createCache();
    const boom = new Error('provider down');
    const loader = vi.fn(async () => {
      await new Promise((r) => setTimeout(r, 10));
      throw boom;
    });
    const results = Promise.allSettled([1, 2, 3].map(() => cache.getOrLoad(req(1), loader)));
    await vi.advanceTimersByTimeAsync(10);
    for (const result of await results)
      expect(result).toEqual({ status: 'rejected', reason: boom });
    expect(loader).toHaveBeenCalledTimes(1);
    expect(cache.has(req(1))).toBe(false);
    const retry = cache.getOrLoad(req(1), async () => 'ok');
    expect(await retry).toBe('ok');
  });

  it('rejects only the aborting waiter and keeps the load when others still wait', async () => {
    const cache = createCache();
    const { loader, signals } = slowLoader('v');
    const controller = new AbortController();
    const leaving = cache.getOrLoad(req(1), loader, { signal: controller.signal });
    const staying = cache.getOrLoad(req(1), loader, { signal: new AbortController().signal });
    const reason = new Error('user left');
    controller.abort(reason);
    await expect(leaving).rejects.toBe(reason);
    expect(signals[0]!.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(await staying).toBe('v');
    expect(cache.get(req(1))).toBe('v');
  });

  it('aborts the loader and stores nothing when every waiter has gone', async () => {
    const cache = createCache();
    const { loader, signals } = slowLoader('v');
    const a = new AbortController();
    const b = new AbortController();
    const first = cache.getOrLoad(req(1), loader, { signal: a.signal });
    const second = cache.getOrLoad(req(1), loader, { signal: b.signal });
    a.abort(new Error('a'));
    await expect(first).rejects.toThrow('a');
    expect(signals[0]!.aborted).toBe(false);
    b.abort(new Error('b'));
    await expect(second).rejects.toThrow('b');
    expect(signals[0]!.aborted).toBe(true);
    expect(signals[0]!.reason).toEqual(new Error('b'));
    await vi.advanceTimersByTimeAsync(100);
    expect(cache.has(req(1))).toBe(false);
    // A new caller starts a new load instead of joining the abandoned one.
    const again = cache.getOrLoad(req(1), loader);
    await vi.advanceTimersByTimeAsync(100);
    expect(await again).toBe('v');
    expect(loader).toHaveBeenCalledTimes(2);
  });

  it('rejects with the reason at once and loads nothing when the signal is already aborted', async () => {
    const cache = createCache();
    const loader = vi.fn(async () => 'v');
    const reason = new Error('late');
    await expect(
      cache.getOrLoad(req(1), loader, { signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
    expect(loader).not.toHaveBeenCalled();
  });

  it('rejects with the reason at once when the caller aborts an uncached load whose loader ignores the signal', async () => {
    const cache = createCache({ strategy: 'selective' });
    const sampled = req(1, { options: { temperature: 0.9 } });
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const call = cache.getOrLoad(sampled, () => new Promise<never>(() => {}), {
      signal: controller.signal,
    });
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
  });

  it('calls the loader every time and shares nothing when the strategy does not cache', async () => {
    const cache = createCache({ strategy: 'selective' });
    const sampled = req(1, { options: { temperature: 0.9 } });
    let n = 0;
    const loader = vi.fn(async () => ++n);
    const both = await Promise.all([
      cache.getOrLoad(sampled, loader),
      cache.getOrLoad(sampled, loader),
    ]);
    expect(both).toEqual([1, 2]);
    expect(cache.stats().skipped).toEqual({ 'high-temperature': 2 });
  });

  it('prints no MaxListenersExceededWarning when 50 getOrLoad() and lookup() share one signal', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const cache = createCache({ store: memoryStore() });
      const { signal } = new AbortController();
      const { loader } = slowLoader('v');
      const calls: Promise<unknown>[] = [];
      for (let i = 0; i < 50; i++) {
        // Half join one load, half start their own.
        calls.push(cache.getOrLoad(req(i % 2 === 0 ? 'shared' : i), loader, { signal }));
        calls.push(cache.lookup(req(`missing ${i}`), { signal }));
      }
      await vi.advanceTimersByTimeAsync(100);
      await Promise.all(calls);
      // Node emits the warning on the next tick.
      await new Promise((resolve) => process.nextTick(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
  });

  it('returns the answer without storing it when it is not JSON or the ttl function throws', async () => {
    const cache = createCache({
      ttl: (request) => {
        if ((request as { messages: { content: string }[] }).messages[0]!.content.endsWith('2'))
          throw new Error('bad ttl');
        return undefined;
      },
    });
    const fn = () => 1;
    expect(await cache.getOrLoad(req(1), async () => fn as never)).toBe(fn);
    expect(await cache.getOrLoad(req(2), async () => 'two')).toBe('two');
    expect(cache.size).toBe(0);
    expect(cache.stats().skipped).toEqual({ 'not-serializable': 1 });
  });
});

describe('cache with a store', () => {
  it('writes answers through and reads them back into another cache', async () => {
    const store = memoryStore();
    const a = createCache({ store, namespace: 'app' });
    const b = createCache({ store, namespace: 'app' });
    const big = { content: 'x'.repeat(5000) };
    await a.getOrLoad(req(1), async () => big);
    await a.flush();
    const loader = vi.fn(async () => ({ content: 'other' }));
    expect(await b.getOrLoad(req(1), loader)).toEqual(big);
    expect(loader).not.toHaveBeenCalled();
    expect(b.get(req(1))).toEqual(big);
    expect(b.stats()).toMatchObject({ hits: 2, compressedEntries: 1, store: { hits: 1 } });
    expect([...store.data.keys()]).toEqual([a.key(req(1))]);
    expect(await b.lookup(req(1))).toEqual(big);
  });

  it('keeps the writer TTL when another cache reads the value from the store', async () => {
    const store = memoryStore();
    const a = createCache({ store, strategy: 'aggressive', minTtlMs: 1000, maxTtlMs: 1000 });
    a.set(req(1), 'v');
    await a.flush();
    await vi.advanceTimersByTimeAsync(600);
    const b = createCache({ store, strategy: 'aggressive', minTtlMs: 1000, maxTtlMs: 1000 });
    expect(await b.lookup(req(1))).toBe('v');
    await vi.advanceTimersByTimeAsync(400);
    expect(b.get(req(1))).toBeUndefined();
  });

  it('serves from memory and the loader, counting failures, when the store fails', async () => {
    const store = memoryStore();
    const cache = createCache({ store });
    const errors: unknown[] = [];
    cache.onStoreError((error) => errors.push(error));
    store.fail(true);
    expect(await cache.getOrLoad(req(1), async () => 'v')).toBe('v');
    expect(await cache.getOrLoad(req(1), async () => 'other')).toBe('v');
    expect(await cache.lookup(req(2))).toBeUndefined();
    cache.delete(req(1));
    await cache.flush();
    expect(cache.stats().store).toMatchObject({ errors: 4 });
    expect(errors).toHaveLength(4);
    expect(errors.every(isCacheStoreError)).toBe(true);
    expect((errors[0] as { operation: string }).operation).toBe('get');
  });

  it('still answers when every store method throws synchronously', async () => {
    const thrower: CacheStore = {
      get: () => {
        throw new Error('sync get');
      },
      set: () => {
        throw new Error('sync set');
      },
      delete: () => {
        throw new Error('sync delete');
      },
      lock: () => {
        throw new Error('sync lock');
      },
    };
    const cache = createCache({ store: thrower });
    expect(await cache.getOrLoad(req(1), async () => 'v')).toBe('v');
    expect(await cache.lookup(req(2))).toBeUndefined();
    cache.delete(req(1));
    await cache.flush();
    expect(cache.stats().store).toMatchObject({ errors: 5 });
  });

  it('deletes from the store when an entry is deleted', async () => {
    const store = memoryStore();
    const cache = createCache({ store });
    cache.set(req(1), 'v');
    cache.delete(req(1));
    await cache.flush();
    expect(store.data.size).toBe(0);
  });

  it('uses the value another process stored when the store lock hands it over', async () => {
    const store = memoryStore();
    const writer = createCache();
    writer.set(req(1), 'from-elsewhere');
    const holder = createCache({ store });
    holder.set(req(1), 'from-elsewhere');
    await holder.flush();
    const value = store.data.get(holder.key(req(1)))!.value;
    store.data.clear();
    const locking: CacheStore = {
      ...store,
      get: async () => undefined,
      lock: async () => ({ value }),
    };
    const cache = createCache({ store: locking });
    const loader = vi.fn(async () => 'mine');
    expect(await cache.getOrLoad(req(1), loader)).toBe('from-elsewhere');
    expect(loader).not.toHaveBeenCalled();
    expect(cache.stats().store).toMatchObject({ lockWaits: 1 });
  });

  it('counts a lock() that resolves undefined (waited too long) in lockTimeouts, and loads', async () => {
    const store = memoryStore();
    const cache = createCache({ store: { ...store, lock: async () => undefined } });
    expect(await cache.getOrLoad(req(1), async () => 'mine')).toBe('mine');
    await cache.flush();
    // A wait that ran out is a wait too (lockWaits counts every one; before this release, 0).
    expect(cache.stats().store).toMatchObject({ lockTimeouts: 1, lockWaits: 1, writes: 1 });
  });

  it('releases the store lock after the value is written when it loaded', async () => {
    const store = memoryStore();
    const order: string[] = [];
    const locking: CacheStore = {
      ...store,
      set: async (key, value, ttl) => {
        await store.set(key, value, ttl);
        order.push('set');
      },
      lock: async () => ({
        release: async () => {
          order.push('release');
        },
      }),
    };
    const cache = createCache({ store: locking });
    await cache.getOrLoad(req(1), async () => 'v');
    await cache.flush();
    expect(order).toEqual(['set', 'release']);
  });

  it('counts a wait lock() said it started when every caller leaves or the store fails during it', async () => {
    const store = memoryStore();
    let fail: ((error: Error) => void) | undefined;
    const cache = createCache({
      store: {
        ...store,
        // Another holder's lock for ever: it says so (`waiting`), and ends only on abort or `fail`.
        lock: (_key, { signal, waiting }) => {
          waiting?.();
          return new Promise((_resolve, reject) => {
            fail = reject;
            signal.addEventListener('abort', () => reject(signal.reason), { once: true });
          });
        },
      },
    });
    const leave = new AbortController();
    const loader = vi.fn(async () => 'own');
    const left = cache.getOrLoad(req(1), loader, { signal: leave.signal });
    await vi.waitFor(() => expect(fail).toBeDefined());
    leave.abort(new Error('gone'));
    await expect(left).rejects.toThrow('gone');
    expect(loader).not.toHaveBeenCalled();
    // Before this release: lockWaits 0 (a wait that no answer ended was not counted).
    expect(cache.stats().store).toMatchObject({ lockWaits: 1, lockTimeouts: 0, errors: 0 });
    fail = undefined;
    const loaded = cache.getOrLoad(req(2), loader);
    await vi.waitFor(() => expect(fail).toBeDefined());
    fail!(new Error('store down'));
    expect(await loaded).toBe('own');
    expect(cache.stats().store).toMatchObject({ lockWaits: 2, lockTimeouts: 0, errors: 1 });
  });

  it('counts a lock() that says it waited, and releases an abandoned load’s lock once, at once', async () => {
    const store = memoryStore();
    const release = vi.fn(async () => {});
    const cache = createCache({
      store: { ...store, lock: async () => ({ release, waited: true }) },
    });
    const leave = new AbortController();
    let loaderSignal: AbortSignal | undefined;
    const never = (signal: AbortSignal) => {
      loaderSignal = signal;
      return new Promise<string>(() => {});
    };
    const left = cache.getOrLoad(req(1), never, { signal: leave.signal });
    await vi.waitFor(() => expect(loaderSignal).toBeDefined());
    expect(cache.stats().store).toMatchObject({ lockWaits: 1, lockTimeouts: 0 });
    leave.abort(new Error('gone'));
    await expect(left).rejects.toThrow('gone');
    await cache.flush();
    // Before this release: not called until the loader settled (here: never).
    expect(release).toHaveBeenCalledTimes(1);
    await cache.close();
    expect(release).toHaveBeenCalledTimes(1);
  });
});
