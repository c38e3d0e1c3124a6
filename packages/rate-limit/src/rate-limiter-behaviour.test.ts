import { inspect } from 'node:util';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { storeBehaviour } from './__fixtures__/store-behaviour';
import { isRateLimitTimeoutError } from './errors';
import { createMemoryStore } from './memory-store';
import { createRateLimiter } from './rate-limiter';

// The memory store's behaviour through a rate limiter, its limits, its queue of waiters, close()
// and await using.

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
