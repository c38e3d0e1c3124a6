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
import { brandedInstanceOf, quoted } from '@x/internal';
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
  type OpenAIApiErrorCode,
  type OpenAIErrorCode,
  originOf,
  PREFIX,
} from './error-codes';
import type { AnyOpenAIError } from './error-guards';
import { rateLimitReason } from './rate-limit-reason';

type ConnectionErrorInit = ConstructorParameters<typeof ProviderConnectionError>[0];
type CircuitOpenInit = ConstructorParameters<typeof CoreCircuitOpenError>[0];

export type { PartialResponse, TimeoutKind } from '@x/provider-core';

/**
 * Base of every runtime error of this package, for `instanceof`: the concrete classes extend the
 * matching `@x/provider-core` class instead, so `instanceof OpenAIError` checks the package brand
 * and narrows to {@link AnyOpenAIError}, whose `kind` names the class (`e.kind === 'timeout'`).
 */
export abstract class OpenAIError extends Error {
  declare readonly code: OpenAIErrorCode;
  declare readonly retryable: boolean;

  /**
   * `x instanceof OpenAIError` reads the package brand (it works across duplicate installs) and
   * narrows `x` to {@link AnyOpenAIError}. A user's subclass inherits this method, but `x
   * instanceof Sub` reads the prototype chain and narrows to `Sub`: the check and the type depend
   * on the class on the right (`this`), not on the class that declares the method (read as the
   * brand, every error of this package was an instance of any subclass).
   */
  static override [Symbol.hasInstance]<C extends abstract new (...args: never[]) => unknown>(
    this: C,
    value: unknown,
  ): value is typeof OpenAIError extends C ? AnyOpenAIError : InstanceType<C> {
    // biome-ignore lint/complexity/noThisInStatic: the class on the right of `instanceof` is the point
    return brandedInstanceOf(this, OpenAIError, value, BRAND.error);
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

/** Options of {@link OpenAIApiError}: the server's answer, its error body, the code to throw. */
export interface OpenAIApiErrorInit extends ApiErrorInit, OpenAIErrorBody {
  code?: OpenAIApiErrorCode | undefined;
  label?: string | undefined;
  /** The answer's `x-request-id` header. */
  requestId?: string | undefined;
}

/**
 * The server answered with an HTTP error status (or a redirect, which is not followed: the
 * message names its `Location`) before any chunk was streamed. `type`, `errorCode` and `param`
 * are the error body's fields. `retryable` for 408, 409, 429 (unless the quota is exhausted) and
 * 5xx, or as the server's `x-should-retry` header says.
 */
export class OpenAIApiError extends ProviderApiError {
  declare readonly code: OpenAIApiErrorCode;
  /** `error.type` of the body. */
  readonly type: string | undefined;
  /** `error.code` of the body (`code` is this package's stable code). */
  readonly errorCode: string | undefined;
  /** `error.param` of the body. */
  readonly param: string | undefined;
  /**
   * The answer's `x-request-id` header (OpenAI's, Groq's, vLLM's...), to quote to the provider's
   * support: which request failed on their side. `undefined` when the server sent none.
   */
  readonly requestId: string | undefined;

  constructor(init: OpenAIApiErrorInit) {
    const code = init.code ?? 'X_PROVIDER_OPENAI_API';
    super({
      ...init,
      origin: originOf(init.label),
      kind: API_KIND[code],
      reason: code.slice(PREFIX.length),
    });
    branded(this, BRAND.api, 'OpenAIApiError');
    this.type = init.type;
    this.errorCode = init.errorCode;
    this.param = init.param;
    this.requestId = init.requestId;
  }
}

/** The model does not exist, or the key may not use it (404 `model_not_found`). Never retried. */
export class ModelNotFoundError extends OpenAIApiError {
  declare readonly code: 'X_PROVIDER_OPENAI_MODEL_NOT_FOUND';
  declare readonly kind: 'model-not-found';
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
      message: `Model ${quoted(init.model)} was not found on ${init.label ?? 'OpenAI'} (or the key may not use it): ${init.serverMessage}`,
    });
    branded(this, BRAND.modelNotFound, 'ModelNotFoundError');
    this.model = init.model;
  }
}

/**
 * 429: too many requests or tokens. Retried after `retryAfterMs`, the limiter pausing as long,
 * unless the quota is exhausted (`insufficient_quota`: billing, not pace) or the request alone is
 * over the tier's tokens a minute (`Request too large for ...`, which pauses nobody): never retried.
 */
export class RateLimitedError extends OpenAIApiError {
  declare readonly code: 'X_PROVIDER_OPENAI_RATE_LIMITED';
  declare readonly kind: 'api';
  /** True for `insufficient_quota`: no retry will succeed until the account's quota changes. */
  readonly quotaExhausted: boolean;
  /** True for `Request too large for ...`: the request alone is over the tier's tokens a minute. */
  readonly requestTooLarge: boolean;

