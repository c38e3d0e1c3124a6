import type { RateLimitPauseEvent, RateLimitRejectEvent } from './events';
import type { AcquireOptions } from './options';

/** The public types of the in-process token bucket: the `TokenBucket` interface and its stats. */

/**
 * A JSON-serialisable snapshot of a token bucket; counters never reset. Each call that passed its
 * argument checks lands in exactly one of `admitted`, `rejected`, `timedOut`, `queueFull`,
 * `aborted` and `cancelled`; `waited` counts those of them that queued.
 */
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
  /**
   * `acquire` calls the bucket gave up on: rejected with `RateLimitClosedError` (waiting when
   * `close()` ran, or made after it), or with `RangeError` by a `setRate()` whose smaller capacity
   * their cost exceeds.
   */
  cancelled: number;
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
   * counting the queue ahead of it and any pause; `Infinity` after `close()`.
   */
  waitTimeMs(cost?: number): number;
  /** A JSON-serialisable snapshot. */
  stats(): TokenBucketStats;
  /**
   * Changes the rate (and optionally the capacity) at run time. Tokens accrued so far are kept
   * (clamped to the new capacity); waiters are rescheduled, and those whose cost exceeds a smaller
   * capacity are rejected with `RangeError`.
   * @throws {TypeError | RangeError} when `ratePerSecond` is not a finite number > 0, or `capacity`
   *   not a finite number >= 1.
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
   * Rejects every waiter with a `RateLimitClosedError` (named `AbortError`) and clears the
   * bucket's timer; later `acquire()` calls reject the same way, `tryAcquire()` returns false
   * and `waitTimeMs()` `Infinity`.
   * The returned promise resolves once that is done (it never rejects); a second call is a no-op.
   */
  close(): Promise<void>;
  /** Calls `close()`: `await using bucket = createTokenBucket(...)` closes it at the end of the block. */
  [Symbol.asyncDispose](): Promise<void>;
}
