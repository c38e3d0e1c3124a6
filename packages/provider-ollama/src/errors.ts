/**
 * Error classes of `@x/provider-ollama`. Each has a stable `code`, read-only data fields, the
 * original error as `cause`, and a `Symbol.for('@x/provider-ollama/<Name>')` brand checked by its
 * `isX()` guard, so the guards work across duplicate installs. Errors of the sibling packages
 * (`BreakerOpenError`, `RateLimitTimeoutError`, `PoolTimeoutError`...) pass through unchanged.
 *
 * No message or field ever holds an API key or an Authorization header.
 */

const brand = (name: string): symbol => Symbol.for(`@x/provider-ollama/${name}`);

const OLLAMA_ERROR = brand('OllamaError');
const API_ERROR = brand('OllamaApiError');
const MODEL_NOT_FOUND = brand('ModelNotFoundError');
const SERVER_BUSY = brand('ServerBusyError');
const CONTEXT_OVERFLOW = brand('ContextOverflowError');
const STREAM_ERROR = brand('OllamaStreamError');
const INCOMPLETE_STREAM = brand('IncompleteStreamError');
const TIMEOUT = brand('OllamaTimeoutError');
const CONNECTION = brand('OllamaConnectionError');
const CLOSED = brand('ProviderClosedError');

function mark(target: object, symbol: symbol): void {
  Object.defineProperty(target, symbol, { value: true, enumerable: false });
}

function has(error: unknown, symbol: symbol): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as Record<symbol, unknown>)[symbol] === true
  );
}

/** What a stream had produced before it failed. */
export interface PartialResponse {
  /** Text content received so far. */
  readonly content: string;
  /** Thinking text received so far (thinking models). */
  readonly thinking: string;
  /** Tool calls received so far. */
  readonly toolCalls: readonly import('./types').ToolCall[];
  /** Number of NDJSON chunks received. */
  readonly chunks: number;
}

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
  | 'X_PROVIDER_OLLAMA_CLOSED';

/**
 * Base class of every runtime error of this package.
 */
export class OllamaError extends Error {
  /** Stable machine-readable code. */
  readonly code: OllamaErrorCode;
  /** Whether the request may succeed if sent again (used by the retry policy). */
  readonly retryable: boolean;

  constructor(
    message: string,
    code: OllamaErrorCode,
    retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OllamaError';
    this.code = code;
    this.retryable = retryable;
    mark(this, OLLAMA_ERROR);
  }
}

/**
 * The server answered with an HTTP error status (or a redirect, which is not followed: the
 * message names its `Location`) before any chunk was streamed.
 * `retryable` is true for 429, 502, 503, 504 and 500s that are not client mistakes.
 */
export class OllamaApiError extends OllamaError {
  /** HTTP status code. */
  readonly statusCode: number;
  /** The `error` text of the JSON body, or the plain-text body (truncated to 500 characters). */
  readonly serverMessage: string;
  /** The endpoint path, such as `/api/chat`. */
  readonly endpoint: string;
  /** Delay asked for by a `Retry-After` header, in ms. */
  readonly retryAfterMs: number | undefined;

  constructor(init: {
    statusCode: number;
    serverMessage: string;
    endpoint: string;
    retryable: boolean;
    retryAfterMs?: number | undefined;
    message?: string;
    code?: OllamaErrorCode;
    cause?: unknown;
  }) {
    super(
      init.message ??
        `Ollama ${init.endpoint} answered ${init.statusCode}: ${init.serverMessage || '(empty body)'}`,
      init.code ?? 'X_PROVIDER_OLLAMA_API',
      init.retryable,
      { cause: init.cause },
    );
    this.name = 'OllamaApiError';
    this.statusCode = init.statusCode;
    this.serverMessage = init.serverMessage;
    this.endpoint = init.endpoint;
    this.retryAfterMs = init.retryAfterMs;
    mark(this, API_ERROR);
  }
}

/** The model is not pulled on the server (404 with a JSON `error`). Never retried. */
export class ModelNotFoundError extends OllamaApiError {
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
    this.name = 'ModelNotFoundError';
    this.model = init.model;
    mark(this, MODEL_NOT_FOUND);
  }
}

/** The server's scheduler queue is full (503 "server busy"). Retried with backoff. */
export class ServerBusyError extends OllamaApiError {
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
    this.name = 'ServerBusyError';
    mark(this, SERVER_BUSY);
  }
}

