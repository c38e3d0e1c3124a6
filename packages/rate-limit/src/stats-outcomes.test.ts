/**
 * The outcome counters of the three in-process limiters add up: every call that passed its
 * argument checks lands in exactly one of admitted, rejected, timedOut, queueFull, aborted and
 * cancelled, whatever happens to it (a pause, a rate change, an abort, `close()` while it waits).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createConcurrencyLimiter, type Release } from './concurrency-limiter';
import {
  isConcurrencyTimeoutError,
  isQueueFullError,
  isRateLimitClosedError,
  isRateLimitTimeoutError,
} from './errors';
import { createRateLimiter } from './rate-limiter';
import { createTokenBucket } from './token-bucket';

afterEach(() => {
  vi.useRealTimers();
});

const ABORTED = new Error('aborted by the test');

type Outcome = 'admitted' | 'rejected' | 'timedOut' | 'queueFull' | 'aborted' | 'cancelled';

/** Counts what each call's promise (or return value) says happened to it. */
class Outcomes {
  readonly counts: Record<Outcome, number> = {
    admitted: 0,
    rejected: 0,
    timedOut: 0,
    queueFull: 0,
    aborted: 0,
    cancelled: 0,
  };
  calls = 0;
  /** Waiters a token bucket's setRate() rejected (RangeError), counted as cancelled. */
  shrunk = 0;
  readonly #pending: Promise<void>[] = [];

  /** A call whose result is known: admitted or not. */
  answered(admitted: boolean): void {
    this.calls++;
    this.counts[admitted ? 'admitted' : 'rejected']++;
  }

  /** A call that settles later: admitted when it resolves. */
  settles<T>(promise: Promise<T>, onAdmitted?: (value: T) => void): void {
    this.calls++;
    this.#pending.push(
      promise.then(
        (value) => {
          this.counts.admitted++;
          onAdmitted?.(value);
        },
        (error: unknown) => {
          this.counts[classify(error)]++;
          if (error instanceof RangeError) this.shrunk++;
        },
      ),
    );
  }

  async all(): Promise<void> {
    await Promise.all(this.#pending);
  }
}

function classify(error: unknown): Outcome {
  if (error === ABORTED) return 'aborted';
  if (isRateLimitTimeoutError(error) || isConcurrencyTimeoutError(error)) return 'timedOut';
  if (isQueueFullError(error)) return 'queueFull';
  if (isRateLimitClosedError(error)) return 'cancelled';
  // a token bucket's waiter whose cost a smaller setRate() capacity no longer holds
  if (error instanceof RangeError) return 'cancelled';
  throw error;
}

/** A signal that aborts after `ms` (-1: aborted already), or none. */
function signalFor(abortAfter: number | undefined): AbortSignal | undefined {
  if (abortAfter === undefined) return undefined;
  const controller = new AbortController();
  if (abortAfter < 0) controller.abort(ABORTED);
  else setTimeout(() => controller.abort(ABORTED), abortAfter);
  return controller.signal;
}

const timeout = fc.option(fc.constantFrom(0, 50, 400, 3_000), { nil: undefined });
const abortAfter = fc.option(fc.constantFrom(-1, 0, 30, 700), { nil: undefined });

function expectCounted(stats: Record<string, unknown>, outcomes: Outcomes): void {
  expect(stats).toMatchObject(outcomes.counts);
  const { admitted, rejected, timedOut, queueFull, aborted, cancelled } = stats as Record<
    Outcome,
    number
  >;
  expect(admitted + rejected + timedOut + queueFull + aborted + cancelled).toBe(outcomes.calls);
  expect(stats.queued).toBe(0);
}

/** What the generated runs exercised, so that a property never passes by missing the point. */
const seen = { queuedAtClose: 0, shrunk: 0, aborted: 0, timedOut: 0, queueFull: 0 };

function tally(queuedAtClose: number, outcomes: Outcomes): void {
  seen.queuedAtClose += queuedAtClose;
  seen.shrunk += outcomes.shrunk;
  seen.aborted += outcomes.counts.aborted;
  seen.timedOut += outcomes.counts.timedOut;
  seen.queueFull += outcomes.counts.queueFull;
}

function expectExercised(shrunk: boolean): void {
  expect(seen.queuedAtClose).toBeGreaterThan(0);
  expect(seen.aborted).toBeGreaterThan(0);
  expect(seen.timedOut).toBeGreaterThan(0);
  expect(seen.queueFull).toBeGreaterThan(0);
  if (shrunk) expect(seen.shrunk).toBeGreaterThan(0);
  for (const k of Object.keys(seen) as (keyof typeof seen)[]) seen[k] = 0;
}

