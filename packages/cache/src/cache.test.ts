import { inspect } from 'node:util';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCache } from './cache';
import { isCacheValueError } from './errors';

const req = (n: number | string, extra: object = {}) => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content: `question ${n}` }],
  options: { temperature: 0 },
  ...extra,
});

/** A JSON answer of about `size` bytes that compresses like real text. */
const answer = (size: number, salt = 0) => ({
  model: 'llama3.2',
  message: {
    role: 'assistant',
    content: `Answer ${salt}: `.padEnd(size, ' the sky scatters blue light.'),
  },
  done: true,
});

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createCache', () => {
  it('returns the stored value when a request is set then read', () => {
    const cache = createCache();
    expect(cache.set(req(1), { text: 'hi' })).toBe(true);
    expect(cache.get(req(1))).toEqual({ text: 'hi' });
    expect(cache.get(cache.key(req(1)))).toEqual({ text: 'hi' });
    expect(cache.has(req(1))).toBe(true);
    expect(cache.get(req(2))).toBeUndefined();
  });

  it('returns a deep-frozen JSON copy when a value is read', () => {
    const cache = createCache();
    const value = { list: [{ a: 1 }], when: new Date(0) };
    cache.set(req(1), value);
    const read = cache.get(req(1)) as { list: { a: number }[]; when: string };
    expect(read).toEqual({ list: [{ a: 1 }], when: '1970-01-01T00:00:00.000Z' });
    expect(Object.isFrozen(read.list[0])).toBe(true);
    expect(Object.isFrozen(value)).toBe(false);
    value.list[0]!.a = 2;
    expect((cache.get(req(1)) as typeof read).list[0]!.a).toBe(1);
  });

  it('throws CacheValueError and stores nothing when the value is not JSON', () => {
    const cache = createCache();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const bad of [undefined, () => 1, 1n, cyclic]) {
      let caught: unknown;
      try {
        cache.set(req(1), bad);
      } catch (error) {
        caught = error;
      }
      expect(isCacheValueError(caught)).toBe(true);
    }
    expect(cache.size).toBe(0);
  });

  it('does not store and counts the reason when the strategy declines', () => {
    const cache = createCache({ strategy: 'conservative' });
    expect(cache.set(req(1, { options: { temperature: 0.7 } }), 'x')).toBe(false);
    expect(cache.set(req(2, { tools: [{ name: 't' }] }), 'x')).toBe(false);
    expect(createCache({ strategy: 'disabled' }).set(cache.key(req(3)), 'x')).toBe(false);
    expect(cache.stats().skipped).toEqual({ nondeterministic: 1, 'has-tools': 1 });
    expect(cache.size).toBe(0);
  });

  it('stores by key whatever the strategy when given a key, unless disabled', () => {
    const cache = createCache({ strategy: 'conservative' });
    const key = cache.key(req(1, { options: { temperature: 0.9 } }));
    expect(cache.set(key, 'sampled')).toBe(true);
    expect(cache.get(key)).toBe('sampled');
  });

  it('removes an entry when it is deleted, and empties when cleared', () => {
    const cache = createCache();
    cache.set(req(1), 1);
    cache.set(req(2), 2);
    expect(cache.delete(req(1))).toBe(true);
    expect(cache.delete(req(1))).toBe(false);
    expect(cache.get(req(1))).toBeUndefined();
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
    expect(cache.set(req(3), 3)).toBe(true);
    expect(cache.size).toBe(1);
  });
});

