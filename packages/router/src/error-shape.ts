/**
 * What an error not built on `@x/provider-core` says by its shape: a provider of the user's own,
 * another SDK's client (`openai`'s `APIError` has `status`), or Node's own `fetch` (a
 * `TypeError('fetch failed')` whose `cause` is the socket's `ECONNREFUSED`). Without this, such a
 * failure was never retryable and a `TypeError` from `fetch` was taken for the caller's mistake.
 */
import { isProviderError, type ProviderErrorKind } from '@x/provider-core';
import { readProperty as read } from './thrown-value';

/** What a recognised shape means for the call. */
export interface ErrorShape {
  /**
   * `fallback`: the deployment's trouble; `fatal`: the caller's (a 400 fails the same anywhere);
   * `context`: the prompt does not fit this deployment's window.
   */
  verdict: 'fallback' | 'fatal' | 'context';
  /** A retry later may succeed (a 429, a 5xx, a reset connection). */
  retryable: boolean;
  kind: ProviderErrorKind;
  /** The HTTP status the error carries, when it does. */
  status: number | undefined;
}

/**
 * How deep the `cause` chain is followed, and how many errors are read in all (an
 * `AggregateError`'s `errors` included): a chain is a user's object, possibly cyclic or endless.
 */
const MAX_DEPTH = 5;
const MAX_READ = 16;
const MAX_AGGREGATED = 8;

/** 4xx statuses that are the deployment's trouble (as `classify` reads a provider's). */
const RETRYABLE_4XX = new Set([408, 409, 425, 429]);
/**
 * Its key, its permissions, or its model (the router names each deployment's model; a 404 of an
 * SDK is most often a model that server lacks): another deployment may do; a retry here will not.
 */
const DEPLOYMENT_ONLY_4XX = new Set([401, 403, 404]);

/** Socket and DNS failures that another try, or another deployment, may not meet. */
const CONNECTION_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENETRESET',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT',
]);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

function httpStatus(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599
    ? value
    : undefined;
}

/** The shape of one error alone, without its causes. */
function shapeOfOne(error: unknown, nested: boolean): ErrorShape | undefined {
  // A provider error wrapped by the user's code keeps its own reading.
  if (nested && isProviderError(error)) {
    return error.retryable
      ? { verdict: 'fallback', retryable: true, kind: error.kind, status: undefined }
      : undefined;
  }
  const status =
    httpStatus(read(error, 'status')) ??
    httpStatus(read(error, 'statusCode')) ??
    httpStatus(read(read(error, 'response'), 'status'));
  // OpenAI's code for a prompt over the model's window (a 400 otherwise taken as the caller's):
  // a deployment with a larger window may hold it.
  if (read(error, 'code') === 'context_length_exceeded') {
    return { verdict: 'context', retryable: false, kind: 'context-overflow', status };
  }
  if (status !== undefined) {
    const busy = status === 429 || status === 503;
    const kind: ProviderErrorKind = busy ? 'server-busy' : 'api';
    if (status >= 500 || RETRYABLE_4XX.has(status)) {
      return { verdict: 'fallback', retryable: true, kind, status };
    }
    if (DEPLOYMENT_ONLY_4XX.has(status))
      return { verdict: 'fallback', retryable: false, kind, status };
    return { verdict: 'fatal', retryable: false, kind, status };
  }
  const code = read(error, 'code');
  if (typeof code === 'string') {
    if (CONNECTION_CODES.has(code)) {
      return { verdict: 'fallback', retryable: true, kind: 'connection', status: undefined };
    }
    if (TIMEOUT_CODES.has(code)) {
      return { verdict: 'fallback', retryable: true, kind: 'timeout', status: undefined };
    }
  }
  // `AbortSignal.timeout()` of the user's provider (the caller's own abort is read before this).
  if (read(error, 'name') === 'TimeoutError') {
    return { verdict: 'fallback', retryable: true, kind: 'timeout', status: undefined };
  }
  return undefined;
}

/**
 * The shape of `error` or, when it has none, of the first of its causes that has one (its
 * `cause`, an `AggregateError`'s `errors`), breadth first, {@link MAX_DEPTH} levels at most.
 * `undefined` for a `ProviderError` itself (its `kind` and `retryable` say it) and for an error
 * of no known shape.
 */
export function shapeOf(error: unknown): ErrorShape | undefined {
  if (isProviderError(error)) return undefined;
  return firstInChain(error, (e, depth) => shapeOfOneOrNone(e, depth > 0));
}

/**
 * The first value `found` gives for `error` or one of its causes (its `cause`, an
 * `AggregateError`'s `errors`), breadth first: {@link MAX_DEPTH} levels and {@link MAX_READ}
 * errors at most, each read once (a chain is a user's object, possibly cyclic or endless).
 */
export function firstInChain<T>(
  error: unknown,
  found: (e: unknown, depth: number) => T | undefined,
): T | undefined {
  const seen = new Set<unknown>();
  let level: unknown[] = [error];
  for (let depth = 0; depth <= MAX_DEPTH && level.length > 0; depth++) {
    const next: unknown[] = [];
    for (const e of level) {
      if (seen.has(e) || seen.size >= MAX_READ) continue;
      seen.add(e);
      const value = found(e, depth);
      if (value !== undefined) return value;
      const cause = read(e, 'cause');
      if (cause !== undefined && cause !== null) next.push(cause);
      next.push(...aggregated(read(e, 'errors')));
    }
    level = next;
  }
  return undefined;
}

/**
 * Each step of the walk reads a user's object, and this runs while a call handles its provider's
 * failure: a throw there (a getter, a Proxy's trap, a revoked Proxy) would reject the call with
 * it, no fallback tried. A step that throws counts as "no shape".
 */
function shapeOfOneOrNone(error: unknown, nested: boolean): ErrorShape | undefined {
  try {
    return shapeOfOne(error, nested);
  } catch {
    return undefined;
  }
}

/** The first {@link MAX_AGGREGATED} of an `AggregateError`'s `errors`, read without a throw. */
function aggregated(errors: unknown): unknown[] {
  const found: unknown[] = [];
  try {
    if (!Array.isArray(errors)) return found;
    const count = Math.min(MAX_AGGREGATED, errors.length);
    for (let i = 0; i < count; i++) found.push(errors[i]);
  } catch {
    // a Proxy array whose traps throw: the errors read so far are kept
  }
  return found;
}

/** True when a retry of the same request later may succeed, whatever built the error. */
export function isRetryable(error: unknown): boolean {
  if (isProviderError(error)) return error.retryable;
  return shapeOf(error)?.retryable === true;
}
