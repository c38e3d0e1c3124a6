import { afterEach, expect, it, vi } from 'vitest';
import { ADMITTED } from './admitted';
import { createRateLimiter } from './rate-limiter';
import { createTokenBucket } from './token-bucket';

afterEach(() => {
  vi.useRealTimers();
});

it('is what acquire() returns when the tokens are taken at once, and only then', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  const bucket = createTokenBucket({ ratePerSecond: 1, capacity: 1 });
  expect(bucket.acquire()).toBe(ADMITTED);
  const waiting = bucket.acquire();
  expect(waiting).not.toBe(ADMITTED);
  await vi.advanceTimersByTimeAsync(1_000);
  await expect(waiting).resolves.toBeUndefined();
  bucket.close();
});

it("is what a keyed limiter's acquire() returns at once, and not while others wait", async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 1, capacity: 1 } } });
  expect(limiter.acquire('a')).toBe(ADMITTED);
  const waiting = limiter.acquire('a');
  expect(waiting).not.toBe(ADMITTED);
  // Another key has its own bucket.
  expect(limiter.acquire('b')).toBe(ADMITTED);
  await vi.advanceTimersByTimeAsync(1_000);
  await expect(waiting).resolves.toBeUndefined();
  limiter.close();
});
