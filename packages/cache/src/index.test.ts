import { describe, expect, it } from 'vitest';

describe('@x/cache', () => {
  it('exports exactly the public API when imported', async () => {
    expect(Object.keys(await import('./index')).sort()).toMatchInlineSnapshot(`
      [
        "CACHE_STRATEGIES",
        "CacheClosedError",
        "CacheKeyError",
        "CacheLoadCycleError",
        "CacheStoreError",
        "CacheValueError",
        "cacheKey",
        "createCache",
        "isCacheClosedError",
        "isCacheError",
        "isCacheKeyError",
        "isCacheLoadCycleError",
        "isCacheStoreError",
        "isCacheValueError",
        "sharedCache",
      ]
    `);
  });
});

describe('@x/cache/redis', () => {
  it('exports exactly the public API when imported', async () => {
    expect(Object.keys(await import('./redis')).sort()).toMatchInlineSnapshot(`
      [
        "createRedisStore",
      ]
    `);
  });
});
