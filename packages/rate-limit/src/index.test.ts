import { expect, it } from 'vitest';

it('exports exactly the public API of @x/rate-limit', async () => {
  expect(Object.keys(await import('./index')).sort()).toMatchInlineSnapshot(`
    [
      "QueueFullError",
      "RateLimitError",
      "RateLimitStoreUnavailableError",
      "RateLimitTimeoutError",
      "createMemoryStore",
      "createRateLimiter",
      "createTokenBucket",
      "isQueueFullError",
      "isRateLimitError",
      "isRateLimitStoreUnavailableError",
      "isRateLimitTimeoutError",
      "parseDurationMs",
      "parseRateLimitHeaders",
      "rateLimitPresets",
      "rateLimited",
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
