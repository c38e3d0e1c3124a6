/**
 * Error classes of `@x/provider-openai`. Each extends the matching class of `@x/provider-core` (so
 * `isProviderError` and `kind` read them like any provider's errors), has a stable `code`
 * (`X_PROVIDER_OPENAI_*`, whatever the preset), read-only data fields, the original error as
 * `cause`, and a `Symbol.for('@x/provider-openai/<Name>')` brand checked by its `isX()` guard, so
 * the guards work across duplicate installs. Messages name the preset (`Groq /chat/completions
 * answered 400`). What the composed pieces throw (`BreakerOpenError`, `RateLimitTimeoutError`,
 * `PoolTimeoutError`...) arrives as {@link CircuitOpenError} or {@link LocalLimitError} with the
 * original as `cause`: every failure of a call is an {@link OpenAIError}, except the caller's own
 * abort (`signal.reason`).
 *
 * No message or field ever holds an API key or an Authorization header.
 */
import { brand, hasBrand, mark } from '@x/internal';
import {
  type ApiErrorInit,
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
  type ProviderErrorKind,
  ProviderProtocolError,
  ProviderStreamError,
  ProviderTimeoutError,
  type StreamFailure,
  type TimeoutErrorInit,
} from '@x/provider-core';

export type { PartialResponse, TimeoutKind } from '@x/provider-core';

const own = (name: string): symbol => brand('provider-openai', name);

const OPENAI_ERROR = own('OpenAIError');
const API_ERROR = own('OpenAIApiError');
const MODEL_NOT_FOUND = own('ModelNotFoundError');
const RATE_LIMITED = own('RateLimitedError');
const SERVER_BUSY = own('ServerBusyError');
const CONTEXT_OVERFLOW = own('ContextOverflowError');
const STREAM_ERROR = own('OpenAIStreamError');
const INCOMPLETE_STREAM = own('IncompleteStreamError');
const TIMEOUT = own('OpenAITimeoutError');
const CONNECTION = own('OpenAIConnectionError');
const PROTOCOL = own('OpenAIProtocolError');
const CLOSED = own('ProviderClosedError');
const CIRCUIT_OPEN = own('CircuitOpenError');
const LOCAL_LIMIT = own('LocalLimitError');

/** Every error code this package throws. Renaming one is a breaking change. */
export type OpenAIErrorCode =
  | 'X_PROVIDER_OPENAI_API'
  | 'X_PROVIDER_OPENAI_MODEL_NOT_FOUND'
  | 'X_PROVIDER_OPENAI_RATE_LIMITED'
  | 'X_PROVIDER_OPENAI_SERVER_BUSY'
  | 'X_PROVIDER_OPENAI_CONTEXT_OVERFLOW'
  | 'X_PROVIDER_OPENAI_STREAM'
  | 'X_PROVIDER_OPENAI_INCOMPLETE_STREAM'
  | 'X_PROVIDER_OPENAI_TIMEOUT'
  | 'X_PROVIDER_OPENAI_CONNECTION'
  | 'X_PROVIDER_OPENAI_PROTOCOL'
  | 'X_PROVIDER_OPENAI_CLOSED'
  | 'X_PROVIDER_OPENAI_CIRCUIT_OPEN'
  | 'X_PROVIDER_OPENAI_LOCAL_LIMIT';

const PREFIX = 'X_PROVIDER_OPENAI_';

const KIND_OF_CODE: Partial<Record<OpenAIErrorCode, ProviderErrorKind>> = {
  X_PROVIDER_OPENAI_API: 'api',
  X_PROVIDER_OPENAI_MODEL_NOT_FOUND: 'model-not-found',
  X_PROVIDER_OPENAI_RATE_LIMITED: 'api',
  X_PROVIDER_OPENAI_SERVER_BUSY: 'server-busy',
};

/** Who raises the errors: codes `X_PROVIDER_OPENAI_*`, messages naming the preset. */
export function originOf(label = 'OpenAI'): ErrorOrigin {
  return { provider: 'openai', label };
}

/** Brands an error of this package: the base brand and its own. */
function branded(error: Error, symbol: symbol, name: string): void {
  error.name = name;
  mark(error, OPENAI_ERROR);
  mark(error, symbol);
}

