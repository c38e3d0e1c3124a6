/**
 * Error classes of `@x/router`. Both extend `@x/provider-core`'s `ProviderError`, so code written
 * for a provider (`isProviderError(e)`, `e.kind`, `e.retryable`, `e.retryAfterMs`) reads the
 * router's failures alike. Each has a stable `code`, a `Symbol.for('@x/router/<Name>')` brand and
 * an `isX()` guard that works across duplicate installs.
 */
import { brand, hasBrand, mark, quoted } from '@x/internal';
import { type ErrorOrigin, ProviderError, type ProviderErrorKind } from '@x/provider-core';
import type { RouteAttempt } from './types';

/** The router as an error's origin: its own errors, and the timeouts it raises itself. */
export const ROUTER_ORIGIN: ErrorOrigin = Object.freeze({ provider: 'router', label: 'Router' });

/** Every error code this package throws. Renaming one is a breaking change. */
export type RouterErrorCode = 'X_ROUTER_ALL_FAILED' | 'X_ROUTER_CLOSED' | 'X_ROUTER_CLOSE_TIMEOUT';

const ALL_FAILED = brand('router', 'RouterError');
const CLOSED = brand('router', 'RouterClosedError');
const CLOSE_TIMEOUT = brand('router', 'RouterCloseTimeoutError');

/** Sets the router's own code (the base class words codes for providers, `X_PROVIDER_<ID>_*`). */
function setCode(error: ProviderError, code: RouterErrorCode): void {
  Object.defineProperty(error, 'code', { value: code, enumerable: true, writable: false });
}

function summary(attempts: readonly RouteAttempt[]): string {
  if (attempts.length === 0) return 'no deployment';
  return attempts
    .map(
      (a) =>
        `${a.deployment}: ${a.skipped !== undefined ? `skipped (${a.skipped})` : a.error.code}`,
    )
    .join(', ');
}

/**
 * Every deployment the call could go to failed or was passed over (cooling down, breaker open,
 * busy, window too small). `attempts` lists each one in order, with its error; `errors` holds the
 * original errors of the calls made, the last one is also the `cause`.
 *
 * `kind` is the kind of the last failure; when no call was made, that of the last deployment
 * passed over (`circuit-open` cooling down, probing or breaker open, `local-limit` busy,
 * `context-overflow` window too small, `api` without the method). `retryable` is true when any
 * failure was, and `retryAfterMs` is the soonest a passed-over deployment comes back, when known.
 */
export class RouterError extends ProviderError {
  /** Stable code: `X_ROUTER_ALL_FAILED`. */
  declare readonly code: 'X_ROUTER_ALL_FAILED';
  /** The model group the request named. */
  readonly group: string;
  /** Each deployment tried or passed over, in order, with why it did not answer. */
  readonly attempts: readonly RouteAttempt[];
  /** The original errors of the calls made, in order, as their providers raised them. */
  readonly errors: readonly unknown[];

  constructor(init: {
    group: string;
    attempts: readonly RouteAttempt[];
    errors: readonly unknown[];
    kind: ProviderErrorKind;
    retryable: boolean;
    retryAfterMs: number | undefined;
  }) {
    super(
      `Every deployment of ${quoted(init.group)} failed or was unavailable (${summary(init.attempts)})`,
      {
        origin: ROUTER_ORIGIN,
        kind: init.kind,
        reason: 'ALL_FAILED',
        retryable: init.retryable,
        retryAfterMs: init.retryAfterMs,
        cause: init.errors.at(-1),
      },
    );
    this.name = 'RouterError';
    setCode(this, 'X_ROUTER_ALL_FAILED');
    this.group = init.group;
    this.attempts = Object.freeze([...init.attempts]);
    this.errors = Object.freeze([...init.errors]);
    mark(this, ALL_FAILED);
  }
}

/**
 * The router was closed; no new call is accepted, and a call its `destroy()` ended rejects with
 * it (`cause`: what its provider raised).
 */
