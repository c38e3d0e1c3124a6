import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isQueueFullError, isRateLimitTimeoutError } from './errors';
import { createRateLimiter } from './rate-limiter';
import { createRedisTokenBucket, type RedisClientLike } from './redis';
import { createTokenBucket } from './token-bucket';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Tracks a promise's outcome without awaiting it. */
function track<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => {
      state.settled = true;
      state.value = value;
    },
    (error: unknown) => {
      state.settled = true;
      state.error = error;
    },
  );
  return state;
}

describe('createTokenBucket', () => {
  it('throws a RangeError that names the option when ratePerSecond is 0', () => {
    expect(() => createTokenBucket({ ratePerSecond: 0 })).toThrow(
      new RangeError('Expected `ratePerSecond` to be a finite number > 0, got `0` (number)'),
    );
  });

  it.each([
    [{ rate: 5 }, 'rate', 'ratePerSecond'],
    [{ tokensPerInterval: 5, interval: 'second' }, 'tokensPerInterval', 'ratePerSecond'],
    [{ points: 5, duration: 1 }, 'points', 'ratePerSecond'],
    [{ ratePerSecond: 5, burst: 10 }, 'burst', 'capacity'],
  ])(
    'names the option to use for %o (a shortened name, or limiter and rate-limiter-flexible names)',
    (options, key, hint) => {
      expect(() => createTokenBucket(options as never)).toThrow(
        new TypeError(`Unknown option \`${key}\`: did you mean \`${hint}\`?`),
      );
    },
  );

  it('throws a TypeError when capacity is not a number', () => {
    expect(() =>
      createTokenBucket({ ratePerSecond: 1, capacity: '5' as unknown as number }),
    ).toThrow(new TypeError('Expected `capacity` to be a finite number > 0, got `"5"` (string)'));
  });

  it('throws a RangeError when initialTokens exceeds capacity or maxQueue is fractional', () => {
    expect(() => createTokenBucket({ ratePerSecond: 1, capacity: 2, initialTokens: 3 })).toThrow(
      RangeError,
    );
    expect(() => createTokenBucket({ ratePerSecond: 1, maxQueue: 1.5 })).toThrow(
      'Expected `maxQueue` to be an integer >= 0, or Infinity, got `1.5` (number)',
    );
  });

  it('defaults capacity to ratePerSecond and starts full', () => {
    const bucket = createTokenBucket({ ratePerSecond: 5 });
    expect(bucket.stats()).toMatchObject({ capacity: 5, available: 5, ratePerSecond: 5 });
  });

  it('refuses a rate below 1 without a capacity, naming capacity, as createRateLimiter does', async () => {
    const message =
      'Expected `capacity` to be set when `ratePerSecond` is below 1 (its default, `ratePerSecond` 0.5, cannot hold the default cost of 1), got `undefined` (undefined)';
    expect(() => createTokenBucket({ ratePerSecond: 0.5 })).toThrow(new RangeError(message));
    expect(() =>
      createRedisTokenBucket({ client: {} as RedisClientLike, key: 'k', ratePerSecond: 0.5 }),
    ).toThrow(new RangeError(message));
    expect(() => createRateLimiter({ limits: { r: { ratePerSecond: 0.5 } } })).toThrow(RangeError);
    // a slow rate with a capacity of its own admits the default cost
    const slow = createTokenBucket({ ratePerSecond: 0.5, capacity: 1 });
    expect(slow.tryAcquire()).toBe(true);
    await expect(slow.acquire(1, { timeoutMs: 1_000 })).rejects.toMatchObject({
      retryAfterMs: 2_000,
    });
    // a fractional capacity chosen on purpose still holds fractional costs
    expect(createTokenBucket({ ratePerSecond: 0.5, capacity: 0.5 }).tryAcquire(0.5)).toBe(true);
  });

  it('starts with initialTokens when given', () => {
    const bucket = createTokenBucket({ ratePerSecond: 5, initialTokens: 0 });
    expect(bucket.tryAcquire()).toBe(false);
    vi.advanceTimersByTime(200);
    expect(bucket.tryAcquire()).toBe(true);
  });
});

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