describe('outcome counters', () => {
  it('of a token bucket add up to its calls (property)', async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('try' as const), cost: fc.constantFrom(1, 2, 3) }),
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant('acquire' as const),
          cost: fc.constantFrom(1, 2, 3),
          timeoutMs: timeout,
          abortAfter,
        }),
      },
      fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 800 }) }),
      fc.record({ kind: fc.constant('pause' as const), ms: fc.integer({ min: 0, max: 1_500 }) }),
      fc.record({ kind: fc.constant('setRate' as const), capacity: fc.constantFrom(1, 3) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 40 }), async (ops) => {
        vi.useFakeTimers();
        const bucket = createTokenBucket({ ratePerSecond: 4, capacity: 3, maxQueue: 2 });
        const outcomes = new Outcomes();
        let capacity = 3;
        for (const o of ops) {
          if (o.kind === 'try') {
            if (o.cost <= capacity) outcomes.answered(bucket.tryAcquire(o.cost));
          } else if (o.kind === 'acquire') {
            if (o.cost > capacity) continue; // an argument error, counted nowhere
            const signal = signalFor(o.abortAfter);
            outcomes.settles(bucket.acquire(o.cost, { timeoutMs: o.timeoutMs, signal }));
          } else if (o.kind === 'advance') await vi.advanceTimersByTimeAsync(o.ms);
          else if (o.kind === 'pause') bucket.pauseFor(o.ms);
          else {
            bucket.setRate(4, o.capacity);
            capacity = o.capacity;
          }
        }
        const queuedAtClose = bucket.stats().queued;
        bucket.close();
        outcomes.settles(bucket.acquire(1));
        outcomes.answered(bucket.tryAcquire(1));
        await outcomes.all();
        expectCounted({ ...bucket.stats() }, outcomes);
        tally(queuedAtClose, outcomes);
        vi.useRealTimers();
      }),
      // A fixed seed: every run must exercise every outcome (expectExercised) on every machine.
      { numRuns: 60, seed: 42 },
    );
    expectExercised(true);
  });

  it('of a concurrency limiter add up to its calls (property)', async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('try' as const) }),
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant('acquire' as const),
          timeoutMs: timeout,
          abortAfter,
        }),
      },
      fc.record({ kind: fc.constant('release' as const) }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 800 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 40 }), async (ops) => {
        vi.useFakeTimers();
        const limiter = createConcurrencyLimiter({ maxConcurrent: 2, maxQueue: 2 });
        const outcomes = new Outcomes();
        const held: Release[] = [];
        for (const o of ops) {
          if (o.kind === 'try') {
            const release = limiter.tryAcquire();
            outcomes.answered(release !== undefined);
            if (release !== undefined) held.push(release);
          } else if (o.kind === 'acquire') {
            const signal = signalFor(o.abortAfter);
            outcomes.settles(limiter.acquire({ timeoutMs: o.timeoutMs, signal }), (release) =>
              held.push(release),
            );
          } else if (o.kind === 'release') held.shift()?.();
          else await vi.advanceTimersByTimeAsync(o.ms);
        }
        const queuedAtClose = limiter.queued;
        limiter.close();
        outcomes.settles(limiter.acquire());
        outcomes.settles(limiter.run(() => 1));
        outcomes.answered(limiter.tryAcquire() !== undefined);
        await outcomes.all();
        expectCounted({ ...limiter.stats() }, outcomes);
        tally(queuedAtClose, outcomes);
        vi.useRealTimers();
      }),
      // A fixed seed: every run must exercise every outcome (expectExercised) on every machine.
      { numRuns: 60, seed: 42 },
    );
    expectExercised(false);
  });

  it('of a rate limiter add up to its calls (property)', async () => {
    const key = fc.constantFrom('a', 'b');
    const op = fc.oneof(
      fc.record({ kind: fc.constant('try' as const), key, cost: fc.constantFrom(0, 1, 3) }),
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant('acquire' as const),
          key,
          cost: fc.constantFrom(1, 2, 3),
          timeoutMs: timeout,
          abortAfter,
        }),
      },
      fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 800 }) }),
      fc.record({
        kind: fc.constant('pause' as const),
        key,
        ms: fc.integer({ min: 1, max: 1_500 }),
      }),
      fc.record({
        kind: fc.constant('adjust' as const),
        key,
        delta: fc.integer({ min: -3, max: 3 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 40 }), async (ops) => {
        vi.useFakeTimers();
        const limiter = createRateLimiter({
          limits: { r: { ratePerSecond: 4, capacity: 3 } },
          maxQueue: 2,
        });
        const outcomes = new Outcomes();
        for (const o of ops) {
          if (o.kind === 'try') outcomes.answered(await limiter.tryAcquire(o.key, { r: o.cost }));
          else if (o.kind === 'acquire') {
            const signal = signalFor(o.abortAfter);
            outcomes.settles(
              limiter.acquire(o.key, { r: o.cost }, { timeoutMs: o.timeoutMs, signal }),
            );
          } else if (o.kind === 'advance') await vi.advanceTimersByTimeAsync(o.ms);
          else if (o.kind === 'pause') limiter.pauseFor(o.key, o.ms);
          else await limiter.adjust(o.key, { r: o.delta });
        }
        const queuedAtClose = limiter.stats().queued;
        await limiter.close();
        outcomes.settles(limiter.acquire('a'));
        outcomes.settles(limiter.tryAcquire('b'));
        await outcomes.all();
        expectCounted({ ...limiter.stats() }, outcomes);
        tally(queuedAtClose, outcomes);
        vi.useRealTimers();
      }),
      // A fixed seed: every run must exercise every outcome (expectExercised) on every machine.
      { numRuns: 60, seed: 42 },
    );
    expectExercised(false);
  });
});
