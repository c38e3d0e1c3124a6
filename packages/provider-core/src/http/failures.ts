import { retryAfterMs } from '@x/internal';
import { isPoolError } from '@x/pool';
import { ProviderApiError } from '../api-error';
import type { ErrorKit } from '../error-kit';
import type { ErrorOrigin } from '../errors';
import { isWebPage } from '../pipeline/answer-type';
import { redactedServerText, serverExcerpt, webPageGist } from '../server-text';
import { EMPTY_PARTIAL } from '../types';
import { findCause } from './find-cause';
import { redirectMessage } from './redirect-advice';
import { tlsFailure } from './tls-failures';
import { directDispatch, type Transport } from './transport';
import { transportCause } from './transport-cause';

/** What an HTTP error answer said, for a provider's mapping to its typed errors. */
export interface HttpFailure {
  statusCode: number;
  contentType: string | undefined;
  /** The body, read up to a small cap. */
  body: string;
  endpoint: string;
  /** The model of the request, to name it in a not-found error. */
  model: string | undefined;
  /** Response headers (for `retry-after`, rate-limit headers...). */
  headers: Record<string, string | string[] | undefined>;
  /** The `Location` of a redirect. */
  location: string | undefined;
  /** What was asked, `POST http://host:11434/api/chat`: no credentials, no query. */
  request: string;
  /** Scrubs secrets from server text. */
  redact: (text: string) => string;
}

/**
 * Receives the status and headers of one answer (success or error), as soon as they arrive. For
 * an error answer it may return an {@link ErrorBodyLost}: told when that answer's body then cannot
 * be read whole, when the headers are all the server said. What else it returns is ignored (typed
 * `unknown`, so that an observer written as `(s, h) => seen.push(s)` still fits).
 */
export type ExchangeAnswered = (
  statusCode: number,
  headers: Record<string, string | string[] | undefined>,
) => unknown;

/**
 * Told that an error answer's body did not arrive whole (the connection broke or ended before its
 * length, its deadline passed, the call was aborted), with what of it arrived. The call still ends
 * with the error the cut gives (a connection or timeout error): the status's mapper never sees
 * the body, so what it would have decided from it (a 429's pause) is the observer's to decide.
 */
export type ErrorBodyLost = (arrived: string) => void;

/**
 * Watches the HTTP exchanges of a provider: called when an attempt is sent (with its endpoint);
 * the function it returns, if any, receives that attempt's answer status and headers, error
 * answers included (a connection that fails before an answer reports nothing). For a provider that
 * learns from response headers, such as rate-limit headers.
 */
export type ExchangeObserver = (endpoint: string) => ExchangeAnswered | undefined;

/** Maps an HTTP error answer (status 300 and above) to a typed error. */
export type HttpErrorMapper = (failure: HttpFailure) => Error;

/**
 * The message of an answer that says the request went to the wrong place, nearly always a
 * `baseUrl` with a path too many or one too few, or with the port of another service: a 404 that
 * is not the API's word on a model (the server serves nothing at that path; the bare `404 page not
 * found` would send the user after the model instead), a 405 or 501 that is not the API's (a
 * static or web server refusing the POST), or a web page with any of them. `advice` says what the
 * provider's `baseUrl` looks like.
 */
export function notServedMessage(
  label: string,
  failure: HttpFailure,
  serverText: string,
  advice: string,
): string {
  const { statusCode, request } = failure;
  const page = isWebPageFailure(failure);
  const head = page
    ? answeredText(label, failure, serverText)
    : `${label} ${failure.endpoint} answered ${statusCode} (${serverText || 'empty body'})`;
  const what =
    statusCode === 404
      ? `nothing is served at ${request}`
      : `the server there does not take ${request}`;
  // Ollama's own plain 404 is Ollama: no other service is guessed at.
  const other = page || statusCode !== 404 ? ' (another service may be listening there)' : '';
  return `${head}: ${what}. Is baseUrl right?${other} ${advice}`;
}

/**
 * True for an error answer that is a web page: `text/html` (or XHTML), or a body that starts as
 * markup whatever its type (`<!DOCTYPE html>`, `<html>`): a web or static server, a proxy's page.
 */
export function isWebPageFailure(failure: HttpFailure): boolean {
  return isWebPage(failure.contentType) || /^\s*<(?:!doctype|html)\b/i.test(failure.body);
}

/**
 * `<label> <endpoint> answered <status>: <serverText>`, or for a web page (see
 * {@link isWebPageFailure}) what it is and its title instead of its markup (`answered 502 with a
 * web page (text/html; its title: "502 Bad Gateway")`), which quoted would be hundreds of
 * characters of escaped tags.
 */
