import { describe, expect, expectTypeOf, it } from 'vitest';
import { createConcurrencyLimiter } from './concurrency-limiter';
import { createTokenBucket } from './token-bucket';

// Every `close()` of `@x` returns a promise, so callers await them alike: a bucket's and a
// concurrency limiter's close synchronously, and their promise is already settled.
describe('TokenBucket.close', () => {
  it('returns a promise that resolves once the waiters are rejected; a second close is fine', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 1, capacity: 1, initialTokens: 0 });
    const outcomes: unknown[] = [];
    const waiting = bucket.acquire().catch((e: unknown) => outcomes.push(e));
    const closing = bucket.close();
    expectTypeOf(closing).toEqualTypeOf<Promise<void>>();
    expect(closing).toBeInstanceOf(Promise);
    await expect(closing).resolves.toBeUndefined();
    expect(outcomes).toMatchObject([{ name: 'AbortError', code: 'X_RATE_LIMIT_CLOSED' }]);
    await waiting;
    const again = bucket.close();
    expect(again).toBeInstanceOf(Promise);
    await expect(again).resolves.toBeUndefined();
    expect(bucket.stats()).toMatchObject({ closed: true, cancelled: 1 });
  });
});

describe('ConcurrencyLimiter.close', () => {
  it('returns a promise that resolves once the waiters are rejected; a second close is fine', async () => {
    const limiter = createConcurrencyLimiter({ maxConcurrent: 1 });
    const release = await limiter.acquire();
    const outcomes: unknown[] = [];
    const waiting = limiter.acquire().catch((e: unknown) => outcomes.push(e));
    const closing = limiter.close();
    expectTypeOf(closing).toEqualTypeOf<Promise<void>>();
    expect(closing).toBeInstanceOf(Promise);
    await expect(closing).resolves.toBeUndefined();
    expect(outcomes).toMatchObject([{ name: 'AbortError', code: 'X_RATE_LIMIT_CLOSED' }]);
    await waiting;
    const again = limiter.close();
    expect(again).toBeInstanceOf(Promise);
    await expect(again).resolves.toBeUndefined();
    release();
    expect(limiter.stats()).toMatchObject({ closed: true, active: 0, cancelled: 1 });
  });
});
