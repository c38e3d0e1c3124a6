/** A rate limiter after `close()`: every call rejects, and nothing brings store state back. */
import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limiter';

describe('a closed rate limiter', () => {
  it('rejects adjust() and waitTimeMs() with RateLimitClosedError and keeps its store empty', async () => {
    const limiter = createRateLimiter({ limits: { r: { ratePerSecond: 1, capacity: 5 } } });
    expect(await limiter.tryAcquire('k')).toBe(true);
    await limiter.close();
    const closed = { name: 'AbortError', code: 'X_RATE_LIMIT_CLOSED' };
    await expect(limiter.adjust('k', { r: 1 })).rejects.toMatchObject(closed);
    await expect(limiter.adjust('other', { r: -1 })).rejects.toMatchObject(closed);
    await expect(limiter.waitTimeMs('k')).rejects.toMatchObject(closed);
    await expect(limiter.waitTimeMs('other', { r: 2 })).rejects.toMatchObject(closed);
    expect(limiter.stats().store).toMatchObject({ keys: 0 });
  });

  it('still names a bad argument first, as tryAcquire() and acquire() do', async () => {
    const limiter = createRateLimiter({ limits: { r: { ratePerSecond: 1 } } });
    await limiter.close();
    await expect(limiter.adjust('k', { x: 1 } as never)).rejects.toThrow(TypeError);
    await expect(limiter.waitTimeMs('k', { r: 2 })).rejects.toThrow(RangeError);
    await expect(limiter.tryAcquire('k', { r: 2 })).rejects.toThrow(RangeError);
  });
});
