import { MAX_TIMER_MS } from './timers';

/**
 * The delay a `Retry-After` value asks for, in ms: delay-seconds (digits; a fraction is tolerated)
 * or an HTTP date (a past one is 0). Anything else (`1e9`, `-5`, garbage) is undefined. Capped at
 * the longest timer Node can set, so that `setTimeout(retry, ms)` waits instead of firing at once
 * with a `TimeoutOverflowWarning`. One parser for every package that reads the header.
 */
export function retryAfterMs(text: string | undefined, now = Date.now()): number | undefined {
  if (text === undefined) return undefined;
  const value = text.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(value)) ms = Number(value) * 1000;
  else {
    // An HTTP date names its day and month; Date.parse would also take `-5` (the year -5).
    if (!/[a-z]/i.test(value)) return undefined;
    const date = Date.parse(value);
    if (Number.isNaN(date)) return undefined;
    ms = Math.max(0, date - now);
  }
  return Math.min(ms, MAX_TIMER_MS);
}

/** `retry-after-ms`: decimal milliseconds (no sign, no exponent; `Number('')` would read 0). */
const DECIMAL_MS = /^\d+(?:\.\d+)?$/;

/**
 * The delay a response's headers ask for, `get` reading one by name: `retry-after-ms` (decimal
 * milliseconds, OpenAI's and Azure's, the first of a list), read first as the openai client
 * does, else `Retry-After` ({@link retryAfterMs}). A `retry-after-ms` of 0 leaves the word to a
 * `Retry-After` beside it, and is 0 alone. Capped at the longest timer. One rule for every
 * package that reads both headers.
 */
export function retryAfterOfHeaders(
  get: (name: string) => string | undefined,
  now = Date.now(),
): number | undefined {
  const text = get('retry-after-ms')?.split(',')[0]?.trim();
  const ms = text !== undefined && DECIMAL_MS.test(text) ? Number(text) : undefined;
  if (ms !== undefined && ms > 0) return Math.min(ms, MAX_TIMER_MS);
  return retryAfterMs(get('retry-after'), now) ?? ms;
}
