import { QueueFullError, RateLimitTimeoutError } from './errors';
import { EventSource } from './internal/events';
import { type Waiter, WaitQueue } from './internal/wait-queue';
import {
  type AcquireOptions,
  costError,
  expectNumber,
  expectSignal,
  expectTimeout,
  normalizeTokenBucketOptions,
  type TokenBucketOptions,
} from './options';

/**
 * Float slack when comparing tokens with a cost: refill is computed in floating point, and a
 * timer set for exactly the missing amount must find the bucket full enough when it fires.
 */
const EPSILON = 1e-9;
const RESOLVED: Promise<void> = Promise.resolve();

/** Why an `acquire()` was turned away (the `reject` event). */
export interface RateLimitRejectEvent {
  /** `timeout`: the (predicted) wait exceeded `timeoutMs`; `queue-full`: `maxQueue` reached. */
  readonly reason: 'timeout' | 'queue-full';
  /** The key, for a keyed rate limiter; `undefined` for a token bucket. */
  readonly key: string | undefined;
  /** The cost asked for (summed over limits for a multi-limit acquire). */
  readonly cost: number;
  /** The predicted wait at the moment of rejection, in ms (`Infinity` when unknown). */
  readonly retryAfterMs: number;
}

/** A pause (the `pause` event): nothing is admitted until `until` (a `performance.now()` time). */
export interface RateLimitPauseEvent {
  readonly key: string | undefined;
  readonly ms: number;
  readonly until: number;
}

/** A JSON-serialisable snapshot of a token bucket; counters never reset. */
export interface TokenBucketStats {
  ratePerSecond: number;
  capacity: number;
  /** Tokens in the bucket now (may be fractional). */
  available: number;
  /** Waiters in the queue. */
  queued: number;
  /** The summed cost of the waiters. */
  queuedCost: number;
  /** Ms left of a `pauseFor()`, 0 when not paused. */
  pausedForMs: number;
  /** Admitted calls (`tryAcquire` returning true plus resolved `acquire`). */
  admitted: number;
  /** `tryAcquire` calls that returned false. */
  rejected: number;
  /** `acquire` calls that had to queue. */
  waited: number;
  /** `acquire` calls rejected with `RateLimitTimeoutError` (at once or after waiting). */
  timedOut: number;
  /** `acquire` calls rejected with `QueueFullError`. */
  queueFull: number;
  /** `acquire` calls ended by their signal. */
  aborted: number;
  /** `close()` was called. */
  closed: boolean;
}

/** A token bucket: see {@link createTokenBucket}. */
export interface TokenBucket {
  /**
   * Takes `cost` tokens now if they are there, nobody is queued and the bucket is not paused.
   * A `false` leaves the bucket unchanged.
   * @throws RangeError when `cost` is not a finite number between 0 and `capacity`.
   */
  tryAcquire(cost?: number): boolean;
  /**
   * Waits in a strict FIFO queue until `cost` tokens are taken.
   * Rejects with `RateLimitTimeoutError` at once when the predicted wait exceeds `timeoutMs`
   * (or later when it runs out), with `QueueFullError` when `maxQueue` waiters are queued, with
   * `RangeError` when `cost` exceeds `capacity`, and with `signal.reason` on abort.
   */
  acquire(cost?: number, options?: AcquireOptions): Promise<void>;
  /** Tokens in the bucket now (refilled on read; may be fractional). */
  readonly available: number;
  /**
   * Ms until an `acquire(cost)` made now would be admitted (0 when it would be admitted at once),
   * counting the queue ahead of it and any pause.
   */
  waitTimeMs(cost?: number): number;
  /** A JSON-serialisable snapshot. */
  stats(): TokenBucketStats;
  /**
   * Changes the rate (and optionally the capacity) at run time. Tokens accrued so far are kept
   * (clamped to the new capacity); waiters are rescheduled, and those whose cost exceeds a smaller
   * capacity are rejected with `RangeError`.
   */
  setRate(ratePerSecond: number, capacity?: number): void;
  /**
   * Admits nothing for `ms` (for example the provider's `Retry-After`). Tokens keep accruing
   * meanwhile. Pauses do not shorten each other: the later end wins.
   */
  pauseFor(ms: number): void;
  /** Listens to rejected `acquire()` calls; returns an unsubscribe function. */
  onReject(listener: (event: RateLimitRejectEvent) => void): () => void;
  /** Listens to `pauseFor()`; returns an unsubscribe function. */
  onPause(listener: (event: RateLimitPauseEvent) => void): () => void;
  /**
   * Rejects every waiter with an `AbortError` and clears the bucket's timer; later `acquire()`
   * calls reject the same way and `tryAcquire()` returns false.
   */
  close(): void;
}

