// Errors of a call refused before anything was sent: the provider is closed, the breaker is open,
// a local limit (rate limiter, concurrency limit, pool queue) gave up waiting, or the key callback
// failed.
import { type ErrorOrigin, ProviderError } from './errors';

/** What a {@link ProviderClosedError} says was closed (see there). */
export interface ClosedInit {
  destroyed?: boolean | undefined;
  piece?: string | undefined;
  cause?: unknown;
}

/**
 * The provider was closed; no new request is accepted. `destroyed`: `destroy()` ended this call
 * in flight. `piece`: what refused the call is a pool or limiter of the provider that its user
 * closed while the provider is open (`'shared pool'`...): the message names it, never the
 * provider, and `cause` is its error.
 */
export class ProviderClosedError extends ProviderError {
  declare readonly kind: 'closed';
  /** `destroy()` ended this call in flight (it was not refused for being made after a close). */
  readonly destroyed: boolean;

  constructor(init: { origin: ErrorOrigin } & ClosedInit) {
    const destroyed = init.destroyed === true;
    const label = init.origin.label;
    const message =
      init.piece !== undefined
        ? `The ${label} provider's ${init.piece} is closed`
        : destroyed
          ? `The ${label} provider was destroyed: destroy() ended this call in flight`
          : `The ${label} provider is closed`;
    super(message, {
      origin: init.origin,
      kind: 'closed',
      reason: 'CLOSED',
      retryable: false,
      cause: init.cause,
    });
    this.name = 'ProviderClosedError';
    this.destroyed = destroyed;
  }
}

/**
 * The circuit breaker refused the call without sending it: the server failed recently. Retryable
 * after `retryAfterMs` (`Infinity` while the breaker is isolated by hand). The breaker's
 * `BreakerOpenError` is the `cause`.
 */
export class CircuitOpenError extends ProviderError {
  declare readonly kind: 'circuit-open';
  constructor(init: { retryAfterMs: number | undefined; cause: unknown; origin: ErrorOrigin }) {
    super(
      `${init.origin.label} is failing: the circuit breaker is open${
        init.retryAfterMs !== undefined && Number.isFinite(init.retryAfterMs)
          ? ` (next try in ${Math.ceil(init.retryAfterMs)} ms)`
          : ''
      }`,
      {
        origin: init.origin,
        kind: 'circuit-open',
        reason: 'CIRCUIT_OPEN',
        retryable: init.retryAfterMs === undefined || Number.isFinite(init.retryAfterMs),
        retryAfterMs: init.retryAfterMs,
        cause: init.cause,
      },
    );
    this.name = 'CircuitOpenError';
  }
}

/**
 * A local limit refused the call before it was sent: the rate limiter's queue timed out or was
 * full, the concurrency limit's queue likewise, or no pooled connection freed in time. Retryable;
 * `retryAfterMs` when the limiter predicts it. The limit's own error is the `cause`.
 */
export class LocalLimitError extends ProviderError {
  declare readonly kind: 'local-limit';
  constructor(init: {
    message: string;
    retryAfterMs: number | undefined;
    cause: unknown;
    origin: ErrorOrigin;
  }) {
    super(init.message, {
      origin: init.origin,
      kind: 'local-limit',
      reason: 'LOCAL_LIMIT',
      retryable: true,
      retryAfterMs: init.retryAfterMs,
      cause: init.cause,
    });
    this.name = 'LocalLimitError';
  }
}

/**
 * The `getApiKey()` callback threw or rejected, or handed back something no request can carry (not
 * a string, a byte a header cannot hold, a blank key, a key written with the scheme the provider
 * writes itself): the call ends before anything is sent. The message names what went wrong (the
 * thrown value's class and code, never its text, which may quote the key or a vault's token);
 * `cause` is only that `{ name, code }`. Retryable: a key store that failed once may answer the
 * next call, and another deployment has a key of its own.
 */
export class CredentialsError extends ProviderError {
  declare readonly kind: 'credentials';
  constructor(init: { message: string; cause: unknown; origin: ErrorOrigin }) {
    super(init.message, {
      origin: init.origin,
      kind: 'credentials',
      reason: 'CREDENTIALS',
      retryable: true,
      cause: init.cause,
    });
    this.name = 'CredentialsError';
  }
}
