/**
 * Error classes of `@x/provider-ollama`. Each extends the matching class of `@x/provider-core`
 * (so `isProviderError` and `kind` read them like any provider's errors), has a stable `code`,
 * read-only data fields, the original error as `cause`, and a `Symbol.for('@x/provider-ollama/<Name>')`
 * brand checked by its `isX()` guard, so the guards work across duplicate installs. What the
 * composed pieces throw (`BreakerOpenError`, `RateLimitTimeoutError`, `PoolTimeoutError`...) arrives
 * as {@link CircuitOpenError} or {@link LocalLimitError} with the original as `cause`: every failure
 * of a call is an {@link OllamaError}, except the caller's own abort (`signal.reason`).
 *
 * No message or field ever holds an API key or an Authorization header.
 */
import { brand, hasBrand, mark } from '@x/internal';
import {
  type ApiErrorInit,
  type ApiErrorKind,
  type ContextOverflowInit,
  CircuitOpenError as CoreCircuitOpenError,
  ContextOverflowError as CoreContextOverflowError,
  IncompleteStreamError as CoreIncompleteStreamError,
  LocalLimitError as CoreLocalLimitError,
  ProviderClosedError as CoreProviderClosedError,
  type ErrorOrigin,
  type PartialResponse,
  type ProtocolErrorInit,
  ProviderApiError,
  ProviderConnectionError,
  ProviderError,
  type ProviderErrorKind,
  ProviderProtocolError,
  ProviderStreamError,
  ProviderTimeoutError,
  type StreamFailure,
  type TimeoutErrorInit,
} from '@x/provider-core';

export type { PartialResponse, TimeoutKind } from '@x/provider-core';

/** Who raises these errors: codes `X_PROVIDER_OLLAMA_*`, messages naming Ollama. */
export const OLLAMA: ErrorOrigin = Object.freeze({ provider: 'ollama', label: 'Ollama' });

const PREFIX = 'X_PROVIDER_OLLAMA_';
const own = (name: string): symbol => brand('provider-ollama', name);

const OLLAMA_ERROR = own('OllamaError');
const API_ERROR = own('OllamaApiError');
const MODEL_NOT_FOUND = own('ModelNotFoundError');
const SERVER_BUSY = own('ServerBusyError');
const CONTEXT_OVERFLOW = own('ContextOverflowError');
const STREAM_ERROR = own('OllamaStreamError');
const INCOMPLETE_STREAM = own('IncompleteStreamError');
const TIMEOUT = own('OllamaTimeoutError');
const CONNECTION = own('OllamaConnectionError');
const PROTOCOL = own('OllamaProtocolError');
const CLOSED = own('ProviderClosedError');
const CIRCUIT_OPEN = own('CircuitOpenError');
const LOCAL_LIMIT = own('LocalLimitError');

/** Every error code this package throws. Renaming one is a breaking change. */
export type OllamaErrorCode =
  | 'X_PROVIDER_OLLAMA_API'
  | 'X_PROVIDER_OLLAMA_MODEL_NOT_FOUND'
  | 'X_PROVIDER_OLLAMA_SERVER_BUSY'
  | 'X_PROVIDER_OLLAMA_CONTEXT_OVERFLOW'
  | 'X_PROVIDER_OLLAMA_STREAM'
  | 'X_PROVIDER_OLLAMA_INCOMPLETE_STREAM'
  | 'X_PROVIDER_OLLAMA_TIMEOUT'
  | 'X_PROVIDER_OLLAMA_CONNECTION'
  | 'X_PROVIDER_OLLAMA_PROTOCOL'
  | 'X_PROVIDER_OLLAMA_CLOSED'
  | 'X_PROVIDER_OLLAMA_CIRCUIT_OPEN'
  | 'X_PROVIDER_OLLAMA_LOCAL_LIMIT';

/** The codes of {@link OllamaApiError} and its subclasses, with their kinds. */
const API_KIND = {
  X_PROVIDER_OLLAMA_API: 'api',
  X_PROVIDER_OLLAMA_MODEL_NOT_FOUND: 'model-not-found',
  X_PROVIDER_OLLAMA_SERVER_BUSY: 'server-busy',
} as const satisfies Partial<Record<OllamaErrorCode, ApiErrorKind>>;
type OllamaApiErrorCode = keyof typeof API_KIND;

