/**
 * The delay a 429 or 503 of another client asks for (`shapeOf` tells the status). Such an error
 * is often wrapped by the user's code (`new Error('chat failed', { cause })`), so its headers are
 * looked for along the same cause chain as its shape. Header values are a server's text in a
 * user's object: each read is bounded and never throws.
 */
import { MAX_TIMER_MS, retryAfterOfHeaders } from '@x/internal';
import { isProviderError } from '@x/provider-core';
import { firstInChain } from './error-shape';
import { readProperty as read } from './thrown-value';

/**
 * The longest header value read: an HTTP date is 29 characters, a delay far fewer. A longer one
 * is no delay a server meant, and is not parsed.
 */
const MAX_HEADER_TEXT = 64;

/**
 * The delay asked for by `error` or the first error of its cause chain that carries one, in ms:
 * a wrapped provider error's own `retryAfterMs`, else its `headers` (`openai`'s `APIError`: a
 * `Headers`; a fetch `Response`; a plain record with lower-case names) or its `response.headers`
 * (axios). `retry-after-ms` first, as `openai`'s client reads it, then `retry-after` (seconds or
 * an HTTP date). A value that is too long, signed or not a number is left out; a delay is capped
 * at the longest timer (the router's `maxRetryAfterMs` caps the cooldown it starts). `undefined`
 * when none is found.
 */
export function foreignRetryAfterMs(error: unknown): number | undefined {
  return firstInChain(error, (e, depth) =>
    depth > 0 && isProviderError(e)
      ? providerErrorRetryAfterMs(e)
      : (ownRetryAfterMs(read(e, 'headers')) ??
        ownRetryAfterMs(read(read(e, 'response'), 'headers'))),
  );
}

/**
 * The `retryAfterMs` of a provider error, handed to the router or wrapped by the user's code
 * (`new Error('chat failed', { cause })`): its provider read the server's headers already. Read
 * without a throw (a wrapped one is in a user's object), capped at the longest timer.
 */
export function providerErrorRetryAfterMs(error: unknown): number | undefined {
  const ms = read(error, 'retryAfterMs');
  return typeof ms === 'number' && ms >= 0 && Number.isFinite(ms)
    ? Math.min(ms, MAX_TIMER_MS)
    : undefined;
}

function ownRetryAfterMs(headers: unknown): number | undefined {
  if ((typeof headers !== 'object' && typeof headers !== 'function') || headers === null) {
    return undefined;
  }
  return retryAfterOfHeaders((name) => header(headers, name));
}

/** A header's trimmed text, through `get()` when the headers have one; `undefined` if unusable. */
function header(headers: object, name: string): string | undefined {
  const get = read(headers, 'get');
  let value: unknown;
  if (typeof get === 'function') {
    try {
      value = get.call(headers, name);
    } catch {
      return undefined;
    }
  } else value = read(headers, name);
  if (typeof value !== 'string' || value.length > MAX_HEADER_TEXT) return undefined;
  return value.trim();
}
