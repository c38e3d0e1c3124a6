import { afterEach, describe, expect, it, vi } from 'vitest';
import { isRateLimitTimeoutError } from './errors';
import { createRateLimiter } from './rate-limiter';

// Waits longer than a timer can hold, one signal shared by many waiters, listener errors, pauses,
// and the counters of waits decided by a remote store.

describe('RateLimiter long waits', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('admits a key whose token is due in more than 2^31-1 ms at that time, without a spin', async () => {
    vi.useFakeTimers();
    const limiter = createRateLimiter({
      limits: { requests: { ratePerSecond: 1e-7, capacity: 1 } },
    });
    await limiter.acquire('k');
    let admitted = false;
    const waiting = limiter.acquire('k').then(() => {
      admitted = true;
    });
    const timeouts = vi.spyOn(globalThis, 'setTimeout');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(timeouts.mock.calls.length).toBeLessThanOrEqual(1);
    await vi.advanceTimersByTimeAsync(1e10 - 10_001);
    expect(admitted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(admitted).toBe(true);
  });
});

describe('RateLimiter shared signals and listeners', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('prints no MaxListenersExceededWarning with 50 acquire() calls sharing one signal', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const limiter = createRateLimiter({
      limits: { requests: { ratePerSecond: 0.001, capacity: 1 } },
    });
    await limiter.acquire('k');
    const controller = new AbortController();
    const calls = Array.from({ length: 50 }, () =>
      limiter.acquire('k', undefined, { signal: controller.signal }).catch((e: unknown) => e),
    );
    await new Promise((resolve) => process.nextTick(resolve));
    process.off('warning', onWarning);
    controller.abort('stop');
    expect(await Promise.all(calls)).toEqual(Array(50).fill('stop'));
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    expect(limiter.stats()).toMatchObject({ queued: 0, waitingKeys: 0, aborted: 50 });
  });

  it('reports a throwing onReject listener as an XListenerError warning and still rejects the call as usual', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const limiter = createRateLimiter({
      limits: { requests: { ratePerSecond: 1, capacity: 1 } },
      maxQueue: 0,
    });
    limiter.onReject(() => {
      throw new Error('listener bug');
    });
    await limiter.acquire('k');
    const error = await limiter.acquire('k').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'X_RATE_LIMIT_QUEUE_FULL' });
    expect(warn).toHaveBeenCalledWith(
      "@x/rate-limit: a 'reject' listener threw: Error: listener bug",
      expect.objectContaining({ type: 'XListenerError' }),
    );
  });
});

describe('RateLimiter.pauseFor', () => {
  it('holds a key back until the pause ends, then admits its waiters in order', async () => {
    vi.useFakeTimers();
    const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 100 } } });
    limiter.pauseFor('api', 60_000);
    expect(limiter.pausedFor('api')).toBe(60_000);
    expect(await limiter.tryAcquire('api')).toBe(false);
    expect(await limiter.tryAcquire('other')).toBe(true);
    const order: number[] = [];
    const first = limiter.acquire('api').then(() => order.push(1));
    const second = limiter.acquire('api').then(() => order.push(2));
    await vi.advanceTimersByTimeAsync(59_999);
    expect(order).toEqual([]);
    // The limits refilled during the pause and are emptied when it ends: the waiters then leave
    // at the limit's pace (100/s: one every 10 ms), not in a burst.
    await vi.advanceTimersByTimeAsync(11);
    expect(order).toEqual([1]);
    await vi.advanceTimersByTimeAsync(10);
    await Promise.all([first, second]);
    expect(order).toEqual([1, 2]);
    expect(limiter.pausedFor('api')).toBe(0);
    await limiter.close();
    vi.useRealTimers();
  });

  it('admits no burst after a pause when nobody waited through it, and never empties the key later', async () => {
    vi.useFakeTimers();
    const limiter = createRateLimiter({
      limits: { requests: { ratePerSecond: 10, capacity: 10 } },
    });
    limiter.pauseFor('api', 1_000);
    await vi.advanceTimersByTimeAsync(2_000);
    // The key was not asked for during the pause: it still starts from empty when it ends.
    expect(await limiter.tryAcquire('api')).toBe(false);
    expect(await limiter.waitTimeMs('api')).toBe(100);
    // Refilled again, a queue that forms much later waits only for the tokens it lacks.
    await vi.advanceTimersByTimeAsync(5_000);
    for (let i = 0; i < 10; i++) await limiter.acquire('api');
    let admitted = false;
    const eleventh = limiter.acquire('api').then(() => {
      admitted = true;
    });
    await vi.advanceTimersByTimeAsync(100);
    expect(admitted).toBe(true);
    await eleventh;
    await limiter.close();
    vi.useRealTimers();
  });

  it('times a waiter out at once when the pause outlasts its timeout, and refuses bad durations', async () => {
    vi.useFakeTimers();
    const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 100 } } });
    limiter.pauseFor('api', 300_000);
    limiter.pauseFor('api', 1_000); // shorter: ignored
    await expect(limiter.acquire('api', undefined, { timeoutMs: 5_000 })).rejects.toMatchObject({
      code: 'X_RATE_LIMIT_TIMEOUT',
      retryAfterMs: 300_010, // the pause, then 10 ms for a token of the emptied limit
    });
    expect(() => limiter.pauseFor('api', -1)).toThrow(RangeError);
    expect(() => limiter.pauseFor('api', 2 ** 31)).toThrow(RangeError);
    await limiter.close();
    vi.useRealTimers();
  });
});

describe('RateLimiter counters with a remote store', () => {
  /** A remote store whose every key is empty for `waitMs`: each decision is a round trip. */
  const emptyRemote = (waitMs: number) => ({
    bind: () => ({
      remote: true,
      take: async () => waitMs,
      adjust: async () => {},
      waitTime: async () => waitMs,
      stats: () => ({ kind: 'test' }),
      close: () => {},
    }),
  });

  it('counts a first decision past timeoutMs as timed out, not as waited, as the memory store does', async () => {
    const remote = createRateLimiter({
      limits: { r: { ratePerSecond: 1 } },
      store: emptyRemote(500),
    });
    const local = createRateLimiter({ limits: { r: { ratePerSecond: 1, capacity: 1 } } });
    await local.acquire('k');
    for (const limiter of [remote, local]) {
      const error = await limiter
        .acquire('k', undefined, { timeoutMs: 0 })
        .catch((e: unknown) => e);
      expect(isRateLimitTimeoutError(error)).toBe(true);
      expect(limiter.stats()).toMatchObject({ waited: 0, timedOut: 1, queued: 0 });
    }
    // a first decision within the deadline does queue, and is counted once
    const waiting = remote.acquire('k', undefined, { timeoutMs: 10_000 });
    await vi.waitFor(() => expect(remote.stats()).toMatchObject({ waited: 1, queued: 1 }));
    await remote.close();
    await waiting.catch(() => {});
    await local.close();
  });
});
