/**
 * Error classes of `@x/cache`. Each has a stable `code`, a `Symbol.for` brand (so the guards work
 * across duplicate installs) and read-only data fields. Renaming a code is a breaking change.
 */
import { brand, driverErrorForCause, errorJSON, hasBrand, mark } from '@x/internal';

const CACHE_ERROR = brand('cache', 'CacheError');
const KEY_ERROR = brand('cache', 'CacheKeyError');
const VALUE_ERROR = brand('cache', 'CacheValueError');
const STORE_ERROR = brand('cache', 'CacheStoreError');
const CLOSED_ERROR = brand('cache', 'CacheClosedError');
const CYCLE_ERROR = brand('cache', 'CacheLoadCycleError');

/** Marks an error with its own brand and the package-wide one. */
function brandError(target: object, symbol: symbol): void {
  mark(target, symbol);
  mark(target, CACHE_ERROR);
}

/**
 * A request cannot be turned into a cache key: it is not an object, or it is cyclic.
 * Thrown by `cacheKey()` and by every cache method given such a request.
 * @example
 * ```ts
 * try { cacheKey(null as never) } catch (e) { if (isCacheKeyError(e)) console.log(e.code) }
 * ```
 */
export class CacheKeyError extends TypeError {
  override readonly name = 'CacheKeyError';
  /** Always `X_CACHE_INVALID_REQUEST`. */
  readonly code = 'X_CACHE_INVALID_REQUEST' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    brandError(this, KEY_ERROR);
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
 * A value given to `set()` is not JSON-serialisable (`undefined`, a function, a BigInt, a cycle).
 * Nothing is stored. `getOrLoad()` never throws it: a loaded value that cannot be stored is
 * returned anyway and counted in `stats().skipped['not-serializable']`.
 */
export class CacheValueError extends TypeError {
  override readonly name = 'CacheValueError';
  /** Always `X_CACHE_INVALID_VALUE`. */
  readonly code = 'X_CACHE_INVALID_VALUE' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    brandError(this, VALUE_ERROR);
  }

  /**
   * What `JSON.stringify(error)` (a log line, an API answer) shows: the name and message, which
   * an `Error` keeps out of JSON, and every field above; not the `cause`.
   */
  toJSON(): Omit<this, 'cause' | 'stack' | 'toJSON'> {
    return errorJSON(this);
  }
}

/** What the cache was doing with its store when the store failed. */
export type CacheStoreOperation = 'get' | 'set' | 'delete' | 'lock' | 'unlock';

/**
 * The shared store (for example Redis) failed or did not answer in time. Never thrown to a
 * caller: the cache serves from memory (or calls the loader), counts the failure in
 * `stats().store.errors` and hands this error to `onStoreError` listeners.
 */
export class CacheStoreError extends Error {
  override readonly name = 'CacheStoreError';
  /** Always `X_CACHE_STORE_FAILED`. */
  readonly code = 'X_CACHE_STORE_FAILED' as const;
  /** The store operation that failed. */
  readonly operation: CacheStoreOperation;
  /** Whether the store did not answer within its command timeout. */
  readonly timedOut: boolean;
  constructor(
    operation: CacheStoreOperation,
    options: { cause?: unknown; timedOut?: boolean | undefined } = {},
  ) {
    const timedOut = options.timedOut === true;
    // whatever store failed: no command argument, no password of a quoted connection string
    const cause = driverErrorForCause(options.cause);
    super(
      timedOut
        ? `Cache store \`${operation}\` did not answer in time`
        : `Cache store \`${operation}\` failed: ${causeText(cause)}`,
      { cause },
    );
    this.operation = operation;
    this.timedOut = timedOut;
    brandError(this, STORE_ERROR);
  }

  /**
   * What `JSON.stringify(error)` (a log line, an API answer) shows: the name and message, which
   * an `Error` keeps out of JSON, and every field above; not the `cause`.
   */
  toJSON(): Omit<this, 'cause' | 'stack' | 'toJSON'> {
    return errorJSON(this);
  }
}

function causeText(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return String(cause);
}

