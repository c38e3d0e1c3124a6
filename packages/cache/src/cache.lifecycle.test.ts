import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { chatRequest as req } from './__fixtures__/chat-request';
import { createCache } from './cache';
import { isCacheClosedError, isCacheStoreError } from './errors';
import type { CacheStore } from './store';

/** A Map-backed store whose writes take `ms` fake milliseconds. */
function slowStore(ms: number) {
  const data = new Map<string, Uint8Array>();
  const store: CacheStore & { data: typeof data } = {
    data,
    async get(key) {
      return data.get(key);
    },
    async set(key, value) {
      await new Promise((resolve) => setTimeout(resolve, ms));
      data.set(key, value);
    },
    async delete(key) {
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
  vi.restoreAllMocks();
});

describe('cache listeners', () => {
  it('warns XListenerError and still answers when a listener throws or rejects', async () => {
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const cache = createCache();
    const seen: string[] = [];
    cache.onHit(() => {
      throw new Error('listener bug');
    });
    cache.onHit((event) => seen.push(event.tier));
    cache.onSet(async () => {
      throw new Error('async listener bug');
    });
    cache.onMiss(() => {
      throw new Error('miss listener bug');
    });

    expect(cache.set(req(1), 'v')).toBe(true);
    expect(cache.get(req(1))).toBe('v');
    expect(await cache.getOrLoad(req(2), async () => 'loaded')).toBe('loaded');
    await Promise.resolve();

    expect(seen).toEqual(['memory']);
    const messages = emitWarning.mock.calls.map((call) => String(call[0]));
    expect(messages).toEqual(
      expect.arrayContaining([
        "@x/cache: a 'hit' listener threw: Error: listener bug",
        "@x/cache: a 'set' listener threw: Error: async listener bug",
        "@x/cache: a 'miss' listener threw: Error: miss listener bug",
      ]),
    );
    for (const call of emitWarning.mock.calls) {
      expect(call[1]).toMatchObject({ type: 'XListenerError', code: 'X_CACHE_LISTENER_ERROR' });
    }
  });

  it('never rejects a call when a store-error listener throws', async () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const store: CacheStore = {
      get: async () => {
        throw new Error('store down');
      },
      set: async () => {},
      delete: async () => {},
    };
    const cache = createCache({ store });
    cache.onStoreError(() => {
      throw new Error('listener bug');
    });
    expect(await cache.getOrLoad(req(1), async () => 'v')).toBe('v');
    expect(await cache.lookup(req(2))).toBeUndefined();
    expect(cache.stats().store?.errors).toBe(2);
  });
});

describe('cache.close', () => {
  it('waits for loads in flight and store writes, then refuses calls when closed', async () => {
    const store = slowStore(50);
    const cache = createCache({ store });
    cache.set(req(1), 'one');
    const loading = cache.getOrLoad(
      req(2),
      () => new Promise<string>((resolve) => setTimeout(() => resolve('two'), 100)),
    );
    let closed = false;
    const closing = cache.close().then(() => {
      closed = true;
    });
    await vi.advanceTimersByTimeAsync(100);
    expect(await loading).toBe('two');
    expect(closed).toBe(false);
    await vi.advanceTimersByTimeAsync(50);
    await closing;
    expect(store.data.size).toBe(2);
    expect(cache.size).toBe(0);
    expect(cache.get(req(1))).toBeUndefined();

    const refused = [
      () => cache.set(req(3), 'x'),
      () => cache.delete(req(1)),
      () => cache.lookup(req(1)),
      () => cache.getOrLoad(req(1), async () => 'x'),
      () => cache.load(req(1), async () => 'x'),
    ];
    for (const call of refused) {
      let caught: unknown;
      try {
        await call();
      } catch (error) {
        caught = error;
      }
      expect(isCacheClosedError(caught)).toBe(true);
      expect(caught).toMatchObject({
        code: 'X_CACHE_CLOSED',
        target: 'cache',
        // The remedy, as a closed provider's and router's errors give theirs.
        message: 'The cache is closed: `close()` was called; create a new cache to make more calls',
      });
    }
    await expect(cache.close()).resolves.toBeUndefined();
  });

  it('closes the cache at the end of the scope when declared with await using', async () => {
    const store = slowStore(10);
    let escaped: ReturnType<typeof createCache> | undefined;
    const scope = (async () => {
      await using cache = createCache({ store });
      escaped = cache;
      cache.set(req(1), 'v');
    })();
    await vi.advanceTimersByTimeAsync(10);
    await scope;
    expect(store.data.size).toBe(1);
    expect(() => escaped!.set(req(2), 'w')).toThrow(
      expect.objectContaining({ code: 'X_CACHE_CLOSED' }),
    );
  });

  it('resolves when closed although a store write failed, reporting the failure', async () => {
    const store: CacheStore = {
      get: async () => undefined,
      set: async () => {
        throw new Error('store down');
      },
      delete: async () => {},
    };
    const cache = createCache({ store });
    const errors: unknown[] = [];
    cache.onStoreError((error) => errors.push(error));
    cache.set(req(1), 'v');
    await cache.close();
    expect(errors).toHaveLength(1);
    expect(isCacheStoreError(errors[0])).toBe(true);
  });

  it('ends a store’s wait for another holder’s load, even one that ignores its signal', async () => {
    let signal: AbortSignal | undefined;
    let handOut!: (lock: { release: () => Promise<void> }) => void;
    const release = vi.fn(async () => {});
    const store: CacheStore = {
      get: async () => undefined,
      set: async () => {},
      delete: async () => {},
      lock(_key, options) {
        signal = options.signal;
        options.waiting?.();
        // Never settles on its own: only the cache can end this wait.
        return new Promise((resolve) => (handOut = resolve));
      },
    };
    const cache = createCache<string>({ store });
    const errors: unknown[] = [];
    cache.onStoreError((error) => errors.push(error));
    const loading = cache.getOrLoad(req(1), async () => 'own');
    await vi.waitFor(() => expect(signal).toBeDefined());
    await cache.close();
    expect(await loading).toBe('own');
    expect(isCacheClosedError(signal!.reason)).toBe(true);
    expect(signal!.reason.target).toBe('cache');
    expect(cache.stats().store).toMatchObject({ lockWaits: 1, lockTimeouts: 0, errors: 0 });
    expect(errors).toEqual([]);
    // A lock the store hands out after the wait ended is given straight back.
    handOut({ release });
    await vi.waitFor(() => expect(release).toHaveBeenCalledTimes(1));
  });
});
