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
import { brandedInstanceOf, hasBrand, mark, quoted } from '@x/internal';
import {
  type ApiErrorInit,
  type ClosedInit,
  type ContextOverflowInit,
  CircuitOpenError as CoreCircuitOpenError,
  ContextOverflowError as CoreContextOverflowError,
  CredentialsError as CoreCredentialsError,
  IncompleteStreamError as CoreIncompleteStreamError,
  LocalLimitError as CoreLocalLimitError,
  ProviderClosedError as CoreProviderClosedError,
  type PartialResponse,
  type ProtocolErrorInit,
  ProviderApiError,
  ProviderConnectionError,
  ProviderError,
  ProviderProtocolError,
  ProviderStreamError,
  ProviderTimeoutError,
  type StreamFailure,
  type TimeoutErrorInit,
} from '@x/provider-core';
import {
  API_KIND,
  BRAND,
  branded,
  CONNECTION_ADVICE,
  KIND_OF_CODE,
  OLLAMA,
  type OllamaApiErrorCode,
  type OllamaErrorCode,
  PREFIX,
} from './error-codes';
import { pullCommand } from './model-name';

export type { PartialResponse, TimeoutKind } from '@x/provider-core';

/**
 * Base class of every runtime error of this package. The concrete classes extend the matching
 * `@x/provider-core` class instead, so `instanceof OllamaError` checks the package brand and
 * narrows to {@link AnyOllamaError}, whose `kind` names the class (`e.kind === 'timeout'`).
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
    mark(this, BRAND.error);
  }

  /**
   * `x instanceof OllamaError` reads the package brand (it works across duplicate installs) and
   * narrows `x` to {@link AnyOllamaError}. A subclass inherits this method, but `x instanceof
   * Sub` reads the prototype chain, and narrows to `Sub`: the type, like the check, depends on the
   * class on the right (`this`), not on the class that declares the method.
   */
  static override [Symbol.hasInstance]<C extends abstract new (...args: never[]) => unknown>(
    this: C,
    value: unknown,
  ): value is typeof OllamaError extends C ? AnyOllamaError : InstanceType<C> {
    // biome-ignore lint/complexity/noThisInStatic: the class on the right of `instanceof` is the point
    return brandedInstanceOf(this, OllamaError, value, BRAND.error);
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
  /**
   * Where to sign the server in to ollama.com, when it said (its 401 `signin_url`, for a cloud
   * model asked of a server that is not signed in). Also in the message. Never holds a secret.
   */
  readonly signinUrl: string | undefined;

  constructor(
    init: ApiErrorInit & {
      code?: OllamaApiErrorCode | undefined;
      signinUrl?: string | undefined;
    },
  ) {
    const code = init.code ?? 'X_PROVIDER_OLLAMA_API';
    const { signinUrl, ...rest } = init;
    super({
      ...rest,
      origin: OLLAMA,
      kind: API_KIND[code],
      reason: code.slice(PREFIX.length),
    });
    branded(this, BRAND.api, 'OllamaApiError');
    this.signinUrl = signinUrl;
  }
}

/**
 * The model is not pulled on the server (404 with a JSON `error`), or, for a pull, not in the
 * registry (the registry's 404, which Ollama reports as a progress line). Never retried. The
 * message's advice fits the call: pull it, or for a delete, a copy or a push, that nothing is there.
 */
export class ModelNotFoundError extends OllamaApiError {
  declare readonly code: 'X_PROVIDER_OLLAMA_MODEL_NOT_FOUND';
  declare readonly kind: 'model-not-found';
  /** The model name as it was requested. */
  readonly model: string;

