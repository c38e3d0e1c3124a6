/**
 * Error classes of `@x/rate-limit`. Each has a stable `code`, read-only data fields, a
 * `Symbol.for` brand (so the guards work across duplicate installs) and an `isX(e)` guard.
 */

const RATE_LIMIT_ERROR = Symbol.for('@x/rate-limit/RateLimitError');
const TIMEOUT_BRAND = Symbol.for('@x/rate-limit/RateLimitTimeoutError');
const QUEUE_FULL_BRAND = Symbol.for('@x/rate-limit/QueueFullError');
const UNAVAILABLE_BRAND = Symbol.for('@x/rate-limit/RateLimitStoreUnavailableError');

function isBranded(value: unknown, brand: symbol): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true
  );
}

/**
 * The base class of every runtime error thrown by `@x/rate-limit`.
 *
 * @example
 * ```ts
 * if (isRateLimitError(e)) console.log(e.code); // X_RATE_LIMIT_TIMEOUT, ...
 * ```
 */
export class RateLimitError extends Error {
  /** A stable code, `X_RATE_LIMIT_<REASON>`. Renaming one is a breaking change. */
  readonly code: string;

  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RateLimitError';
    this.code = code;
    Object.defineProperty(this, RATE_LIMIT_ERROR, { value: true });
  }
}

/**
 * An `acquire()` that could not be admitted within `timeoutMs`: either the predicted wait already
 * exceeded it (rejected at once, nothing queued) or the wait ran out.
 *
 * @example
 * ```ts
 * try { await bucket.acquire(1, { timeoutMs: 500 }); }
 * catch (e) { if (isRateLimitTimeoutError(e)) console.log(`retry in ${e.retryAfterMs} ms`); }
 * ```
 */
export class RateLimitTimeoutError extends RateLimitError {
  /** The `timeoutMs` the call was given. */
  readonly timeoutMs: number;
  /** The predicted wait, in ms, at the moment of the rejection (`Infinity` when unknown). */
  readonly retryAfterMs: number;
  /** The cost the call asked for (the sum over limits for a multi-limit acquire). */
  readonly cost: number;

  constructor(data: { timeoutMs: number; retryAfterMs: number; cost: number }) {
    super(
      `Rate limit: not admitted within ${data.timeoutMs} ms (predicted wait ${formatMs(data.retryAfterMs)})`,
      'X_RATE_LIMIT_TIMEOUT',
    );
    this.name = 'RateLimitTimeoutError';
    this.timeoutMs = data.timeoutMs;
    this.retryAfterMs = data.retryAfterMs;
    this.cost = data.cost;
    Object.defineProperty(this, TIMEOUT_BRAND, { value: true });
  }
}

/**
 * An `acquire()` rejected because `maxQueue` waiters were already queued.
 *
 * @example
 * ```ts
 * await bucket.acquire().catch((e) => { if (isQueueFullError(e)) return shed(); throw e; });
 * ```
 */
export class QueueFullError extends RateLimitError {
  /** The configured `maxQueue`. */
  readonly maxQueue: number;

  constructor(data: { maxQueue: number }) {
    super(`Rate limit: queue is full (${data.maxQueue} waiters)`, 'X_RATE_LIMIT_QUEUE_FULL');
    this.name = 'QueueFullError';
    this.maxQueue = data.maxQueue;
    Object.defineProperty(this, QUEUE_FULL_BRAND, { value: true });
  }
}

/**
 * The shared store (Redis) could not decide within its decision timeout and the outage policy is
 * `fail-closed`: `acquire()` rejects with this error (`tryAcquire()` returns `false`).
 *
 * @example
 * ```ts
 * if (isRateLimitStoreUnavailableError(e)) console.warn(`Redis down, policy ${e.policy}`);
 * ```
 */
export class RateLimitStoreUnavailableError extends RateLimitError {
  /** The outage policy that was applied. */
  readonly policy: string;

  constructor(data: { policy: string }, options?: { cause?: unknown }) {
    super(
      `Rate limit: the shared store is unavailable (policy ${data.policy})`,
      'X_RATE_LIMIT_STORE_UNAVAILABLE',
      options,
    );
    this.name = 'RateLimitStoreUnavailableError';
    this.policy = data.policy;
    Object.defineProperty(this, UNAVAILABLE_BRAND, { value: true });
  }
}

function formatMs(ms: number): string {
  return Number.isFinite(ms) ? `${Math.ceil(ms)} ms` : 'unknown';
}

/** True for any error thrown by `@x/rate-limit` (across duplicate installs). */
export function isRateLimitError(error: unknown): error is RateLimitError {
  return isBranded(error, RATE_LIMIT_ERROR);
}

/** True for a {@link RateLimitTimeoutError} (across duplicate installs). */
export function isRateLimitTimeoutError(error: unknown): error is RateLimitTimeoutError {
  return isBranded(error, TIMEOUT_BRAND);
}

/** True for a {@link QueueFullError} (across duplicate installs). */
export function isQueueFullError(error: unknown): error is QueueFullError {
  return isBranded(error, QUEUE_FULL_BRAND);
}

/** True for a {@link RateLimitStoreUnavailableError} (across duplicate installs). */
export function isRateLimitStoreUnavailableError(
  error: unknown,
): error is RateLimitStoreUnavailableError {
  return isBranded(error, UNAVAILABLE_BRAND);
}
