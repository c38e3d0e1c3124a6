import { expect, it } from 'vitest';

it('exports exactly the public API of @x/rate-limit', async () => {
  expect(Object.keys(await import('./index')).sort()).toMatchInlineSnapshot(`
    [
      "ADMITTED",
      "ConcurrencyTimeoutError",
      "QueueFullError",
      "RateLimitClosedError",
      "RateLimitError",
      "RateLimitStoreError",
      "RateLimitStoreUnavailableError",
      "RateLimitTimeoutError",
      "createConcurrencyLimiter",
      "createMemoryStore",
      "createRateLimiter",
      "createTokenBucket",
      "isConcurrencyTimeoutError",
      "isQueueFullError",
      "isRateLimitClosedError",
      "isRateLimitError",
      "isRateLimitStoreError",
      "isRateLimitStoreUnavailableError",
      "isRateLimitTimeoutError",
      "parseDurationMs",
      "parseRateLimitHeaders",
      "rateLimitPresets",
      "rateLimited",
      "sharedConcurrencyLimiter",
      "sharedRateLimiter",
    ]
  `);
});

it('exports exactly the public API of @x/rate-limit/redis', async () => {
  expect(Object.keys(await import('./redis')).sort()).toMatchInlineSnapshot(`
    [
      "createRedisStore",
      "createRedisTokenBucket",
    ]
  `);
});
