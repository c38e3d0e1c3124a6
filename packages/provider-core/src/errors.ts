import { brand, errorJSON, hasBrand, mark } from '@x/internal';
import type { AnyProviderError, ProviderErrorOfKind } from './error-union';
import type { PartialResponse } from './types';

/**
 * The error families of a provider call. Every provider's errors extend {@link ProviderError}, so
 * one guard ({@link isProviderError}) and one discriminant (`kind`) read the failures of any
 * provider alike, whatever its class names and codes. A provider keeps its own classes and codes
 * (`OllamaTimeoutError`, `X_PROVIDER_OLLAMA_TIMEOUT`) by subclassing the ones below.
 */
export type ProviderErrorKind =
  /** The server answered an HTTP error status (see `statusCode`). */
  | 'api'
  /** The model does not exist on the server. */
  | 'model-not-found'
  /** The server is overloaded (a 503, a full queue). */
  | 'server-busy'
  /** The prompt does not fit the model's context window. */
  | 'context-overflow'
  /** The stream failed after it started (an error line, a line too long, not JSON). */
  | 'stream'
  /** The answer ended before it was complete. */
  | 'incomplete-stream'
  /** A deadline fired. */
  | 'timeout'
  /** The server could not be reached. */
  | 'connection'
  /** The answer is not valid HTTP, or is in a Content-Encoding that was not asked for. */
  | 'protocol'
  /** The provider was closed. */
  | 'closed'
  /** The circuit breaker refused the call: the server failed recently (see `retryAfterMs`). */
  | 'circuit-open'
  /** A local limit refused the call: the rate limiter, the concurrency limit or the pool queue. */
  | 'local-limit'
  /** The `getApiKey()` callback failed, or gave no key a request can carry: nothing was sent. */
  | 'credentials';

/** Who raised an error: the provider's id (`ollama`, for codes) and label (`Ollama`, for messages). */
export interface ErrorOrigin {
  /** Lower-case id: `ollama`, `openai`. Codes read `X_PROVIDER_<ID>_<REASON>`. */
  provider: string;
  /** Name in messages: `Ollama`, `OpenAI`. */
  label: string;
}

const PROVIDER_ERROR = brand('provider-core', 'ProviderError');

/** The code of a reason for a provider: `X_PROVIDER_OLLAMA_TIMEOUT`. */
export function errorCode(origin: ErrorOrigin, reason: string): string {
  return `X_PROVIDER_${origin.provider.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_${reason}`;
}

/** Base class of every runtime error of a provider call. */
export class ProviderError extends Error {
  /** Stable machine-readable code, `X_PROVIDER_<ID>_<REASON>`. */
  readonly code: string;
  /** The family of the failure, the same for every provider. */
  readonly kind: ProviderErrorKind;
  /** Whether the request may succeed if sent again (read by the retry loop and a router). */
  readonly retryable: boolean;
  /** The provider id (`ollama`). */
  readonly provider: string;
  /** A delay the server asked for before another attempt, in ms, when it said so. */
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    init: {
      origin: ErrorOrigin;
      kind: ProviderErrorKind;
      reason: string;
      retryable: boolean;
      retryAfterMs?: number | undefined;
      cause?: unknown;
    },
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ProviderError';
    this.code = errorCode(init.origin, init.reason);
    this.kind = init.kind;
    this.retryable = init.retryable;
    this.provider = init.origin.provider;
    this.retryAfterMs = init.retryAfterMs;
    mark(this, PROVIDER_ERROR);
  }

  /**
   * What `JSON.stringify(error)` (a log line, an API answer) shows: the name and message, which
   * an `Error` keeps out of JSON, and every field of the error; not the `cause` (another
   * library's error). Secrets were scrubbed from the message when it was made.
   */
  toJSON(): Omit<this, 'cause' | 'stack' | 'toJSON'> {
    return errorJSON(this);
  }
}

/**
 * True for an error of any provider built on `@x/provider-core` (works across duplicate installs).
 * Narrows to {@link AnyProviderError}, so a check of `kind` then reads that class's fields.
 */
export function isProviderError(error: unknown): error is AnyProviderError {
  // `hasBrand` answers for any value, a revoked Proxy included (no provider's error).
  return hasBrand(error, PROVIDER_ERROR);
}

/** True for a provider error of the given kind; narrows to that kind's class (`timeoutMs`...). */
export function isProviderErrorOfKind<K extends ProviderErrorKind>(
  error: unknown,
  kind: K,
): error is ProviderErrorOfKind<K> {
  if (!isProviderError(error)) return false;
  try {
    return error.kind === kind;
  } catch {
    // a Proxy that passes for a provider error but whose `kind` getter throws
    return false;
  }
}

/** The partial answer an error carries, if any. */
export function partialOf(error: unknown): PartialResponse | undefined {
  const partial = (error as { partial?: unknown } | null)?.partial;
  return typeof partial === 'object' && partial !== null ? (partial as PartialResponse) : undefined;
}