/**
 * Base of every runtime error of this package, for `instanceof`: the concrete classes extend the
 * matching `@x/provider-core` class instead, so `instanceof OpenAIError` checks the package brand.
 */
export abstract class OpenAIError extends Error {
  declare readonly code: OpenAIErrorCode;
  declare readonly retryable: boolean;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return isOpenAIError(value);
  }
}

/** What an OpenAI error body said: `{ "error": { "message", "type", "param", "code" } }`. */
export interface OpenAIErrorBody {
  /** `error.type`: `invalid_request_error`, `rate_limit_exceeded`, `server_error`... */
  type?: string | undefined;
  /** `error.code`: `model_not_found`, `context_length_exceeded`, `insufficient_quota`... */
  errorCode?: string | undefined;
  /** `error.param`: the request field the error is about. */
  param?: string | undefined;
}

/** Options of {@link OpenAIApiError}. */
export interface OpenAIApiErrorInit extends ApiErrorInit, OpenAIErrorBody {
  code?: OpenAIErrorCode | undefined;
  label?: string | undefined;
}

/**
 * The server answered with an HTTP error status (or a redirect, which is not followed: the
 * message names its `Location`) before any chunk was streamed. `type`, `errorCode` and `param`
 * are the error body's fields. `retryable` for 408, 409, 429 (unless the quota is exhausted) and
 * 5xx, or as the server's `x-should-retry` header says.
 */
export class OpenAIApiError extends ProviderApiError {
  declare readonly code: OpenAIErrorCode;
  /** `error.type` of the body. */
  readonly type: string | undefined;
  /** `error.code` of the body (`code` is this package's stable code). */
  readonly errorCode: string | undefined;
  /** `error.param` of the body. */
  readonly param: string | undefined;

  constructor(init: OpenAIApiErrorInit) {
    const code = init.code ?? 'X_PROVIDER_OPENAI_API';
    super({
      ...init,
      origin: originOf(init.label),
      kind: KIND_OF_CODE[code] ?? 'api',
      reason: code.slice(PREFIX.length),
    });
    branded(this, API_ERROR, 'OpenAIApiError');
    this.type = init.type;
    this.errorCode = init.errorCode;
    this.param = init.param;
  }
}

/** The model does not exist, or the key may not use it (404 `model_not_found`). Never retried. */
export class ModelNotFoundError extends OpenAIApiError {
  /** The model name as it was requested. */
  readonly model: string;

  constructor(
    init: Omit<OpenAIApiErrorInit, 'statusCode' | 'retryable' | 'code'> & { model: string },
  ) {
    super({
      ...init,
      statusCode: 404,
      retryable: false,
      code: 'X_PROVIDER_OPENAI_MODEL_NOT_FOUND',
      message: `Model "${init.model}" was not found on ${init.label ?? 'OpenAI'} (or the key may not use it): ${init.serverMessage}`,
    });
    branded(this, MODEL_NOT_FOUND, 'ModelNotFoundError');
    this.model = init.model;
  }
}

/**
 * 429: too many requests or tokens. Retried after `retryAfterMs` (the server's `retry-after-ms` or
 * `retry-after`), and the provider's limiter pauses as long, unless the quota itself is exhausted
 * (`insufficient_quota`: billing, not pace), which is never retried.
 */
export class RateLimitedError extends OpenAIApiError {
  /** True for `insufficient_quota`: no retry will succeed until the account's quota changes. */
  readonly quotaExhausted: boolean;

  /** `shouldRetry: false`: the server said `x-should-retry: false`, which no status overrides. */
  constructor(
    init: Omit<OpenAIApiErrorInit, 'statusCode' | 'retryable' | 'code'> & {
      shouldRetry?: boolean | undefined;
    },
  ) {
    const quotaExhausted =
      init.errorCode === 'insufficient_quota' || init.type === 'insufficient_quota';
    super({
      ...init,
      statusCode: 429,
      retryable: !quotaExhausted && init.shouldRetry !== false,
      code: 'X_PROVIDER_OPENAI_RATE_LIMITED',
      message: `${init.label ?? 'OpenAI'} ${init.endpoint} answered 429 (${quotaExhausted ? 'quota exhausted' : 'rate limited'}): ${init.serverMessage || '(empty body)'}`,
    });
    branded(this, RATE_LIMITED, 'RateLimitedError');
    this.quotaExhausted = quotaExhausted;
  }
}