describe('TTL', () => {
  it('returns an entry until its TTL and never after when time passes', async () => {
    const cache = createCache({ strategy: 'aggressive', minTtlMs: 1000, maxTtlMs: 5000 });
    cache.set(req(1), 'v');
    await vi.advanceTimersByTimeAsync(4999);
    expect(cache.get(req(1))).toBe('v');
    await vi.advanceTimersByTimeAsync(1);
    expect(cache.has(req(1))).toBe(false);
    expect(cache.get(req(1))).toBeUndefined();
    expect(cache.stats()).toMatchObject({ entries: 0, expirations: 1 });
  });

  it('keeps every TTL within [minTtlMs, maxTtlMs] whatever is asked', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.oneof(fc.double({ min: -1e9, max: 1e9, noNaN: true }), fc.constant(undefined)),
        fc.double({ min: 0, max: 2, noNaN: true }),
        (minTtlMs, span, chosen, temperature) => {
          vi.setSystemTime(0);
          const maxTtlMs = minTtlMs + span;
          const ttls: number[] = [];
          const cache = createCache({
            strategy: 'aggressive',
            minTtlMs,
            maxTtlMs,
            ttl: () => chosen,
          });
          cache.onSet((event) => ttls.push(event.ttlMs));
          cache.set(req(1, { temperature }), 'v');
          cache.set(cache.key(req(2)), 'v', { ttlMs: Math.max(1, Math.abs(chosen ?? 1)) });
          const selective = createCache({ minTtlMs, maxTtlMs });
          selective.onSet((event) => ttls.push(event.ttlMs));
          selective.set({ temperature: Math.min(temperature, 0.5) }, 'v');
          for (const ttl of ttls) {
            expect(ttl).toBeGreaterThanOrEqual(minTtlMs);
            expect(ttl).toBeLessThanOrEqual(maxTtlMs);
          }
        },
      ),
    );
  });

  it('uses the ttl function, and skips the answer when it returns false', async () => {
    const cache = createCache({
      strategy: 'aggressive',
      minTtlMs: 100,
      maxTtlMs: 10_000,
      ttl: (_request, response) => ((response as { done: boolean }).done ? 500 : false),
    });
    expect(cache.set(req(1), { done: false })).toBe(false);
    expect(cache.stats().skipped).toEqual({ 'ttl-function': 1 });
    cache.set(req(2), { done: true });
    await vi.advanceTimersByTimeAsync(499);
    expect(cache.get(req(2))).toEqual({ done: true });
    await vi.advanceTimersByTimeAsync(1);
    expect(cache.get(req(2))).toBeUndefined();
  });

  it('serves an entry past its TTL only until the clock reading renews (1 ms), never with exactExpiry', async () => {
    // The clock moves, but no timer runs: as in a synchronous run that keeps reading the cache.
    vi.useRealTimers();
    vi.useFakeTimers({ toFake: ['performance'] });
    const options = { strategy: 'aggressive', minTtlMs: 1, maxTtlMs: 10 } as const;
    const coarse = createCache(options);
    const exact = createCache({ ...options, exactExpiry: true });
    for (const cache of [coarse, exact]) cache.set(req(1), 'v', { ttlMs: 5 });
    expect(coarse.get(req(1))).toBe('v');
    expect(exact.get(req(1))).toBe('v');
    vi.advanceTimersByTime(6);
    expect(exact.get(req(1))).toBeUndefined();
    expect(coarse.get(req(1))).toBe('v');
    // Once a timer can run, the reading is renewed and the entry is gone.
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(coarse.get(req(1))).toBeUndefined();
    expect(coarse.stats().expirations).toBe(1);
  });

  it('runs no timer when entries are stored', () => {
    const cache = createCache();
    cache.set(req(1), 'v');
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('LRU', () => {
  it('evicts the entry unread for longest first when over maxEntries', () => {
    const cache = createCache({ maxEntries: 3 });
    cache.set(req('a'), 'a');
    cache.set(req('b'), 'b');
    cache.set(req('c'), 'c');
    cache.get(req('a'));
    cache.set(req('d'), 'd');
    expect(cache.has(req('b'))).toBe(false);
    expect([cache.has(req('a')), cache.has(req('c')), cache.has(req('d'))]).toEqual([
      true,
      true,
      true,
    ]);
    // Queue now c, d, a (a was requeued once for its read). Reading c requeues it too, so d,
    // written before and never read, goes next.
    cache.get(req('c'));
    cache.set(req('e'), 'e');
    expect(cache.has(req('d'))).toBe(false);
    expect([cache.has(req('a')), cache.has(req('c')), cache.has(req('e'))]).toEqual([
      true,
      true,
      true,
    ]);
    expect(cache.stats()).toMatchObject({ entries: 3, evictions: 2 });
  });

  it('keeps a read entry over unread ones across many generations', () => {
    const cache = createCache({ maxEntries: 10 });
    cache.set(req('hot'), 'hot');
    for (let i = 0; i < 200; i++) {
      cache.set(req(i), i);
      expect(cache.get(req('hot'))).toBe('hot');
      expect(cache.size).toBeLessThanOrEqual(10);
    }
    // The ten most recent writes minus the slot the hot entry keeps.
    expect(cache.has(req(199))).toBe(true);
    expect(cache.has(req(190))).toBe(false);
  });

  it('evicts exactly as the documented second-chance queue when operations are random', () => {
    // The model of the README: a FIFO queue; a read sets a bit; at the head, a set bit (or the
    // entry just written) buys one requeue, otherwise the entry is evicted.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(
          fc.tuple(fc.constantFrom('set', 'get', 'delete'), fc.integer({ min: 0, max: 12 })),
          {
            maxLength: 150,
          },
        ),
        (maxEntries, ops) => {
          const cache = createCache({ maxEntries });
          const queue: { n: number; ref: boolean }[] = [];
          for (const [op, n] of ops) {
            const at = queue.findIndex((e) => e.n === n);
            if (op === 'set') {
              cache.set(req(n), n);
              if (at >= 0) queue.splice(at, 1);
              const written = { n, ref: false };
              queue.push(written);
              while (queue.length > maxEntries) {
                const head = queue.shift()!;
                if (head.ref || head === written) {
                  head.ref = false;
                  queue.push(head);
                }
              }
            } else if (op === 'get') {
              cache.get(req(n));
              if (at >= 0) queue[at]!.ref = true;
            } else {
              cache.delete(req(n));
              if (at >= 0) queue.splice(at, 1);
            }
            for (let k = 0; k <= 12; k++) {
              expect(cache.has(req(k))).toBe(queue.some((e) => e.n === k));
            }
          }
        },
      ),
    );
  });

  it('never holds more than maxEntries, whatever the sequence of operations', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(
          fc.tuple(fc.constantFrom('set', 'get', 'delete'), fc.integer({ min: 0, max: 20 })),
          {
            maxLength: 200,
          },
        ),
        (maxEntries, ops) => {
          const cache = createCache({ maxEntries });
          const keys = new Set<number>();
          for (const [op, n] of ops) {
            if (op === 'set') cache.set(req(n), n);
            else if (op === 'get') {
              const value = cache.get(req(n));
              if (value !== undefined) expect(value).toBe(n);
            } else cache.delete(req(n));
            keys.add(n);
            const live = [...keys].filter((k) => cache.has(req(k))).length;
            expect(live).toBe(cache.size);
            expect(cache.size).toBeLessThanOrEqual(maxEntries);
          }
        },
      ),
    );
  });
});