interface BucketWaiter extends Waiter {
  readonly cost: number;
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

class TokenBucketImpl implements TokenBucket {
  private tokens: number;
  private last: number;
  private ratePerMs: number;
  private capacity: number;
  private readonly maxQueue: number;
  private pausedUntil = Number.NEGATIVE_INFINITY;
  private readonly queue = new WaitQueue<BucketWaiter>();
  private queuedCost = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly rejectEvents = new EventSource<RateLimitRejectEvent>('reject');
  private readonly pauseEvents = new EventSource<RateLimitPauseEvent>('pause');
  private admitted = 0;
  private rejected = 0;
  private waited = 0;
  private timedOut = 0;
  private queueFull = 0;
  private aborted = 0;
  private closed = false;

  constructor(options: TokenBucketOptions) {
    const o = normalizeTokenBucketOptions(options);
    this.ratePerMs = o.limit.ratePerMs;
    this.capacity = o.limit.capacity;
    this.tokens = o.initialTokens;
    this.maxQueue = o.maxQueue;
    this.last = performance.now();
  }

  tryAcquire(cost = 1): boolean {
    if (!(cost >= 0 && cost <= this.capacity)) throw costError('cost', cost, this.capacity);
    if (this.queue.size !== 0) {
      this.rejected++;
      return false;
    }
    const now = performance.now();
    let tokens = this.tokens + (now - this.last) * this.ratePerMs;
    if (tokens > this.capacity) tokens = this.capacity;
    this.last = now;
    if (tokens + EPSILON >= cost && now >= this.pausedUntil) {
      this.tokens = tokens - cost;
      this.admitted++;
      return true;
    }
    this.tokens = tokens;
    this.rejected++;
    return false;
  }

  acquire(cost = 1, options?: AcquireOptions): Promise<void> {
    let timeoutMs: number | undefined;
    let signal: AbortSignal | undefined;
    try {
      if (!(cost >= 0 && cost <= this.capacity)) throw costError('cost', cost, this.capacity);
      if (options !== undefined) {
        timeoutMs = expectTimeout(options.timeoutMs);
        signal = expectSignal(options.signal);
      }
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted) {
      this.aborted++;
      return Promise.reject(signal.reason);
    }
    if (this.closed) return Promise.reject(closedError());
    const now = performance.now();
    this.refill(now);
    if (this.queue.size === 0 && now >= this.pausedUntil && this.tokens + EPSILON >= cost) {
      this.tokens -= cost;
      this.admitted++;
      return RESOLVED;
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
    if (this.queue.size >= this.maxQueue) {
      this.queueFull++;
      this.emitReject('queue-full', cost, this.predict(now, this.queuedCost + cost));
      return Promise.reject(new QueueFullError({ maxQueue: this.maxQueue }));
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: BucketWaiter = {
        done: false,
        cost,
        resolve,
        reject,
        timer: undefined,
        signal,
        onAbort: undefined,
      };
      this.queue.push(waiter);
      this.queuedCost += cost;
      this.waited++;
      if (timeoutMs !== undefined) {
        const limit = timeoutMs;
        waiter.timer = setTimeout(() => this.onWaiterTimeout(waiter, limit), limit);
        waiter.timer.unref?.();
      }
      if (signal !== undefined) {
        waiter.onAbort = () => this.onWaiterAbort(waiter);
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      if (this.queue.size === 1) this.schedule(now);
    });
  }

  get available(): number {
    this.refill(performance.now());
    return this.tokens;
  }

  waitTimeMs(cost = 1): number {
    if (!(cost >= 0 && cost <= this.capacity)) throw costError('cost', cost, this.capacity);
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
    };
  }

