import { brand, errorJSON, hasBrand, mark } from '@x/internal';

const TIMEOUT_BRAND = brand('pool', 'PoolTimeoutError');
const CLOSED_BRAND = brand('pool', 'PoolClosedError');
const DNS_BRAND = brand('pool', 'PoolDnsError');
const REDIRECT_BRAND = brand('pool', 'PoolRedirectError');

/** Makes data fields read-only at run time too, and adds the (non-enumerable) brand. */
function seal(error: Error, brandSymbol: symbol, fields: readonly string[]): void {
  for (const field of fields) {
    Object.defineProperty(error, field, { writable: false, configurable: false });
  }
  mark(error, brandSymbol);
}

/**
 * A request waited longer than `queueTimeoutMs` for a connection (every socket of its origin, or
 * of the whole pool, was busy). Nothing was sent to the server, so it is always safe to retry.
 *
 * @example
 * ```ts
 * try { await pool.request(url); } catch (e) { if (isPoolTimeoutError(e)) console.log(e.waitedMs); }
 * ```
 */
export class PoolTimeoutError extends Error {
  override readonly name = 'PoolTimeoutError' as const;
  /** Stable code: `X_POOL_TIMEOUT`. */
  readonly code = 'X_POOL_TIMEOUT' as const;
  /** The origin (`scheme://host:port`) the request was queued for. */
  readonly origin: string;
  /** How long the request waited in the queue, in milliseconds. */
  readonly waitedMs: number;
  /** The configured `queueTimeoutMs`. */
  readonly timeoutMs: number;

  constructor(origin: string, waitedMs: number, timeoutMs: number) {
    super(
      `Request to ${origin} waited ${Math.round(waitedMs)} ms for a connection (queueTimeoutMs ${timeoutMs})`,
    );
    this.origin = origin;
    this.waitedMs = waitedMs;
    this.timeoutMs = timeoutMs;
    seal(this, TIMEOUT_BRAND, ['code', 'origin', 'waitedMs', 'timeoutMs']);
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
 * A request was made after `close()` or `destroy()`, or was still queued when `destroy()` ran.
 *
 * @example
 * ```ts
 * await pool.close();
 * await pool.request(url).catch((e) => isPoolClosedError(e)); // true
 * ```
 */
export class PoolClosedError extends Error {
  override readonly name = 'PoolClosedError' as const;
  /** Stable code: `X_POOL_CLOSED`. */
  readonly code = 'X_POOL_CLOSED' as const;
  /** The origin of the refused request, when known. */
  readonly origin: string | undefined;

  /**
   * `aborted`: the request was running when `destroy()` ran (it was not refused, it was cut).
   */
  constructor(origin?: string, options?: { cause?: unknown; aborted?: boolean | undefined }) {
    super(
      !origin
        ? 'The pool is closed'
        : options?.aborted === true
          ? `The pool was destroyed; request to ${origin} aborted`
          : `The pool is closed; request to ${origin} refused`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.origin = origin;
    seal(this, CLOSED_BRAND, ['code', 'origin']);
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
 * The resolver failed for a hostname (or returned no address) and no answer, fresh or stale, was
 * cached for it. The resolver's error is the `cause`. Failures are cached for `dnsNegativeTtlMs`.
 *
 * @example
 * ```ts
 * await pool.request('http://nope.invalid/').catch((e) => isPoolDnsError(e) && e.hostname);
 * ```
 */
export class PoolDnsError extends Error {
  override readonly name = 'PoolDnsError' as const;
  /** Stable code: `X_POOL_DNS`. */
  readonly code = 'X_POOL_DNS' as const;
  /** The hostname that could not be resolved. */
  readonly hostname: string;
  /** True when this failure came from the negative cache rather than a fresh query. */
  readonly cached: boolean;

  constructor(hostname: string, cached: boolean, options?: { cause?: unknown }) {
    super(`Could not resolve ${hostname}${cached ? ' (cached failure)' : ''}`, options);
    this.hostname = hostname;
    this.cached = cached;
    seal(this, DNS_BRAND, ['code', 'hostname', 'cached']);
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
 * `pool.fetch` refused to follow a redirect to another origin: the request carries a header named
 * like a credential (`x-api-key`, `api-key`, `x-auth-token`...) that undici's `fetch` would have
 * sent there (it drops only `Authorization`, `Proxy-Authorization` and `Cookie`). Nothing was sent
 * to the other origin. It arrives as the `cause` of fetch's `TypeError: fetch failed`.
 *
 * @example
 * ```ts
 * await pool.fetch(url, { headers: { 'x-api-key': key } }).catch((e) => isPoolRedirectError(e.cause));
 * ```
 */
export class PoolRedirectError extends Error {
  override readonly name = 'PoolRedirectError' as const;
  /** Stable code: `X_POOL_REDIRECT`. */
  readonly code = 'X_POOL_REDIRECT' as const;
  /** The redirect's status (`301`, `302`, `303`, `307`, `308`). */
  readonly status: number;
  /** The origin (`scheme://host:port`) the redirect pointed to; never its path or query. */
  readonly origin: string;

  constructor(status: number, origin: string) {
    super(
      `Refused to follow a ${status} redirect to ${origin}: another origin, and the request carries a credential header`,
    );
    this.status = status;
    this.origin = origin;
    seal(this, REDIRECT_BRAND, ['code', 'status', 'origin']);
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
 * True when `error` is a {@link PoolTimeoutError}, even from another copy of this package.
 * @example
 * ```ts
 * if (isPoolTimeoutError(e)) retryLater();
 * ```
 */
export function isPoolTimeoutError(error: unknown): error is PoolTimeoutError {
  return hasBrand(error, TIMEOUT_BRAND);
}

/**
 * True when `error` is a {@link PoolClosedError}, even from another copy of this package.
 * @example
 * ```ts
 * if (isPoolClosedError(e)) return;
 * ```
 */
export function isPoolClosedError(error: unknown): error is PoolClosedError {
  return hasBrand(error, CLOSED_BRAND);
}

/**
 * True when `error` is a {@link PoolDnsError}, even from another copy of this package.
 * @example
 * ```ts
 * if (isPoolDnsError(e)) console.log(e.hostname);
 * ```
 */
export function isPoolDnsError(error: unknown): error is PoolDnsError {
  return hasBrand(error, DNS_BRAND);
}

/**
 * True when `error` is a {@link PoolRedirectError}, even from another copy of this package.
 * @example
 * ```ts
 * if (isPoolRedirectError(e.cause)) console.log(e.cause.origin);
 * ```
 */
export function isPoolRedirectError(error: unknown): error is PoolRedirectError {
  return hasBrand(error, REDIRECT_BRAND);
}

/**
 * True when `error` is any error class of `@x/pool`.
 * @example
 * ```ts
 * if (isPoolError(e)) console.log(e.code);
 * ```
 */
export function isPoolError(
  error: unknown,
): error is PoolTimeoutError | PoolClosedError | PoolDnsError | PoolRedirectError {
  return (
    isPoolTimeoutError(error) ||
    isPoolClosedError(error) ||
    isPoolDnsError(error) ||
    isPoolRedirectError(error)
  );
}
