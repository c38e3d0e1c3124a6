import { isProviderError, type ProviderErrorKind } from '@x/provider-core';
import { firstInChain, shapeOf } from './error-shape';
import { scrubErrorText } from './error-text';
import { foreignRetryAfterMs } from './foreign-retry-after';
import { isInstanceSafe, isUnreadable, providerKindOf, readProperty } from './thrown-value';
import type { AttemptError } from './types';

/**
 * What a failed attempt means for the call:
 * - `fatal`: the caller's own problem (a bad request, an abort): the error reaches the caller as
 *   is, no other deployment is tried;
 * - `fallback`: the deployment's trouble: the next deployment is tried;
 * - `context`: the prompt does not fit: only a deployment with a larger window is tried;
 * - `unsupported`: this deployment cannot take the request, though it is well formed (its server's
 *   version would drop a field, see {@link unsupportedByServer}): the next deployment is tried,
 *   and this one is none the worse for it (no failure, no cooldown).
 */
export type Verdict = 'fatal' | 'fallback' | 'context' | 'unsupported';

/**
 * 4xx statuses that are the deployment's trouble, not the caller's: its key (401, 403), its pace
 * (429), a timeout or a too-early replay (408, 425), a conflict on its side (409: OpenAI's lock
 * timeout, which its own client retries).
 */
const DEPLOYMENT_4XX = new Set([401, 403, 408, 409, 425, 429]);

/**
 * Classifies the error of one attempt. Only the server's or the deployment's trouble moves the
 * call on; the same request would fail the same way anywhere else otherwise.
 */
export function classify(error: unknown, signal: AbortSignal | undefined): Verdict {
  // The caller's abort, whatever the provider turned it into.
  if (signal?.aborted) return 'fatal';
  // A value nothing can be read of (a revoked Proxy) has no shape, and is no mistake of the
  // caller's that could be told: the deployment's failure.
  if (isUnreadable(error)) return 'fallback';
  if (unsupportedByServer(error)) return 'unsupported';
  const kind = providerKindOf(error);
  if (kind !== undefined) return classifyKind(kind, error);
  // Read before the shape: an abort whose cause is the socket it closed is still the caller's.
  if (isAbortError(error)) return 'fatal';
  // Read before the class: Node's `fetch` fails a refused connection with a `TypeError`.
  const shape = shapeOf(error);
  if (shape !== undefined) return shape.verdict;
  // Argument errors and programming errors: the same request fails the same way anywhere.
  if (
    isInstanceSafe(error, TypeError) ||
    isInstanceSafe(error, RangeError) ||
    isInstanceSafe(error, SyntaxError) ||
    isInstanceSafe(error, ReferenceError)
  ) {
    return 'fatal';
  }
  // Anything else (a provider not built on @x/provider-core, a sibling package's error) is taken
  // as the deployment's failure: another deployment may well answer.
  return 'fallback';
}

function classifyKind(kind: ProviderErrorKind, error: unknown): Verdict {
  switch (kind) {
    case 'model-not-found':
      // The router picks each deployment's model, not the caller: a box that lacks it (an Ollama
      // server that never pulled it) is that deployment's trouble, as LiteLLM reads a 404.
      // Another deployment may well have it; when none has, `allFailed` says so.
      return 'fallback';
    case 'context-overflow':
      return 'context';
    case 'api': {
      const { statusCode, retryable } = error as {
        statusCode?: number | undefined;
        retryable: boolean;
      };
      if (statusCode === undefined || statusCode < 400) return 'fallback';
      if (statusCode >= 500) {
        // A 500 the provider knows is the caller's mistake (`option "num_ctx" must be of type
        // integer`) fails the same way on every deployment.
        return statusCode === 500 && !retryable ? 'fatal' : 'fallback';
      }
      return DEPLOYMENT_4XX.has(statusCode) ? 'fallback' : 'fatal';
    }
    case 'stream': {
      // A line or an answer over the caller's size caps would be as large elsewhere.
      const reason = (error as { reason?: string | undefined }).reason;
      return reason === 'line-too-long' || reason === 'too-large' ? 'fatal' : 'fallback';
    }
    case 'protocol':
      // An answer that is not HTTP, or encoded though identity was asked: another service on
      // that port, or a proxy in front of this deployment only. Another deployment may answer.
      return 'fallback';
    default:
      // server-busy, timeout, connection, circuit-open, local-limit, incomplete-stream, closed (a
      // closed provider: another deployment's may be open)
      return 'fallback';
  }
}

/**
 * An argument error that only this deployment's server cannot honour, said by the provider with
 * `unsupportedBy: 'server'` (`@x/provider-ollama`'s `ServerTooOldError`: a field an older Ollama
 * would drop without a word). The request is well formed and a newer server takes it, so it is
 * not the caller's mistake. A property, not a class: the router depends on no provider.
 */
export function unsupportedByServer(error: unknown): boolean {
  return (
    (isInstanceSafe(error, RangeError) || isInstanceSafe(error, TypeError)) &&
    readProperty(error, 'unsupportedBy') === 'server'
  );
}

function isAbortError(error: unknown): boolean {
  return readProperty(error, 'name') === 'AbortError';
}

/**
 * True when a failure counts against the deployment's health (towards a cooldown). An open
 * breaker already keeps calls away, a context overflow says nothing about the server, and
 * neither does a provider that was closed (an object of this process, not the server: a cooldown
 * would take the deployment out on every instance).
 */
export function countsAgainst(error: unknown, verdict: Verdict): boolean {
  if (verdict !== 'fallback' || isRequestTooLarge(error)) return false;
  const kind = providerKindOf(error);
  if (kind === 'circuit-open' || kind === 'closed') return false;
  return !isConsumerTimeout(error);
}

