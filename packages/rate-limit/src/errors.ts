/**
 * Error classes of `@x/rate-limit`. Each has a stable `code`, read-only data fields, a
 * `Symbol.for` brand (so the guards work across duplicate installs) and an `isX(e)` guard.
 */
import { brand, errorJSON, hasBrand, mark } from '@x/internal';

const RATE_LIMIT_ERROR = brand('rate-limit', 'RateLimitError');
const TIMEOUT_BRAND = brand('rate-limit', 'RateLimitTimeoutError');
const QUEUE_FULL_BRAND = brand('rate-limit', 'QueueFullError');
const UNAVAILABLE_BRAND = brand('rate-limit', 'RateLimitStoreUnavailableError');
const STORE_ERROR_BRAND = brand('rate-limit', 'RateLimitStoreError');
const CLOSED_BRAND = brand('rate-limit', 'RateLimitClosedError');
const CONCURRENCY_TIMEOUT_BRAND = brand('rate-limit', 'ConcurrencyTimeoutError');

// Subclasses narrow `code` with `declare` (type only): a field without it would be redefined as
// `undefined` after `super()` sets it (class fields use define semantics).
/** Every `code` an error of `@x/rate-limit` can have; a `switch` over it can be exhaustive. */
export type RateLimitErrorCode =
  | 'X_RATE_LIMIT_TIMEOUT'
  | 'X_RATE_LIMIT_QUEUE_FULL'
  | 'X_RATE_LIMIT_STORE_UNAVAILABLE'
  | 'X_RATE_LIMIT_STORE_ERROR'
  | 'X_RATE_LIMIT_CLOSED'
  | 'X_RATE_LIMIT_CONCURRENCY_TIMEOUT';

/**
 * What a shared store does when Redis does not answer within `decisionTimeoutMs`, or answers with
 * a refusal of the client (`NOAUTH`, `WRONGPASS`, `NOPERM`, `LOADING`...). Declared here, not in
 * the Redis entry, so that {@link RateLimitStoreUnavailableError} can name it without the main
 * entry depending on the Redis code.
 */
export type OutagePolicy = 'fail-open' | 'fail-closed' | 'local';

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
  readonly code: RateLimitErrorCode;

  constructor(message: string, code: RateLimitErrorCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RateLimitError';
    this.code = code;
    mark(this, RATE_LIMIT_ERROR);
  }

  /**
   * What `JSON.stringify(error)` (a log line, an API answer) shows: the name and message, which
   * an `Error` keeps out of JSON, and every field above; not the `cause`.
   */
  toJSON(): Omit<this, 'cause' | 'stack' | 'toJSON'> {
    return errorJSON(this);
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
  /** Stable code: `X_RATE_LIMIT_TIMEOUT`. */
  declare readonly code: 'X_RATE_LIMIT_TIMEOUT';
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
    mark(this, TIMEOUT_BRAND);
  }
}

/**
 * An `acquire()` rejected because `maxQueue` waiters were already queued (a token bucket, a key
 * of a rate limiter, or a concurrency limiter).
 *
 * @example
 * ```ts
 * await bucket.acquire().catch((e) => { if (isQueueFullError(e)) return shed(); throw e; });
 * ```
 */
export class QueueFullError extends RateLimitError {
  /** Stable code: `X_RATE_LIMIT_QUEUE_FULL`. */
  declare readonly code: 'X_RATE_LIMIT_QUEUE_FULL';
  /** The configured `maxQueue`. */
  readonly maxQueue: number;

  constructor(data: { maxQueue: number }) {
    super(`Rate limit: queue is full (${data.maxQueue} waiters)`, 'X_RATE_LIMIT_QUEUE_FULL');
    this.name = 'QueueFullError';
    this.maxQueue = data.maxQueue;
    mark(this, QUEUE_FULL_BRAND);
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
  /** Stable code: `X_RATE_LIMIT_STORE_UNAVAILABLE`. */
  declare readonly code: 'X_RATE_LIMIT_STORE_UNAVAILABLE';
  /** The outage policy that was applied. */
  readonly policy: OutagePolicy;

  constructor(data: { policy: OutagePolicy }, options?: { cause?: unknown }) {
    super(
      `Rate limit: the shared store is unavailable (policy ${data.policy})`,
      'X_RATE_LIMIT_STORE_UNAVAILABLE',
      options,
    );
    this.name = 'RateLimitStoreUnavailableError';
    this.policy = data.policy;
    mark(this, UNAVAILABLE_BRAND);
  }
}

/**
 * Redis answered, with an error that is not an outage: the script failed, or the key holds a
 * value of another type (`WRONGTYPE`: another program uses the same key). The outage policy does
 * not apply (Redis is up, and the answer would be the same on the next call): the call rejects
 * with this error, `tryAcquire()` included. The Redis error is the `cause`.
 *
 * @example
 * ```ts
 * if (isRateLimitStoreError(e)) console.error(`fix the Redis store: ${e.reply}`, e.cause);
 * ```
 */
export class RateLimitStoreError extends RateLimitError {
  /** Stable code: `X_RATE_LIMIT_STORE_ERROR`. */
  declare readonly code: 'X_RATE_LIMIT_STORE_ERROR';
  /**
   * The first word of the Redis error (`ERR`, `WRONGTYPE`, `NOPERM`, `CROSSSLOT`...), or
   * `UNEXPECTED_REPLY` when the client answered something that is not the script's reply.
   */
  readonly reply: string;