describe('byte bound and compression', () => {
  it('never stores more than maxBytes, counting compressed bytes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 50, max: 4000 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 5000 })), {
          maxLength: 60,
        }),
        (maxBytes, writes) => {
          const cache = createCache({ maxBytes, maxEntries: 1000, compressAboveBytes: 256 });
          let stored = 0;
          cache.onSet(() => stored++);
          for (const [n, size] of writes) {
            const ok = cache.set(req(n), answer(size, n));
            const stats = cache.stats();
            expect(stats.bytes).toBeLessThanOrEqual(maxBytes);
            if (ok) expect(cache.has(req(n))).toBe(true);
          }
          const stats = cache.stats();
          expect(stats.sets).toBe(stored);
          expect(stats.sets + (stats.skipped['too-large'] ?? 0)).toBe(writes.length);
        },
      ),
    );
  });

  it('stores a value compressed when its JSON is over compressAboveBytes', () => {
    const cache = createCache({ compressAboveBytes: 1024 });
    const big = answer(4096);
    cache.set(req(1), big);
    cache.set(req(2), answer(500));
    const stats = cache.stats();
    expect(stats.compressedEntries).toBe(1);
    expect(stats.bytesSaved).toBeGreaterThan(3000);
    expect(stats.bytes).toBeLessThan(JSON.stringify(big).length * 0.4 + 500 + 100);
    expect(cache.get(req(1))).toEqual(big);
  });

  it('keeps a value raw when compression would not make it smaller', () => {
    const cache = createCache({ compressAboveBytes: 10 });
    const noise = 'q7Xk2LmZ9vBw4RtY8pNc';
    cache.set(req(1), noise);
    expect(cache.stats().compressedEntries).toBe(0);
    expect(cache.stats().bytes).toBe(Buffer.byteLength(JSON.stringify(noise)));
  });

  it('does not store and counts a value larger than maxBytes, dropping the older one', () => {
    const cache = createCache({ maxBytes: 100, compressAboveBytes: Number.POSITIVE_INFINITY });
    cache.set(req(1), 'small');
    expect(cache.set(req(1), 'x'.repeat(200))).toBe(false);
    expect(cache.get(req(1))).toBeUndefined();
    expect(cache.stats().skipped).toEqual({ 'too-large': 1 });
    expect(cache.stats().bytes).toBe(0);
  });

  it('evicts least recently used entries until the new value fits', () => {
    const cache = createCache({ maxBytes: 100, compressAboveBytes: Number.POSITIVE_INFINITY });
    const v = (c: string) => c.repeat(28); // 30 bytes of JSON
    cache.set(req('a'), v('a'));
    cache.set(req('b'), v('b'));
    cache.set(req('c'), v('c'));
    cache.get(req('a'));
    cache.set(req('d'), v('d'));
    expect(cache.has(req('b'))).toBe(false);
    expect(cache.has(req('a'))).toBe(true);
    expect(cache.stats()).toMatchObject({ bytes: 90, entries: 3, evictions: 1 });
  });
});

