import { describe, expect, it, vi } from 'vitest';
import { track, useFakeClock } from './__fixtures__/test-setup';
import { isQueueFullError, isRateLimitTimeoutError } from './errors';
import { createTokenBucket } from './token-bucket';

// tryAcquire, acquire and waitTimeMs: the burst, the FIFO queue, timeouts, aborts and long waits.

useFakeClock();

describe('tryAcquire', () => {
  it('admits exactly capacity calls at once and rejects the next one', () => {
    const bucket = createTokenBucket({ ratePerSecond: 10, capacity: 4 });
    const results = Array.from({ length: 5 }, () => bucket.tryAcquire());
    expect(results).toEqual([true, true, true, true, false]);
    vi.advanceTimersByTime(99);
    expect(bucket.tryAcquire()).toBe(false);
    vi.advanceTimersByTime(1);
    expect(bucket.tryAcquire()).toBe(true);
  });

  it('leaves the bucket unchanged when it rejects', () => {
    const bucket = createTokenBucket({ ratePerSecond: 1, capacity: 3 });
    bucket.tryAcquire(2);
    expect(bucket.tryAcquire(2)).toBe(false);
    expect(bucket.available).toBe(1);
    expect(bucket.tryAcquire(1)).toBe(true);
  });

  it('throws a RangeError when cost exceeds capacity or is negative', () => {
    const bucket = createTokenBucket({ ratePerSecond: 1, capacity: 3 });
    expect(() => bucket.tryAcquire(4)).toThrow(
      new RangeError(
        'Expected `cost` to be a finite number >= 0 and <= capacity 3, got `4` (number)',
      ),
    );
    expect(() => bucket.tryAcquire(-1)).toThrow(RangeError);
    expect(() => bucket.tryAcquire(Number.NaN)).toThrow(RangeError);
  });

  it('refills continuously below one token per millisecond', () => {
    const bucket = createTokenBucket({ ratePerSecond: 2000, capacity: 1, initialTokens: 0 });
    vi.advanceTimersByTime(0.5);
    expect(bucket.tryAcquire()).toBe(true);
  });

  it('returns false while acquire() callers wait, so nobody jumps the queue', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 1, capacity: 2, initialTokens: 0 });
    const waiting = track(bucket.acquire(2));
    await vi.advanceTimersByTimeAsync(1500);
    expect(bucket.tryAcquire(1)).toBe(false);
    await vi.advanceTimersByTimeAsync(500);
    expect(waiting.settled).toBe(true);
  });
});

describe('acquire', () => {
  it('resolves after about 1/rate when the burst is spent', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 60, capacity: 3 });
    for (let i = 0; i < 3; i++) await bucket.acquire();
    const next = track(bucket.acquire());
    await vi.advanceTimersByTimeAsync(16);
    expect(next.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(next).toEqual({ settled: true, value: undefined });
  });

  it('rejects with RangeError when cost exceeds capacity', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 1, capacity: 3 });
    await expect(bucket.acquire(4)).rejects.toBeInstanceOf(RangeError);
  });

  it('serves a heavy head before lighter requests behind it', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 10, capacity: 10, initialTokens: 0 });
    const order: string[] = [];
    const heavy = bucket.acquire(10).then(() => order.push('heavy'));
    const lights = Array.from({ length: 5 }, (_, i) =>
      bucket.acquire(1).then(() => order.push(`light${i}`)),
    );
    await vi.advanceTimersByTimeAsync(999);
    expect(order).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await heavy;
    expect(order).toEqual(['heavy']);
    await vi.advanceTimersByTimeAsync(500);
    await Promise.all(lights);
    expect(order).toEqual(['heavy', 'light0', 'light1', 'light2', 'light3', 'light4']);
  });

  it('rejects at once with RateLimitTimeoutError when the predicted wait exceeds timeoutMs', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 10, capacity: 1, initialTokens: 0 });
    const events: unknown[] = [];
    bucket.onReject((e) => events.push(e));
    const error = await bucket.acquire(1, { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(isRateLimitTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'X_RATE_LIMIT_TIMEOUT',
      timeoutMs: 50,
      retryAfterMs: 100,
      cost: 1,
    });
    expect(bucket.stats()).toMatchObject({ queued: 0, timedOut: 1 });
    expect(events).toEqual([{ reason: 'timeout', key: undefined, cost: 1, retryAfterMs: 100 }]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('counts the queue ahead in the predicted wait', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 10, capacity: 5, initialTokens: 0 });
    const first = track(bucket.acquire(5));
    expect(bucket.waitTimeMs(1)).toBe(600);
    await expect(bucket.acquire(1, { timeoutMs: 599 })).rejects.toMatchObject({
      retryAfterMs: 600,
    });
    const second = track(bucket.acquire(1, { timeoutMs: 600 }));
    await vi.advanceTimersByTimeAsync(600);
    expect(first.settled && second.settled).toBe(true);
    expect(second.error).toBeUndefined();
  });

  it('rejects a waiter with RateLimitTimeoutError when a rate change makes it miss timeoutMs, and keeps the rest', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 10, capacity: 2, initialTokens: 0 });
    const timed = track(bucket.acquire(2, { timeoutMs: 300 }));
    const patient = track(bucket.acquire(1));
    bucket.setRate(1);
    await vi.advanceTimersByTimeAsync(300);
    expect(isRateLimitTimeoutError(timed.error)).toBe(true);
    expect(patient.settled).toBe(false);
    // the patient waiter is now the head: it needs 1 token, 0.3 are there
    await vi.advanceTimersByTimeAsync(700);
    expect(patient).toEqual({ settled: true, value: undefined });
  });

  it('rejects with QueueFullError when maxQueue waiters are queued', async () => {
    const bucket = createTokenBucket({
      ratePerSecond: 1,
      capacity: 1,
      initialTokens: 0,
      maxQueue: 2,
    });
    track(bucket.acquire());
    track(bucket.acquire());
    const error = await bucket.acquire().catch((e: unknown) => e);
    expect(isQueueFullError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'X_RATE_LIMIT_QUEUE_FULL', maxQueue: 2 });
    expect(bucket.stats().queueFull).toBe(1);
  });

  it('rejects with signal.reason on abort, removes only that waiter and lets the next one in earlier', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 10, capacity: 10, initialTokens: 0 });
    const controller = new AbortController();
    const heavy = track(bucket.acquire(10, { signal: controller.signal }));
    const light = track(bucket.acquire(1));
    await vi.advanceTimersByTimeAsync(50);
    const reason = new Error('caller left');
    controller.abort(reason);
    await vi.advanceTimersByTimeAsync(49);
    expect(heavy.error).toBe(reason);
    expect(light.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(light).toEqual({ settled: true, value: undefined });
    expect(bucket.stats()).toMatchObject({ aborted: 1, queued: 0 });
  });

  it('rejects with signal.reason at once when the signal is already aborted', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 1 });
    const controller = new AbortController();
    controller.abort('gone');
    await expect(bucket.acquire(1, { signal: controller.signal })).rejects.toBe('gone');
    expect(bucket.available).toBe(1);
  });

  it('leaves no timer behind once the queue is empty', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 100, capacity: 1, initialTokens: 0 });
    const all = Promise.all([
      bucket.acquire(),
      bucket.acquire(1, { timeoutMs: 1000 }),
      bucket.acquire(),
    ]);
    await vi.advanceTimersByTimeAsync(30);
    await all;
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('waitTimeMs', () => {
  it('is 0 when a call would pass now and counts tokens and pause otherwise', () => {
    const bucket = createTokenBucket({ ratePerSecond: 4, capacity: 4 });
    expect(bucket.waitTimeMs(4)).toBe(0);
    bucket.tryAcquire(4);
    expect(bucket.waitTimeMs(1)).toBe(250);
    bucket.pauseFor(1000);
    expect(bucket.waitTimeMs(1)).toBe(1000);
  });
});

