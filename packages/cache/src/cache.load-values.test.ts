import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCache } from './cache';

const req = (n: number | string, extra: object = {}) => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content: `question ${n}` }],
  options: { temperature: 0 },
  ...extra,
});

interface Listed {
  list: number[];
  when?: unknown;
}

/** A loader that resolves with `value` after `ms` fake milliseconds. */
const after =
  <T>(value: T, ms = 10) =>
  () =>
    new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('values handed out by a load', () => {
  it('gives the loading caller and a joined caller the same frozen JSON form when they share a load', async () => {
    const cache = createCache<Listed>();
    const loaded: Listed = { list: [1], when: new Date(0) };
    const a = cache.load(req(1), after(loaded));
    const b = cache.load(req(1), after(loaded));
    await vi.advanceTimersByTimeAsync(10);
    const [first, joined] = await Promise.all([a, b]);
    expect(first.source).toBe('loader');
    expect(joined.source).toBe('coalesced');
    // A reader cannot change what the next reader gets.
    // @ts-expect-error: typed deep-readonly, as it is frozen
    expect(() => first.value.list.push(2)).toThrow(TypeError);
    expect(joined.value.list).toEqual([1]);
    expect(joined.value).toBe(first.value);
    expect(Object.isFrozen(joined.value.list)).toBe(true);
    // What is read back is the JSON form, as on a hit...
    expect(first.value).toEqual({ list: [1], when: '1970-01-01T00:00:00.000Z' });
    expect(cache.get(req(1))).toEqual(first.value);
    // ...and the loader's own object is left alone, as the one given to set() is.
    expect(Object.isFrozen(loaded)).toBe(false);
    loaded.list.push(3);
    expect(cache.get(req(1))?.list).toEqual([1]);
  });

  it('gives every caller the frozen JSON form when the answer is stored compressed', async () => {
    const cache = createCache<Listed>({ compressAboveBytes: 16 });
    const loaded = { list: Array.from({ length: 200 }, () => 7) };
    const a = cache.getOrLoad(req(1), after(loaded));
    const b = cache.getOrLoad(req(1), after(loaded));
    await vi.advanceTimersByTimeAsync(10);
    const [first, joined] = await Promise.all([a, b]);
    expect(cache.stats().compressedEntries).toBe(1);
    // @ts-expect-error: typed deep-readonly, as it is frozen
    expect(() => first.list.push(2)).toThrow(TypeError);
    expect(joined.list).toHaveLength(200);
    expect(Object.isFrozen(joined)).toBe(true);
  });

  it('gives the callers of a load the frozen JSON form when the answer is not stored', async () => {
    for (const options of [{ ttl: () => false as const }, { maxBytes: 8 }]) {
      const cache = createCache<Listed>(options);
      const a = cache.getOrLoad(req(1), after({ list: [1] }));
      const b = cache.getOrLoad(req(1), after({ list: [1] }));
      await vi.advanceTimersByTimeAsync(10);
      const [first, joined] = await Promise.all([a, b]);
      expect(cache.size).toBe(0);
      // @ts-expect-error: typed deep-readonly, as it is frozen
      expect(() => first.list.push(2)).toThrow(TypeError);
      expect(joined.list).toEqual([1]);
    }
  });

  it("hands the loader's value as it is when it has no JSON form, or the strategy does not cache it", async () => {
    const cache = createCache<unknown>();
    const big = { n: 1n };
    expect(await cache.getOrLoad(req(1), async () => big)).toBe(big);
    expect(cache.stats().skipped['not-serializable']).toBe(1);
    const sampled = { list: [1] };
    const hot = req(2, { options: { temperature: 1 } });
    expect(await cache.load(hot, async () => sampled)).toEqual({
      value: sampled,
      source: 'uncached',
    });
    expect(Object.isFrozen(sampled)).toBe(false);
  });
});
