import { inspect } from 'node:util';
import { undefinedOptionsRefused } from '@x/internal/testing';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { storeBehaviour } from './__fixtures__/store-behaviour';
import { isRateLimitTimeoutError } from './errors';
import { createMemoryStore } from './memory-store';
import { createRateLimiter } from './rate-limiter';
import { createTokenBucket } from './token-bucket';

let counter = 0;
storeBehaviour(
  'memory',
  () => createMemoryStore(),
  () => `key-${++counter}`,
);

describe('createRateLimiter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('throws a TypeError when limits is empty and a RangeError for a bad rate', () => {
    expect(() => createRateLimiter({ limits: {} })).toThrow(TypeError);
    expect(() => createRateLimiter({ limits: { requests: { ratePerSecond: -1 } } })).toThrow(
      new RangeError(
        'Expected `limits.requests.ratePerSecond` to be a finite number > 0, got `-1` (number)',
      ),
    );
  });

  it('shows its stats() to util.inspect (console.log), not the private fields', () => {
    const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 60 } } });
    const text = inspect(limiter);
    expect(text).toMatch(/^RateLimiter \{\s+limits: \[/);
    expect(text).toContain("name: 'requests'");
    expect(text).toContain("store: { kind: 'memory', keys: 0, evicted: 0 }");
    expect(text).not.toMatch(/BoundMemory|KeyQueues|CostVectors|rejectEvents/);
    expect(inspect({ a: { b: limiter } }, { depth: 1 })).toBe('{ a: { b: [RateLimiter] } }');
  });

  it('exposes its limits in declaration order', () => {
    const limiter = createRateLimiter({
      limits: {
        requests: { ratePerSecond: 60 },
        tokens: { ratePerSecond: 2500, capacity: 150_000 },
      },
    });
    expect(limiter.limits).toEqual([
      { name: 'requests', ratePerSecond: 60, capacity: 60 },
      { name: 'tokens', ratePerSecond: 2500, capacity: 150_000 },
    ]);
  });

  it('admits a queued multi-limit request when the slowest limit has refilled', async () => {
    vi.useFakeTimers();
    const limiter = createRateLimiter({
      limits: {
        requests: { ratePerSecond: 10, capacity: 10 },
        tokens: { ratePerSecond: 100, capacity: 1000 },
      },
    });
    await limiter.acquire('k', { requests: 1, tokens: 1000 });
    let done = false;
    const next = limiter.acquire('k', { requests: 1, tokens: 200 }).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(1999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await next;
    expect(done).toBe(true);
  });

  it('admits a waiter as soon as an adjust refunds enough', async () => {
    vi.useFakeTimers();
    const limiter = createRateLimiter({ limits: { tokens: { ratePerSecond: 1, capacity: 100 } } });
    await limiter.acquire('k', { tokens: 100 });
    let done = false;
    const waiting = limiter.acquire('k', { tokens: 50 }).then(() => {
      done = true;
    });
    await limiter.adjust('k', { tokens: -60 });
    await vi.advanceTimersByTimeAsync(0);
    await waiting;
    expect(done).toBe(true);
  });

  it('times out a queued waiter without delaying the one behind it', async () => {
    vi.useFakeTimers();
    const limiter = createRateLimiter({ limits: { tokens: { ratePerSecond: 10, capacity: 10 } } });
    await limiter.acquire('k', { tokens: 10 });
    const first = limiter
      .acquire('k', { tokens: 10 }, { timeoutMs: 2000 })
      .catch((e: unknown) => e);
    const second = limiter
      .acquire('k', { tokens: 1 }, { timeoutMs: 1500 })
      .catch((e: unknown) => e);
    // the second one is predicted at 1100 ms, within its 1500 ms
    await vi.advanceTimersByTimeAsync(1000);
    expect(await first).toBeUndefined();
    await vi.advanceTimersByTimeAsync(100);
    expect(await second).toBeUndefined();
    const third = await limiter
      .acquire('k', { tokens: 10 }, { timeoutMs: 500 })
      .catch((e: unknown) => e);
    expect(isRateLimitTimeoutError(third)).toBe(true);
  });

  it('rejects every waiter with an AbortError on close()', async () => {
    const limiter = createRateLimiter({
      limits: { requests: { ratePerSecond: 0.001, capacity: 1 } },
    });
    await limiter.acquire('k');
    const waiting = limiter.acquire('k').catch((e: unknown) => e);
    await limiter.close();
    expect(await waiting).toMatchObject({ name: 'AbortError' });
    await expect(limiter.acquire('k')).rejects.toMatchObject({ name: 'AbortError' });
    await expect(limiter.tryAcquire('k')).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('keeps every limit within capacity + rate * (t2 - t1) and FIFO order for queued multi-limit calls (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            requests: fc.integer({ min: 0, max: 2 }),
            tokens: fc.integer({ min: 0, max: 500 }),
            gap: fc.integer({ min: 0, max: 60 }),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        async (calls) => {
          vi.useFakeTimers();
          const rates = { requests: 10, tokens: 1000 };
          const caps = { requests: 3, tokens: 800 };
          const limiter = createRateLimiter({
            limits: {
              requests: { ratePerSecond: rates.requests, capacity: caps.requests },
              tokens: { ratePerSecond: rates.tokens, capacity: caps.tokens },
            },
          });
          const admitted: { i: number; t: number; requests: number; tokens: number }[] = [];
          const all: Promise<unknown>[] = [];
          for (const [i, call] of calls.entries()) {
            all.push(
              limiter
                .acquire('k', { requests: call.requests, tokens: call.tokens })
                .then(() => admitted.push({ i, t: performance.now(), ...call })),
            );
            await vi.advanceTimersByTimeAsync(call.gap);
          }
          await vi.advanceTimersByTimeAsync(60_000);
          await Promise.all(all);
          expect(admitted.map((a) => a.i)).toEqual(calls.map((_, i) => i));
          for (const name of ['requests', 'tokens'] as const) {
            for (let a = 0; a < admitted.length; a++) {
              let sum = 0;
              for (let b = a; b < admitted.length; b++) {
                sum += admitted[b]![name];
                const bound = caps[name] + (rates[name] * (admitted[b]!.t - admitted[a]!.t)) / 1000;
                expect(sum).toBeLessThanOrEqual(bound + 1e-6);
              }
            }
          }
          vi.useRealTimers();
        },
      ),
      { numRuns: 40 },
    );
  });

  it('matches a model of independent buckets that debits only when all admit (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            r: fc.integer({ min: 0, max: 3 }),
            t: fc.integer({ min: 0, max: 100 }),
            dt: fc.integer({ min: 0, max: 200 }),
          }),
          { minLength: 1, maxLength: 80 },
        ),
        async (calls) => {
          vi.useFakeTimers();
          const limiter = createRateLimiter({
            limits: {
              requests: { ratePerSecond: 5, capacity: 3 },
              tokens: { ratePerSecond: 200, capacity: 100 },
            },
          });
          let r = 3;
          let t = 100;
          for (const call of calls) {
            vi.advanceTimersByTime(call.dt);
            r = Math.min(3, r + (5 * call.dt) / 1000);
            t = Math.min(100, t + (200 * call.dt) / 1000);
            const admitted = await limiter.tryAcquire('k', { requests: call.r, tokens: call.t });
            const expected = r + 1e-9 >= call.r && t + 1e-9 >= call.t;
            expect(admitted).toBe(expected);
            if (expected) {
              r -= call.r;
              t -= call.t;
            }
          }
          vi.useRealTimers();
        },
      ),
      { numRuns: 100 },
    );
  });
});

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

describe('RateLimiter asyncDispose', () => {
  it('closes the limiter at the end of an await using block', async () => {
    let waiting: Promise<unknown> | undefined;
    let seen: ReturnType<typeof createRateLimiter> | undefined;
    {
      await using limiter = createRateLimiter({
        limits: { requests: { ratePerSecond: 0.001, capacity: 1 } },
      });
      seen = limiter;
      await limiter.acquire('k');
      waiting = limiter.acquire('k').catch((e: unknown) => e);
    }
    expect(await waiting).toMatchObject({ name: 'AbortError', code: 'X_RATE_LIMIT_CLOSED' });
    await expect(seen.tryAcquire('k')).rejects.toMatchObject({ code: 'X_RATE_LIMIT_CLOSED' });
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
      retryAfterMs: 300_000,
    });
    expect(() => limiter.pauseFor('api', -1)).toThrow(RangeError);
    expect(() => limiter.pauseFor('api', 2 ** 31)).toThrow(RangeError);
    await limiter.close();
    vi.useRealTimers();
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
