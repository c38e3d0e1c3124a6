/** `pauseFor()` of a rate limiter: the waits it predicts, and how many keys it remembers. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RateLimitRejectEvent } from './events';
import { createRateLimiter } from './rate-limiter';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('a pause outlasting an acquire() timeout on a key with waiters', () => {
  it('rejects the call at once, with the pause left and the refill of the queue as retryAfterMs', async () => {
    const limiter = createRateLimiter({ limits: { r: { ratePerSecond: 100 } } });
    limiter.pauseFor('k', 10_000);
    const first = limiter.acquire('k'); // waits out the pause
    await vi.advanceTimersByTimeAsync(100);
    let error: unknown;
    void limiter.acquire('k', undefined, { timeoutMs: 50 }).catch((e: unknown) => {
      error = e;
    });
    await Promise.resolve(); // no timer may run: the answer is known now
    // 9 900 ms of pause, then the emptied limit refills both calls' tokens at 100 a second
    expect(error).toMatchObject({ code: 'X_RATE_LIMIT_TIMEOUT', retryAfterMs: 9_920 });
    expect(limiter.stats()).toMatchObject({ timedOut: 1, waited: 1, queued: 1 });
    await limiter.close();
    await first.catch(() => {});
  });

  it('reports the pause left as retryAfterMs when a waiter runs out of time during it', async () => {
    const limiter = createRateLimiter({ limits: { r: { ratePerSecond: 1, capacity: 1 } } });
    await limiter.acquire('k');
    // 1 s for the token, within 2 s: it queues; then a pause of 10 s holds the key
    const waiting = limiter.acquire('k', undefined, { timeoutMs: 2_000 }).catch((e: unknown) => e);
    limiter.pauseFor('k', 10_000);
    const events: RateLimitRejectEvent[] = [];
    limiter.onReject((event) => events.push(event));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await waiting).toMatchObject({ code: 'X_RATE_LIMIT_TIMEOUT', retryAfterMs: 8_000 });
    expect(events).toEqual([{ reason: 'timeout', key: 'k', cost: 1, retryAfterMs: 8_000 }]);
    await limiter.close();
  });
});

describe('a pause on a key nobody waits on', () => {
  it('counts the refill after it: a call it would run out of time for fails at once', async () => {
    const limiter = createRateLimiter({ limits: { r: { ratePerSecond: 60 } } });
    limiter.pauseFor('k', 1_000);
    // 1 000 ms of pause, then 17 ms for one token of the emptied limit: 1 017 > 1 010
    let error: unknown;
    void limiter.acquire('k', undefined, { timeoutMs: 1_010 }).catch((e: unknown) => {
      error = e;
    });
    await Promise.resolve(); // no timer may run: the answer is known now
    expect(error).toMatchObject({ code: 'X_RATE_LIMIT_TIMEOUT', retryAfterMs: 1_017 });
    expect((error as Error).message).toContain('predicted wait 1017 ms');
    // with room for both, the call is admitted once the token is back
    let admitted = false;
    void limiter.acquire('k', undefined, { timeoutMs: 1_030 }).then(() => {
      admitted = true;
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(admitted).toBe(false);
    await vi.advanceTimersByTimeAsync(17);
    expect(admitted).toBe(true);
    await limiter.close();
  });
});

describe('the 10 000 keys a rate limiter keeps paused', () => {
  const limiter = () => createRateLimiter({ limits: { r: { ratePerSecond: 10, capacity: 10 } } });

  it('keeps a running pause when 10 000 short ones follow it and end', async () => {
    const l = limiter();
    l.pauseFor('victim', 60_000);
    for (let i = 0; i < 10_000; i++) l.pauseFor(`k${i}`, 1);
    await vi.advanceTimersByTimeAsync(10);
    expect(l.pausedFor('victim')).toBe(59_990);
    expect(await l.tryAcquire('victim')).toBe(false);
    await l.close();
  });

  it('forgets a pause that is over before any running one, and that key starts from empty', async () => {
    const l = limiter();
    l.pauseFor('ended', 1);
    await vi.advanceTimersByTimeAsync(10);
    for (let i = 0; i < 9_999; i++) l.pauseFor(`k${i}`, 60_000);
    l.pauseFor('new', 60_000); // the 10 001st key
    expect(l.pausedFor('new')).toBe(60_000);
    let paused = 0;
    for (let i = 0; i < 9_999; i++) if (l.pausedFor(`k${i}`) > 0) paused++;
    expect(paused).toBe(9_999);
    // its limits refilled during the pause: they start from empty, not with a burst of 10
    expect(await l.tryAcquire('ended')).toBe(false);
    expect(await l.waitTimeMs('ended')).toBe(100);
    await l.close();
  });

  it('with 10 000 running pauses, ends early the one that ends first, even the new one', async () => {
    const l = limiter();
    for (let i = 0; i < 10_000; i++) l.pauseFor(`k${i}`, 1_000 + i);
    l.pauseFor('long', 60_000);
    expect(l.pausedFor('long')).toBe(60_000);
    expect(l.pausedFor('k0')).toBe(0); // it ended first: it makes room
    expect(l.pausedFor('k1')).toBe(1_001);
    // a pause ending before all 10 000 is the one that ends: at once, its key from empty
    l.pauseFor('short', 10);
    expect(l.pausedFor('short')).toBe(0);
    expect(l.pausedFor('k1')).toBe(1_001);
    expect(await l.tryAcquire('short')).toBe(false);
    expect(await l.tryAcquire('k0')).toBe(false);
    expect(await l.waitTimeMs('k0')).toBe(100);
    await l.close();
  });
});