  /** `shouldRetry: false`: the server said `x-should-retry: false`, which no status overrides. */
  constructor(
    init: Omit<OpenAIApiErrorInit, 'statusCode' | 'retryable' | 'code'> & {
      shouldRetry?: boolean | undefined;
      /**
       * The answer was a web page, not the API's error: what the message says of it instead of
       * quoting `serverMessage` (`a web page (text/html; its title: "429 Too Many Requests")`).
       */
      webPage?: string | undefined;
    },
  ) {
    const { quotaExhausted, requestTooLarge, message } = rateLimitReason(init);
    super({
      ...init,
      statusCode: 429,
      retryable: !quotaExhausted && !requestTooLarge && init.shouldRetry !== false,
      code: 'X_PROVIDER_OPENAI_RATE_LIMITED',
      message,
    });
    branded(this, BRAND.rateLimited, 'RateLimitedError');
    this.quotaExhausted = quotaExhausted;
    this.requestTooLarge = requestTooLarge;
  }
}

/**
 * 503 or 529: the server is overloaded. Retried with backoff, unless it said
 * `x-should-retry: false` (`shouldRetry: false`).
 */
export class ServerBusyError extends OpenAIApiError {
  declare readonly code: 'X_PROVIDER_OPENAI_SERVER_BUSY';
  declare readonly kind: 'server-busy';
  constructor(
    init: Omit<OpenAIApiErrorInit, 'retryable' | 'code'> & { shouldRetry?: boolean | undefined },
  ) {
    super({
      ...init,
      retryable: init.shouldRetry !== false,
      code: 'X_PROVIDER_OPENAI_SERVER_BUSY',
    });
    branded(this, BRAND.serverBusy, 'ServerBusyError');
  }
}

/**
 * The prompt does not fit the model's context window: found before sending (`source: 'estimate'`)
 * or said by the server (`source: 'server'`, `context_length_exceeded`; or `/embeddings`'
 * `max_tokens_per_request`, `promptTokens` and `contextWindow` its counts). Never retried.
 */
export class ContextOverflowError extends CoreContextOverflowError {
  declare readonly code: 'X_PROVIDER_OPENAI_CONTEXT_OVERFLOW';
  /** The answer's `x-request-id` header, when the server refused the prompt (`source: 'server'`). */
  readonly requestId: string | undefined;

  constructor(
    init: ContextOverflowInit & {
      label?: string | undefined;
      requestId?: string | undefined;
      /** Instead of the window's: another limit of the prompt (`/embeddings`' tokens a request). */
      message?: string | undefined;
    },
  ) {
    super({ ...init, origin: originOf(init.label) });
    branded(this, BRAND.contextOverflow, 'ContextOverflowError');
    this.requestId = init.requestId;
    if (init.message !== undefined) this.message = init.message;
  }
}

/** Options of {@link OpenAIStreamError}: why the stream failed, what had arrived, the error body. */
export interface OpenAIStreamErrorInit extends OpenAIErrorBody {
  reason: StreamFailure;
  serverMessage?: string | undefined;
  partial: PartialResponse;
  message?: string | undefined;
  label?: string | undefined;
  cause?: unknown;
  /**
   * The server's own failure (`server_error`, an overload) before the answer held anything, as a
   * 5xx status would have said it: another attempt may succeed.
   * @default false
   */
  retryable?: boolean | undefined;
}

/**
 * The stream failed after it started: an error event from the server (`reason: 'server-error'`,
 * with the error's `type` and `errorCode`), an event over `maxLineBytes` (`'line-too-long'`), or
 * data that is not JSON, or not the answer asked for, such as an embeddings answer that is not one
 * vector of numbers per input (`'invalid-json'`). Carries what arrived before. Retried only when
 * it is the server's own failure (`server_error`, an overload) and nothing of the answer had
 * arrived: never once a chunk reached the caller.
 */
export class OpenAIStreamError extends ProviderStreamError {
  declare readonly code: 'X_PROVIDER_OPENAI_STREAM';
  declare readonly retryable: boolean;
  readonly type: string | undefined;
  readonly errorCode: string | undefined;
  readonly param: string | undefined;

  constructor(init: OpenAIStreamErrorInit) {
    super({ ...init, origin: originOf(init.label) });
    branded(this, BRAND.stream, 'OpenAIStreamError');
    this.retryable = init.retryable === true;
    this.type = init.type;
    this.errorCode = init.errorCode;
    this.param = init.param;
  }
}