export class RouterClosedError extends ProviderError {
  /** Stable code: `X_ROUTER_CLOSED`. */
  declare readonly code: 'X_ROUTER_CLOSED';

  constructor(cause?: unknown) {
    super(
      'The router is closed: close() or destroy() was called; create a new router to make more calls',
      {
        origin: ROUTER_ORIGIN,
        kind: 'closed',
        reason: 'CLOSED',
        retryable: false,
        cause,
      },
    );
    this.name = 'RouterClosedError';
    setCode(this, 'X_ROUTER_CLOSED');
    mark(this, CLOSED);
  }
}

/** What {@link RouterCloseTimeoutError} names: the deployments' ids, and the shared state. */
function unfinished(deployments: readonly string[], state: boolean): string {
  const parts: string[] = [];
  if (deployments.length > 0) {
    const ids = deployments.map((id) => quoted(id)).join(', ');
    parts.push(`the provider of deployment${deployments.length > 1 ? 's' : ''} ${ids}`);
  }
  if (state) parts.push('the shared state');
  return parts.join(' and ');
}

/**
 * The router's `close()` or `destroy()` stopped waiting for what it closes: a provider's
 * `close()` or `destroy()` (with `closeProviders: true`), or the shared state's `close()`, had not
 * settled within `closeTimeoutMs`. The router itself is closed, and none of its calls is in
 * flight; what did not finish goes on (or not) on its own. `cause`: the first failure of those
 * that did settle, if any.
 */
export class RouterCloseTimeoutError extends ProviderError {
  /** Stable code: `X_ROUTER_CLOSE_TIMEOUT`. */
  declare readonly code: 'X_ROUTER_CLOSE_TIMEOUT';
  /** The router's method that gave up. */
  readonly operation: 'close' | 'destroy';
  /** How long it waited (`closeTimeoutMs`). */
  readonly timeoutMs: number;
  /** The ids of the deployments whose provider had not finished, in their order. */
  readonly deployments: readonly string[];
  /** True when the shared state's `close()` had not finished. */
  readonly state: boolean;

  constructor(init: {
    operation: 'close' | 'destroy';
    timeoutMs: number;
    deployments: readonly string[];
    state: boolean;
    cause?: unknown;
  }) {
    super(
      `The router's ${init.operation}() stopped waiting after ${init.timeoutMs} ms: ${unfinished(init.deployments, init.state)} did not finish`,
      {
        origin: ROUTER_ORIGIN,
        kind: 'timeout',
        reason: 'CLOSE_TIMEOUT',
        retryable: false,
        cause: init.cause,
      },
    );
    this.name = 'RouterCloseTimeoutError';
    setCode(this, 'X_ROUTER_CLOSE_TIMEOUT');
    this.operation = init.operation;
    this.timeoutMs = init.timeoutMs;
    this.deployments = Object.freeze([...init.deployments]);
    this.state = init.state;
    mark(this, CLOSE_TIMEOUT);
  }
}

/**
 * True for a {@link RouterError} only: the all-failed error (`code` `X_ROUTER_ALL_FAILED`). Unlike
 * `isPoolError` or `isCacheError`, which match every error of their package, it does not match
 * {@link RouterClosedError} or {@link RouterCloseTimeoutError}: ask {@link isRouterClosedError} and
 * {@link isRouterCloseTimeoutError} for those. Checks the brand, so it works across duplicate
 * installs.
 * @example
 * ```ts
 * if (isRouterError(e)) for (const a of e.attempts) console.log(a.deployment);
 * ```
 */
export const isRouterError = (error: unknown): error is RouterError => hasBrand(error, ALL_FAILED);

/** True for a {@link RouterClosedError}. */
export const isRouterClosedError = (error: unknown): error is RouterClosedError =>
  hasBrand(error, CLOSED);

/** True for a {@link RouterCloseTimeoutError}. */
export const isRouterCloseTimeoutError = (error: unknown): error is RouterCloseTimeoutError =>
  hasBrand(error, CLOSE_TIMEOUT);
