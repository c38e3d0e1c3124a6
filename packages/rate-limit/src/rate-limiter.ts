import { expectDuration, expectLogger, fail, isPlainObject, PackageLog, Topic } from '@x/internal';
import { ADMITTED } from './admitted';
import { isRateLimitStoreUnavailableError, RateLimitClosedError } from './errors';
import type { RateLimitRejectEvent } from './events';
import { CostVectors, sum } from './internal/costs';
import { KeyQueues, type LimiterCounters } from './internal/key-queues';
import { StatsView } from './internal/stats-view';
import { logClampedCorrection, logPause, logRejects, redactRateLimitLog } from './log';
import { createMemoryStore } from './memory-store';
import {
  type AcquireOptions,
  expectAcquireOptions,
  expectOptions,
  expectQueueLimit,
  normalizeLimit,
  optionalTimeout,
  readSignal,
} from './options';
import type { Costs, RateLimiter, RateLimiterOptions, RateLimiterStats } from './rate-limiter-api';
import type { BoundRateLimitStore, RateLimitStore, ResolvedLimit } from './store';

const TRUE = Promise.resolve(true);
const FALSE = Promise.resolve(false);
const LIMITER_KEYS = ['limits', 'store', 'maxQueue', 'logger'] as const;

class RateLimiterImpl<Name extends string> extends StatsView implements RateLimiter<Name> {
  // Set in the constructor and `declare`d: a class field is first defined as `undefined`, and V8
  // then types it as "anything", so every decision re-checked what it read from `store`, `queues`
  // and `ones` (counted: profile/decision-instructions.ts).
  declare readonly limits: readonly ResolvedLimit[];
  declare private readonly costs: CostVectors;
  declare private readonly ones: readonly number[];
  declare private readonly store: BoundRateLimitStore;
  declare private readonly maxQueue: number;
  declare private readonly queues: KeyQueues;
  private readonly rejectEvents = new Topic<RateLimitRejectEvent>('rate-limit', 'reject');
  private readonly counters: LimiterCounters = {
    admitted: 0,
    rejected: 0,
    waited: 0,
    timedOut: 0,
    queueFull: 0,
    aborted: 0,
    cancelled: 0,
    failed: 0,
    queued: 0,
  };
  private closed = false;
  declare private readonly log: PackageLog;
  /** What a `RateLimitClosedError` names: the limiter, or the Redis token bucket built on it. */
  declare private readonly what: string;

  constructor(options: RateLimiterOptions<Name>, what = 'rate limiter') {
    super('RateLimiter');
    this.what = what;
    const { o, normalized, maxQueue } = checkLimiterOptions(options);
    this.log = new PackageLog(
      'rate-limit',
      expectLogger('logger', o.logger),
      {},
      redactRateLimitLog,
    );
    this.limits = Object.freeze(
      normalized.map((l) =>
        Object.freeze({ name: l.name, ratePerSecond: l.ratePerSecond, capacity: l.capacity }),
      ),
    );
    this.costs = new CostVectors(normalized);
    this.ones = this.costs.ones;
    this.maxQueue = maxQueue;
    const store = (o.store === undefined ? createMemoryStore() : o.store) as RateLimitStore;
    if (typeof store !== 'object' || store === null || typeof store.bind !== 'function') {
      fail('store', 'a RateLimitStore (an object with bind())', store);
    }
    this.store = store.bind(this.limits);
    this.queues = new KeyQueues(
      this.store,
      this.maxQueue,
      this.counters,
      this.rejectEvents,
      this.limits,
    );
    logRejects(this.log, this.rejectEvents);
  }

  tryAcquire(key: string, costs?: Costs<Name>): Promise<boolean> {
    let vector: readonly number[];
    try {
      expectKey(key);
      vector = costs === undefined ? this.ones : this.costs.vector(costs, true);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.closed) return this.rejectClosed();
    if (this.queues.has(key) || this.queues.pausedFor(key) > 0) {
      this.counters.rejected++;
      return FALSE;
    }
    let result: number | Promise<number>;
    try {
      result = this.store.take(key, vector);
    } catch (error) {
      return this.rejectFailed(error);
    }
    if (typeof result === 'number') {
      if (result === 0) {
        this.counters.admitted++;
        return TRUE;
      }
      this.counters.rejected++;
      return FALSE;
    }
    return result.then(
      (wait) => {
        if (wait === 0) this.counters.admitted++;
        else this.counters.rejected++;
        return wait === 0;
      },
      (error: unknown) => {
        if (isRateLimitStoreUnavailableError(error)) {
          this.counters.rejected++;
          return false;
        }
        this.counters.failed++;
        throw error;
      },
    );
  }

