import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { track, useFakeClock } from './__fixtures__/test-setup';
import { createTokenBucket } from './token-bucket';

// setRate, pauseFor, close, stats and await using.

useFakeClock();

describe('setRate', () => {
  it('paces waiters at the new rate and keeps accrued tokens', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 1, capacity: 10, initialTokens: 0 });
    vi.advanceTimersByTime(500);
    bucket.setRate(100);
    expect(bucket.available).toBeCloseTo(0.5, 9);
    const next = track(bucket.acquire(1));
    await vi.advanceTimersByTimeAsync(5);
    expect(next.settled).toBe(true);
  });

  it('rejects waiters whose cost exceeds a smaller capacity with RangeError', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 1, capacity: 10, initialTokens: 0 });
    const big = track(bucket.acquire(8));
    bucket.setRate(1, 5);
    await vi.advanceTimersByTimeAsync(0);
    expect(big.error).toBeInstanceOf(RangeError);
    expect(bucket.stats()).toMatchObject({ capacity: 5, queued: 0 });
  });
});

describe('pauseFor', () => {
  it('admits nothing until the pause ends, then lets the accrued tokens through', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 10, capacity: 5 });
    const events: unknown[] = [];
    const off = bucket.onPause((e) => events.push(e));
    const published: unknown[] = [];
    const onPublish = (message: unknown) => published.push(message);
    subscribe('x:rate-limit:pause', onPublish);
    try {
      bucket.pauseFor(2000);
      expect(bucket.tryAcquire()).toBe(false);
      const waiting = track(bucket.acquire(1));
      await vi.advanceTimersByTimeAsync(1999);
      expect(waiting.settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(waiting.settled).toBe(true);
      expect(bucket.tryAcquire(4)).toBe(true);
      expect(events).toEqual([{ key: undefined, ms: 2000, until: expect.any(Number) }]);
      expect(published).toHaveLength(1);
      off();
      bucket.pauseFor(10);
      expect(events).toHaveLength(1);
    } finally {
      unsubscribe('x:rate-limit:pause', onPublish);
    }
  });

  it('keeps the later end when pauses overlap', () => {
    const bucket = createTokenBucket({ ratePerSecond: 10 });
    bucket.pauseFor(1000);
    bucket.pauseFor(10);
    vi.advanceTimersByTime(500);
    expect(bucket.stats().pausedForMs).toBe(500);
  });
});

describe('close', () => {
  it('rejects every waiter with an AbortError and leaves no timer', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 1, capacity: 1, initialTokens: 0 });
    const waiting = [bucket.acquire(), bucket.acquire(1, { timeoutMs: 10_000 })].map((p) =>
      p.catch((e: unknown) => e),
    );
    bucket.close();
    for (const outcome of await Promise.all(waiting)) {
      expect(outcome).toMatchObject({ name: 'AbortError' });
    }
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5000);
    expect(bucket.tryAcquire()).toBe(false);
    // never admitted again: as documented, not a wait that a caller could sleep through
    expect(bucket.waitTimeMs()).toBe(Number.POSITIVE_INFINITY);
    await expect(bucket.acquire()).rejects.toMatchObject({ name: 'AbortError' });
    const stats = bucket.stats();
    expect(stats).toMatchObject({ closed: true, pausedForMs: 0, queued: 0 });
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
  });
});

describe('stats', () => {
  it('returns a JSON-serialisable snapshot whose counters never reset', () => {
    const bucket = createTokenBucket({ ratePerSecond: 1, capacity: 1 });
    bucket.tryAcquire();
    bucket.tryAcquire();
    const first = bucket.stats();
    expect(JSON.parse(JSON.stringify(first))).toEqual(first);
    expect(first).toMatchObject({ admitted: 1, rejected: 1 });
    expect(bucket.stats()).toMatchObject({ admitted: 1, rejected: 1 });
  });

  it('is what util.inspect (console.log) prints, not the private fields', () => {
    const bucket = createTokenBucket({ ratePerSecond: 2, capacity: 4 });
    const text = inspect(bucket);
    expect(text).toMatch(/^TokenBucket \{\s+ratePerSecond: 2,\s+capacity: 4,/);
    expect(text).toContain('closed: false');
    expect(text).not.toMatch(/ratePerMs|pausedUntil|WaiterQueue|rejectEvents/);
    expect(inspect({ a: { b: bucket } }, { depth: 1 })).toBe('{ a: { b: [TokenBucket] } }');
  });
});

describe('asyncDispose', () => {
  it('closes the bucket at the end of an await using block', async () => {
    let outcome: unknown;
    let seen: ReturnType<typeof createTokenBucket> | undefined;
    {
      await using bucket = createTokenBucket({ ratePerSecond: 1, capacity: 1, initialTokens: 0 });
      seen = bucket;
      outcome = bucket.acquire().catch((e: unknown) => e);
    }
    expect(await outcome).toMatchObject({ name: 'AbortError', code: 'X_RATE_LIMIT_CLOSED' });
    expect(seen.stats().closed).toBe(true);
  });
});