/**
 * The prompt does not fit the model's context window: found before sending (`source: 'estimate'`)
 * or reported by the server (`source: 'server'`, a 400). Never retried.
 */
export class ContextOverflowError extends OllamaError {
  /** The model. */
  readonly model: string;
  /** Estimated prompt tokens, when known. */
  readonly promptTokens: number | undefined;
  /** Tokens kept free for the answer. */
  readonly reserveOutputTokens: number;
  /** The context window (`num_ctx`) the request would run with. */
  readonly contextWindow: number | undefined;
  /** The model's trained maximum context length, when known. */
  readonly trainedContextLength: number | undefined;
  /** How many tokens too many, when known. */
  readonly overflowBy: number | undefined;
  /** Who found the overflow. */
  readonly source: 'estimate' | 'server';

  constructor(init: {
    model: string;
    promptTokens?: number | undefined;
    reserveOutputTokens?: number;
    contextWindow?: number | undefined;
    trainedContextLength?: number | undefined;
    source: 'estimate' | 'server';
    serverMessage?: string;
    cause?: unknown;
  }) {
    const reserve = init.reserveOutputTokens ?? 0;
    const overflowBy =
      init.promptTokens !== undefined && init.contextWindow !== undefined
        ? init.promptTokens + reserve - init.contextWindow
        : undefined;
    super(
      init.source === 'server'
        ? `The prompt is longer than the context window of "${init.model}" (server: ${init.serverMessage ?? 'context length exceeded'})`
        : `The prompt of about ${init.promptTokens} tokens (+${reserve} reserved for the answer) does not fit the ${init.contextWindow}-token context window of "${init.model}"` +
            (init.trainedContextLength !== undefined
              ? ` (trained maximum ${init.trainedContextLength})`
              : ''),
      'X_PROVIDER_OLLAMA_CONTEXT_OVERFLOW',
      false,
      { cause: init.cause },
    );
    this.name = 'ContextOverflowError';
    this.model = init.model;
    this.promptTokens = init.promptTokens;
    this.reserveOutputTokens = reserve;
    this.contextWindow = init.contextWindow;
    this.trainedContextLength = init.trainedContextLength;
    this.overflowBy = overflowBy;
    this.source = init.source;
    mark(this, CONTEXT_OVERFLOW);
  }
}

/**
 * The stream failed after it started: an `{"error": ...}` line (`reason: 'server-error'`), a line
 * over the size cap (`'line-too-long'`) or a line or whole answer that is not JSON (`'invalid-json'`).
 * Carries what arrived before. Never retried.
 */
export class OllamaStreamError extends OllamaError {
  /** Why the stream failed. */
  readonly reason: 'server-error' | 'line-too-long' | 'invalid-json';
  /** The server's error text (for `'server-error'`). */
  readonly serverMessage: string;
  /** What had arrived before the failure. */
  readonly partial: PartialResponse;

  constructor(init: {
    reason: 'server-error' | 'line-too-long' | 'invalid-json';
    serverMessage?: string;
    partial: PartialResponse;
    message?: string;
    cause?: unknown;
  }) {
    super(
      init.message ?? `Ollama stream failed: ${init.serverMessage ?? init.reason}`,
      'X_PROVIDER_OLLAMA_STREAM',
      false,
      { cause: init.cause },
    );
    this.name = 'OllamaStreamError';
    this.reason = init.reason;
    this.serverMessage = init.serverMessage ?? '';
    this.partial = init.partial;
    mark(this, STREAM_ERROR);
  }
}

/** The response ended without a `done:true` chunk. Carries what arrived before. Never retried. */
export class IncompleteStreamError extends OllamaError {
  /** What had arrived before the end. */
  readonly partial: PartialResponse;

  constructor(init: { partial: PartialResponse; cause?: unknown }) {
    super(
      `Ollama's response ended without a done chunk after ${init.partial.chunks} chunk(s)`,
      'X_PROVIDER_OLLAMA_INCOMPLETE_STREAM',
      false,
      { cause: init.cause },
    );
    this.name = 'IncompleteStreamError';
    this.partial = init.partial;
    mark(this, INCOMPLETE_STREAM);
  }
}

