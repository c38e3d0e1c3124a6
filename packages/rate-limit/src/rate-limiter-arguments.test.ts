import { undefinedOptionsRefused } from '@x/internal/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStore } from './memory-store';
import { createRateLimiter } from './rate-limiter';
import { createTokenBucket } from './token-bucket';

// What a rate limiter accepts: its options, the costs of a call, adjust() amounts, and an option
// set to undefined.

describe('createRateLimiter argument errors', () => {
  it('throws a TypeError naming an unknown option, limit option or store option with the closest known key', () => {
    expect(() =>
      createRateLimiter({ limits: { requests: { ratePerSecond: 1 } }, maxQueu: 1 } as never),
    ).toThrow(new TypeError('Unknown option `maxQueu`: did you mean `maxQueue`?'));
    expect(() =>
      createRateLimiter({ limits: { requests: { ratePerSecnd: 1e9, capacity: 1e9 } } } as never),
    ).toThrow(
      new TypeError(
        'Unknown option `limits.requests.ratePerSecnd`: did you mean `limits.requests.ratePerSecond`?',
      ),
    );
    expect(() => createMemoryStore({ sweepPerOp: 2 } as never)).toThrow(
      new TypeError('Unknown option `sweepPerOp`: did you mean `sweepPerOperation`?'),
    );
  });

  it('rejects a string cost, an unknown limit name and an unknown per-call option with a TypeError', async () => {
    const limiter = createRateLimiter({
      limits: { requests: { ratePerSecond: 1 }, tokens: { ratePerSecond: 100 } },
    });
    await expect(limiter.tryAcquire('k', { requests: '1' } as never)).rejects.toThrow(
      new TypeError(
        'Expected `costs.requests` to be a finite number >= 0 and <= capacity 1, got `"1"` (string)',
      ),
    );
    await expect(limiter.acquire('k', { tokns: 5 } as never)).rejects.toThrow(
      new TypeError('Unknown limit `costs.tokns`: did you mean `costs.tokens`?'),
    );
    await expect(limiter.acquire('k', undefined, { signl: undefined } as never)).rejects.toThrow(
      new TypeError('Unknown option `signl`: did you mean `signal`?'),
    );
    await expect(limiter.acquire('k', undefined, { timeoutMs: 1e12 })).rejects.toThrow(
      /^Expected `timeoutMs` to be a finite number between 0 and 2147483647/,
    );
    expect(limiter.stats()).toMatchObject({ admitted: 0, queued: 0 });
  });
});

describe('RateLimiter costs', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('admits a queued waiter for its own costs when later calls name other costs', async () => {
    vi.useFakeTimers();
    const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 1, capacity: 3 } } });
    expect(await limiter.tryAcquire('k', { requests: 3 })).toBe(true);
    let admitted = false;
    const waiting = limiter.acquire('k', { requests: 2 }).then(() => {
      admitted = true;
    });
    // other keys, other costs, repeated: none of them may change what the waiter asked for
    expect(await limiter.tryAcquire('a', { requests: 1 })).toBe(true);
    expect(await limiter.tryAcquire('b', { requests: 1 })).toBe(true);
    await limiter.adjust('c', { requests: 1 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(admitted).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    await waiting;
    expect(admitted).toBe(true);
    expect(await limiter.tryAcquire('k', { requests: 0.5 })).toBe(false);
  });

  it('takes a limit left undefined as 0 and still rejects an unknown name after a run of equal costs', async () => {
    const limiter = createRateLimiter({
      limits: {
        requests: { ratePerSecond: 1, capacity: 2 },
        tokens: { ratePerSecond: 1, capacity: 10 },
      },
    });
    for (let i = 0; i < 3; i++) expect(await limiter.tryAcquire(`k${i}`, { tokens: 4 })).toBe(true);
    expect(await limiter.tryAcquire('k0', { requests: 1, tokens: undefined })).toBe(true);
    expect(await limiter.tryAcquire('k0', { tokens: 6 })).toBe(true);
    expect(await limiter.tryAcquire('k0', { tokens: 1 })).toBe(false);
    await expect(limiter.tryAcquire('k1', { tokens: 4, tokns: 1 } as never)).rejects.toThrow(
      new TypeError('Unknown limit `costs.tokns`: did you mean `costs.tokens`?'),
    );
    await expect(limiter.tryAcquire('k1', { tokens: 11 })).rejects.toThrow(RangeError);
    expect(limiter.stats()).toMatchObject({ admitted: 5, rejected: 1 });
  });
});

describe('RateLimiter.adjust bounds', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps a key usable after an adjust of 1e18: the debt stops at one capacity', async () => {
    vi.useFakeTimers();
    const limiter = createRateLimiter({ limits: { tokens: { ratePerSecond: 10, capacity: 10 } } });
    await limiter.adjust('k', { tokens: 1e18 });
    expect(await limiter.tryAcquire('k')).toBe(false);
    // 10 of debt and a cost of 1, at 10 per second
    expect(await limiter.waitTimeMs('k')).toBe(1100);
    const waiting = limiter.acquire('k');
    await vi.advanceTimersByTimeAsync(1100);
    await expect(waiting).resolves.toBeUndefined();
  });
});

describe('an option set to undefined', () => {
  it('is the same as leaving it out, for createRateLimiter and createTokenBucket', async () => {
    const limits = { requests: { ratePerSecond: 5 } };
    expect(
      await undefinedOptionsRefused(
        (o) => createRateLimiter(o as never),
        { limits },
        (l) => l.close(),
      ),
    ).toEqual([]);
    expect(
      await undefinedOptionsRefused(
        (o) => createTokenBucket(o as never),
        { ratePerSecond: 5 },
        (b) => b.close(),
      ),
    ).toEqual([]);
  });
});