/**
 * A 429 that refuses this one request as larger than the deployment's per-minute token limit
 * (`@x/provider-openai`'s `requestTooLarge`: "Request too large for gpt-4o ... on tokens per
 * min"). A deployment on another tier or key may take it, so the call moves on; but the server is
 * fine and its Retry-After is not about this request: no failure counted, no cooldown, and a
 * probe that meets it has no verdict. A property, not a class: the router depends on no provider.
 *
 * The first provider error along the cause chain says it, whether the provider's error came as
 * is or wrapped by the user's code (`new Error('chat failed', { cause })`): the walk and bounds
 * `shapeOf` and `retryAfterOf` use. A provider error that is not too large decides too: a
 * `RouterError` (a router used as a provider) whose last attempt was refused as too large still
 * says that every deployment behind it failed.
 */
export function isRequestTooLarge(error: unknown): boolean {
  return (
    firstInChain(error, (e) =>
      isProviderError(e) ? readProperty(e, 'requestTooLarge') === true : undefined,
    ) === true
  );
}

/**
 * A stream ended because its consumer held a chunk too long (`consumerMs`, the provider's or the
 * router's): the caller's doing, counted as cancelled, never against the deployment.
 */
export function isConsumerTimeout(error: unknown): boolean {
  return providerKindOf(error) === 'timeout' && readProperty(error, 'timeout') === 'consumer';
}

/** A delay the deployment asked for, and what asked for it (for the skip messages). */
export interface RetryAfter {
  ms: number;
  /** `a 429 (Retry-After)`, `a 503 (Retry-After)`, `a local limit`: no server text, no secret. */
  cause: string;
}

/** A delay the deployment asked for before the next call (a 429's or 503's `Retry-After`). */
export function retryAfterOf(error: unknown): RetryAfter | undefined {
  if (isRequestTooLarge(error)) return undefined;
  if (isProviderError(error)) return providerRetryAfter(error);
  // A provider error the user's code wrapped (`new Error('chat failed', { cause })`) keeps its
  // own reading, as `shapeOf` keeps its kind: the same cause chain, the same bounds.
  const wrapped = firstInChain(error, (e, depth) =>
    depth > 0 && isProviderError(e) ? providerRetryAfter(e) : undefined,
  );
  return wrapped ?? foreignRetryAfter(error);
}

/** The delay a provider error asked for: a 429's or a busy server's, or its local limit's. */
function providerRetryAfter(error: object): RetryAfter | undefined {
  // Each read is a user's object's when the error came wrapped: none may throw.
  const ms = readProperty(error, 'retryAfterMs');
  if (typeof ms !== 'number' || !(ms > 0) || !Number.isFinite(ms)) return undefined;
  const kind = readProperty(error, 'kind');
  const code = readProperty(error, 'statusCode');
  const status = typeof code === 'number' ? code : undefined;
  if (kind === 'local-limit') return { ms, cause: "its provider's local limit" };
  if (kind === 'server-busy' || status === 429) {
    return { ms, cause: status === undefined ? 'a Retry-After' : `a ${status} (Retry-After)` };
  }
  return undefined;
}

/** The Retry-After of a 429 or 503 another client raised (see `shapeOf`). */
function foreignRetryAfter(error: unknown): RetryAfter | undefined {
  const status = shapeOf(error)?.status;
  if (status !== 429 && status !== 503) return undefined;
  const ms = foreignRetryAfterMs(error);
  return ms !== undefined && ms > 0 ? { ms, cause: `a ${status} (Retry-After)` } : undefined;
}

/**
 * The JSON-serialisable summary of an error that answers, `RouterError`, events, logs and stats
 * carry. Its texts are scrubbed (`scrubErrorText`): a provider of the user's own may quote a URL
 * with its password or an `Authorization` header. The error object itself is left as its
 * provider made it.
 */
export function describeError(error: unknown): AttemptError {
  if (isInstanceSafe(error, Error)) {
    const rawName = readProperty(error, 'name');
    // a Proxy whose traps throw has no name to read: `Error`, as an error of no name
    const name = scrubErrorText(rawName === undefined ? 'Error' : asText(rawName));
    const code = readProperty(error, 'code');
    const statusCode = readProperty(error, 'statusCode');
    return {
      name,
      code: typeof code === 'string' && code !== '' ? scrubErrorText(code) : name,
      kind: providerKindOf(error),
      message: scrubErrorText(asText(readProperty(error, 'message'))),
      ...(typeof statusCode === 'number' ? { statusCode } : {}),
    };
  }
  return { name: 'Error', code: 'Error', kind: undefined, message: scrubErrorText(asText(error)) };
}

/**
 * The most of an error's text a summary keeps. The built-in providers cap a server's message at
 * 500 characters; a provider of the user's own may throw any length, and the summary lives on in
 * stats and events (and a scrub of many megabytes would outlast the stack of its patterns).
 */
export const MAX_ERROR_TEXT = 8 * 1024;
const SPACE = /\s/;

/**
 * A value as text, never throwing: `String()` of a null-prototype object or a revoked Proxy
 * does, and this runs while a call handles its provider's failure. A text longer than
 * {@link MAX_ERROR_TEXT} is cut, without the word the cut falls in: half a key is too short to be
 * recognised as one, so it is not kept.
 */
function asText(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else {
    try {
      text = String(value);
    } catch {
      return `(${typeof value})`;
    }
  }
  if (text.length <= MAX_ERROR_TEXT) return text;
  let end = MAX_ERROR_TEXT;
  if (!SPACE.test(text[end] ?? '')) while (end > 0 && !SPACE.test(text[end - 1] ?? '')) end--;
  return `${text.slice(0, end)}… (${text.length - end} more characters)`;
}