/**
 * 503 or 529: the server is overloaded. Retried with backoff, unless it said
 * `x-should-retry: false` (`shouldRetry: false`).
 */
export class ServerBusyError extends OpenAIApiError {
  constructor(
    init: Omit<OpenAIApiErrorInit, 'retryable' | 'code'> & { shouldRetry?: boolean | undefined },
  ) {
    super({
      ...init,
      retryable: init.shouldRetry !== false,
      code: 'X_PROVIDER_OPENAI_SERVER_BUSY',
    });
    branded(this, SERVER_BUSY, 'ServerBusyError');
  }
}

/**
 * The prompt does not fit the model's context window: found before sending (`source: 'estimate'`)
 * or said by the server (`source: 'server'`, `context_length_exceeded`). Never retried.
 */
export class ContextOverflowError extends CoreContextOverflowError {
  declare readonly code: OpenAIErrorCode;

  constructor(init: ContextOverflowInit & { label?: string | undefined }) {
    super({ ...init, origin: originOf(init.label) });
    branded(this, CONTEXT_OVERFLOW, 'ContextOverflowError');
  }
}

/** Options of {@link OpenAIStreamError}. */
export interface OpenAIStreamErrorInit extends OpenAIErrorBody {
  reason: StreamFailure;
  serverMessage?: string | undefined;
  partial: PartialResponse;
  message?: string | undefined;
  label?: string | undefined;
  cause?: unknown;
}

/**
 * The stream failed after it started: an error event from the server (`reason: 'server-error'`,
 * with the error's `type` and `errorCode`), an event over `maxLineBytes` (`'line-too-long'`), or
 * data that is not JSON (`'invalid-json'`). Carries what arrived before. Never retried.
 */
export class OpenAIStreamError extends ProviderStreamError {
  declare readonly code: OpenAIErrorCode;
  readonly type: string | undefined;
  readonly errorCode: string | undefined;
  readonly param: string | undefined;

  constructor(init: OpenAIStreamErrorInit) {
    super({ ...init, origin: originOf(init.label) });
    branded(this, STREAM_ERROR, 'OpenAIStreamError');
    this.type = init.type;
    this.errorCode = init.errorCode;
    this.param = init.param;
  }
}

/** The stream ended before `data: [DONE]`. Carries what arrived before. Never retried. */
export class IncompleteStreamError extends CoreIncompleteStreamError {
  declare readonly code: OpenAIErrorCode;

  constructor(init: { partial: PartialResponse; cause?: unknown; label?: string | undefined }) {
    super({
      ...init,
      origin: originOf(init.label),
      message: `${init.label ?? 'OpenAI'}'s response ended before it was complete (no [DONE]) after ${init.partial.chunks} chunk(s)`,
    });
    branded(this, INCOMPLETE_STREAM, 'IncompleteStreamError');
  }
}

/** A deadline of `timeouts` fired. Retryable when nothing had arrived yet. */
export class OpenAITimeoutError extends ProviderTimeoutError {
  declare readonly code: OpenAIErrorCode;

  constructor(init: TimeoutErrorInit & { label?: string | undefined }) {
    super({ ...init, origin: originOf(init.label) });
    branded(this, TIMEOUT, 'OpenAITimeoutError');
  }
}

/** The connection failed before an answer (refused, reset, DNS). Retryable. */
export class OpenAIConnectionError extends ProviderConnectionError {
  declare readonly code: OpenAIErrorCode;

  constructor(init: {
    origin: string;
    causeCode?: string | undefined;
    cause?: unknown;
    label?: string | undefined;
  }) {
    super({ ...init, from: originOf(init.label) });
    branded(this, CONNECTION, 'OpenAIConnectionError');
  }
}