  constructor(init: {
    model: string;
    serverMessage: string;
    endpoint: string;
    message?: string | undefined;
    cause?: unknown;
  }) {
    super({
      statusCode: 404,
      serverMessage: init.serverMessage,
      endpoint: init.endpoint,
      retryable: false,
      code: 'X_PROVIDER_OLLAMA_MODEL_NOT_FOUND',
      message:
        init.message ??
        `Model ${quoted(init.model)} was not found on the Ollama server (pull it with \`${pullCommand(init.model)}\`)`,
      cause: init.cause,
    });
    branded(this, BRAND.modelNotFound, 'ModelNotFoundError');
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
    message?: string | undefined; // a proxy's web page, named by its title, not quoted
  }) {
    super({
      statusCode: 503,
      serverMessage: init.serverMessage,
      endpoint: init.endpoint,
      retryable: true,
      retryAfterMs: init.retryAfterMs,
      code: 'X_PROVIDER_OLLAMA_SERVER_BUSY',
      message: init.message ?? `Ollama is busy (503): ${init.serverMessage || '(empty body)'}`,
      cause: init.cause,
    });
    branded(this, BRAND.serverBusy, 'ServerBusyError');
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
    branded(this, BRAND.contextOverflow, 'ContextOverflowError');
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
    branded(this, BRAND.stream, 'OllamaStreamError');
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
    branded(this, BRAND.incompleteStream, 'IncompleteStreamError');
  }
}

/**
 * A deadline of `timeouts` fired. Retryable when nothing had arrived yet (`connect`, `firstToken`,
 * or `total` before the first byte). A `connect` one ends as a refused connection does.
 */
export class OllamaTimeoutError extends ProviderTimeoutError {
  declare readonly code: 'X_PROVIDER_OLLAMA_TIMEOUT';

  constructor(init: TimeoutErrorInit) {
    super({ remedy: CONNECTION_ADVICE.remedy, ...init, origin: OLLAMA });
    branded(this, BRAND.timeout, 'OllamaTimeoutError');
  }
}

/**
 * The connection failed or broke before a response arrived (refused, reset, DNS failure).
 * Retryable. When nothing answered, the message ends with how to start Ollama or point at it.
 */
export class OllamaConnectionError extends ProviderConnectionError {
  declare readonly code: 'X_PROVIDER_OLLAMA_CONNECTION';

  /** `detail`: what was tried (`initialize()`'s wait), said before the remedy that ends the message. */
  constructor(init: {
    origin: string;
    causeCode?: string | undefined;
    cause?: unknown;
    detail?: string | undefined;
  }) {
    super({ ...init, ...CONNECTION_ADVICE, from: OLLAMA });
    branded(this, BRAND.connection, 'OllamaConnectionError');
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
    branded(this, BRAND.protocol, 'OllamaProtocolError');
  }
}

/** The provider was closed; no new request is accepted. */
export class ProviderClosedError extends CoreProviderClosedError {
  declare readonly code: 'X_PROVIDER_OLLAMA_CLOSED';

  constructor(init: ClosedInit = {}) {
    super({ ...init, origin: OLLAMA });
    branded(this, BRAND.closed, 'ProviderClosedError');
  }
}

/**
 * The circuit breaker refused the call without sending it: Ollama failed recently. Retryable after
 * `retryAfterMs`; the breaker's `BreakerOpenError` is the `cause`.
 */
export class CircuitOpenError extends CoreCircuitOpenError {
  declare readonly code: 'X_PROVIDER_OLLAMA_CIRCUIT_OPEN';

  constructor(init: Omit<ConstructorParameters<typeof CoreCircuitOpenError>[0], 'origin'>) {
    super({ ...init, origin: OLLAMA });
    branded(this, BRAND.circuitOpen, 'CircuitOpenError');
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
    branded(this, BRAND.localLimit, 'LocalLimitError');
  }
}

/**
 * `getApiKey()` failed, or gave no key a request can carry: nothing was sent. The message names
 * the thrown value's class and code, never its text; retryable.
 */
export class CredentialsError extends CoreCredentialsError {
  declare readonly code: 'X_PROVIDER_OLLAMA_CREDENTIALS';

