import { fail, MAX_TIMER_MS, retryAfterOfHeaders } from '@x/internal';
/** Response headers in any of the usual shapes. */
export type HeadersLike =
  | { get(name: string): string | null }
  | Record<string, string | readonly string[] | number | undefined>
  | Iterable<readonly [string, string]>;

/**
 * What the rate-limit headers of a response say. A field is present only when its header was
 * there and parsed; durations are in ms from the moment of parsing.
 */
export interface RateLimitHeaders {
  /** From `retry-after-ms`, or `retry-after` (seconds or an HTTP date). */
  retryAfterMs?: number | undefined;
  /** `x-ratelimit-limit-requests` (OpenAI, Groq...) or `anthropic-ratelimit-requests-limit`. */
  limitRequests?: number | undefined;
  remainingRequests?: number | undefined;
  /** Ms until the request window resets (`6m0s`, `1s`, `20ms`, seconds, or a date). */
  resetRequestsMs?: number | undefined;
  /** `x-ratelimit-limit-tokens` or `anthropic-ratelimit-tokens-limit`. */
  limitTokens?: number | undefined;
  remainingTokens?: number | undefined;
  resetTokensMs?: number | undefined;
  /** The generic `x-ratelimit-limit` / IETF `ratelimit-limit`. */
  limit?: number | undefined;
  remaining?: number | undefined;
  /** `x-ratelimit-reset` / `ratelimit-reset`: seconds, a duration, epoch seconds, or a date. */
  resetMs?: number | undefined;
}

