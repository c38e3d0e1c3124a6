// Errors of a call refused before anything was sent: the provider is closed, the breaker is open,
// a local limit (rate limiter, concurrency limit, pool queue) gave up waiting, or the key callback
// failed.
import { toWellFormed } from '@x/internal';
import { type ErrorOrigin, ProviderError } from './errors';

/** What a {@link ProviderClosedError} says was closed (see there). */
export interface ClosedInit {
  destroyed?: boolean | undefined;
  piece?: string | undefined;
  cause?: unknown;
}

// A new user meets these first after a shutdown hook ran too early, or a provider made per request
// and closed by another: the message says what happened and what to do.
const CLOSED_REMEDY = 'close() or destroy() was called; create a new provider to make more calls';
const PIECE_REMEDY =
  'its owner closed it while this provider still uses it; close providers before what they share';
// The provider's own piece, closed through its getter (`provider.pool.close()`): it is the owner.
const OWN_PIECE_REMEDY =
  "it was closed through the provider's getter; close the provider instead, which closes what it created";

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
        ? `The ${label} provider's ${init.piece} is closed: ${init.piece.startsWith('shared ') ? PIECE_REMEDY : OWN_PIECE_REMEDY}`
        : destroyed
          ? `The ${label} provider was destroyed: destroy() ended this call in flight`
          : `The ${label} provider is closed: ${CLOSED_REMEDY}`;
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
 * `BreakerOpenError` is the `cause`; `lastFailure` is the provider's error of the last failure the
 * breaker counted before it refused (what to fix), and the message quotes its first sentence, then
 * ends with what the caller can do (when to retry).
 */
export class CircuitOpenError extends ProviderError {
  declare readonly kind: 'circuit-open';
  /**
   * The provider error of the last failure the breaker counted (the one that opened it, or a
   * probe's since), when one is known: a breaker shared with other code, or opened by hand, may
   * have none. Its message was scrubbed of secrets when it was made.
   */
  readonly lastFailure: ProviderError | undefined;

  constructor(init: {
    retryAfterMs: number | undefined;
    cause: unknown;
    origin: ErrorOrigin;
    lastFailure?: ProviderError | undefined;
    /**
     * The `name` of the other provider sharing the breaker whose call ended in `lastFailure`, when
     * known: named in the message, where its kind alone would not tell two providers of one kind
     * apart. Left out, a `lastFailure` of this provider's kind reads as this provider's own.
     */
    sharedWith?: string | undefined;
  }) {
    const opened = openMessage(init.origin, init.lastFailure, init.sharedWith);
    super(`${opened}. ${circuitRemedy(init.retryAfterMs)}`, {
      origin: init.origin,
      kind: 'circuit-open',
      reason: 'CIRCUIT_OPEN',
      retryable: init.retryAfterMs === undefined || Number.isFinite(init.retryAfterMs),
      retryAfterMs: init.retryAfterMs,
      cause: init.cause,
    });
    this.name = 'CircuitOpenError';
    this.lastFailure = init.lastFailure;
  }
}

/**
 * What is open and why. A breaker shared by several providers (`share`, or one breaker given to
 * each) refuses each of them for another's failure: its refusal then says the breaker is shared
 * and whose failure it counted, for the last failure quotes an endpoint, or a server, this
 * provider never called (an OpenAI provider told `Ollama /api/chat answered 500`). That one is
 * named by its `name` (`sharedWith`, which tells two providers of one kind apart), else, when that
 * is not known, by its kind, and then only when it is another kind.
 */
function openMessage(
  origin: ErrorOrigin,
  lastFailure: ProviderError | undefined,
  sharedWith: string | undefined,
): string {
  if (lastFailure === undefined) return `${origin.label} is failing: the circuit breaker is open`;
  const other =
    sharedWith ?? (lastFailure.provider === origin.provider ? undefined : lastFailure.provider);
  if (other === undefined) {
    return `${origin.label} is failing: the circuit breaker is open (last failure: ${summary(lastFailure)})`;
  }
  return `${origin.label} call refused: the circuit breaker it shares is open (breaker shared with the ${other} provider, last failure there: ${summary(lastFailure)})`;
}

/**
 * What the caller of a refused call can do, from the breaker's `retryAfterMs`: retry when it lets
 * a probe through, wait for the probe in flight (0: every probe slot is busy), or release a
 * breaker isolated by hand (`Infinity`). Unknown (a breaker of another copy): retry later.
 */
function circuitRemedy(retryAfterMs: number | undefined): string {
  if (retryAfterMs === undefined || Number.isNaN(retryAfterMs)) return 'Retry later';
  if (retryAfterMs === Number.POSITIVE_INFINITY)
    return 'It was isolated by hand: call the release function isolate() returned to resume';
  if (retryAfterMs <= 0) return 'Retry once the probe in flight settles';
  return `Retry after ${Math.ceil(retryAfterMs)} ms`;
}

/** The most of the last failure's message a breaker's refusal quotes. */
const SUMMARY_MAX = 200;

/**
 * What failed, without how to fix it: the first sentence of an error's message (a connection
 * error's remedy follows it), cut to {@link SUMMARY_MAX} characters. The message is one of ours,
 * already scrubbed and escaped; a surrogate pair the cut splits ends as U+FFFD.
 */
function summary(error: Error): string {
  const message = error.message;
  const end = message.indexOf('. ');
  const first = end === -1 ? message : message.slice(0, end);
  return first.length <= SUMMARY_MAX ? first : `${toWellFormed(first.slice(0, SUMMARY_MAX - 1))}…`;
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
