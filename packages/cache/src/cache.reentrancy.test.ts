import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { chatRequest as req } from './__fixtures__/chat-request';
import { createCache } from './cache';
import type { Cache } from './cache-api';
import type { CacheStore } from './store';

/** A JSON answer of about `size` bytes that compresses like real text. */
const answer = (size: number) => ({
  model: 'llama3.2',
  message: { role: 'assistant', content: 'Answer: '.padEnd(size, ' the sky scatters blue light.') },
  done: true,
});

/**
 * A Map-backed store whose reads answer after `readMs` fake milliseconds with what the store held
 * when they were sent, as a Redis GET sent before a DEL or a SET answers.
 */
function mapStore(readMs = 0) {
  const data = new Map<string, Uint8Array>();
  const store: CacheStore & { data: typeof data } = {
    data,
    async get(key) {
      const held = data.get(key);
      if (readMs > 0) await new Promise((resolve) => setTimeout(resolve, readMs));
      return held;
    },
    async set(key, value) {
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
});

describe('listeners that change the cache while it is answering', () => {
  const removals: [string, (cache: Cache, key: string) => void][] = [
    ['deletes the key', (cache, key) => cache.delete(key)],
    ['clears the cache', (cache) => cache.clear()],
  ];

  for (const [what, remove] of removals) {
    it(`keeps no decoded copy when a hit listener ${what} on the second read of a compressed entry`, () => {
      const cache = createCache({ compressAboveBytes: 256 });
      const value = answer(8 * 1024);
      cache.set(req(1), value);
      expect(cache.get(req(1))).toEqual(value);
      cache.onHit((event) => remove(cache, event.key));
      expect(cache.get(req(1))).toEqual(value);
      expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0, decodedBytes: 0 });
      // The room a stale copy held is free: a new entry and its own copy fit as before.
      cache.set(req(2), value);
      expect(cache.stats()).toMatchObject({ entries: 1, decodedBytes: 0 });
    });
  }

  it('deletes the value from the store too when a set listener deletes the key it was told about', async () => {
    const store = mapStore();
    const cache = createCache({ store });
    cache.onSet((event) => cache.delete(event.key));
    expect(cache.set(req(1), 'v')).toBe(true);
    await cache.flush();
    expect(cache.has(req(1))).toBe(false);
    expect(store.data.size).toBe(0);
    expect(await cache.lookup(req(1))).toBeUndefined();
  });

  it('leaves memory and the store with the same value when a set listener overwrites the key', async () => {
    const store = mapStore();
    const cache = createCache({ store });
    let first = true;
    cache.onSet((event) => {
      if (!first) return;
      first = false;
      cache.set(event.key, 'second');
    });
    cache.set('k', 'first');
    await cache.flush();
    expect(cache.get('k')).toBe('second');
    expect(await createCache({ store }).lookup('k')).toBe('second');
  });

  it('keeps what a corrupt-entry listener writes under the key it was told about', async () => {
    const store = mapStore();
    store.data.set('k', Buffer.from('garbage garbage garbage'));
    const cache = createCache({ store });
    cache.onCorruptEntry((event) => cache.set(event.key, 'fresh'));
    expect(await cache.lookup('k')).toBeUndefined();
    await cache.flush();
    expect(cache.get('k')).toBe('fresh');
    expect(await createCache({ store }).lookup('k')).toBe('fresh');
  });

  it('deletes a loaded value from the store too when a set listener deletes its key', async () => {
    const store = mapStore();
    const cache = createCache({ store });
    cache.onSet((event) => cache.delete(event.key));
    expect(await cache.getOrLoad(req(1), async () => 'loaded')).toBe('loaded');
    await cache.flush();
    expect(store.data.size).toBe(0);
  });
});

describe('memory changed while a store read is in flight', () => {
  /** A cache over a slow store holding `{ text: 'old' }` under `k`, and a lookup of `k` begun. */
  async function reading() {
    const store = mapStore(50);
    const writer = createCache({ store });
    writer.set('k', { text: 'old' });
    await writer.flush();
    const cache = createCache({ store });
    return { store, cache, pending: cache.lookup('k') };
  }

  it('does not bring back a key deleted while its store read was in flight', async () => {
    const { cache, pending } = await reading();
    cache.delete('k');
    await vi.advanceTimersByTimeAsync(50);
    // The caller asked before the delete: it still gets what the store held then.
    expect(await pending).toEqual({ text: 'old' });
    expect(cache.has('k')).toBe(false);
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it('keeps a value set while a store read of its key was in flight', async () => {
    const { cache, store, pending } = await reading();
    cache.set('k', { text: 'new' });
    await vi.advanceTimersByTimeAsync(50);
    expect(await pending).toEqual({ text: 'old' });
    expect(cache.get('k')).toEqual({ text: 'new' });
    await cache.flush();
    const reread = createCache({ store }).lookup('k');
    await vi.advanceTimersByTimeAsync(50);
    expect(await reread).toEqual({ text: 'new' });
  });

  it('leaves memory empty when it was cleared while a store read was in flight', async () => {
    const { cache, pending } = await reading();
    cache.clear();
    await vi.advanceTimersByTimeAsync(50);
    expect(await pending).toEqual({ text: 'old' });
    expect(cache.has('k')).toBe(false);
  });

  it("does not bring back a key deleted while a load's store read was in flight", async () => {
    const store = mapStore(50);
    const writer = createCache({ store });
    const request = { model: 'm', prompt: 'p', options: { temperature: 0 } };
    writer.set(request, { text: 'old' });
    await writer.flush();
    const cache = createCache({ store });
    const loading = cache.load(request, async () => ({ text: 'loaded' }));
    await Promise.resolve();
    cache.delete(request);
    await vi.advanceTimersByTimeAsync(50);
    expect(await loading).toEqual({ value: { text: 'old' }, source: 'store' });
    expect(cache.has(request)).toBe(false);
  });
});

describe('cache.close while a lookup is in flight', () => {
  it('finds nothing in memory after close when the store answers the lookup late', async () => {
    const store = mapStore(50);
    const writer = createCache({ store });
    writer.set('k', { text: 'from the store' });
    await writer.flush();
    const cache = createCache({ store });
    const looking = cache.lookup('k');
    const closing = cache.close();
    await vi.advanceTimersByTimeAsync(50);
    await closing;
    // The caller that asked before close() still gets its answer...
    expect(await looking).toEqual({ text: 'from the store' });
    // ...but memory stays empty, as the README promises after close().
    expect(cache.has('k')).toBe(false);
    expect(cache.get('k')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });
});