  acquire(key: string, costs?: Costs<Name>, options?: AcquireOptions): Promise<void> {
    let vector: readonly number[];
    let timeoutMs: number | undefined;
    let signal: AbortSignal | undefined;
    let aborted = false;
    try {
      expectKey(key);
      vector = costs === undefined ? this.ones : this.costs.vector(costs, true);
      if (options !== undefined) {
        const o = expectAcquireOptions(options);
        timeoutMs = optionalTimeout('timeoutMs', o.timeoutMs);
        aborted = readSignal(o.signal);
        signal = o.signal;
      }
    } catch (error) {
      return Promise.reject(error);
    }
    if (aborted) {
      this.counters.aborted++;
      return Promise.reject(signal!.reason);
    }
    if (this.closed) return this.rejectClosed();
    const paused = this.queues.pausedFor(key);
    if (paused > 0 && !this.queues.has(key)) {
      // Held back by pauseFor(): wait for its end, then ask the store as the head of the queue.
      const total = sum(vector);
      if (timeoutMs !== undefined) {
        // The pause empties the limits when it ends: the call then waits for its cost to refill.
        const predicted = paused + this.fromEmpty(vector);
        if (predicted > timeoutMs)
          return this.queues.rejectTimeout(key, total, timeoutMs, predicted);
      }
      if (this.maxQueue === 0) return this.queues.rejectQueueFull(key, total, paused);
      return this.queues.enqueue(key, vector, total, timeoutMs, signal, paused);
    }
    if (!this.queues.has(key)) {
      // Nobody waits on this key: ask the store directly.
      let result: number | Promise<number>;
      try {
        result = this.store.take(key, vector);
      } catch (error) {
        return this.rejectFailed(error);
      }
      if (result === 0) {
        this.counters.admitted++;
        return ADMITTED;
      }
      // Summed only now: an admission at once (the common case) never needs it.
      const total = sum(vector);
      if (typeof result === 'number') {
        if (timeoutMs !== undefined && result > timeoutMs)
          return this.queues.rejectTimeout(key, total, timeoutMs, result);
        if (this.maxQueue === 0) return this.queues.rejectQueueFull(key, total, result);
        return this.queues.enqueue(key, vector, total, timeoutMs, signal, result);
      }
      // Remote store: the decision is in flight; queue now so that later calls for this key
      // line up behind this one, and let the queue settle it.
      return this.queues.enqueue(key, vector, total, timeoutMs, signal, result);
    }
    const total = sum(vector);
    if (timeoutMs !== undefined) {
      // Paused (whatever the store): the limits are emptied when the pause ends, so the queue and
      // this call wait for it, then for their costs to refill. Otherwise only an in-process store
      // predicts without a round trip (a remote one relies on the timer).
      let predicted = paused > 0 ? paused + this.fromEmpty(this.queues.totalWith(key, vector)) : 0;
      if (paused === 0 && this.store.remote !== true) {
        const wait = this.store.waitTime(key, this.queues.totalWith(key, vector));
        if (typeof wait !== 'number') wait.catch(() => {});
        else if (wait > predicted) predicted = wait;
      }
      if (predicted > timeoutMs) return this.queues.rejectTimeout(key, total, timeoutMs, predicted);
    }
    if (this.queues.waiting(key) >= this.maxQueue)
      return this.queues.rejectQueueFull(key, total, Number.POSITIVE_INFINITY);
    return this.queues.enqueue(key, vector, total, timeoutMs, signal, undefined);
  }

  async adjust(key: string, deltas: Costs<Name>): Promise<void> {
    expectKey(key);
    const vector = this.costs.vector(deltas, false);
    // a closed store binding must not take new state (a memory store would hold the key again)
    if (this.closed) throw this.closedError();
    if (this.log.enabled) logClampedCorrection(this.log, key, this.limits, vector);
    // A pause that ended empties the limits first, or it would wipe out this correction later.
    this.queues.pausedFor(key);
    await this.store.adjust(key, vector);
    this.queues.wake(key);
  }

  async waitTimeMs(key: string, costs?: Costs<Name>): Promise<number> {
    expectKey(key);
    const vector = costs === undefined ? this.ones : this.costs.vector(costs, true);
    if (this.closed) throw this.closedError();
    this.queues.pausedFor(key); // a pause that ended has emptied the limits: predict from there
    return this.store.waitTime(key, this.queues.totalWith(key, vector));
  }

  /**
   * How long limits emptied by the end of a pause take to refill `costs`, as the in-process store
   * computes a wait (whatever the store: the pause empties every one of them alike).
   */
  private fromEmpty(costs: readonly number[]): number {
    let wait = 0;
    for (let i = 0; i < costs.length; i++) {
      const cost = costs[i]!;
      if (cost > 0) wait = Math.max(wait, Math.ceil(cost / (this.limits[i]!.ratePerSecond / 1000)));
    }
    return wait;
  }