export function answeredText(label: string, failure: HttpFailure, serverText: string): string {
  const head = `${label} ${failure.endpoint} answered ${failure.statusCode}`;
  if (!isWebPageFailure(failure)) return `${head}: ${serverText || '(empty body)'}`;
  return `${head} with ${describeWebPage(failure)}`;
}

/** `a web page (text/html; its title: "429 Too Many Requests")`: a web page named, never quoted. */
export function describeWebPage(failure: HttpFailure): string {
  const type =
    failure.contentType === undefined
      ? 'no Content-Type'
      : serverExcerpt(failure.contentType, failure.redact);
  return `a web page (${type}; ${webPageGist(failure.body.slice(0, PAGE_GIST_CHARS), failure.redact)})`;
}

/** How much of an error page is read for its title: its head, as a 200 page's kept bytes. */
const PAGE_GIST_CHARS = 2048;

/**
 * `POST http://host:11434/api/chat` for a message: the URL without its credentials, query or
 * fragment, which may hold secrets (`?key=` for some gateways).
 */
export function describeRequest(method: string, url: string): string {
  try {
    const u = new URL(url);
    return `${method} ${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return method;
  }
}

/** Reads `Retry-After` (delay-seconds or an HTTP date) as ms, capped at the longest timer (2^31-1 ms). */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return typeof text === 'string' ? retryAfterMs(text, now) : undefined;
}

/**
 * The error text of an error body: a JSON `error` string or `error.message`, else the raw text,
 * cut to `SERVER_TEXT_MAX` (500) characters. `redact` runs before the cut (over a bounded
 * window: `redactedServerText`), so a secret the cut would split is still recognised whole.
 */
export function serverMessage(
  contentType: string | undefined,
  body: string,
  redact: (text: string) => string,
): string {
  const trimmed = body.trim();
  return redactedServerText(errorText(contentType, trimmed) ?? trimmed, redact);
}

/** The error text a JSON error body names, if it is one and names any. */
function errorText(contentType: string | undefined, body: string): string | undefined {
  if (!body.startsWith('{') && !contentType?.includes('json')) return undefined;
  try {
    const parsed = JSON.parse(body) as { error?: unknown; message?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
    if (typeof parsed.error === 'object' && parsed.error !== null) {
      const message = (parsed.error as { message?: unknown }).message;
      if (typeof message === 'string') return message;
    }
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not JSON after all: the raw text.
  }
  return undefined;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  // undici's socket closed under the request (`reset`, `socket idle timeout`): not the answer's
  // fault, and a request it fails was not answered.
  'UND_ERR_INFO',
]);

/** The system or undici code of an error, looking through `cause` and `AggregateError`. */
function systemCode(error: unknown): string | undefined {
  return findCause(
    error,
    ({ code }) => (typeof code === 'string' && code !== 'UND_ERR_REQ_RETRY' ? code : undefined),
    true,
  );
}

/**
 * undici's `SocketError`s that are the answer's fault, by message (undici gives them no code of
 * their own): a 101 to a request that asked for no upgrade, a 100 to one that sent no `Expect`.
 */
const UNSOLICITED: Record<string, string> = {
  'bad upgrade': 'UNEXPECTED_UPGRADE',
  'bad response': 'UNEXPECTED_CONTINUE',
};

/**
 * undici's errors for an answer that is not HTTP/1.1 (bytes where the status line or a chunk size
 * should be, headers past its limit, a 1xx nobody asked for): the code of one, looking through
 * `cause`, or undefined. Its parser leaves `code` unset for some failures, so the class name
 * counts too. Before the answer's headers, a Content-Length mismatch is a framing the headers
 * contradict (Content-Length with chunked); once a body is being read, it is a body cut short,
 * which the connection, not the protocol, explains. A parser error (`HPE_*`) is the server's
 * broken HTTP wherever it comes, the body included (`bodyFailure`).
 */
function protocolCode(error: unknown, answered: boolean): string | undefined {
  return findCause(error, (e) => {
    if (typeof e.code === 'string') {
      if (e.code.startsWith('HPE_') || e.code === 'UND_ERR_HEADERS_OVERFLOW') return e.code;
      if (e.code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' && !answered) return e.code;
      if (e.code === 'UND_ERR_SOCKET' && typeof e.message === 'string') {
        const unsolicited = UNSOLICITED[e.message];
        if (unsolicited !== undefined) return unsolicited;
      }
    }
    return e.name === 'HTTPParserError' ? 'HPE_INVALID' : undefined;
  });
}

/**
 * What ends an answer whose body broke while it was read. Bytes the parser refuses there (a chunk
 * size that is not hex, a chunk longer than its size, a chunk without its CRLF) are the server
 * speaking broken HTTP, as they are before the body: the protocol error. A body the connection
 * cut (reset, closed before its length) is an incomplete stream. Either carries an empty
 * `partial`, which the pipeline fills with what had arrived (`withPartial`).
 */
export function bodyFailure(
  error: unknown,
  init: Pick<TransportFailureInit, 'kit' | 'origin' | 'redact'>,
): Error {
  const causeCode = protocolCode(error, true);
  if (causeCode === undefined) {
    return init.kit.incomplete({
      partial: EMPTY_PARTIAL,
      cause: transportCause(error, init.redact),
    });
  }
  return init.kit.protocol({
    origin: init.origin,
    causeCode,
    partial: EMPTY_PARTIAL,
    cause: transportCause(error, init.redact, causeCode),
  });
}

/** What {@link mapTransportError} needs of an attempt. */
export interface TransportFailureInit {
  kit: ErrorKit;
  /** The origin called, for connection errors (never with credentials). */
  origin: string;
  timeouts: { connectMs: number };
  /** The call's redaction: every secret it knows, its own key included. */
  redact: (text: string) => string;
  transport: Transport;
}

/**
 * Maps an error thrown before an answer arrived, or while an error answer's body was read
 * (`answered`): network failures become the provider's connection error (retryable), answers
 * that are not HTTP its protocol error (never retried: the server answered, maybe after it began
 * generating), undici's connect timeout its timeout error, a request body whose length is not its
 * `content-length` a `RangeError` (never retried). Anything else a custom transport threw (an
 * axios or got error, a `TypeError`, a string) is its connection error too, `causeCode` its code
 * or else its class name: user code's errors may quote the request, so the caller gets ours. What
 * else a built-in transport throws (the pool's queue timeout, for `normalizeFailure`) is returned
 * unchanged; so is the pool's error from a custom transport built on a pool. Each error of ours
 * holds the thrown value as a scrubbed copy (`transportCause`), never the value itself.
 */
export function mapTransportError(
  error: unknown,
  init: TransportFailureInit,
  answered = false,
): unknown {
  const { kit, origin, redact } = init;
  const code = systemCode(error);
  if (code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH') {
    // The upload's own count (`http/upload.ts`) ends such a call first; this is for a transport
    // that changed the body on its way. The caller's `length` is wrong, not the server.
    return new RangeError(
      'Expected `body.length` to be the number of bytes of `body.data`: the request body sent did not match its content-length',
      { cause: transportCause(error, redact) },
    );
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return kit.timeout({
      timeout: 'connect',
      timeoutMs: init.timeouts.connectMs,
      retryable: true,
      cause: transportCause(error, redact),
    });
  }
  // First: a 101 nobody asked for arrives as undici's socket error, which is a connection code.
  const protocol = protocolCode(error, answered);
  if (protocol !== undefined) {
    return kit.protocol({
      origin,
      causeCode: protocol,
      cause: transportCause(error, redact, protocol),
    });
  }
  // The pool's DNS cache could not resolve the host: as unreachable as a refused connection.
  // A body cut short after its headers said its length: the connection broke under it.
  // A TLS handshake that failed (Node's `ERR_SSL_*`, `ERR_TLS_*` and certificate codes): the
  // connection error says why, and is not retried when a retry would fail alike (`tlsFailure`).
  if (
    code !== undefined &&
    (CONNECTION_CODES.has(code) ||
      code === 'X_POOL_DNS' ||
      code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' ||
      code.startsWith('ERR_TLS_') ||
      tlsFailure(code) !== undefined)
  ) {
    return kit.connection({ origin, causeCode: code, cause: transportCause(error, redact) });
  }
  if (directDispatch(init.transport) !== undefined || isPoolError(error)) return error;
  const cause = transportCause(error, redact);
  return kit.connection({ origin, causeCode: cause.code ?? cause.name, cause });
}

/** Statuses worth another attempt: timeouts, rate limits, and server trouble. */
const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * A generic HTTP error mapping for a provider without special cases: the body's error text,
 * `Retry-After`, retryable for 408, 425, 429 and 5xx (but 501), `kind: 'server-busy'` for 503 and
 * 529 (overloaded), and a redirect named (never followed).
 */
export function mapHttpStatus(origin: ErrorOrigin): HttpErrorMapper {
  return (failure) => {
    const { statusCode } = failure;
    const message =
      statusCode < 400
        ? redirectMessage(failure)
        : serverMessage(failure.contentType, failure.body, failure.redact);
    const busy = statusCode === 503 || statusCode === 529;
    return new ProviderApiError({
      origin,
      statusCode,
      serverMessage: message,
      endpoint: failure.endpoint,
      retryable: RETRYABLE_STATUS.has(statusCode) || busy,
      retryAfterMs: parseRetryAfter(failure.headers['retry-after']),
      ...(busy ? { kind: 'server-busy' as const, reason: 'SERVER_BUSY' } : {}),
      message:
        statusCode >= 400 && isWebPageFailure(failure)
          ? answeredText(origin.label, failure, message)
          : undefined,
    });
  };
}