  constructor(init: { message: string; cause: unknown }) {
    super({ ...init, origin: OLLAMA });
    branded(this, BRAND.credentials, 'CredentialsError');
  }
}

/**
 * An {@link OllamaApiError} as a union on `kind` (and `code`): after `isOllamaApiError(e)`,
 * `e.kind === 'model-not-found'` narrows to {@link ModelNotFoundError} and reads `e.model`.
 */
export type AnyOllamaApiError =
  // thrown as itself, it is the plain `api` kind; a missing model or a busy server is a subclass
  | (OllamaApiError & { readonly kind: 'api'; readonly code: 'X_PROVIDER_OLLAMA_API' })
  | ModelNotFoundError
  | ServerBusyError;

/**
 * Every error a call of this package ends with, as a union on `kind` (and `code`): after
 * `isOllamaError(e)`, `switch (e.kind)` narrows to the class, so `case 'api':` reads `statusCode`
 * and `case 'timeout':` reads `timeout`.
 */
export type AnyOllamaError =
  | AnyOllamaApiError
  | ContextOverflowError
  | OllamaStreamError
  | IncompleteStreamError
  | OllamaTimeoutError
  | OllamaConnectionError
  | OllamaProtocolError
  | ProviderClosedError
  | CircuitOpenError
  | LocalLimitError
  | CredentialsError;

/** True for any error of this package (checks the brand, works across duplicate installs). */
export const isOllamaError = (error: unknown): error is AnyOllamaError =>
  hasBrand(error, BRAND.error);
/**
 * True for an {@link OllamaApiError} (and its subclasses). Narrows to {@link AnyOllamaApiError},
 * so a check of `kind` then reads that class's fields.
 */
export const isOllamaApiError = (error: unknown): error is AnyOllamaApiError =>
  hasBrand(error, BRAND.api);
/** True for a {@link ModelNotFoundError}. */
export const isModelNotFoundError = (error: unknown): error is ModelNotFoundError =>
  hasBrand(error, BRAND.modelNotFound);
/** True for a {@link ServerBusyError}. */
export const isServerBusyError = (error: unknown): error is ServerBusyError =>
  hasBrand(error, BRAND.serverBusy);
/** True for a {@link ContextOverflowError}. */
export const isContextOverflowError = (error: unknown): error is ContextOverflowError =>
  hasBrand(error, BRAND.contextOverflow);
/** True for an {@link OllamaStreamError}. */
export const isOllamaStreamError = (error: unknown): error is OllamaStreamError =>
  hasBrand(error, BRAND.stream);
/** True for an {@link IncompleteStreamError}. */
export const isIncompleteStreamError = (error: unknown): error is IncompleteStreamError =>
  hasBrand(error, BRAND.incompleteStream);
/** True for an {@link OllamaTimeoutError}. */
export const isOllamaTimeoutError = (error: unknown): error is OllamaTimeoutError =>
  hasBrand(error, BRAND.timeout);
/** True for an {@link OllamaConnectionError}. */
export const isOllamaConnectionError = (error: unknown): error is OllamaConnectionError =>
  hasBrand(error, BRAND.connection);
/** True for an {@link OllamaProtocolError}. */
export const isOllamaProtocolError = (error: unknown): error is OllamaProtocolError =>
  hasBrand(error, BRAND.protocol);
/** True for a {@link ProviderClosedError}. */
export const isProviderClosedError = (error: unknown): error is ProviderClosedError =>
  hasBrand(error, BRAND.closed);
/** True for a {@link CircuitOpenError}. */
export const isCircuitOpenError = (error: unknown): error is CircuitOpenError =>
  hasBrand(error, BRAND.circuitOpen);
/** True for a {@link LocalLimitError}. */
export const isLocalLimitError = (error: unknown): error is LocalLimitError =>
  hasBrand(error, BRAND.localLimit);
/** True for a {@link CredentialsError}. */
export const isCredentialsError = (error: unknown): error is CredentialsError =>
  hasBrand(error, BRAND.credentials);