const KIND_OF_CODE: Record<OllamaErrorCode, ProviderErrorKind> = {
  ...API_KIND,
  X_PROVIDER_OLLAMA_CONTEXT_OVERFLOW: 'context-overflow',
  X_PROVIDER_OLLAMA_STREAM: 'stream',
  X_PROVIDER_OLLAMA_INCOMPLETE_STREAM: 'incomplete-stream',
  X_PROVIDER_OLLAMA_TIMEOUT: 'timeout',
  X_PROVIDER_OLLAMA_CONNECTION: 'connection',
  X_PROVIDER_OLLAMA_PROTOCOL: 'protocol',
  X_PROVIDER_OLLAMA_CLOSED: 'closed',
  X_PROVIDER_OLLAMA_CIRCUIT_OPEN: 'circuit-open',
  X_PROVIDER_OLLAMA_LOCAL_LIMIT: 'local-limit',
};

/** Brands an error of this package: the base brand and its own. */
function branded(error: Error, symbol: symbol, name: string): void {
  error.name = name;
  mark(error, OLLAMA_ERROR);
  mark(error, symbol);
}

/**
 * Base class of every runtime error of this package. The concrete classes extend the matching
 * `@x/provider-core` class instead, so `instanceof OllamaError` checks the package brand.
 */
export class OllamaError extends ProviderError {
  declare readonly code: OllamaErrorCode;

  constructor(
    message: string,
    code: OllamaErrorCode,
    retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, {
      origin: OLLAMA,
      kind: KIND_OF_CODE[code],
      reason: code.slice(PREFIX.length),
      retryable,
      cause: options?.cause,
    });
    this.name = 'OllamaError';
    mark(this, OLLAMA_ERROR);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    // Subclasses inherit this method: only `instanceof OllamaError` itself reads the brand, so
    // `this` (the class on the right of `instanceof`) is the point here.
    // biome-ignore lint/complexity/noThisInStatic: see above
    return this === OllamaError
      ? isOllamaError(value)
      : // biome-ignore lint/complexity/noThisInStatic: see above
        Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

/**
 * The server answered with an HTTP error status (or a redirect, which is not followed: the
 * message names its `Location`) before any chunk was streamed.
 * `retryable` is true for 429, 502, 503, 504 and 500s that are not client mistakes.
 */
export class OllamaApiError extends ProviderApiError {
  declare readonly code: OllamaApiErrorCode;
  /** Delay asked for by a `Retry-After` header, in ms. */
  declare readonly retryAfterMs: number | undefined;

  constructor(init: ApiErrorInit & { code?: OllamaApiErrorCode | undefined }) {
    const code = init.code ?? 'X_PROVIDER_OLLAMA_API';
    super({
      ...init,
      origin: OLLAMA,
      kind: API_KIND[code],
      reason: code.slice(PREFIX.length),
    });
    branded(this, API_ERROR, 'OllamaApiError');
  }
}

/** The model is not pulled on the server (404 with a JSON `error`). Never retried. */
export class ModelNotFoundError extends OllamaApiError {
  declare readonly code: 'X_PROVIDER_OLLAMA_MODEL_NOT_FOUND';
  declare readonly kind: 'model-not-found';
  /** The model name as it was requested. */
  readonly model: string;

  constructor(init: { model: string; serverMessage: string; endpoint: string; cause?: unknown }) {
    super({
      statusCode: 404,
      serverMessage: init.serverMessage,
      endpoint: init.endpoint,
      retryable: false,
      code: 'X_PROVIDER_OLLAMA_MODEL_NOT_FOUND',
      message: `Model "${init.model}" was not found on the Ollama server (pull it with \`ollama pull ${init.model}\`)`,
      cause: init.cause,
    });
    branded(this, MODEL_NOT_FOUND, 'ModelNotFoundError');
    this.model = init.model;
  }
}

/** The server's scheduler queue is full (503 "server busy"). Retried with backoff. */
export class ServerBusyError extends OllamaApiError {
  declare readonly code: 'X_PROVIDER_OLLAMA_SERVER_BUSY';
  declare readonly kind: 'server-busy';