/**
 * A call was made after `close()`: `set()`, `delete()`, `lookup()`, `getOrLoad()` and `load()` of a
 * closed cache, or any command of a closed Redis store (the cache reports that one as a
 * {@link CacheStoreError} whose `cause` it is).
 */
export class CacheClosedError extends Error {
  override readonly name = 'CacheClosedError';
  /** Always `X_CACHE_CLOSED`. */
  readonly code = 'X_CACHE_CLOSED' as const;
  /** What was closed. */
  readonly target: 'cache' | 'store';
  constructor(target: 'cache' | 'store') {
    super(
      target === 'cache'
        ? 'The cache is closed: `close()` was called; create a new cache to make more calls'
        : 'The Redis cache store is closed: `close()` was called; create a new store with createRedisStore() to make more calls',
    );
    this.target = target;
    brandError(this, CLOSED_ERROR);
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
 * A loader asked the cache for the key it is loading, itself or through the loaders of other keys
 * it waits for: that call would join the load in flight, which waits for the loader, which waits
 * for the call, for ever. The call is refused instead (its loader usually passes the error on, so
 * the load fails with it and stores nothing). Found when the loader asks while it is being called
 * (before its first `await`), or passes on the `signal` it was given; see the README's
 * Behaviour notes for what cannot be found.
 * @example
 * ```ts
 * await cache.getOrLoad(request, (signal) => cache.getOrLoad(request, load, { signal }));
 * // rejects with CacheLoadCycleError: The loader for key `…` asked for its own key …
 * ```
 */
export class CacheLoadCycleError extends TypeError {
  override readonly name = 'CacheLoadCycleError';
  /** Always `X_CACHE_LOAD_CYCLE`. */
  readonly code = 'X_CACHE_LOAD_CYCLE' as const;
  /** The key asked for: the key being loaded. */
  readonly key: string;
  /**
   * The keys of the loads between, from the one the load of `key` waits for to the one whose
   * loader asked (empty when the loader of `key` asked itself).
   */
  readonly through: readonly string[];
  constructor(key: string, through: readonly string[]) {
    const via =
      through.length === 0
        ? ''
        : ` through the loader${through.length > 1 ? 's' : ''} for ${through.map((k) => `\`${k}\``).join(', ')}`;
    super(
      `The loader for key \`${key}\` asked for its own key${via}: the call would wait for itself for ever, so it is refused`,
    );
    this.key = key;
    this.through = Object.freeze([...through]);
    brandError(this, CYCLE_ERROR);
  }

  /**
   * What `JSON.stringify(error)` (a log line, an API answer) shows: the name and message, which
   * an `Error` keeps out of JSON, and every field above; not the `cause`.
   */
  toJSON(): Omit<this, 'cause' | 'stack' | 'toJSON'> {
    return errorJSON(this);
  }
}

/** Whether `error` is any error of `@x/cache` (checks the brand, works across copies). */
export function isCacheError(
  error: unknown,
): error is
  | CacheKeyError
  | CacheValueError
  | CacheStoreError
  | CacheClosedError
  | CacheLoadCycleError {
  return hasBrand(error, CACHE_ERROR);
}

/** Whether `error` is a {@link CacheKeyError}. */
export function isCacheKeyError(error: unknown): error is CacheKeyError {
  return hasBrand(error, KEY_ERROR);
}

/** Whether `error` is a {@link CacheValueError}. */
export function isCacheValueError(error: unknown): error is CacheValueError {
  return hasBrand(error, VALUE_ERROR);
}

/** Whether `error` is a {@link CacheStoreError}. */
export function isCacheStoreError(error: unknown): error is CacheStoreError {
  return hasBrand(error, STORE_ERROR);
}

/** Whether `error` is a {@link CacheClosedError}. */
export function isCacheClosedError(error: unknown): error is CacheClosedError {
  return hasBrand(error, CLOSED_ERROR);
}

/** Whether `error` is a {@link CacheLoadCycleError}. */
export function isCacheLoadCycleError(error: unknown): error is CacheLoadCycleError {
  return hasBrand(error, CYCLE_ERROR);
}
