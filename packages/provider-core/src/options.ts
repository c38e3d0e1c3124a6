import {
  expectKnownKeys,
  expectNumber,
  fail,
  failSecret,
  isPlainObject,
  optionalDuration,
  optionalFunction,
  SECRET_MIN,
  SECRET_HEADER as SECRET_NAMES,
} from '@x/internal';
import { tooShortToScrub } from './secrets';

/**
 * Deadlines of one call. Every value is in ms; `0` turns one off, and `undefined` is the default,
 * as a key left out.
 */
export interface TimeoutOptions {
  /**
   * Opening the TCP connection.
   * @default 10_000
   */
  connectMs?: number | undefined;
  /**
   * From sending the request until the first chunk of the answer. Covers model load and prompt
   * evaluation, so it is generous. Retried when it fires (nothing reached the caller). With
   * `getApiKey()`, the first attempt's clock starts at the callback's call instead: the key's wait
   * counts against it, and a late key leaves the request only the rest.
   * @default 300_000
   */
  firstTokenMs?: number | undefined;
  /**
   * Longest silence between two chunks of an answer. A request whose server sends tool calls
   * only whole (Ollama's, with `tools`) waits up to `firstTokenMs` instead when that is longer,
   * with no bound when `firstTokenMs` is off.
   * @default 60_000
   */
  idleMs?: number | undefined;
  /**
   * The whole call, retries and rate-limit wait included. Off by default: a long generation is
   * never cut short unless you ask for it.
   * @default undefined
   */
  totalMs?: number | undefined;
  /**
   * Streams (and `messages()`, a model download's progress): longest time the caller may hold a
   * chunk before asking for the next. Past it the stream is abandoned (a dropped iterator): its
   * socket, breaker slot and in-flight slot are freed, and a later read rejects with a `consumer`
   * timeout. Not the server's silence: the idle deadline does not run while the caller holds a
   * chunk.
   * @default 300_000
   */
  consumerMs?: number | undefined;
}

/** Retry options. */
export interface RetryOptions {
  /**
   * Retries after the first attempt.
   * @default 2
   */
  retries?: number | undefined;
  /**
   * Base of the exponential backoff; the n-th retry waits a random time in
   * [0, min(maxDelayMs, baseDelayMs * 2^n)) (full jitter).
   * @default 250
   */
  baseDelayMs?: number | undefined;
  /**
   * Cap of one backoff delay.
   * @default 10_000
   */
  maxDelayMs?: number | undefined;
  /**
   * A `Retry-After` longer than this is not waited for: the error is thrown at once.
   * @default 60_000
   */
  maxRetryAfterMs?: number | undefined;
  /**
   * Retry budget: every request deposits `ratio` retries, every retry spends one, starting from
   * (and capped at) `reserve`. Keeps retries under `ratio` of the traffic during an outage.
   * `false` turns the budget off.
   * @default { ratio: 0.2, reserve: 10 }
   */
  budget?: { ratio?: number | undefined; reserve?: number | undefined } | false | undefined;
  /**
   * Source of randomness for the jitter, in [0, 1).
   * @default Math.random
   */
  random?: (() => number) | undefined;
}

/** {@link RetryOptions} checked, every default filled in; `budget: false` when off. */
export interface ResolvedRetry {
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  budget: { ratio: number; reserve: number } | false;
  random: () => number;
}

/** {@link TimeoutOptions} checked, every default filled in; `undefined` for a deadline that is off. */
export interface ResolvedTimeouts {
  connectMs: number;
  firstTokenMs: number | undefined;
  idleMs: number | undefined;
  totalMs: number | undefined;
  consumerMs: number | undefined;
}

export const DEFAULT_TIMEOUTS: Readonly<ResolvedTimeouts> = Object.freeze({
  connectMs: 10_000,
  firstTokenMs: 300_000,
  idleMs: 60_000,
  totalMs: undefined,
  consumerMs: 300_000,
});

export const DEFAULT_RETRY: Readonly<Omit<ResolvedRetry, 'random'>> = Object.freeze({
  retries: 2,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
  budget: Object.freeze({ ratio: 0.2, reserve: 10 }),
});

const TIMEOUT_KEYS = ['connectMs', 'firstTokenMs', 'idleMs', 'totalMs', 'consumerMs'] as const;
const RETRY_KEYS = [
  'retries',
  'baseDelayMs',
  'maxDelayMs',
  'maxRetryAfterMs',
  'budget',
  'random',
] as const;