  constructor(init: {
    serverMessage: string;
    endpoint: string;
    retryAfterMs?: number | undefined;
    cause?: unknown;
  }) {
    super({
      statusCode: 503,
      serverMessage: init.serverMessage,
      endpoint: init.endpoint,
      retryable: true,
      retryAfterMs: init.retryAfterMs,
      code: 'X_PROVIDER_OLLAMA_SERVER_BUSY',
      message: `Ollama is busy (503): ${init.serverMessage || '(empty body)'}`,
      cause: init.cause,
    });
    branded(this, SERVER_BUSY, 'ServerBusyError');
  }
}

/**
 * The prompt does not fit the model's context window: found before sending (`source: 'estimate'`)
 * or reported by the server (`source: 'server'`, a 400). Never retried.
 */
export class ContextOverflowError extends CoreContextOverflowError {
  declare readonly code: 'X_PROVIDER_OLLAMA_CONTEXT_OVERFLOW';

  constructor(init: ContextOverflowInit) {
    super({ ...init, origin: OLLAMA });
    branded(this, CONTEXT_OVERFLOW, 'ContextOverflowError');
  }
}

/**
 * The stream failed after it started: an `{"error": ...}` line (`reason: 'server-error'`), a line
 * over the size cap (`'line-too-long'`) or a line or whole answer that is not JSON, or not the answer
 * asked for, such as an embeddings answer that is not one vector of numbers per input
 * (`'invalid-json'`). Carries what arrived before. Never retried.
 */
export class OllamaStreamError extends ProviderStreamError {
  declare readonly code: 'X_PROVIDER_OLLAMA_STREAM';

  constructor(init: {
    reason: StreamFailure;
    serverMessage?: string | undefined;
    partial: PartialResponse;
    message?: string | undefined;
    cause?: unknown;
  }) {
    super({ ...init, origin: OLLAMA });
    branded(this, STREAM_ERROR, 'OllamaStreamError');
  }
}

/** The response ended without a `done:true` chunk. Carries what arrived before. Never retried. */
export class IncompleteStreamError extends CoreIncompleteStreamError {
  declare readonly code: 'X_PROVIDER_OLLAMA_INCOMPLETE_STREAM';

  constructor(init: { partial: PartialResponse; cause?: unknown }) {
    super({
      ...init,
      origin: OLLAMA,
      message: `Ollama's response ended without a done chunk after ${init.partial.chunks} chunk(s)`,
    });
    branded(this, INCOMPLETE_STREAM, 'IncompleteStreamError');
  }
}

/**
 * A deadline of `timeouts` fired. Retryable when nothing had arrived yet (`connect`,
 * `firstToken`, or `total` before the first byte).
 */
export class OllamaTimeoutError extends ProviderTimeoutError {
  declare readonly code: 'X_PROVIDER_OLLAMA_TIMEOUT';

  constructor(init: TimeoutErrorInit) {
    super({ ...init, origin: OLLAMA });
    branded(this, TIMEOUT, 'OllamaTimeoutError');
  }
}

/**
 * The connection failed or broke before a response arrived (refused, reset, DNS failure).
 * Retryable.
 */
export class OllamaConnectionError extends ProviderConnectionError {
  declare readonly code: 'X_PROVIDER_OLLAMA_CONNECTION';

  constructor(init: { origin: string; causeCode?: string | undefined; cause?: unknown }) {
    super({ ...init, from: OLLAMA });
    branded(this, CONNECTION, 'OllamaConnectionError');
  }
}

/**
 * Ollama's address answered with something that is not valid HTTP (`causeCode` `HPE_*`...:
 * another service on the port, a proxy mangling the answer), or with a body in a
 * `Content-Encoding` other than the identity asked for (`CONTENT_ENCODING`, `contentEncoding`).
 * Never retried: the server answered, maybe after it started generating.
 */
export class OllamaProtocolError extends ProviderProtocolError {
  declare readonly code: 'X_PROVIDER_OLLAMA_PROTOCOL';

  constructor(init: ProtocolErrorInit) {
    super({ ...init, from: OLLAMA });
    branded(this, PROTOCOL, 'OllamaProtocolError');
  }
}

/** The provider was closed; no new request is accepted. */
export class ProviderClosedError extends CoreProviderClosedError {
  declare readonly code: 'X_PROVIDER_OLLAMA_CLOSED';

