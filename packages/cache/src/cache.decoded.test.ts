import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCache } from './cache';

const req = (n: number) => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content: `question ${n}` }],
  options: { temperature: 0 },
});

/** A JSON answer of about `size` bytes that compresses well, like real text. */
const answer = (size: number, salt = 0) => ({
  model: 'llama3.2',
  message: {
    role: 'assistant',
    content: `Answer ${salt}: `.padEnd(size, ' the sky scatters blue light.'),
  },
  done: true,
});

const rawSize = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createCache (decoded copies of compressed entries)', () => {
  it('returns one shared frozen value from the second hit on when a compressed entry is read again', () => {
    const cache = createCache({ compressAboveBytes: 256 });
    const big = answer(4096);
    cache.set(req(1), big);
    const first = cache.get(req(1));
    expect(cache.stats().decodedBytes).toBe(0);
    const second = cache.get(req(1));
    const third = cache.get(req(1));
    expect(first).toEqual(big);
    expect(second).toEqual(big);
    expect(first).not.toBe(second);
    expect(third).toBe(second);
    expect(Object.isFrozen(third)).toBe(true);
    expect(Object.isFrozen((third as typeof big).message)).toBe(true);
    expect(cache.stats()).toMatchObject({
      compressedEntries: 1,
      decodedBytes: rawSize(big),
      hits: 3,
    });
  });

  it('drops decoded copies, and evicts no entry, when a new entry needs their room', () => {
    const big = answer(4096);
    const probe = createCache({ compressAboveBytes: 256 });
    probe.set(req(1), big);
    const stored = probe.stats().bytes;
    // room for two compressed entries and a decoded copy, or for three entries, not for both
    const maxBytes = 2 * stored + rawSize(big) + Math.floor(stored / 2);
    const cache = createCache({ compressAboveBytes: 256, maxBytes });
    cache.set(req(1), answer(4096, 1));
    cache.set(req(2), answer(4096, 2));
    cache.get(req(1));
    cache.get(req(1));
    expect(cache.stats().decodedBytes).toBe(rawSize(answer(4096, 1)));
    cache.set(req(3), answer(4096, 3));
    const stats = cache.stats();
    expect(stats.entries).toBe(3);
    expect(stats.evictions).toBe(0);
    expect(stats.decodedBytes).toBe(0);
    expect(stats.bytes + stats.decodedBytes).toBeLessThanOrEqual(maxBytes);
    expect(cache.get(req(1))).toEqual(answer(4096, 1));
  });

  it('keeps no decoded copy when it does not fit under maxBytes beside the entries', () => {
    const big = answer(4096);
    const probe = createCache({ compressAboveBytes: 256 });
    probe.set(req(1), big);
    // each value fits alone, but a decoded copy does not fit beside two stored entries
    const maxBytes = rawSize(big) + Math.floor(probe.stats().bytes / 2);
    const cache = createCache({ compressAboveBytes: 256, maxBytes });
    cache.set(req(1), big);
    cache.set(req(2), answer(4096, 2));
    const reads = [cache.get(req(1)), cache.get(req(1)), cache.get(req(1))];
    expect(reads).toEqual([big, big, big]);
    expect(reads[2]).not.toBe(reads[1]);
    expect(cache.stats()).toMatchObject({ entries: 2, decodedBytes: 0 });
  });

  it('forgets the decoded copy when its entry is replaced, deleted, evicted or cleared', () => {
    const cache = createCache({ compressAboveBytes: 256, maxEntries: 1 });
    const readTwice = (n: number) => {
      cache.get(req(n));
      cache.get(req(n));
      expect(cache.stats().decodedBytes).toBe(rawSize(answer(4096, n)));
    };
    cache.set(req(1), answer(4096, 1));
    readTwice(1);
    cache.set(req(1), answer(4096, 1));
    expect(cache.stats().decodedBytes).toBe(0);
    readTwice(1);
    cache.delete(req(1));
    expect(cache.stats().decodedBytes).toBe(0);
    cache.set(req(2), answer(4096, 2));
    readTwice(2);
    cache.set(req(3), answer(4096, 3)); // one entry at most: 2 goes, after its second chance
    expect(cache.has(req(2))).toBe(false);
    expect(cache.stats()).toMatchObject({ evictions: 1, decodedBytes: 0 });
    readTwice(3);
    cache.clear();
    expect(cache.stats().decodedBytes).toBe(0);
  });

  it('keeps stored bytes plus decoded copies within maxBytes whatever the reads and writes (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 500, max: 20_000 }),
        fc.array(
          fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 6000 })),
          { maxLength: 80 },
        ),
        (maxBytes, operations) => {
          const cache = createCache({ maxBytes, maxEntries: 6, compressAboveBytes: 256 });
          const written = new Map<number, unknown>();
          for (const [isRead, n, size] of operations) {
            if (isRead) {
              const value = cache.get(req(n));
              if (value !== undefined) expect(value).toEqual(written.get(n));
            } else if (cache.set(req(n), answer(size, n))) {
              written.set(n, answer(size, n));
            }
            const stats = cache.stats();
            expect(stats.bytes + stats.decodedBytes).toBeLessThanOrEqual(maxBytes);
          }
        },
      ),
    );
  });
});
