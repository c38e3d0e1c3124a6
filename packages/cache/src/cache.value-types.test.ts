import { describe, expect, expectTypeOf, it } from 'vitest';
import { createCache } from './cache';
import type { Cache, CachedValue, CacheLoadResult } from './cache-api';

// Checked by `tsc` (the package's typecheck): a `@ts-expect-error` that finds no error fails it.

const req = (n: number) => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content: `question ${n}` }],
  options: { temperature: 0 },
});

interface Tagged {
  tags: string[];
  meta: { owner: string; scores: number[] };
}

const tagged = (): Tagged => ({ tags: ['a'], meta: { owner: 'o', scores: [1] } });

describe('the types of the values a cache hands back', () => {
  it('types every value handed back deep-readonly, as it is deep-frozen', async () => {
    const cache = createCache<Tagged>();
    const loaded = await cache.getOrLoad(req(1), async () => tagged());
    const got = cache.get(req(1))!;
    const looked = (await cache.lookup(req(1)))!;
    const result = await cache.load(req(1), async () => tagged());
    expectTypeOf(got).toEqualTypeOf<CachedValue<Tagged>>();
    expectTypeOf(looked).toEqualTypeOf<CachedValue<Tagged>>();
    expectTypeOf(loaded).toEqualTypeOf<CachedValue<Tagged>>();
    expectTypeOf(result).toEqualTypeOf<CacheLoadResult<CachedValue<Tagged>>>();
    expectTypeOf(got.meta.scores).toEqualTypeOf<readonly number[]>();
    // @ts-expect-error: a returned array is readonly
    expect(() => got.tags.push('b')).toThrow(TypeError);
    // @ts-expect-error: so is an array nested deeper
    expect(() => looked.meta.scores.push(2)).toThrow(TypeError);
    expect(() => {
      // @ts-expect-error: and a field of a nested object
      loaded.meta.owner = 'x';
    }).toThrow(TypeError);
    expect(() => {
      // @ts-expect-error: and a field of `load()`'s value
      result.value.tags = [];
    }).toThrow(TypeError);
    // Reading is unchanged, and a readonly value can still be read as the plain type.
    const plain: { owner: string } = got.meta;
    expect(plain.owner).toBe('o');
  });

  it('keeps primitives, `unknown` and `any` as they are', () => {
    expectTypeOf<CachedValue<string>>().toEqualTypeOf<string>();
    expectTypeOf<CachedValue<number | null>>().toEqualTypeOf<number | null>();
    expectTypeOf<CachedValue<unknown>>().toEqualTypeOf<unknown>();
    expectTypeOf<CachedValue<{ a: string[] } | string>>().toEqualTypeOf<
      { readonly a: readonly string[] } | string
    >();
    expectTypeOf<CachedValue<[number, string]>>().toEqualTypeOf<readonly [number, string]>();
  });

  it("infers the value's type from the loader in a cache made without one", async () => {
    const cache = createCache();
    const value = await cache.getOrLoad(req(2), async () => ({ n: 1, list: [1] }));
    expectTypeOf(value).toEqualTypeOf<{ readonly n: number; readonly list: readonly number[] }>();
    expect(value.n).toBe(1);
    const result = await cache.load(req(3), () => 'text');
    expectTypeOf(result.value).toEqualTypeOf<string>();
    expect(result.value).toBe('text');
    // Without a loader to infer from, the value is `unknown`, as before.
    expectTypeOf(cache.get(req(2))).toEqualTypeOf<unknown>();
  });

  it("keeps the cache's own type when it has one", async () => {
    const cache = createCache<{ n: number }>();
    // A loader's literal does not narrow it: a hit may be any value stored for the key.
    const value = await cache.getOrLoad(req(4), async () => ({ n: 1 as const }));
    expectTypeOf(value).toEqualTypeOf<{ readonly n: number }>();
    const listed = await createCache<Tagged>().load(req(4), () => ({
      tags: [],
      meta: { owner: 'o', scores: [] },
    }));
    expectTypeOf(listed.value.tags).toEqualTypeOf<readonly string[]>();
    // @ts-expect-error: a loader must answer the cache's type
    await cache.getOrLoad(req(5), async () => ({ n: 'one' }));
    // @ts-expect-error: also with `load()`
    await cache.load(req(5), async () => ({ m: 1 }));
    const strings = createCache<string>();
    expectTypeOf(await strings.getOrLoad(req(6), () => 'x')).toEqualTypeOf<string>();
    expect(value).toEqual({ n: 1 });
  });

  it('lets a cache of a type stand where a cache of `unknown` is expected', () => {
    const typed: Cache<Tagged> = createCache<Tagged>();
    const general: Cache = typed;
    const loose: Cache = createCache<any>();
    expect(general).toBe(typed);
    expect(loose).not.toBe(typed);
  });

  it('takes a value read from a cache of the same T back, in set() and from a loader', async () => {
    const shared = createCache<Tagged>();
    const local = createCache<Tagged>();
    const read = await shared.getOrLoad(req(5), async () => tagged());
    expect(local.set(req(5), read)).toBe(true);
    expect(local.set(req(6), shared.get(req(5))!)).toBe(true);
    const nested = await local.getOrLoad(req(7), () =>
      shared.getOrLoad(req(7), async () => tagged()),
    );
    expectTypeOf(nested).toEqualTypeOf<CachedValue<Tagged>>();
    expect(nested.tags).toEqual(['a']);
  });

  it('types the answer of a cache whose T admits null with the null it may hold', async () => {
    const cache = createCache<string | null>();
    cache.set('held', null);
    const value = await cache.getOrLoad(req(8), async () => 'fresh');
    expectTypeOf(value).toEqualTypeOf<string | null>();
    const result = await cache.load(req(8), async () => 'fresh');
    expectTypeOf(result.value).toEqualTypeOf<string | null>();
  });
});
