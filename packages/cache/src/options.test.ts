import { describe, expect, it } from 'vitest';
import { createCache } from './cache';

describe('createCache options', () => {
  it.each([
    [
      { maxEntries: 0 },
      RangeError,
      'Expected `maxEntries` to be an integer >= 1, got `0` (number)',
    ],
    [
      { maxEntries: 1.5 },
      RangeError,
      'Expected `maxEntries` to be an integer >= 1, got `1.5` (number)',
    ],
    [
      { maxEntries: '10' },
      TypeError,
      'Expected `maxEntries` to be an integer >= 1, got `"10"` (string)',
    ],
    [
      { maxBytes: 0 },
      RangeError,
      'Expected `maxBytes` to be an integer >= 1, or Infinity, got `0` (number)',
    ],
    [
      { maxBytes: Number.NaN },
      RangeError,
      'Expected `maxBytes` to be an integer >= 1, or Infinity, got `NaN` (number)',
    ],
    [
      { strategy: 'always' },
      TypeError,
      'Expected `strategy` to be one of "disabled", "conservative", "selective", "aggressive", got `"always"` (string)',
    ],
    [
      { compressAboveBytes: -1 },
      RangeError,
      'Expected `compressAboveBytes` to be an integer >= 0, or Infinity, got `-1` (number)',
    ],
    [
      { compressionLevel: 10 },
      RangeError,
      'Expected `compressionLevel` to be an integer between 1 and 9, got `10` (number)',
    ],
    [
      { compressionLevel: 0 },
      RangeError,
      'Expected `compressionLevel` to be an integer between 1 and 9, got `0` (number)',
    ],
    [
      { minTtlMs: 0 },
      RangeError,
      'Expected `minTtlMs` to be an integer between 1 and 9007199254740991, got `0` (number)',
    ],
    [
      { minTtlMs: 5000, maxTtlMs: 1000 },
      RangeError,
      'Expected `maxTtlMs` to be an integer between 5000 and 9007199254740991, got `1000` (number)',
    ],
    [{ ttl: 5 }, TypeError, 'Expected `ttl` to be a function, got `5` (number)'],
    [
      { namespace: '' },
      RangeError,
      'Expected `namespace` to be a non-empty string, got `""` (string)',
    ],
    [{ store: {} }, TypeError, 'Expected `store` to be an object with get, set and delete methods'],
  ])('throws when given %o', (options, kind, message) => {
    expect(() => createCache(options as never)).toThrow(kind);
    expect(() => createCache(options as never)).toThrow(message);
  });

  it('applies the documented defaults when given no options', () => {
    const cache = createCache();
    expect(cache.stats()).toMatchObject({ maxEntries: 1000, maxBytes: 64 * 1024 * 1024 });
    expect(cache.decide({ temperature: 0 })).toEqual({
      cacheable: true,
      ttlMs: 3_600_000,
      reason: 'deterministic',
    });
    expect(cache.decide({ temperature: 0.5 }).ttlMs).toBe(30_000);
  });

  it('reports an unbounded byte limit as null when maxBytes is Infinity', () => {
    expect(createCache({ maxBytes: Number.POSITIVE_INFINITY }).stats().maxBytes).toBeNull();
  });

  it('throws when set() is given a bad ttlMs or getOrLoad() a bad loader', async () => {
    const cache = createCache();
    expect(() => cache.set('k', 1, { ttlMs: 0 })).toThrow(RangeError);
    expect(() => cache.set('k', 1, { ttlMs: 0 })).toThrow(
      'Expected `ttlMs` to be a finite number > 0, or Infinity, got `0` (number)',
    );
    expect(() => cache.set('k', 1, { ttlMs: '5' as never })).toThrow(TypeError);
    await expect(cache.getOrLoad({}, 1 as never)).rejects.toThrow(
      'Expected `loader` to be a function, got `1` (number)',
    );
    expect(() => cache.onHit(1 as never)).toThrow(TypeError);
  });
});