  setRate(ratePerSecond: number, capacity?: number): void {
    const rate = expectNumber('ratePerSecond', ratePerSecond, 0, true);
    const cap =
      capacity === undefined ? this.capacity : expectNumber('capacity', capacity, 0, true);
    const now = performance.now();
    this.refill(now); // accrue at the old rate up to now
    this.ratePerMs = rate / 1000;
    this.capacity = cap;
    if (this.tokens > cap) this.tokens = cap;
    for (const waiter of this.queue.all()) {
      if (waiter.cost > cap) {
        this.removeWaiter(waiter);
        waiter.reject(costError('cost', waiter.cost, cap));
      }
    }
    this.pump();
  }

  pauseFor(ms: number): void {
    expectNumber('ms', ms, 0, false);
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

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Nothing is admitted any more: tryAcquire() sees a bucket paused forever.
    this.pausedUntil = Number.POSITIVE_INFINITY;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    for (const waiter of this.queue.all()) {
      this.removeWaiter(waiter);
      waiter.reject(closedError());
    }
  }

  private refill(now: number): void {
    if (now > this.last) {
      const tokens = this.tokens + (now - this.last) * this.ratePerMs;
      this.tokens = Math.min(tokens, this.capacity);
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

  /** Admits waiters from the head while tokens allow, then arms one timer for the new head. */
  private pump(): void {
    const now = performance.now();
    this.refill(now);
    let head = this.queue.peek();
    while (head !== undefined && now >= this.pausedUntil && this.tokens + EPSILON >= head.cost) {
      this.tokens -= head.cost;
      this.removeWaiter(head);
      this.admitted++;
      head.resolve();
      head = this.queue.peek();
    }
    this.schedule(now);
  }

  private schedule(now: number): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const head = this.queue.peek();
    if (head === undefined) return;
    const delay = Math.max(1, this.predict(now, head.cost));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, delay);
    // Kept ref'd on purpose: it exists only while a caller awaits a token, and a script whose
    // only pending work is that `await` must not exit before the token arrives.
  }

  private removeWaiter(waiter: BucketWaiter): void {
    this.queue.remove(waiter);
    this.queuedCost -= waiter.cost;
    if (this.queue.size === 0) this.queuedCost = 0; // drop accumulated float error
    if (waiter.timer !== undefined) clearTimeout(waiter.timer);
    if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener('abort', waiter.onAbort);
  }

  private onWaiterAbort(waiter: BucketWaiter): void {
    if (waiter.done) return;
    this.removeWaiter(waiter);
    this.aborted++;
    waiter.reject(waiter.signal?.reason);
    this.pump(); // the next waiter may fit now, and the head timer must follow the new head
  }

  private onWaiterTimeout(waiter: BucketWaiter, timeoutMs: number): void {
    waiter.timer = undefined;
    this.pump(); // a waiter that is due at this very tick is admitted, not timed out
    if (waiter.done) return;
    const now = performance.now();
    let costAhead = 0;
    for (const w of this.queue.ahead(waiter)) costAhead += w.cost;
    const retryAfterMs = this.predict(now, costAhead);
    this.removeWaiter(waiter);
    this.timedOut++;
    this.emitReject('timeout', waiter.cost, retryAfterMs);
    waiter.reject(new RateLimitTimeoutError({ timeoutMs, retryAfterMs, cost: waiter.cost }));
    this.pump();
  }

  private emitReject(reason: 'timeout' | 'queue-full', cost: number, retryAfterMs: number): void {
    if (this.rejectEvents.active)
      this.rejectEvents.emit({ reason, key: undefined, cost, retryAfterMs });
  }
}

function closedError(): Error {
  return new DOMException('The token bucket was closed', 'AbortError');
}

/**
 * Creates an in-process token bucket: `capacity` tokens of burst, refilled continuously at
 * `ratePerSecond`, with a strict FIFO queue for `acquire()`.
 *
 * @throws TypeError / RangeError when an option is invalid.
 * @example
 * ```ts
 * const bucket = createTokenBucket({ ratePerSecond: 60, capacity: 10 });
 * if (bucket.tryAcquire()) send();
 * await bucket.acquire(1, { timeoutMs: 2_000, signal });
 * ```
 */
export function createTokenBucket(options: TokenBucketOptions): TokenBucket {
  return new TokenBucketImpl(options);
}