/** Validates `timeouts` (options, or `false` for none at all). */
export function resolveTimeouts(value: unknown): ResolvedTimeouts {
  if (value === false) {
    return {
      connectMs: 0,
      firstTokenMs: undefined,
      idleMs: undefined,
      totalMs: undefined,
      consumerMs: undefined,
    };
  }
  if (value === undefined) return { ...DEFAULT_TIMEOUTS };
  if (!isPlainObject(value)) fail('timeouts', 'an object of timeouts in ms, or false', value);
  expectKnownKeys('timeouts', value, TIMEOUT_KEYS);
  const t = value as TimeoutOptions;
  for (const key of TIMEOUT_KEYS) optionalDuration(`timeouts.${key}`, t[key]);
  // `undefined` is the default, as a key left out (`{ idleMs: process.env.X ? ... : undefined }`
  // must not drop a deadline); only `0` turns one off.
  const deadline = (v: number | undefined, fallback: number | undefined) =>
    v === undefined ? fallback : v === 0 ? undefined : v;
  return {
    connectMs: t.connectMs ?? DEFAULT_TIMEOUTS.connectMs,
    firstTokenMs: deadline(t.firstTokenMs, DEFAULT_TIMEOUTS.firstTokenMs),
    idleMs: deadline(t.idleMs, DEFAULT_TIMEOUTS.idleMs),
    totalMs: deadline(t.totalMs, DEFAULT_TIMEOUTS.totalMs),
    consumerMs: deadline(t.consumerMs, DEFAULT_TIMEOUTS.consumerMs),
  };
}

/** Validates `retry` (options, or `false` for no retry). */
export function resolveRetry(value: unknown): ResolvedRetry {
  if (value === false) {
    return { ...DEFAULT_RETRY, retries: 0, budget: false, random: Math.random };
  }
  if (value === undefined) return { ...DEFAULT_RETRY, random: Math.random };
  if (!isPlainObject(value)) fail('retry', 'an object of retry options, or false', value);
  expectKnownKeys('retry', value, RETRY_KEYS);
  const r = value as RetryOptions;
  if (r.retries !== undefined) {
    expectNumber('retry.retries', r.retries, { min: 0, max: 100, integer: true });
  }
  optionalDuration('retry.baseDelayMs', r.baseDelayMs);
  optionalDuration('retry.maxDelayMs', r.maxDelayMs);
  optionalDuration('retry.maxRetryAfterMs', r.maxRetryAfterMs);
  optionalFunction('retry.random', r.random);
  let budget: ResolvedRetry['budget'] = { ...DEFAULT_RETRY.budget } as {
    ratio: number;
    reserve: number;
  };
  if (r.budget === false) budget = false;
  else if (r.budget !== undefined) {
    if (!isPlainObject(r.budget)) {
      fail('retry.budget', 'an object `{ ratio, reserve }`, or false', r.budget);
    }
    expectKnownKeys('retry.budget', r.budget, ['ratio', 'reserve']);
    if (r.budget.ratio !== undefined) {
      expectNumber('retry.budget.ratio', r.budget.ratio, { min: 0, max: 1 });
    }
    if (r.budget.reserve !== undefined) {
      expectNumber('retry.budget.reserve', r.budget.reserve, { min: 0 });
    }
    budget = {
      ratio: r.budget.ratio ?? budget.ratio,
      reserve: r.budget.reserve ?? budget.reserve,
    };
  }
  return {
    retries: r.retries ?? DEFAULT_RETRY.retries,
    baseDelayMs: r.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
    maxDelayMs: r.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
    maxRetryAfterMs: r.maxRetryAfterMs ?? DEFAULT_RETRY.maxRetryAfterMs,
    budget,
    random: r.random ?? Math.random,
  };
}

/**
 * Header names whose values are credentials, however a gateway names its key header; query
 * parameters named alike too (`?api_key=`, a signed URL's signature). One pattern for every
 * package (the simulator's request log scrubs with it too), exported here for providers built on
 * the core.
 */
export const SECRET_HEADER: RegExp = SECRET_NAMES;

/**
 * True when every character of `value` may be sent in an HTTP field value (RFC 9110): HTAB, SP,
 * VCHAR and obs-text (0x80-0xff). Anything else (CR or LF, which would split the header, NUL, DEL,
 * a character above U+00FF such as `€`) makes undici refuse every request with a message that
 * names no option: it is refused where the value is given instead.
 */
export function isFieldValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x09) continue;
    if (code < 0x20 || code === 0x7f || code > 0xff) return false;
  }
  return true;
}

/** What a header value or a key is made of, in the words of an argument error. */
export const FIELD_CHARACTERS =
  'HTTP header characters (no CR, LF, NUL or other control character, none above U+00FF)';