describe('token bucket properties', () => {
  it('never admits more than capacity + rate * (t2 - t1) in any interval [t1, t2]', () => {
    fc.assert(
      fc.property(
        fc.record({
          rate: fc.integer({ min: 1, max: 200 }),
          capacity: fc.integer({ min: 1, max: 20 }),
          steps: fc.array(
            fc.record({
              dt: fc.integer({ min: 0, max: 300 }),
              cost: fc.integer({ min: 1, max: 20 }),
            }),
            { minLength: 1, maxLength: 120 },
          ),
        }),
        ({ rate, capacity, steps }) => {
          vi.setSystemTime(0);
          const bucket = createTokenBucket({ ratePerSecond: rate, capacity });
          const admitted: { t: number; cost: number }[] = [];
          let t = 0;
          for (const { dt, cost } of steps) {
            vi.advanceTimersByTime(dt);
            t += dt;
            const c = Math.min(cost, capacity);
            if (bucket.tryAcquire(c)) admitted.push({ t, cost: c });
          }
          for (let i = 0; i < admitted.length; i++) {
            let sum = 0;
            for (let j = i; j < admitted.length; j++) {
              sum += admitted[j]!.cost;
              const bound = capacity + (rate * (admitted[j]!.t - admitted[i]!.t)) / 1000;
              if (sum > bound + 1e-6) return false;
            }
          }
          return true;
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps the interval bound when admissions come from the acquire() queue', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 10 }),
        fc.array(
          fc.record({
            cost: fc.integer({ min: 1, max: 10 }),
            gap: fc.integer({ min: 0, max: 80 }),
          }),
          {
            minLength: 1,
            maxLength: 60,
          },
        ),
        async (rate, capacity, calls) => {
          const bucket = createTokenBucket({ ratePerSecond: rate, capacity });
          const admitted: { t: number; cost: number }[] = [];
          const all: Promise<unknown>[] = [];
          for (const { cost, gap } of calls) {
            const c = Math.min(cost, capacity);
            all.push(
              bucket.acquire(c).then(() => admitted.push({ t: performance.now(), cost: c })),
            );
            await vi.advanceTimersByTimeAsync(gap);
          }
          await vi.advanceTimersByTimeAsync((calls.length * 10 * 1000) / rate + 1000);
          await Promise.all(all);
          admitted.sort((a, b) => a.t - b.t);
          for (let i = 0; i < admitted.length; i++) {
            let sum = 0;
            for (let j = i; j < admitted.length; j++) {
              sum += admitted[j]!.cost;
              expect(sum).toBeLessThanOrEqual(
                capacity + (rate * (admitted[j]!.t - admitted[i]!.t)) / 1000 + 1e-6,
              );
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('keeps long-run throughput within 1% of the rate for a saturating caller', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 5, max: 120 }),
        // capacity >= cost + rate * 1 ms: timers fire on whole ms, and with no headroom the
        // tokens accrued during that last fraction of a ms would be clipped (see the README)
        fc.integer({ min: 2, max: 5 }),
        async (rate, capacity) => {
          const bucket = createTokenBucket({ ratePerSecond: rate, capacity, initialTokens: 0 });
          const seconds = Math.ceil(4000 / rate);
          let admitted = 0;
          let running = true;
          const loop = (async () => {
            while (running) {
              await bucket.acquire(1);
              admitted++;
            }
          })();
          await vi.advanceTimersByTimeAsync(seconds * 1000);
          running = false;
          await vi.advanceTimersByTimeAsync(1000);
          await loop;
          const last = admitted - 1; // the acquire in flight when the run ended
          expect(Math.abs(last / seconds - rate) / rate).toBeLessThanOrEqual(0.01);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('admits acquire() callers in FIFO order under mixed costs, aborts and timeouts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            cost: fc.integer({ min: 1, max: 8 }),
            abortAfter: fc.option(fc.integer({ min: 0, max: 2000 }), { nil: undefined }),
            timeoutMs: fc.option(fc.integer({ min: 0, max: 3000 }), { nil: undefined }),
            gap: fc.integer({ min: 0, max: 50 }),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        async (calls) => {
          const bucket = createTokenBucket({ ratePerSecond: 20, capacity: 8, initialTokens: 0 });
          const order: number[] = [];
          const outcomes: Promise<unknown>[] = [];
          for (const [i, call] of calls.entries()) {
            const controller = new AbortController();
            if (call.abortAfter !== undefined) {
              setTimeout(() => controller.abort(new Error('abort')), call.abortAfter);
            }
            outcomes.push(
              bucket
                .acquire(call.cost, { signal: controller.signal, timeoutMs: call.timeoutMs })
                .then(() => order.push(i))
                .catch(() => {}),
            );
            await vi.advanceTimersByTimeAsync(call.gap);
          }
          await vi.advanceTimersByTimeAsync(20_000);
          await Promise.all(outcomes);
          expect(order).toEqual([...order].sort((a, b) => a - b));
          expect(bucket.stats().queued).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('createTokenBucket argument errors', () => {
  it('throws a TypeError naming an unknown option and the closest known one', () => {
    expect(() => createTokenBucket({ ratePerSecnd: 5 } as never)).toThrow(
      new TypeError('Unknown option `ratePerSecnd`: did you mean `ratePerSecond`?'),
    );
  });

  it('throws a TypeError for a cost that is a string, in every method', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 5 });
    const message =
      'Expected `cost` to be a finite number >= 0 and <= capacity 5, got `"1"` (string)';
    expect(() => bucket.tryAcquire('1' as never)).toThrow(new TypeError(message));
    expect(() => bucket.waitTimeMs('1' as never)).toThrow(new TypeError(message));
    await expect(bucket.acquire('1' as never)).rejects.toThrow(new TypeError(message));
    expect(bucket.stats()).toMatchObject({ admitted: 0, available: 5 });
  });

  it('rejects a timeoutMs above 2^31-1 ms with a RangeError naming it, and an unknown per-call key', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 1, capacity: 1, initialTokens: 0 });
    await expect(bucket.acquire(1, { timeoutMs: 2 ** 31 })).rejects.toThrow(
      new RangeError(
        'Expected `timeoutMs` to be a finite number between 0 and 2147483647, got `2147483648` (number)',
      ),
    );
    await expect(bucket.acquire(1, { timeoutMS: 10 } as never)).rejects.toThrow(
      new TypeError('Unknown option `timeoutMS`: did you mean `timeoutMs`?'),
    );
    expect(bucket.stats().queued).toBe(0);
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