/** The stream ended before `data: [DONE]`. Carries what arrived before. Never retried. */
export class IncompleteStreamError extends CoreIncompleteStreamError {
  declare readonly code: 'X_PROVIDER_OPENAI_INCOMPLETE_STREAM';

  constructor(init: { partial: PartialResponse; cause?: unknown; label?: string | undefined }) {
    super({
      ...init,
      origin: originOf(init.label),
      message: `${init.label ?? 'OpenAI'}'s response ended before it was complete (no [DONE]) after ${init.partial.chunks} chunk(s)`,
    });
    branded(this, BRAND.incompleteStream, 'IncompleteStreamError');
  }
}

/** A deadline of `timeouts` fired. Retryable when nothing had arrived yet. */
export class OpenAITimeoutError extends ProviderTimeoutError {
  declare readonly code: 'X_PROVIDER_OPENAI_TIMEOUT';

  constructor(init: TimeoutErrorInit & { label?: string | undefined }) {
    super({ ...init, origin: originOf(init.label) });
    branded(this, BRAND.timeout, 'OpenAITimeoutError');
  }
}

/** The connection failed before an answer (refused, reset, DNS). Retryable. */
export class OpenAIConnectionError extends ProviderConnectionError {
  declare readonly code: 'X_PROVIDER_OPENAI_CONNECTION';

  constructor(init: Omit<ConnectionErrorInit, 'from'> & { label?: string | undefined }) {
    super({ ...init, from: originOf(init.label) });
    branded(this, BRAND.connection, 'OpenAIConnectionError');
  }
}

/**
 * The server answered with something that is not valid HTTP (`causeCode` `HPE_*`...), or with a
 * body in a `Content-Encoding` other than the identity asked (`CONTENT_ENCODING`). Never retried.
 */
export class OpenAIProtocolError extends ProviderProtocolError {
  declare readonly code: 'X_PROVIDER_OPENAI_PROTOCOL';

  constructor(init: ProtocolErrorInit & { label?: string | undefined }) {
    super({ ...init, from: originOf(init.label) });
    branded(this, BRAND.protocol, 'OpenAIProtocolError');
  }
}

/** The provider was closed; no new request is accepted. */
export class ProviderClosedError extends CoreProviderClosedError {
  declare readonly code: 'X_PROVIDER_OPENAI_CLOSED';

  constructor(init: { label?: string | undefined } & ClosedInit = {}) {
    super({ ...init, origin: originOf(init.label) });
    branded(this, BRAND.closed, 'ProviderClosedError');
  }
}

/**
 * The circuit breaker refused the call without sending it: the server failed recently. Retryable
 * after `retryAfterMs`; the breaker's `BreakerOpenError` is the `cause`.
 */
export class CircuitOpenError extends CoreCircuitOpenError {
  declare readonly code: 'X_PROVIDER_OPENAI_CIRCUIT_OPEN';

  constructor(init: Omit<CircuitOpenInit, 'origin'> & { label?: string | undefined }) {
    super({ ...init, origin: originOf(init.label) });
    branded(this, BRAND.circuitOpen, 'CircuitOpenError');
  }
}

/**
 * A local limit refused the call before it was sent (the rate limiter, the concurrency limit or
 * the pool queue). Retryable; `retryAfterMs` when predicted; the limit's error is the `cause`.
 * Not the server's 429: that is {@link RateLimitedError}.
 */
export class LocalLimitError extends CoreLocalLimitError {
  declare readonly code: 'X_PROVIDER_OPENAI_LOCAL_LIMIT';

  constructor(init: {
    message: string;
    retryAfterMs: number | undefined;
    cause: unknown;
    label?: string | undefined;
  }) {
    super({ ...init, origin: originOf(init.label) });
    branded(this, BRAND.localLimit, 'LocalLimitError');
  }
}

/**
 * `getApiKey()` failed, or gave no key a request can carry: nothing was sent. The message names
 * the thrown value's class and code, never its text; retryable.
 */
export class CredentialsError extends CoreCredentialsError {
  declare readonly code: 'X_PROVIDER_OPENAI_CREDENTIALS';

  constructor(init: { message: string; cause: unknown; label?: string | undefined }) {
    super({ ...init, origin: originOf(init.label) });
    branded(this, BRAND.credentials, 'CredentialsError');
  }
}

export type { AnyOpenAIApiError, AnyOpenAIError } from './error-guards';
export {
  isCircuitOpenError,
  isContextOverflowError,
  isCredentialsError,
  isIncompleteStreamError,
  isLocalLimitError,
  isModelNotFoundError,
  isOpenAIApiError,
  isOpenAIConnectionError,
  isOpenAIError,
  isOpenAIProtocolError,
  isOpenAIStreamError,
  isOpenAITimeoutError,
  isProviderClosedError,
  isRateLimitedError,
  isServerBusyError,
} from './error-guards';