/**
 * The most the caller's part of a request's headers may hold: the extra `headers` (names and
 * values) and the key together, in characters (bytes on the wire: a header holds no character
 * above U+00FF). 32 KiB is what no usual path takes more of: Cloudflare, in front of OpenAI,
 * refuses more than about 32 KiB of request headers in total, nginx's default buffers hold 4 lines
 * of 8 KiB, Node's http server takes 16 KiB; only Go's net/http (Ollama itself) takes more (1 MiB).
 * No bound per value: nginx's 8 KiB line is a setting, raised for large tokens (Azure AD's with
 * group claims pass 8 KiB), while a total past 32 KiB is an error for every server a provider
 * talks to through a proxy, and a megabyte pasted into `headers` or returned as a key otherwise
 * goes out on every call, to be answered with a 400 or 431 that names no option.
 */
export const MAX_HEADER_CHARS = 32 * 1024;

/** What extra headers (checked) take of {@link MAX_HEADER_CHARS}: their names and values. */
export function headerChars(headers: Record<string, string>): number {
  let total = 0;
  for (const name in headers) total += name.length + headers[name]!.length;
  return total;
}

/** Why {@link MAX_HEADER_CHARS}, in the words of an error. */
export const HEADER_LIMIT_REASON =
  'servers and proxies refuse larger request headers: Cloudflare, in front of OpenAI, past 32 KiB';

/** What `headers` must be past {@link MAX_HEADER_CHARS}, in the words of an argument error. */
const HEADER_ROOM = `at most ${MAX_HEADER_CHARS} characters of header names and values, the key included (${HEADER_LIMIT_REASON})`;

/**
 * Validates extra headers: an object of strings, names lower-cased. A value is never shown in an
 * error, whatever its header's name: a custom name (`x-bearer`, `x-jwt`) may carry a credential
 * that {@link SECRET_HEADER} does not recognise. Not an object, or a value that is not a string,
 * is a `TypeError`; a name that is not a header name, a header the client writes itself or one
 * given twice, a string value no header may hold or too short to scrub, and headers past 32 KiB
 * (`MAX_HEADER_CHARS`), a `RangeError`.
 */
export function validateHeaders(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  // not shown: a string here is most often a header line with its credential (`Bearer sk-...`)
  if (!isPlainObject(value)) failSecret('headers', 'an object of header names to strings', value);
  const out: Record<string, string> = {};
  const given = new Map<string, string>();
  let unscrubbable: string | undefined;
  let shortValue = '';
  let chars = 0;
  for (const [key, v] of Object.entries(value)) {
    if (!HEADER_NAME.test(key)) {
      fail('headers', 'an object whose keys are HTTP header names', key, true);
    }
    const name = key.toLowerCase();
    // (a header's value is never shown, whatever its name)
    if (MANAGED_HEADERS.has(name)) {
      failSecret(`headers.${key}`, 'left out: the HTTP client writes it from the request', v, true);
    }
    const twin = given.get(name);
    if (twin !== undefined) {
      failSecret(`headers.${key}`, `left out: \`headers.${twin}\` names the same header`, v, true);
    }
    given.set(name, key);
    if (typeof v !== 'string') failSecret(`headers.${key}`, 'a string', v);
    chars += key.length + v.length;
    // One header over the bound alone is named (a megabyte pasted into it), before its
    // characters are read one by one.
    if (key.length + v.length > MAX_HEADER_CHARS)
      failSecret(`headers.${key}`, HEADER_ROOM, v, true);
    if (!isFieldValue(v)) failSecret(`headers.${key}`, `a string of ${FIELD_CHARACTERS}`, v, true);
    // Its value is scrubbed from server text as a credential: one too short to scrub would show
    // wherever a server echoed it, so it is refused rather than sent (once the headers are known
    // to be headers at all: a name given twice is the first thing to fix).
    if (unscrubbable === undefined && SECRET_NAMES.test(name) && tooShortToScrub(v)) {
      unscrubbable = key;
      shortValue = v;
    }
    out[name] = v;
  }
  // Several headers over the bound together: no one of them is the one to fix.
  if (chars > MAX_HEADER_CHARS) failSecret('headers', HEADER_ROOM, value, true);
  if (unscrubbable !== undefined) {
    failSecret(
      `headers.${unscrubbable}`,
      `a credential of at least ${SECRET_MIN} characters (the value of a header named like a credential is scrubbed from server text, and a shorter one cannot be told from ordinary text)`,
      shortValue,
      true,
    );
  }
  return out;
}

/** An HTTP header name (a token): what undici accepts as one. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Headers the HTTP client writes from the request itself (framing, connection reuse): undici
 * refuses them in a request's headers, so each call would fail with its error instead.
 */
const MANAGED_HEADERS = new Set([
  'connection',
  'content-length',
  'expect',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
]);
