import { brand, hasBrand, mark } from '@x/internal';
import type { AnyProviderError, ProviderErrorOfKind } from './error-union';
import { dnsFailure } from './http/dns-failures';
import { tlsFailure } from './http/tls-failures';
import { cutServerText } from './server-text';
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

/** The kinds a {@link ProviderApiError} can have: its subclasses for a missing model and a busy server. */
export type ApiErrorKind = 'api' | 'model-not-found' | 'server-busy';

/** Which deadline fired (`probe`: the breaker's `probeTimeoutMs` while it probed the server). */
export type TimeoutKind = 'connect' | 'firstToken' | 'idle' | 'total' | 'probe' | 'consumer';

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
   * an `Error` keeps out of JSON, and every field of the error. Secrets were scrubbed from the
   * message when it was made.
   */
  toJSON(): Record<string, unknown> {
    return Object.assign({ name: this.name, message: this.message }, this as object);
  }
}

/**
 * True for an error of any provider built on `@x/provider-core` (works across duplicate installs).
 * Narrows to {@link AnyProviderError}, so a check of `kind` then reads that class's fields.
 */
export function isProviderError(error: unknown): error is AnyProviderError {
  return hasBrand(error, PROVIDER_ERROR);
}

/** True for a provider error of the given kind; narrows to that kind's class (`timeoutMs`...). */
export function isProviderErrorOfKind<K extends ProviderErrorKind>(
  error: unknown,
  kind: K,
): error is ProviderErrorOfKind<K> {
  return isProviderError(error) && error.kind === kind;
}

/** What a server's error answer said. */
export interface ApiErrorInit {
  statusCode: number;
  /** The server's error text (secrets scrubbed), cut to 500 characters (`SERVER_TEXT_MAX`). */
  serverMessage: string;
  /** The endpoint path, such as `/api/chat`. */
  endpoint: string;
  retryable: boolean;
  retryAfterMs?: number | undefined;
  message?: string | undefined;
  cause?: unknown;
}

/** The server answered with an HTTP error status (or a redirect, which is not followed). */
export class ProviderApiError extends ProviderError {
  declare readonly kind: ApiErrorKind;
  /** HTTP status code. */
  readonly statusCode: number;
  /** The error text of the body (secrets scrubbed), cut to 500 characters (`SERVER_TEXT_MAX`). */
  readonly serverMessage: string;
  /** The endpoint path. */
  readonly endpoint: string;

  constructor(
    init: ApiErrorInit & {
      origin: ErrorOrigin;
      kind?: ApiErrorKind | undefined;
      reason?: string | undefined;
    },
  ) {
    super(
      init.message ??
        `${init.origin.label} ${init.endpoint} answered ${init.statusCode}: ${cutServerText(init.serverMessage) || '(empty body)'}`,
      {
        origin: init.origin,
        kind: init.kind ?? 'api',
        reason: init.reason ?? 'API',
        retryable: init.retryable,
        retryAfterMs: init.retryAfterMs,
        cause: init.cause,
      },
    );
    this.name = 'ProviderApiError';
    this.statusCode = init.statusCode;
    this.serverMessage = cutServerText(init.serverMessage);
    this.endpoint = init.endpoint;
  }
}

/** What a context overflow is about. */
export interface ContextOverflowInit {
  model: string;
  promptTokens?: number | undefined;
  reserveOutputTokens?: number | undefined;
  contextWindow?: number | undefined;
  trainedContextLength?: number | undefined;
  source: 'estimate' | 'server';
  serverMessage?: string | undefined;
  cause?: unknown;
}

/** The prompt does not fit the model's context window (who found it: `source`). Never retried. */
export class ContextOverflowError extends ProviderError {
  declare readonly kind: 'context-overflow';
  readonly model: string;
  /** Estimated prompt tokens, when known. */
  readonly promptTokens: number | undefined;
  /** Tokens kept free for the answer. */
  readonly reserveOutputTokens: number;
  /** The context window the request would run with. */
  readonly contextWindow: number | undefined;
  /** The model's trained maximum context length, when known. */
  readonly trainedContextLength: number | undefined;
  /** How many tokens too many, when known. */
  readonly overflowBy: number | undefined;
  /** Who found the overflow. */
  readonly source: 'estimate' | 'server';

  constructor(init: ContextOverflowInit & { origin: ErrorOrigin }) {
    const reserve = init.reserveOutputTokens ?? 0;
    super(
      init.source === 'server'
        ? `The prompt is longer than the context window of "${init.model}" (server: ${cutServerText(init.serverMessage ?? 'context length exceeded')})`
        : `The prompt of about ${init.promptTokens} tokens (+${reserve} reserved for the answer) does not fit the ${init.contextWindow}-token context window of "${init.model}"` +
            (init.trainedContextLength !== undefined
              ? ` (trained maximum ${init.trainedContextLength})`
              : ''),
      {
        origin: init.origin,
        kind: 'context-overflow',
        reason: 'CONTEXT_OVERFLOW',
        retryable: false,
        cause: init.cause,
      },
    );
    this.name = 'ContextOverflowError';
    this.model = init.model;
    this.promptTokens = init.promptTokens;
    this.reserveOutputTokens = reserve;
    this.contextWindow = init.contextWindow;
    this.trainedContextLength = init.trainedContextLength;
    this.overflowBy =
      init.promptTokens !== undefined && init.contextWindow !== undefined
        ? init.promptTokens + reserve - init.contextWindow
        : undefined;
    this.source = init.source;
  }
}

/** Why a stream failed after it started. */
export type StreamFailure = 'server-error' | 'line-too-long' | 'invalid-json' | 'too-large';