  constructor(data: { reply: string }, options?: { cause?: unknown }) {
    super(
      `Rate limit: Redis refused the rate-limit script (${data.reply}); see \`cause\``,
      'X_RATE_LIMIT_STORE_ERROR',
      options,
    );
    this.name = 'RateLimitStoreError';
    this.reply = data.reply;
    mark(this, STORE_ERROR_BRAND);
  }
}

/**
 * A call on a closed limiter (token bucket, rate limiter, concurrency limiter), or a waiter still
 * queued when `close()` ran. Its `name` is `'AbortError'`, like the `DOMException` of an abort, so
 * code that treats an `AbortError` as a cancellation treats a close the same way.
 *
 * @example
 * ```ts
 * await bucket.acquire().catch((e) => { if (isRateLimitClosedError(e)) return; throw e; });
 * ```
 */
export class RateLimitClosedError extends RateLimitError {
  /** Stable code: `X_RATE_LIMIT_CLOSED`. */
  declare readonly code: 'X_RATE_LIMIT_CLOSED';
  constructor(what: string) {
    super(`Rate limit: the ${what} was closed`, 'X_RATE_LIMIT_CLOSED');
    this.name = 'AbortError';
    mark(this, CLOSED_BRAND);
  }
}

/**
 * A concurrency limiter's `acquire()` or `run()` that found no free slot within `timeoutMs`.
 *
 * @example
 * ```ts
 * await slots.run(call, { timeoutMs: 1_000 }).catch((e) => {
 *   if (isConcurrencyTimeoutError(e)) return busy(); throw e;
 * });
 * ```
 */
export class ConcurrencyTimeoutError extends RateLimitError {
  /** Stable code: `X_RATE_LIMIT_CONCURRENCY_TIMEOUT`. */
  declare readonly code: 'X_RATE_LIMIT_CONCURRENCY_TIMEOUT';
  /** The `timeoutMs` the call was given. */
  readonly timeoutMs: number;
  /** The limiter's `maxConcurrent`. */
  readonly maxConcurrent: number;

  constructor(data: { timeoutMs: number; maxConcurrent: number }) {
    super(
      `Concurrency limit: no free slot of ${data.maxConcurrent} within ${data.timeoutMs} ms`,
      'X_RATE_LIMIT_CONCURRENCY_TIMEOUT',
    );
    this.name = 'ConcurrencyTimeoutError';
    this.timeoutMs = data.timeoutMs;
    this.maxConcurrent = data.maxConcurrent;
    mark(this, CONCURRENCY_TIMEOUT_BRAND);
  }
}

function formatMs(ms: number): string {
  return Number.isFinite(ms) ? `${Math.ceil(ms)} ms` : 'unknown';
}

/** True for any error thrown by `@x/rate-limit` (across duplicate installs). */
export function isRateLimitError(error: unknown): error is RateLimitError {
  return hasBrand(error, RATE_LIMIT_ERROR);
}

/** True for a {@link RateLimitTimeoutError} (across duplicate installs). */
export function isRateLimitTimeoutError(error: unknown): error is RateLimitTimeoutError {
  return hasBrand(error, TIMEOUT_BRAND);
}

/** True for a {@link QueueFullError} (across duplicate installs). */
export function isQueueFullError(error: unknown): error is QueueFullError {
  return hasBrand(error, QUEUE_FULL_BRAND);
}

/** True for a {@link RateLimitStoreUnavailableError} (across duplicate installs). */
export function isRateLimitStoreUnavailableError(
  error: unknown,
): error is RateLimitStoreUnavailableError {
  return hasBrand(error, UNAVAILABLE_BRAND);
}

/** True for a {@link RateLimitStoreError} (across duplicate installs). */
export function isRateLimitStoreError(error: unknown): error is RateLimitStoreError {
  return hasBrand(error, STORE_ERROR_BRAND);
}

/** True for a {@link RateLimitClosedError} (across duplicate installs). */
export function isRateLimitClosedError(error: unknown): error is RateLimitClosedError {
  return hasBrand(error, CLOSED_BRAND);
}

/** True for a {@link ConcurrencyTimeoutError} (across duplicate installs). */
export function isConcurrencyTimeoutError(error: unknown): error is ConcurrencyTimeoutError {
  return hasBrand(error, CONCURRENCY_TIMEOUT_BRAND);
}