  pauseFor(key: string, ms: number): void {
    expectKey(key);
    expectDuration('ms', ms);
    if (this.closed || ms === 0) return;
    logPause(this.log, key, ms);
    this.queues.pause(key, performance.now() + ms);
  }

  pausedFor(key: string): number {
    expectKey(key);
    return this.queues.pausedFor(key);
  }

  stats(): RateLimiterStats {
    const c = this.counters;
    return {
      limits: this.limits.map((l) => ({
        name: l.name,
        ratePerSecond: l.ratePerSecond,
        capacity: l.capacity,
      })),
      admitted: c.admitted,
      rejected: c.rejected,
      waited: c.waited,
      timedOut: c.timedOut,
      queueFull: c.queueFull,
      aborted: c.aborted,
      cancelled: c.cancelled,
      failed: c.failed,
      waitingKeys: this.queues.size,
      queued: c.queued,
      store: this.store.stats(),
    };
  }

  onReject(listener: (event: RateLimitRejectEvent) => void): () => void {
    return this.rejectEvents.on(listener);
  }

  /** A call after `close()`: rejected, and counted as `cancelled` like the waiters close() rejected. */
  private rejectClosed(): Promise<never> {
    this.counters.cancelled++;
    return Promise.reject(this.closedError());
  }

  /** A call whose store threw: rejected with the store's error, counted as `failed`. */
  private rejectFailed(error: unknown): Promise<never> {
    this.counters.failed++;
    return Promise.reject(error);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const reject of this.queues.clear()) reject(this.closedError());
    await this.store.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private closedError(): Error {
    return new RateLimitClosedError(this.what);
  }
}

function expectKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') fail('key', 'a string', key);
}

/**
 * Creates a keyed rate limiter with several limits per key (for example `requests` and `tokens`)
 * that admit a request all together or not at all. State lives in `store` (in-process by
 * default, or Redis through `@x/rate-limit/redis`).
 *
 * @throws TypeError / RangeError when an option is invalid.
 * @example
 * ```ts
 * await using limiter = createRateLimiter({
 *   limits: { requests: { ratePerSecond: 60 }, tokens: { ratePerSecond: 2_500, capacity: 150_000 } },
 * });
 * await limiter.acquire('team-a', { requests: 1, tokens: 1_200 }, { timeoutMs: 5_000 });
 * await limiter.adjust('team-a', { tokens: -300 }); // the reply used 900 tokens
 * ```
 */
/**
 * The options' keys and limits, checked as the constructor checks them, creating nothing (also
 * `sharedRateLimiter`'s check of a later ask's options).
 */
export function checkLimiterOptions(options: unknown) {
  const o = expectOptions(undefined, options, LIMITER_KEYS);
  const limits = o.limits;
  if (!isPlainObject(limits) || Object.keys(limits).length === 0) {
    fail('limits', 'an object with at least one limit', limits);
  }
  const normalized = Object.entries(limits).map(([name, limit]) =>
    normalizeLimit(`limits.${name}`, name, limit),
  );
  for (const l of normalized) {
    // the default cost of 1 could never be admitted; say so at construction
    if (l.capacity < 1) fail(`limits.${l.name}.capacity`, 'a finite number >= 1', l.capacity, true);
  }
  return { o, normalized, maxQueue: expectQueueLimit('maxQueue', o.maxQueue) };
}

/**
 * Creates a rate limiter: one token bucket per key and per named limit (`requests`, `tokens`...),
 * an `acquire(key, costs)` admitted only when every limit has the tokens, with a FIFO queue per
 * key. State lives in `store` (this process by default, or Redis through `createRedisStore`).
 * See the README's `createRateLimiter` section.
 *
 * @throws TypeError / RangeError when an option is invalid (no limit, a rate <= 0, a capacity
 * below 1, an unknown key...).
 * @example
 * ```ts
 * await using limiter = createRateLimiter({
 *   limits: { requests: { ratePerSecond: 10 }, tokens: { ratePerSecond: 2_000, capacity: 20_000 } },
 * });
 * await limiter.acquire('team-a', { requests: 1, tokens: 1_200 }, { timeoutMs: 10_000 });
 * ```
 */
export function createRateLimiter<Name extends string>(
  options: RateLimiterOptions<Name>,
): RateLimiter<Name> {
  return new RateLimiterImpl(options);
}

/** @internal A limiter whose `RateLimitClosedError`s name `what` (the Redis token bucket's). */
export function createNamedRateLimiter<Name extends string>(
  options: RateLimiterOptions<Name>,
  what: string,
): RateLimiter<Name> {
  return new RateLimiterImpl(options, what);
}