/** Which deadline fired. */
export type TimeoutKind = 'connect' | 'firstToken' | 'idle' | 'total';

/**
 * A deadline of `timeouts` fired. Retryable when nothing had arrived yet (`connect`,
 * `firstToken`, or `total` before the first byte).
 */
export class OllamaTimeoutError extends OllamaError {
  /** Which deadline fired. */
  readonly timeout: TimeoutKind;
  /** Its length in ms. */
  readonly timeoutMs: number;
  /** What had arrived before it fired, if anything. */
  readonly partial: PartialResponse | undefined;

  constructor(init: {
    timeout: TimeoutKind;
    timeoutMs: number;
    retryable: boolean;
    partial?: PartialResponse | undefined;
    cause?: unknown;
  }) {
    const what: Record<TimeoutKind, string> = {
      connect: 'connecting to Ollama',
      firstToken: 'the first token',
      idle: 'the next chunk',
      total: 'the whole request',
    };
    super(
      `Timed out after ${init.timeoutMs} ms waiting for ${what[init.timeout]} (timeouts.${init.timeout}Ms)`,
      'X_PROVIDER_OLLAMA_TIMEOUT',
      init.retryable,
      { cause: init.cause },
    );
    this.name = 'OllamaTimeoutError';
    this.timeout = init.timeout;
    this.timeoutMs = init.timeoutMs;
    this.partial = init.partial;
    mark(this, TIMEOUT);
  }
}

/**
 * The connection failed or broke before a response arrived (refused, reset, DNS failure).
 * Retryable.
 */
export class OllamaConnectionError extends OllamaError {
  /** The system or undici error code, such as `ECONNREFUSED` or `UND_ERR_SOCKET`. */
  readonly causeCode: string | undefined;
  /** The origin that was called (credentials removed). */
  readonly origin: string;

  constructor(init: { origin: string; causeCode?: string | undefined; cause?: unknown }) {
    super(
      `Could not reach Ollama at ${init.origin}${init.causeCode ? ` (${init.causeCode})` : ''}`,
      'X_PROVIDER_OLLAMA_CONNECTION',
      true,
      { cause: init.cause },
    );
    this.name = 'OllamaConnectionError';
    this.causeCode = init.causeCode;
    this.origin = init.origin;
    mark(this, CONNECTION);
  }
}

/** The provider was closed; no new request is accepted. */
export class ProviderClosedError extends OllamaError {
  constructor() {
    super('The Ollama provider is closed', 'X_PROVIDER_OLLAMA_CLOSED', false);
    this.name = 'ProviderClosedError';
    mark(this, CLOSED);
  }
}

/** True for any error of this package (checks the brand, works across duplicate installs). */
export const isOllamaError = (error: unknown): error is OllamaError => has(error, OLLAMA_ERROR);
/** True for an {@link OllamaApiError} (and its subclasses). */
export const isOllamaApiError = (error: unknown): error is OllamaApiError => has(error, API_ERROR);
/** True for a {@link ModelNotFoundError}. */
export const isModelNotFoundError = (error: unknown): error is ModelNotFoundError =>
  has(error, MODEL_NOT_FOUND);
/** True for a {@link ServerBusyError}. */
export const isServerBusyError = (error: unknown): error is ServerBusyError =>
  has(error, SERVER_BUSY);
/** True for a {@link ContextOverflowError}. */
export const isContextOverflowError = (error: unknown): error is ContextOverflowError =>
  has(error, CONTEXT_OVERFLOW);
/** True for an {@link OllamaStreamError}. */
export const isOllamaStreamError = (error: unknown): error is OllamaStreamError =>
  has(error, STREAM_ERROR);
/** True for an {@link IncompleteStreamError}. */
export const isIncompleteStreamError = (error: unknown): error is IncompleteStreamError =>
  has(error, INCOMPLETE_STREAM);
/** True for an {@link OllamaTimeoutError}. */
export const isOllamaTimeoutError = (error: unknown): error is OllamaTimeoutError =>
  has(error, TIMEOUT);
/** True for an {@link OllamaConnectionError}. */
export const isOllamaConnectionError = (error: unknown): error is OllamaConnectionError =>
  has(error, CONNECTION);
/** True for a {@link ProviderClosedError}. */
export const isProviderClosedError = (error: unknown): error is ProviderClosedError =>
  has(error, CLOSED);