/** What a {@link ProviderStreamError} is made of: why the stream failed, and what had arrived. */
export interface StreamErrorInit {
  reason: StreamFailure;
  serverMessage?: string | undefined;
  partial: PartialResponse;
  message?: string | undefined;
  cause?: unknown;
}

/**
 * The stream failed after it started: an error message from the server (`'server-error'`), a line
 * over the size cap (`'line-too-long'`), an answer over the size cap (`'too-large'`) or something
 * that is not JSON (`'invalid-json'`). Carries what arrived before. Never retried.
 */
export class ProviderStreamError extends ProviderError {
  declare readonly kind: 'stream';
  readonly reason: StreamFailure;
  /** The server's error text (for `'server-error'`), cut to 500 characters (`SERVER_TEXT_MAX`). */
  readonly serverMessage: string;
  /** What had arrived before the failure. */
  readonly partial: PartialResponse;

  constructor(init: StreamErrorInit & { origin: ErrorOrigin }) {
    super(
      init.message ??
        `${init.origin.label} stream failed: ${cutServerText(init.serverMessage ?? init.reason)}`,
      {
        origin: init.origin,
        kind: 'stream',
        reason: 'STREAM',
        retryable: false,
        cause: init.cause,
      },
    );
    this.name = 'ProviderStreamError';
    this.reason = init.reason;
    this.serverMessage = cutServerText(init.serverMessage ?? '');
    this.partial = init.partial;
  }
}

/** The answer ended before it was complete. Carries what arrived before. Never retried. */
export class IncompleteStreamError extends ProviderError {
  declare readonly kind: 'incomplete-stream';
  /** What had arrived before the end. */
  readonly partial: PartialResponse;

  constructor(init: {
    partial: PartialResponse;
    cause?: unknown;
    message?: string | undefined;
    origin: ErrorOrigin;
  }) {
    super(
      init.message ??
        `${init.origin.label}'s response ended before it was complete, after ${init.partial.chunks} chunk(s)`,
      {
        origin: init.origin,
        kind: 'incomplete-stream',
        reason: 'INCOMPLETE_STREAM',
        retryable: false,
        cause: init.cause,
      },
    );
    this.name = 'IncompleteStreamError';
    this.partial = init.partial;
  }
}

/** What a {@link ProviderTimeoutError} is made of: which deadline fired, and after how long. */
export interface TimeoutErrorInit {
  timeout: TimeoutKind;
  timeoutMs: number;
  retryable: boolean;
  partial?: PartialResponse | undefined;
  cause?: unknown;
  /**
   * What was waited for, when not what `timeout` names: `the whole answer` of a metadata call,
   * `the error answer's body`, `the server to take the next part of the request body` (an upload).
   */
  waitedFor?: string | undefined;
  /** The option that set the deadline, when not the one `timeout` names (`timeouts.idleMs`...). */
  option?: string | undefined;
}

/** A deadline fired. Retryable when nothing had arrived yet. */
export class ProviderTimeoutError extends ProviderError {
  declare readonly kind: 'timeout';
  /** Which deadline fired. */
  readonly timeout: TimeoutKind;
  /** Its length in ms. */
  readonly timeoutMs: number;
  /** What had arrived before it fired, if anything. */
  readonly partial: PartialResponse | undefined;

  constructor(init: TimeoutErrorInit & { origin: ErrorOrigin }) {
    const what: Record<TimeoutKind, string> = {
      connect: `connecting to ${init.origin.label}`,
      firstToken: 'the first token',
      idle: 'the next chunk',
      total: 'the whole request',
      probe: 'the answer to a circuit breaker probe',
      consumer: 'the caller to read the next chunk',
    };
    const option =
      init.option ??
      (init.timeout === 'probe' ? 'breaker.probeTimeoutMs' : `timeouts.${init.timeout}Ms`);
    const waited = init.waitedFor ?? what[init.timeout];
    super(`Timed out after ${init.timeoutMs} ms waiting for ${waited} (${option})`, {
      origin: init.origin,
      kind: 'timeout',
      reason: 'TIMEOUT',
      retryable: init.retryable,
      cause: init.cause,
    });
    this.name = 'ProviderTimeoutError';
    this.timeout = init.timeout;
    this.timeoutMs = init.timeoutMs;
    this.partial = init.partial;
  }
}

/**
 * The connection failed or broke before an answer arrived (refused, reset, DNS). Retryable, but
 * for a TLS failure another attempt would meet again (no TLS at the address, a certificate
 * refused), whose message says which. What came back but is not HTTP is a
 * `ProviderProtocolError` (`protocol-error.ts`) instead.
 */
export class ProviderConnectionError extends ProviderError {
  declare readonly kind: 'connection';
  /** The system or undici error code, such as `ECONNREFUSED`. */
  readonly causeCode: string | undefined;
  /** The origin that was called (never with credentials). */
  readonly origin: string;

  constructor(
    init: { origin: string; causeCode?: string | undefined; cause?: unknown } & {
      from: ErrorOrigin;
    },
  ) {
    const tls = tlsFailure(init.causeCode);
    const why = tls ?? dnsFailure(init.causeCode, init.cause, init.origin);
    super(
      `Could not reach ${init.from.label} at ${init.origin}${init.causeCode ? ` (${init.causeCode})` : ''}${why === undefined ? '' : `: ${why}`}`,
      {
        origin: init.from,
        kind: 'connection',
        reason: 'CONNECTION',
        retryable: tls === undefined,
        cause: init.cause,
      },
    );
    this.name = 'ProviderConnectionError';
    this.causeCode = init.causeCode;
    this.origin = init.origin;
  }
}

/** The partial answer an error carries, if any. */
export function partialOf(error: unknown): PartialResponse | undefined {
  const partial = (error as { partial?: unknown } | null)?.partial;
  return typeof partial === 'object' && partial !== null ? (partial as PartialResponse) : undefined;
}
