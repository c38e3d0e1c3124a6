import { expectNumber, Topic, WaiterQueue, type Waiting } from '@x/internal';
import { ADMITTED } from './admitted';
import { QueueFullError, RateLimitClosedError, RateLimitTimeoutError } from './errors';
import type { RateLimitPauseEvent, RateLimitRejectEvent } from './events';
import { StatsView } from './internal/stats-view';
import { logPauses, logRejects } from './log';
import {
  type AcquireOptions,
  costError,
  expectAcquireOptions,
  expectCapacity,
  expectPositive,
  normalizeTokenBucketOptions,
  optionalTimeout,
  readSignal,
  type TokenBucketOptions,
} from './options';
import type { TokenBucket, TokenBucketStats } from './token-bucket-api';

/**
 * Float slack when comparing tokens with a cost: refill is computed in floating point, and a
 * timer set for exactly the missing amount must find the bucket full enough when it fires.
 */
const EPSILON = 1e-9;
const RESOLVED: Promise<void> = Promise.resolve();

interface BucketWaiter {
  readonly cost: number;
  readonly timeoutMs: number | undefined;
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
}

class TokenBucketImpl extends StatsView implements TokenBucket {
  // The fields every decision reads are `declare`d and set in the constructor: a class field is
  // first defined as `undefined`, and V8 then keeps it as "anything": a number stored there is a
  // boxed double, so every refill allocated one for `tokens` and one for `last`. Stored first as
  // a number, the field holds the double in place (counted: profile/decision-instructions.ts).
  declare private tokens: number;
  declare private last: number;
  declare private ratePerMs: number;
  declare private capacity: number;
  private pausedUntil = Number.NEGATIVE_INFINITY;
  declare private readonly queue: WaiterQueue<BucketWaiter>;
  private queuedCost = 0;
  private readonly rejectEvents = new Topic<RateLimitRejectEvent>('rate-limit', 'reject');
  private readonly pauseEvents = new Topic<RateLimitPauseEvent>('rate-limit', 'pause');
  private admitted = 0;
  private rejected = 0;
  private waited = 0;
  private timedOut = 0;
  private queueFull = 0;
  private aborted = 0;
  private cancelled = 0;
  private closed = false;

  constructor(options: TokenBucketOptions) {
    super('TokenBucket');
    const o = normalizeTokenBucketOptions(options);
    this.ratePerMs = o.limit.ratePerMs;
    this.capacity = o.limit.capacity;
    this.tokens = o.initialTokens;
    this.last = performance.now();
    this.queue = new WaiterQueue<BucketWaiter>(
      {
        onTimeout: (waiter) => this.onWaiterTimeout(waiter),
        onAbort: (waiter, reason) => this.onWaiterAbort(waiter, reason),
        onWake: () => this.pump(),
      },
      o.maxQueue,
    );
    logRejects(o.log, this.rejectEvents);
    logPauses(o.log, this.pauseEvents);
  }

  tryAcquire(cost = 1): boolean {
    if (typeof cost !== 'number' || !(cost >= 0 && cost <= this.capacity))
      throw costError('cost', cost, this.capacity);
    if (this.queue.size !== 0) {
      this.rejected++;
      return false;
    }
    const now = performance.now();
    this.refill(now);
    if (this.tokens + EPSILON >= cost && now >= this.pausedUntil) {
      this.tokens -= cost;
      this.admitted++;
      return true;
    }
    this.rejected++;
    return false;
  }

