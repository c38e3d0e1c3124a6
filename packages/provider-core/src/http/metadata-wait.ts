import type { ErrorKit } from '../error-kit';
import type { ProviderTimeoutError } from '../timeout-error';

/**
 * The deadline errors of metadata calls (`request()`: a model lookup, a model list), with what
 * they waited for: a lookup made before a request is said again as that ({@link madeBefore}).
 * Keyed by the error itself, so a lookup shared by several callers is said for each of them.
 */
const metadataWaits = new WeakMap<object, string>();

/**
 * What the deadline of a metadata call waits for: the server's answer to the request the exchange
 * sent (its method and path on the origin, without a query) and, when the provider says, what it
 * asks for. Never "the whole answer": a model lookup made before a chat would read as the chat's.
 */
export function metadataWait(method: string, path: string, purpose: string | undefined): string {
  const query = path.indexOf('?');
  const bare = query === -1 ? path : path.slice(0, query);
  return `the server to answer ${method} ${bare}${purpose === undefined ? '' : ` (${purpose})`}`;
}

/**
 * Remembers that `error` is the deadline of a metadata call that waited for `waitedFor`, as its
 * message says it (with where its clock started: after a key callback's wait, from its call).
 */
export function noteMetadataWait(
  error: ProviderTimeoutError,
  waitedFor: string,
): ProviderTimeoutError {
  metadataWaits.set(error, waitedFor);
  return error;
}

/**
 * The error of a lookup made before `request` (`POST /api/chat`) was sent: a metadata call's
 * deadline says so, and that the request itself was not sent (the caller would otherwise look for
 * the request's own answer); the option that set it is kept (`timeouts.<kind>Ms`), the original
 * is its `cause`. Any other error is returned as it is.
 */
export function madeBefore(kit: ErrorKit, error: unknown, request: string): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const waited = metadataWaits.get(error);
  if (waited === undefined) return error;
  const timeout = error as ProviderTimeoutError;
  return kit.timeout({
    timeout: timeout.timeout,
    timeoutMs: timeout.timeoutMs,
    retryable: timeout.retryable,
    cause: error,
    waitedFor: `${waited}, a lookup made before ${request}; that request was not sent`,
  });
}