describe('long waits', () => {
  it('admits a token due in more than 2^31-1 ms at that time, with one timer and no spin', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 1e-7, capacity: 1, initialTokens: 0 });
    const due = 1e10; // one token at 1e-7 per second
    const waiting = track(bucket.acquire());
    const timeouts = vi.spyOn(globalThis, 'setTimeout');
    await vi.advanceTimersByTimeAsync(10_000);
    // before: a 1e10 ms timer fires after 1 ms, and every wake-up arms another (a spin)
    expect(timeouts.mock.calls.length).toBeLessThanOrEqual(1);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(due - 10_000 - 1);
    expect(waiting.settled).toBe(false);
    expect(timeouts.mock.calls.length).toBeLessThanOrEqual(6);
    await vi.advanceTimersByTimeAsync(1);
    expect(waiting).toEqual({ settled: true, value: undefined });
    expect(vi.getTimerCount()).toBe(0);
    timeouts.mockRestore();
  });

  it('waits out a pause longer than 2^31-1 ms without firing early', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 10, capacity: 1 });
    bucket.pauseFor(3e9);
    const waiting = track(bucket.acquire());
    await vi.advanceTimersByTimeAsync(3e9 - 1);
    expect(waiting.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(waiting.settled).toBe(true);
  });
});

describe('listener errors', () => {
  it('reports a throwing onReject listener as an XListenerError warning and still rejects the call as usual', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const bucket = createTokenBucket({ ratePerSecond: 1, capacity: 1, initialTokens: 0 });
    bucket.onReject(() => {
      throw new Error('listener bug');
    });
    const error = await bucket.acquire(1, { timeoutMs: 10 }).catch((e: unknown) => e);
    expect(isRateLimitTimeoutError(error)).toBe(true);
    expect(warn).toHaveBeenCalledWith(
      "@x/rate-limit: a 'reject' listener threw: Error: listener bug",
      expect.objectContaining({ type: 'XListenerError', code: 'X_RATE_LIMIT_LISTENER_ERROR' }),
    );
    warn.mockRestore();
  });
});

describe('shared signals', () => {
  it('prints no MaxListenersExceededWarning with 50 acquire() calls sharing one signal', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const bucket = createTokenBucket({ ratePerSecond: 1, capacity: 1, initialTokens: 0 });
    const controller = new AbortController();
    const calls = Array.from({ length: 50 }, () =>
      bucket.acquire(1, { signal: controller.signal }).catch((e: unknown) => e),
    );
    await new Promise((resolve) => process.nextTick(resolve));
    process.off('warning', onWarning);
    controller.abort('stop');
    expect(await Promise.all(calls)).toEqual(Array(50).fill('stop'));
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
