import { memoryAfterGc } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { createCache } from './cache';
import type { CacheStore } from './store';

const arrayBuffersAfterGc = (): number => memoryAfterGc().arrayBuffers;

const MAX_BYTES = 1024 * 1024;

const req = (n: number) => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content: `question ${n}` }],
  options: { temperature: 0 },
});

/** A ~2 KiB answer that compresses to a few hundred bytes, like real text. */
const answer = (n: number) => ({
  model: 'llama3.2',
  message: {
    role: 'assistant',
    content: `Answer ${n}: `.padEnd(2048, ` the sky scatters blue light ${n}.`),
  },
  done: true,
});

/** A store whose replies are views into larger buffers, as a client's socket reads are. */
function slicingStore(): CacheStore & { readonly map: Map<string, Uint8Array> } {
  const map = new Map<string, Uint8Array>();
  return {
    map,
    async get(key) {
      const value = map.get(key);
      if (value === undefined) return undefined;
      // Buffer.concat allocates from Node's shared 8 KiB pool: the reply sits beside other bytes.
      return Buffer.concat([Buffer.alloc(1500), value]).subarray(1500);
    },
    async set(key, value) {
      map.set(key, Uint8Array.from(value));
    },
    async delete(key) {
      map.delete(key);
    },
  };
}

describe('createCache (memory held by compressed entries)', () => {
  it('holds array-buffer memory within twice maxBytes when thousands of compressed answers are set', () => {
    const before = arrayBuffersAfterGc();
    const cache = createCache({ maxBytes: MAX_BYTES, maxEntries: 1e6 });
    for (let i = 0; i < 20_000; i++) cache.set(req(i), answer(i));
    const stats = cache.stats();
    // Past maxBytes: entries were evicted for bytes, and several thousand are kept.
    expect(stats.evictions).toBeGreaterThan(0);
    expect(stats.compressedEntries).toBeGreaterThan(5000);
    expect(stats.bytes).toBeLessThanOrEqual(MAX_BYTES);
    expect(arrayBuffersAfterGc() - before).toBeLessThan(2 * MAX_BYTES);
    expect(cache.get(req(19_999))).toEqual(answer(19_999));
  });

  it('holds array-buffer memory within twice maxBytes when compressed answers are read from a store', async () => {
    const store = slicingStore();
    const writer = createCache({ maxBytes: 64 * MAX_BYTES, maxEntries: 1e6, store });
    for (let i = 0; i < 8000; i++) writer.set(req(i), answer(i));
    await writer.close();
    expect(store.map.size).toBe(8000);

    const before = arrayBuffersAfterGc();
    const reader = createCache({ maxBytes: MAX_BYTES, maxEntries: 1e6, store });
    for (let i = 0; i < 8000; i++) expect(await reader.lookup(req(i))).toBeDefined();
    const stats = reader.stats();
    expect(stats.store?.hits).toBe(8000);
    expect(stats.compressedEntries).toBeGreaterThan(2000);
    expect(arrayBuffersAfterGc() - before).toBeLessThan(2 * MAX_BYTES);
    await reader.close();
  });
});
