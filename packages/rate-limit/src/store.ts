/**
 * The contract between {@link createRateLimiter} and where bucket state lives: in this process
 * ({@link createMemoryStore}, the default) or in Redis (`createRedisStore` from
 * `@x/rate-limit/redis`). Custom stores implement the same two interfaces.
 */

/** One validated limit as a store sees it. */
export interface ResolvedLimit {
  /** The limit's name (`requests`, `tokens`, ...). */
  readonly name: string;
  /** Units added per second. */
  readonly ratePerSecond: number;
  /** The burst: the most units a key holds. */
  readonly capacity: number;
}

/** A store, before it knows the limits of the rate limiter that uses it. */
export interface RateLimitStore {
  /** Called once by `createRateLimiter` with its limits (in declaration order). */
  bind(limits: readonly ResolvedLimit[]): BoundRateLimitStore;
}

/**
 * A store bound to a limiter's limits. `costs` and `deltas` are indexed like the limits. A result
 * may be a plain value (in-process stores) or a promise (remote stores).
 */
export interface BoundRateLimitStore {
  /**
   * True when calls return promises and cost a round trip; the limiter then skips the optional
   * `waitTime()` predictions it would otherwise make for queued calls.
   */
  readonly remote?: boolean | undefined;
  /**
   * Debits every cost at once when all of them fit, and returns 0; otherwise debits nothing and
   * returns the ms to wait until they would fit (> 0).
   */
  take(key: string, costs: readonly number[]): number | Promise<number>;
  /**
   * Adds `deltas` to the charge of `key` (negative values refund). Each bucket stays between
   * -capacity (a debt of at most one capacity) and capacity.
   */
  adjust(key: string, deltas: readonly number[]): void | Promise<void>;
  /**
   * Ms until `costs` would fit (0: now), without debiting. A plain number lets the limiter
   * predict waits for queued calls without a round trip.
   */
  waitTime(key: string, costs: readonly number[]): number | Promise<number>;
  /** A JSON-serialisable snapshot of the store. */
  stats(): Record<string, unknown>;
  /** Frees what the binding holds (never the user's Redis client). */
  close(): void | Promise<void>;
}
