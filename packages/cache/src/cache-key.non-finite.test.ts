import { describe, expect, it } from 'vitest';
import { createCache } from './cache';
import { cacheKey } from './cache-key';
import { isCacheKeyError } from './errors';

function keyError(request: object): Error {
  try {
    cacheKey(request);
  } catch (error) {
    expect(isCacheKeyError(error)).toBe(true);
    return error as Error;
  }
  throw new Error('expected cacheKey to throw');
}

const FINITE =
  "a finite number (JSON writes NaN and Infinity as null: keyed so, they would share null's key)";

describe('cacheKey and non-finite numbers', () => {
  it('refuses NaN and the infinities with a CacheKeyError naming where they are', () => {
    expect(keyError({ n: Number.NaN }).message).toBe(
      `Expected \`request.n\` to be ${FINITE}, got \`NaN\` (number)`,
    );
    expect(
      keyError({ model: 'm', options: { temperature: Number.POSITIVE_INFINITY } }).message,
    ).toBe(`Expected \`request.options.temperature\` to be ${FINITE}, got \`Infinity\` (number)`);
    expect(keyError({ stop: [1, Number.NEGATIVE_INFINITY] }).message).toMatch(
      /^Expected `request\.stop\[1\]` to be a finite number/,
    );
    expect(keyError({ seed: Object(Number.NaN) }).message).toMatch(
      /^Expected `request\.seed` to be a finite number/,
    );
  });

  it('never gives NaN or Infinity the key of null', () => {
    const nullKey = cacheKey({ n: null });
    for (const n of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      let key: string | undefined;
      try {
        key = cacheKey({ n });
      } catch {}
      expect(key, String(n)).not.toBe(nullKey);
    }
  });

  it('keeps the key of finite numbers, null and skipped transport fields', () => {
    expect(cacheKey({ n: 1.5, m: null })).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // A top-level transport field is left out before it is read.
    expect(cacheKey({ n: 1, timeoutMs: Number.POSITIVE_INFINITY })).toBe(cacheKey({ n: 1 }));
  });

  it('makes the cache refuse such a request before storing anything', async () => {
    const cache = createCache({ strategy: 'aggressive' });
    const request = { model: 'm', options: { temperature: Number.NaN } };
    await expect(cache.getOrLoad(request, async () => 'answer')).rejects.toSatisfy(isCacheKeyError);
    expect(cache.stats().entries).toBe(0);
    await cache.close();
  });
});
