/**
 * What a `reject` listener of a rate limiter sees and may do: it runs while the limiter settles a
 * waiter, in the middle of a key's pump, and may pause the key or call the limiter again.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isRateLimitTimeoutError } from './errors';
import { createRateLimiter } from './rate-limiter';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/**
 * A key of capacity 10 refilled at 1/s, spent at t=0, with a head that needs all 10 within 10.5 s
 * and a light call behind it. At t=5 s an `adjust()` charges 2 more: the head's next decision
 * (7 s) passes its deadline, so it is rejected there, in the pump that `adjust()` starts, while
 * 3 tokens are there for the call behind it.
 */
async function headRejectedMidPump() {
  const limiter = createRateLimiter({ limits: { r: { ratePerSecond: 1, capacity: 10 } } });
  expect(await limiter.tryAcquire('k', { r: 10 })).toBe(true);
  const head = limiter.acquire('k', { r: 10 }, { timeoutMs: 10_500 }).catch((e: unknown) => e);
  let behindAt: number | undefined;
  const behind = limiter.acquire('k', { r: 1 }).then(() => {
    behindAt = performance.now();
  });
  const reject = async () => {
    await vi.advanceTimersByTimeAsync(5_000);
    await limiter.adjust('k', { r: 2 });
    expect(isRateLimitTimeoutError(await head)).toBe(true);
  };
  return { limiter, behind, behindAt: () => behindAt, reject };
}

describe('a reject listener that pauses the key', () => {
  it('holds back the rest of the pump that rejected the head', async () => {
    const { limiter, behind, behindAt, reject } = await headRejectedMidPump();
    limiter.onReject(() => limiter.pauseFor('k', 60_000));
    await reject();
    // the call behind the head waits out the pause (from t=5 s), then 1 s for its token
    expect(limiter.pausedFor('k')).toBe(60_000);
    await vi.advanceTimersByTimeAsync(60_999);
    expect(behindAt()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await behind;
    expect(behindAt()).toBe(66_000);
    await limiter.close();
  });
});

describe('a reject listener after the key lost its last waiter', () => {
  it('finds the key free: no waiting key in stats(), and tryAcquire() not refused for a queue', async () => {
    const limiter = createRateLimiter({ limits: { r: { ratePerSecond: 1, capacity: 10 } } });
    expect(await limiter.tryAcquire('k', { r: 10 })).toBe(true);
    const head = limiter.acquire('k', { r: 10 }, { timeoutMs: 10_500 }).catch((e: unknown) => e);
    const seen: { waitingKeys: number; queued: number; free: Promise<boolean> }[] = [];
    limiter.onReject(() => {
      const { waitingKeys, queued } = limiter.stats();
      seen.push({ waitingKeys, queued, free: limiter.tryAcquire('k', { r: 0 }) });
    });
    await vi.advanceTimersByTimeAsync(5_000);
    await limiter.adjust('k', { r: 2 }); // the head's next decision passes its deadline
    expect(isRateLimitTimeoutError(await head)).toBe(true);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ waitingKeys: 0, queued: 0 });
    // 3 tokens are there and a cost of 0 fits: nothing waits that it would jump
    expect(await seen[0]!.free).toBe(true);
    expect(limiter.stats()).toMatchObject({ waitingKeys: 0, queued: 0, timedOut: 1 });
    await limiter.close();
  });

  it('finds the key free when the waiter ran out of time on its own timer', async () => {
    const limiter = createRateLimiter({ limits: { r: { ratePerSecond: 1, capacity: 1 } } });
    await limiter.acquire('k');
    const waiting = limiter.acquire('k', undefined, { timeoutMs: 2_000 }).catch((e: unknown) => e);
    limiter.pauseFor('k', 10_000); // outlasts the waiter's 2 s
    const seen: { waitingKeys: number; queued: number }[] = [];
    limiter.onReject(() => {
      const { waitingKeys, queued } = limiter.stats();
      seen.push({ waitingKeys, queued });
    });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(isRateLimitTimeoutError(await waiting)).toBe(true);
    expect(seen).toEqual([{ waitingKeys: 0, queued: 0 }]);
    await limiter.close();
  });

  it('admits at once a call it makes on that key when the tokens are there', async () => {
    const limiter = createRateLimiter({ limits: { r: { ratePerSecond: 1, capacity: 10 } } });
    expect(await limiter.tryAcquire('k', { r: 10 })).toBe(true);
    const head = limiter.acquire('k', { r: 10 }, { timeoutMs: 10_500 }).catch((e: unknown) => e);
    let late: Promise<void> | undefined;
    limiter.onReject(() => {
      late ??= limiter.acquire('k', { r: 3 });
    });
    await vi.advanceTimersByTimeAsync(5_000);
    await limiter.adjust('k', { r: 2 });
    expect(isRateLimitTimeoutError(await head)).toBe(true);
    await late;
    expect(limiter.stats()).toMatchObject({ admitted: 2, timedOut: 1, waitingKeys: 0, queued: 0 });
    expect(await limiter.tryAcquire('k', { r: 1 })).toBe(false);
    await limiter.close();
  });
});
