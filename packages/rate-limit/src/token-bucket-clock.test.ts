/**
 * A token bucket read on a clock that steps back: fake timers installed after the bucket was
 * made start `performance.now()` from an earlier origin than its last refill.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTokenBucket } from './token-bucket';

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('a token bucket whose clock reads earlier than its last refill', () => {
  it('takes no tokens away in tryAcquire(), and refills again once the clock passes that time', () => {
    const now = vi.spyOn(performance, 'now').mockReturnValue(10_000);
    const bucket = createTokenBucket({ ratePerSecond: 1_000, capacity: 10 });
    now.mockReturnValue(9_400);
    expect(bucket.tryAcquire()).toBe(true);
    expect(bucket.available).toBe(9);
    now.mockReturnValue(10_000); // no time has passed since the last refill, at 10 000
    expect(bucket.available).toBe(9);
    now.mockReturnValue(10_001);
    expect(bucket.available).toBe(10);
  });

  it('admits a full burst right after fake timers are installed', () => {
    vi.useRealTimers();
    const bucket = createTokenBucket({ ratePerSecond: 1_000, capacity: 5 });
    vi.useFakeTimers();
    expect(performance.now()).toBeLessThan(1); // the faked clock starts over
    for (let i = 0; i < 5; i++) expect(bucket.tryAcquire()).toBe(true);
    expect(bucket.tryAcquire()).toBe(false);
    expect(bucket.available).toBeGreaterThanOrEqual(0);
  });
});
