import type { RateLimitRejectEvent } from './events';
import type { RateLimitLogger } from './log';
import type { AcquireOptions, LimitOptions } from './options';
import type { RateLimitStore, ResolvedLimit } from './store';

/** The public types of the keyed rate limiter: the `RateLimiter` interface, its options, costs and stats. */

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions<Name extends string> {
  /**
   * The buckets every key has, by name; a request is admitted only when all of them admit it.
   * @example `{ requests: { ratePerSecond: 60 }, tokens: { ratePerSecond: 150_000 / 60, capacity: 150_000 } }`
   */
  limits: Record<Name, LimitOptions>;
  /**
   * Where bucket state lives.
   * @default createMemoryStore()
   */
  store?: RateLimitStore | undefined;
  /**
   * The most `acquire()` calls that may wait per key; one more rejects with `QueueFullError`.
   * @default Infinity
   */
  maxQueue?: number | undefined;
  /**
   * pino, `console` or any {@link RateLimitLogger}: rejections at debug, pauses at info, a correction larger than a bucket at warn (see the README's Logging).
   * @default undefined (silent)
   */
  logger?: RateLimitLogger | undefined;
}

/** Costs (or deltas) by limit name. A limit left out costs 0. */
export type Costs<Name extends string> = { [K in Name]?: number | undefined };

/**
 * A JSON-serialisable snapshot of a rate limiter; counters never reset. Each call that passed its
 * argument checks lands in exactly one of `admitted`, `rejected`, `timedOut`, `queueFull`,
 * `aborted`, `cancelled` and `failed` once it settles; `waited` counts those of them that queued.
 */
export interface RateLimiterStats {
  limits: { name: string; ratePerSecond: number; capacity: number }[];
  /** Admitted calls (`tryAcquire` true plus resolved `acquire`). */
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
  /** Calls rejected with `RateLimitClosedError`: waiting when `close()` ran, or made after it. */
  cancelled: number;
  /**
   * Calls rejected with their store's error (a Redis program error, a `fail-closed` outage for
   * `acquire()`, a custom store that throws); the store's own `stats()` says more about each.
   */
  failed: number;
  /** Keys with waiters now. */
  waitingKeys: number;
  /** Waiters now, over all keys. */
  queued: number;
  /** The store's own snapshot (`kind`, key count, outage state...). */
  store: Record<string, unknown>;
}

/** A keyed, multi-limit rate limiter: see {@link createRateLimiter}. */
export interface RateLimiter<Name extends string = string> {
  /** The limits, in declaration order. */
  readonly limits: readonly ResolvedLimit[];
  /**
   * Takes every cost at once for `key` if all fit and nobody waits on that key; resolves `false`
   * (debiting nothing) otherwise. Costs omitted: 1 on every limit.
   * @throws RangeError (rejected) when a cost is not between 0 and its limit's capacity.
   */
  tryAcquire(key: string, costs?: Costs<Name>): Promise<boolean>;
  /**
   * Waits in the key's FIFO queue until every cost is taken at once (never a partial debit).
   * Rejects like `TokenBucket.acquire`: `RateLimitTimeoutError`, `QueueFullError`, `RangeError`,
   * `signal.reason`, and `RateLimitStoreUnavailableError` under a `fail-closed` outage.
   */
  acquire(key: string, costs?: Costs<Name>, options?: AcquireOptions): Promise<void>;
  /**
   * Corrects a charge once the real usage is known: positive deltas charge more (the bucket may
   * go into debt, never beyond one capacity), negative deltas refund (up to capacity). Waiters
   * are re-examined. Rejects with `RateLimitClosedError` after `close()`.
   */
  adjust(key: string, deltas: Costs<Name>): Promise<void>;
  /**
   * Ms until the limits admit `acquire(key, costs)`, counting the key's queue (0: at once). A
   * `pauseFor()` is not counted: `pausedFor(key)` says how long it holds the key. Rejects with
   * `RateLimitClosedError` after `close()`.
   */
  waitTimeMs(key: string, costs?: Costs<Name>): Promise<number>;
  /**
   * Holds `key` back for `ms` (a server said `retry-after`, or its quota resets then): meanwhile
   * `tryAcquire` is false and `acquire` waits (or times out) in the key's queue. When the pause
   * ends the key's limits start from empty (they would have refilled meanwhile), so its waiters
   * leave in order at the limits' pace, not in a burst. A pause is never shortened by a shorter
   * one. In this process only, whatever the store. At most 10 000 keys are paused at once: one
   * more forgets a pause that is over, else ends the pause that ends first (the README's Limits).
   * @throws {RangeError} when `ms` is negative or above 2^31-1.
   */
  pauseFor(key: string, ms: number): void;
  /** Ms left of `key`'s pause, 0 when it is not paused. */
  pausedFor(key: string): number;
  /** A JSON-serialisable snapshot. */
  stats(): RateLimiterStats;
  /** Listens to rejected `acquire()` calls; returns an unsubscribe function. */
  onReject(listener: (event: RateLimitRejectEvent) => void): () => void;
  /**
   * Rejects every waiter with a `RateLimitClosedError` (named `AbortError`) and frees the store
   * binding (never your Redis client); later calls, `adjust()` and `waitTimeMs()` included,
   * reject the same way.
   */
  close(): Promise<void>;
  /** Calls `close()`: `await using limiter = createRateLimiter(...)` closes it at the end of the block. */
  [Symbol.asyncDispose](): Promise<void>;
}