  constructor(init: { destroyed?: boolean | undefined } = {}) {
    super({ origin: OLLAMA, destroyed: init.destroyed });
    branded(this, CLOSED, 'ProviderClosedError');
  }
}

/**
 * The circuit breaker refused the call without sending it: Ollama failed recently. Retryable after
 * `retryAfterMs`; the breaker's `BreakerOpenError` is the `cause`.
 */
export class CircuitOpenError extends CoreCircuitOpenError {
  declare readonly code: 'X_PROVIDER_OLLAMA_CIRCUIT_OPEN';

  constructor(init: { retryAfterMs: number | undefined; cause: unknown }) {
    super({ ...init, origin: OLLAMA });
    branded(this, CIRCUIT_OPEN, 'CircuitOpenError');
  }
}

/**
 * A local limit refused the call before it was sent (the rate limiter, the concurrency limit or
 * the pool queue). Retryable; `retryAfterMs` when predicted; the limit's error is the `cause`.
 */
export class LocalLimitError extends CoreLocalLimitError {
  declare readonly code: 'X_PROVIDER_OLLAMA_LOCAL_LIMIT';

  constructor(init: { message: string; retryAfterMs: number | undefined; cause: unknown }) {
    super({ ...init, origin: OLLAMA });
    branded(this, LOCAL_LIMIT, 'LocalLimitError');
  }
}

/**
 * Every error a call of this package ends with, as a union on `kind` (and `code`): after
 * `isOllamaError(e)`, `switch (e.kind)` narrows to the class, so `case 'api':` reads `statusCode`
 * and `case 'timeout':` reads `timeout`.
 */
export type AnyOllamaError =
  // thrown as itself, it is the plain `api` kind; a missing model or a busy server is a subclass
  | (OllamaApiError & { readonly kind: 'api'; readonly code: 'X_PROVIDER_OLLAMA_API' })
  | ModelNotFoundError
  | ServerBusyError
  | ContextOverflowError
  | OllamaStreamError
  | IncompleteStreamError
  | OllamaTimeoutError
  | OllamaConnectionError
  | OllamaProtocolError
  | ProviderClosedError
  | CircuitOpenError
  | LocalLimitError;

/** True for any error of this package (checks the brand, works across duplicate installs). */
export const isOllamaError = (error: unknown): error is AnyOllamaError =>
  hasBrand(error, OLLAMA_ERROR);
/** True for an {@link OllamaApiError} (and its subclasses). */
export const isOllamaApiError = (error: unknown): error is OllamaApiError =>
  hasBrand(error, API_ERROR);
/** True for a {@link ModelNotFoundError}. */
export const isModelNotFoundError = (error: unknown): error is ModelNotFoundError =>
  hasBrand(error, MODEL_NOT_FOUND);
/** True for a {@link ServerBusyError}. */
export const isServerBusyError = (error: unknown): error is ServerBusyError =>
  hasBrand(error, SERVER_BUSY);
/** True for a {@link ContextOverflowError}. */
export const isContextOverflowError = (error: unknown): error is ContextOverflowError =>
  hasBrand(error, CONTEXT_OVERFLOW);
/** True for an {@link OllamaStreamError}. */
export const isOllamaStreamError = (error: unknown): error is OllamaStreamError =>
  hasBrand(error, STREAM_ERROR);
/** True for an {@link IncompleteStreamError}. */
export const isIncompleteStreamError = (error: unknown): error is IncompleteStreamError =>
  hasBrand(error, INCOMPLETE_STREAM);
/** True for an {@link OllamaTimeoutError}. */
export const isOllamaTimeoutError = (error: unknown): error is OllamaTimeoutError =>
  hasBrand(error, TIMEOUT);
/** True for an {@link OllamaConnectionError}. */
export const isOllamaConnectionError = (error: unknown): error is OllamaConnectionError =>
  hasBrand(error, CONNECTION);
/** True for an {@link OllamaProtocolError}. */
export const isOllamaProtocolError = (error: unknown): error is OllamaProtocolError =>
  hasBrand(error, PROTOCOL);
/** True for a {@link ProviderClosedError}. */
export const isProviderClosedError = (error: unknown): error is ProviderClosedError =>
  hasBrand(error, CLOSED);
/** True for a {@link CircuitOpenError}. */
export const isCircuitOpenError = (error: unknown): error is CircuitOpenError =>
  hasBrand(error, CIRCUIT_OPEN);
/** True for a {@link LocalLimitError}. */
export const isLocalLimitError = (error: unknown): error is LocalLimitError =>
  hasBrand(error, LOCAL_LIMIT);
