import {
  ContextOverflowError,
  ModelNotFoundError,
  OllamaApiError,
  OllamaConnectionError,
  type OllamaError,
  OllamaTimeoutError,
  ServerBusyError,
} from '../errors';

/** Statuses that are worth retrying (besides non-client 500s). */
const RETRYABLE_STATUS = new Set([408, 429, 502, 503, 504]);

/** 500 texts that are the caller's mistake and would fail the same way again. */
const CLIENT_MISTAKE_500 =
  /must be of type|does not support|invalid|is required|unknown|cannot be/i;

const CONTEXT_OVERFLOW_400 = /longer than the context length|exceeds the context length/i;

/** Reads `Retry-After` (seconds or an HTTP date) as ms. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== 'string' || text.trim().length === 0) return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * The `error` of a JSON body, or the plain-text body, cut to 500 characters. `redact` runs before
 * the cut, so a secret the cut would split is still recognised whole.
 */
export function serverMessage(
  contentType: string | undefined,
  body: string,
  redact: (text: string) => string = (text) => text,
): string {
  const trimmed = body.trim();
  if (trimmed.startsWith('{') || contentType?.includes('json')) {
    try {
      const parsed = JSON.parse(trimmed) as { error?: unknown };
      if (typeof parsed.error === 'string') return redact(parsed.error).slice(0, 500);
      if (typeof parsed.error === 'object' && parsed.error !== null) {
        const message = (parsed.error as { message?: unknown }).message;
        if (typeof message === 'string') return redact(message).slice(0, 500);
      }
    } catch {
      // Not JSON after all: fall through to the raw text.
    }
  }
  return redact(trimmed).slice(0, 500);
}

/** Maps an HTTP error answer to a typed error. */
export function mapHttpError(init: {
  statusCode: number;
  contentType: string | undefined;
  body: string;
  endpoint: string;
  model: string | undefined;
  retryAfter: unknown;
  /** The `Location` of a redirect. */
  location?: string | undefined;
  redact: (text: string) => string;
}): OllamaError {
  const { statusCode, endpoint, model } = init;
  const message =
    statusCode < 400
      ? `redirected to ${init.redact(init.location ?? '(no location)')}; use that address as baseUrl`
      : serverMessage(init.contentType, init.body, init.redact);
  const retryAfterMs = parseRetryAfter(init.retryAfter);
  const isJson = init.contentType?.includes('json') === true || init.body.trim().startsWith('{');
  if (statusCode === 404 && isJson && /not found/i.test(message) && model !== undefined) {
    return new ModelNotFoundError({ model, serverMessage: message, endpoint });
  }
  if (statusCode === 503)
    return new ServerBusyError({ serverMessage: message, endpoint, retryAfterMs });
  if (statusCode === 400 && CONTEXT_OVERFLOW_400.test(message) && model !== undefined) {
    return new ContextOverflowError({ model, source: 'server', serverMessage: message });
  }
  const retryable =
    RETRYABLE_STATUS.has(statusCode) || (statusCode === 500 && !CLIENT_MISTAKE_500.test(message));
  return new OllamaApiError({
    statusCode,
    serverMessage: message,
    endpoint,
    retryable,
    retryAfterMs,
  });
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
]);

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const e = current as { code?: unknown; errors?: unknown[]; cause?: unknown };
    if (typeof e.code === 'string' && e.code !== 'UND_ERR_REQ_RETRY') return e.code;
    if (Array.isArray(e.errors) && e.errors.length > 0) current = e.errors[0];
    else current = e.cause;
  }
  return undefined;
}

/**
 * Maps an error thrown before a response arrived: network failures become
 * {@link OllamaConnectionError}, undici's connect timeout an {@link OllamaTimeoutError}; anything
 * else (a sibling's error, a programming error) is returned unchanged.
 */
export function mapTransportError(
  error: unknown,
  origin: string,
  connectTimeoutMs: number,
): unknown {
  const code = errorCode(error);
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new OllamaTimeoutError({
      timeout: 'connect',
      timeoutMs: connectTimeoutMs,
      retryable: true,
      cause: error,
    });
  }
  if (code !== undefined && CONNECTION_CODES.has(code)) {
    return new OllamaConnectionError({ origin, causeCode: code, cause: error });
  }
  return error;
}