describe('cache.stats', () => {
  it('counts hits, misses and the hit rate as a JSON snapshot when used', () => {
    const cache = createCache();
    cache.set(req(1), 'v');
    cache.get(req(1));
    cache.get(req(1));
    cache.get(req(2));
    const stats = cache.stats();
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
    expect(stats).toMatchObject({ hits: 2, misses: 1, sets: 1, entries: 1, store: null });
    expect(stats.hitRate).toBeCloseTo(2 / 3);
    expect(cache.stats().hits).toBe(2);
  });

  it('is what util.inspect (console.log) prints, not an empty LlmCache {}', () => {
    const cache = createCache({ maxEntries: 7 });
    const text = inspect(cache);
    expect(text).toMatch(/^Cache \{\s+entries: 0,\s+bytes: 0,\s+maxEntries: 7,/);
    expect(text).toContain('store: null');
    expect(text).not.toMatch(/LlmCache|MemoryTier|Flight/);
    expect(inspect({ a: { b: cache } }, { depth: 1 })).toBe('{ a: { b: [Cache] } }');
  });
});

describe('events', () => {
  it('calls listeners until they unsubscribe when entries are hit, missed, set and evicted', () => {
    const cache = createCache({ maxEntries: 1 });
    const seen: string[] = [];
    const offs = [
      cache.onHit((e) => seen.push(`hit:${e.tier}`)),
      cache.onMiss(() => seen.push('miss')),
      cache.onSet((e) => seen.push(`set:${e.compressed}`)),
      cache.onEvict((e) => seen.push(`evict:${e.reason}`)),
      cache.onSkip((e) => seen.push(`skip:${e.reason}`)),
    ];
    cache.set(req(1), 'a');
    cache.get(req(1));
    cache.get(req(2));
    cache.set(req(2), 'b');
    cache.set(req(3, { options: { temperature: 1 } }), 'c');
    for (const off of offs) off();
    cache.get(req(9));
    expect(seen).toEqual([
      'set:false',
      'hit:memory',
      'miss',
      'set:false',
      'evict:entries',
      'skip:high-temperature',
    ]);
  });

  it('publishes on node:diagnostics_channel when subscribed', async () => {
    const { subscribe, unsubscribe } = await import('node:diagnostics_channel');
    const events: unknown[] = [];
    const onSet = (message: unknown) => events.push(message);
    subscribe('x:cache:set', onSet);
    createCache().set(req(1), 'v');
    unsubscribe('x:cache:set', onSet);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ bytes: 3, compressed: false });
  });
});