/**
 * The server answered with something that is not valid HTTP (`causeCode` `HPE_*`...), or with a
 * body in a `Content-Encoding` other than the identity asked (`CONTENT_ENCODING`). Never retried.
 */
export class OpenAIProtocolError extends ProviderProtocolError {
  declare readonly code: OpenAIErrorCode;

  constructor(init: ProtocolErrorInit & { label?: string | undefined }) {
    super({ ...init, from: originOf(init.label) });
    branded(this, PROTOCOL, 'OpenAIProtocolError');
  }
}

/** The provider was closed; no new request is accepted. */
export class ProviderClosedError extends CoreProviderClosedError {
  declare readonly code: OpenAIErrorCode;

  constructor(init: { label?: string | undefined; destroyed?: boolean | undefined } = {}) {
    super({ origin: originOf(init.label), destroyed: init.destroyed });
    branded(this, CLOSED, 'ProviderClosedError');
  }
}

/**
 * The circuit breaker refused the call without sending it: the server failed recently. Retryable
 * after `retryAfterMs`; the breaker's `BreakerOpenError` is the `cause`.
 */
export class CircuitOpenError extends CoreCircuitOpenError {
  declare readonly code: OpenAIErrorCode;

  constructor(init: {
    retryAfterMs: number | undefined;
    cause: unknown;
    label?: string | undefined;
  }) {
    super({ ...init, origin: originOf(init.label) });
    branded(this, CIRCUIT_OPEN, 'CircuitOpenError');
  }
}

/**
 * A local limit refused the call before it was sent (the rate limiter, the concurrency limit or
 * the pool queue). Retryable; `retryAfterMs` when predicted; the limit's error is the `cause`.
 * Not the server's 429: that is {@link RateLimitedError}.
 */
export class LocalLimitError extends CoreLocalLimitError {
  declare readonly code: OpenAIErrorCode;

  constructor(init: {
    message: string;
    retryAfterMs: number | undefined;
    cause: unknown;
    label?: string | undefined;
  }) {
    super({ ...init, origin: originOf(init.label) });
    branded(this, LOCAL_LIMIT, 'LocalLimitError');
  }
}

/** True for any error of this package (checks the brand, works across duplicate installs). */
export const isOpenAIError = (error: unknown): error is OpenAIError =>
  hasBrand(error, OPENAI_ERROR);
/** True for an {@link OpenAIApiError} (and its subclasses). */
export const isOpenAIApiError = (error: unknown): error is OpenAIApiError =>
  hasBrand(error, API_ERROR);
/** True for a {@link ModelNotFoundError}. */
export const isModelNotFoundError = (error: unknown): error is ModelNotFoundError =>
  hasBrand(error, MODEL_NOT_FOUND);
/** True for a {@link RateLimitedError}. */
export const isRateLimitedError = (error: unknown): error is RateLimitedError =>
  hasBrand(error, RATE_LIMITED);
/** True for a {@link ServerBusyError}. */
export const isServerBusyError = (error: unknown): error is ServerBusyError =>
  hasBrand(error, SERVER_BUSY);
/** True for a {@link ContextOverflowError}. */
export const isContextOverflowError = (error: unknown): error is ContextOverflowError =>
  hasBrand(error, CONTEXT_OVERFLOW);
/** True for an {@link OpenAIStreamError}. */
export const isOpenAIStreamError = (error: unknown): error is OpenAIStreamError =>
  hasBrand(error, STREAM_ERROR);
/** True for an {@link IncompleteStreamError}. */
export const isIncompleteStreamError = (error: unknown): error is IncompleteStreamError =>
  hasBrand(error, INCOMPLETE_STREAM);
/** True for an {@link OpenAITimeoutError}. */
export const isOpenAITimeoutError = (error: unknown): error is OpenAITimeoutError =>
  hasBrand(error, TIMEOUT);
/** True for an {@link OpenAIConnectionError}. */
export const isOpenAIConnectionError = (error: unknown): error is OpenAIConnectionError =>
  hasBrand(error, CONNECTION);
/** True for an {@link OpenAIProtocolError}. */
export const isOpenAIProtocolError = (error: unknown): error is OpenAIProtocolError =>
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