  acquire(cost = 1, options?: AcquireOptions): Promise<void> {
    let timeoutMs: number | undefined;
    let signal: AbortSignal | undefined;
    let aborted = false;
    try {
      if (typeof cost !== 'number' || !(cost >= 0 && cost <= this.capacity))
        throw costError('cost', cost, this.capacity);
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
      this.aborted++;
      return Promise.reject(signal!.reason);
    }
    const now = performance.now();
    this.refill(now);
    // A closed bucket is paused for ever, so it never passes here: the check waits until after.
    if (this.queue.size === 0 && now >= this.pausedUntil && this.tokens + EPSILON >= cost) {
      this.tokens -= cost;
      this.admitted++;
      return ADMITTED;
    }
    if (this.closed) {
      this.cancelled++;
      return Promise.reject(closedError());
    }
    if (timeoutMs !== undefined) {
      const predicted = this.predict(now, this.queuedCost + cost);
      if (predicted > timeoutMs) {
        this.timedOut++;
        this.emitReject('timeout', cost, predicted);
        return Promise.reject(
          new RateLimitTimeoutError({ timeoutMs, retryAfterMs: predicted, cost }),
        );
      }
    }
    if (this.queue.full) {
      this.queueFull++;
      this.emitReject('queue-full', cost, this.predict(now, this.queuedCost + cost));
      return Promise.reject(new QueueFullError({ maxQueue: this.queue.maxQueue }));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ cost, timeoutMs, resolve, reject }, signal, timeoutMs);
      this.queuedCost += cost;
      this.waited++;
      if (this.queue.size === 1) this.schedule(now);
    });
  }

  get available(): number {
    this.refill(performance.now());
    return this.tokens;
  }

  waitTimeMs(cost = 1): number {
    if (typeof cost !== 'number' || !(cost >= 0 && cost <= this.capacity))
      throw costError('cost', cost, this.capacity);
    const now = performance.now();
    this.refill(now);
    if (this.queue.size === 0 && now >= this.pausedUntil && this.tokens + EPSILON >= cost) return 0;
    return this.predict(now, this.queuedCost + cost);
  }

  stats(): TokenBucketStats {
    const now = performance.now();
    this.refill(now);
    return {
      ratePerSecond: this.ratePerMs * 1000,
      capacity: this.capacity,
      available: this.tokens,
      queued: this.queue.size,
      queuedCost: this.queuedCost,
      pausedForMs: this.closed ? 0 : Math.max(0, this.pausedUntil - now),
      closed: this.closed,
      admitted: this.admitted,
      rejected: this.rejected,
      waited: this.waited,
      timedOut: this.timedOut,
      queueFull: this.queueFull,
      aborted: this.aborted,
      cancelled: this.cancelled,
    };
  }

  setRate(ratePerSecond: number, capacity?: number): void {
    const rate = expectPositive('ratePerSecond', ratePerSecond);
    const cap = capacity === undefined ? this.capacity : expectCapacity('capacity', capacity);
    const now = performance.now();
    this.refill(now); // accrue at the old rate up to now
    this.ratePerMs = rate / 1000;
    this.capacity = cap;
    if (this.tokens > cap) this.tokens = cap;
    for (const waiter of this.queue) {
      if (waiter.value.cost > cap) {
        this.remove(waiter);
        this.cancelled++;
        waiter.value.reject(costError('cost', waiter.value.cost, cap));
      }
    }
    this.pump();
  }

  pauseFor(ms: number): void {
    // Any finite length: a far end (a hostile Retry-After) is waited in chained timers.
    expectNumber('ms', ms, { min: 0 });
    const now = performance.now();
    const until = now + ms;
    if (until > this.pausedUntil) this.pausedUntil = until;
    if (this.pauseEvents.active)
      this.pauseEvents.emit({ key: undefined, ms, until: this.pausedUntil });
    if (this.queue.size > 0) this.pump();
  }

  onReject(listener: (event: RateLimitRejectEvent) => void): () => void {
    return this.rejectEvents.on(listener);
  }

  onPause(listener: (event: RateLimitPauseEvent) => void): () => void {
    return this.pauseEvents.on(listener);
  }

  close(): Promise<void> {
    // Closing is synchronous (the waiters are rejected before this returns): nothing to await.
    if (this.closed) return RESOLVED;
    this.closed = true;
    // Nothing is admitted any more: tryAcquire() sees a bucket paused forever.
    this.pausedUntil = Number.POSITIVE_INFINITY;
    const waiters = this.queue.clear();
    this.queuedCost = 0;
    this.cancelled += waiters.length;
    for (const waiter of waiters) waiter.value.reject(closedError());
    return RESOLVED;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Accrues tokens up to `now`. Only forward: a clock read earlier than the last one (fake timers
   * installed after the bucket was made, a replaced `performance`) must not take tokens away.
   * Every decision runs it (`tryAcquire()` included), so the cap is an `if`: `Math.min`, which
   * must also order NaN and -0, timed 1-2 ns more per `tryAcquire()` (of ~11 above the clock read).
   */
  private refill(now: number): void {
    if (now > this.last) {
      let tokens = this.tokens + (now - this.last) * this.ratePerMs;
      if (tokens > this.capacity) tokens = this.capacity;
      this.tokens = tokens;
      this.last = now;
    }
  }

  /** Whole ms until `totalCost` tokens (the queue ahead plus the caller) are there. */
  private predict(now: number, totalCost: number): number {
    const byTokens = (totalCost - this.tokens) / this.ratePerMs;
    const byPause = this.pausedUntil - now;
    const wait = Math.max(byTokens, byPause);
    return wait > EPSILON ? Math.ceil(wait) : 0;
  }

  /** Admits waiters from the head while tokens allow, then arms the wake-up for the new head. */
  private pump(): void {
    const now = performance.now();
    this.refill(now);
    let head = this.queue.peek();
    while (
      head !== undefined &&
      now >= this.pausedUntil &&
      this.tokens + EPSILON >= head.value.cost
    ) {
      this.tokens -= head.value.cost;
      this.remove(head);
      this.admitted++;
      head.value.resolve();
      head = this.queue.peek();
    }
    this.schedule(now);
  }

  /** One wake-up for the head, however far (a tiny rate): chained timers, never a spin. */
  private schedule(now: number): void {
    const head = this.queue.peek();
    if (head === undefined) this.queue.sleep();
    else this.queue.wakeIn(this.predict(now, head.value.cost));
  }

  private remove(waiter: Waiting<BucketWaiter>): void {
    if (this.queue.remove(waiter)) this.forget(waiter);
  }

  /** The queued cost follows the queue; once it is empty, accumulated float error is dropped. */
  private forget(waiter: Waiting<BucketWaiter>): void {
    this.queuedCost = this.queue.size === 0 ? 0 : this.queuedCost - waiter.value.cost;
  }

  private onWaiterAbort(waiter: Waiting<BucketWaiter>, reason: unknown): void {
    this.forget(waiter);
    this.aborted++;
    waiter.value.reject(reason);
    this.pump(); // the next waiter may fit now, and the wake-up must follow the new head
  }

  private onWaiterTimeout(waiter: Waiting<BucketWaiter>): void {
    this.pump(); // a waiter that is due at this very tick is admitted, not timed out
    if (waiter.done) return;
    let costAhead = 0;
    for (const w of this.queue.ahead(waiter)) costAhead += w.value.cost;
    const retryAfterMs = this.predict(performance.now(), costAhead);
    this.remove(waiter);
    this.timedOut++;
    const { cost, timeoutMs } = waiter.value;
    this.emitReject('timeout', cost, retryAfterMs);
    waiter.value.reject(new RateLimitTimeoutError({ timeoutMs: timeoutMs!, retryAfterMs, cost }));
    this.pump();
  }

  private emitReject(reason: 'timeout' | 'queue-full', cost: number, retryAfterMs: number): void {
    if (this.rejectEvents.active)
      this.rejectEvents.emit({ reason, key: undefined, cost, retryAfterMs });
  }
}

function closedError(): Error {
  return new RateLimitClosedError('token bucket');
}

/**
 * Creates an in-process token bucket: `capacity` tokens of burst, refilled continuously at
 * `ratePerSecond`, with a strict FIFO queue for `acquire()`.
 *
 * @throws TypeError / RangeError when an option is invalid.
 * @example
 * ```ts
 * await using bucket = createTokenBucket({ ratePerSecond: 60, capacity: 10 });
 * if (bucket.tryAcquire()) send();
 * await bucket.acquire(1, { timeoutMs: 2_000, signal });
 * ```
 */
export function createTokenBucket(options: TokenBucketOptions): TokenBucket {
  return new TokenBucketImpl(options);
}