function reader(headers: HeadersLike): (name: string) => string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const h = headers as { get(name: string): string | null };
    return (name) => h.get(name) ?? undefined;
  }
  const map = new Map<string, string>();
  const entries: Iterable<readonly [string, unknown]> =
    Symbol.iterator in (headers as object)
      ? (headers as Iterable<readonly [string, string]>)
      : Object.entries(headers as Record<string, unknown>);
  let i = 0;
  for (const entry of entries) {
    // An entry that is not `[name, value]` with a string name: said, naming the place.
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') {
      fail(`headers[${i}]`, 'a [name, value] entry with a string name', entry);
    }
    const [name, value] = entry;
    i++;
    if (value === undefined || value === null) continue;
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    map.set(name.toLowerCase(), text);
  }
  return (name) => map.get(name);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a duration such as `6m0s`, `1s`, `20ms`, `1h2m3.5s` (the OpenAI reset format) or a bare
 * number of seconds; `undefined` when it is neither. Capped at `MAX_TIMER_MS` (2^31-1 ms), as
 * `Retry-After` is: a longer one is no window a server resets, and no timer (nor `pauseFor()`)
 * can wait it.
 *
 * @throws TypeError when `text` is not a string (a missing header, `get()`'s `null`, is the
 * caller's to skip, as `parseRateLimitHeaders` does).
 * @example
 * ```ts
 * parseDurationMs('6m0s'); // 360000
 * parseDurationMs('20ms'); // 20
 * ```
 */
export function parseDurationMs(text: string): number | undefined {
  if (typeof text !== 'string') fail('text', 'a string (header text)', text);
  const value = text.trim();
  if (value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.min(Number(value) * 1000, MAX_TIMER_MS);
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let end = 0;
  for (let match = part.exec(value); match !== null; match = part.exec(value)) {
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    end = part.lastIndex;
  }
  return end === value.length && end > 0 ? Math.min(total, MAX_TIMER_MS) : undefined;
}

function parseCount(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const first = text.split(',')[0]!.trim();
  // Decimal digits only: `Number()` reads '' and ' ' (a proxy's empty header) as 0, a quota used
  // up, and '0x1F' or '1e3' as numbers no server writes.
  return DECIMAL.test(first) ? Number(first) : undefined;
}

const DECIMAL = /^\d+(?:\.\d+)?$/;

/**
 * Reset: a duration, a number of seconds (or epoch seconds when huge), or a date. Capped at
 * `MAX_TIMER_MS` as `Retry-After` is, so that `pauseFor(resetMs)` waits instead of throwing.
 */
function parseReset(text: string | undefined, now: number): number | undefined {
  if (text === undefined) return undefined;
  const value = text.trim();
  if (/^\d+(\.\d+)?$/.test(value)) {
    const seconds = Number(value);
    // A count of seconds this large is a Unix time (GitHub style), not a delay.
    const ms = seconds > 1e9 ? Math.max(0, seconds * 1000 - now) : seconds * 1000;
    return Math.min(ms, MAX_TIMER_MS);
  }
  const duration = parseDurationMs(value);
  if (duration !== undefined) return duration;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.min(Math.max(0, date - now), MAX_TIMER_MS);
}

/** The windows servers name at the end of their counts (Mistral, Cerebras), shortest first. */
const WINDOWS = ['minute', 'hour', 'day'] as const;

/** How each kind is spelled in windowed names: Mistral writes `req` for requests. */
const SPELLINGS = { requests: ['requests', 'req'], tokens: ['tokens'] } as const;

/** One window's counts. */
interface WindowCounts {
  limit?: number | undefined;
  remaining: number;
  resetMs?: number | undefined;
}

/**
 * The window-suffixed counts of a kind (`x-ratelimit-remaining-req-minute`,
 * `x-ratelimit-remaining-tokens-minute`, `x-ratelimit-reset-requests-day`): of the windows that
 * state what is left, the one with least left (the shorter on a tie), which is the one that binds.
 */
function tightestWindow(
  get: (name: string) => string | undefined,
  kind: keyof typeof SPELLINGS,
  now: number,
): WindowCounts | undefined {
  let tightest: WindowCounts | undefined;
  for (const window of WINDOWS) {
    for (const spelling of SPELLINGS[kind]) {
      const remaining = parseCount(get(`x-ratelimit-remaining-${spelling}-${window}`));
      if (remaining === undefined) continue;
      if (tightest === undefined || remaining < tightest.remaining) {
        tightest = { remaining };
        const limit = parseCount(get(`x-ratelimit-limit-${spelling}-${window}`));
        if (limit !== undefined) tightest.limit = limit;
        const resetMs = parseReset(get(`x-ratelimit-reset-${spelling}-${window}`), now);
        if (resetMs !== undefined) tightest.resetMs = resetMs;
      }
    }
  }
  return tightest;
}

/**
 * Reads `Retry-After` (seconds or HTTP date), `retry-after-ms`, and the common rate-limit headers:
 * OpenAI-style `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` (resets like `6m0s`, `1s`,
 * `20ms`), the same suffixed with their window (`-minute`, `-hour`, `-day`: Mistral's
 * `x-ratelimit-remaining-req-minute`, Cerebras' `x-ratelimit-remaining-tokens-minute`; of several,
 * the one with least left), Anthropic's `anthropic-ratelimit-*`, and the generic `x-ratelimit-*` /
 * IETF `ratelimit-*`. Unparseable headers are left out, never guessed.
 *
 * @throws TypeError when `headers` is not an object.
 * @example
 * ```ts
 * const info = parseRateLimitHeaders(response.headers);
 * if (response.status === 429) bucket.pauseFor(info.retryAfterMs ?? 1_000);
 * ```
 */
export function parseRateLimitHeaders(headers: HeadersLike): RateLimitHeaders {
  if (typeof headers !== 'object' || headers === null) {
    fail('headers', 'a Headers object, a record or entries', headers);
  }
  const get = reader(headers);
  const now = Date.now();
  const result: RateLimitHeaders = {};
  const set = <K extends keyof RateLimitHeaders>(key: K, value: number | undefined) => {
    if (value !== undefined && result[key] === undefined) result[key] = value;
  };

  set('retryAfterMs', retryAfterOfHeaders(get, now));

  for (const kind of ['requests', 'tokens'] as const) {
    const cap = kind === 'requests' ? 'Requests' : 'Tokens';
    set(`limit${cap}`, parseCount(get(`x-ratelimit-limit-${kind}`)));
    set(`remaining${cap}`, parseCount(get(`x-ratelimit-remaining-${kind}`)));
    set(`reset${cap}Ms`, parseReset(get(`x-ratelimit-reset-${kind}`), now));
    set(`limit${cap}`, parseCount(get(`anthropic-ratelimit-${kind}-limit`)));
    set(`remaining${cap}`, parseCount(get(`anthropic-ratelimit-${kind}-remaining`)));
    set(`reset${cap}Ms`, parseReset(get(`anthropic-ratelimit-${kind}-reset`), now));
    const windowed = tightestWindow(get, kind, now);
    if (windowed !== undefined) {
      set(`limit${cap}`, windowed.limit);
      set(`remaining${cap}`, windowed.remaining);
      set(`reset${cap}Ms`, windowed.resetMs);
    }
  }
  for (const prefix of ['x-ratelimit-', 'ratelimit-']) {
    set('limit', parseCount(get(`${prefix}limit`)));
    set('remaining', parseCount(get(`${prefix}remaining`)));
    set('resetMs', parseReset(get(`${prefix}reset`), now));
  }
  return result;
}
