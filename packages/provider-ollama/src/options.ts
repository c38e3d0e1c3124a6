import { isIPv6 } from 'node:net';
import { fail, isPlainObject, optionalFunction, optionalNumber } from './internal/validate';

/** Deadlines of one request. Every value is in ms; `undefined` (or `0` for `totalMs`) turns one off. */
export interface TimeoutOptions {
  /**
   * Opening the TCP connection.
   * @default 10_000
   */
  connectMs?: number;
  /**
   * Streams: from sending the request until the first chunk. Covers model load and prompt
   * evaluation, so it is generous. Retried when it fires (nothing reached the caller).
   * A non-streamed `complete()` gets no headers until the whole answer is generated, so this
   * deadline does not apply to it: `totalMs` bounds it instead.
   * @default 300_000
   */
  firstTokenMs?: number;
  /**
   * Longest silence between two chunks of a response body.
   * @default 60_000
   */
  idleMs?: number;
  /**
   * The whole call, retries and rate-limit wait included. Off by default: a long generation is
   * never cut short unless you ask for it.
   * @default undefined
   */
  totalMs?: number;
}

/** Retry policy options. */
export interface RetryOptions {
  /**
   * Retries after the first attempt.
   * @default 2
   */
  retries?: number;
  /**
   * Base of the exponential backoff; the n-th retry waits a random time in
   * [0, min(maxDelayMs, baseDelayMs * 2^n)) (full jitter).
   * @default 250
   */
  baseDelayMs?: number;
  /**
   * Cap of one backoff delay.
   * @default 10_000
   */
  maxDelayMs?: number;
  /**
   * A `Retry-After` longer than this is not waited for: the error is thrown at once.
   * @default 60_000
   */
  maxRetryAfterMs?: number;
  /**
   * Retry budget: every request deposits `ratio` retries, every retry spends one, starting from
   * (and capped at) `reserve`. Keeps retries under `ratio` of the traffic during an outage.
   * `false` turns the budget off.
   * @default { ratio: 0.2, reserve: 10 }
   */
  budget?: { ratio?: number; reserve?: number } | false;
  /**
   * Source of randomness for the jitter, in [0, 1).
   * @default Math.random
   */
  random?: () => number;
}

export interface ResolvedRetry {
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  budget: { ratio: number; reserve: number } | false;
  random: () => number;
}

export interface ResolvedTimeouts {
  connectMs: number;
  firstTokenMs: number | undefined;
  idleMs: number | undefined;
  totalMs: number | undefined;
}

export const DEFAULT_TIMEOUTS: Readonly<ResolvedTimeouts> = Object.freeze({
  connectMs: 10_000,
  firstTokenMs: 300_000,
  idleMs: 60_000,
  totalMs: undefined,
});

export const DEFAULT_RETRY: Readonly<Omit<ResolvedRetry, 'random'>> = Object.freeze({
  retries: 2,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
  budget: Object.freeze({ ratio: 0.2, reserve: 10 }),
});

export function resolveTimeouts(value: unknown): ResolvedTimeouts {
  if (value === false) {
    return { connectMs: 0, firstTokenMs: undefined, idleMs: undefined, totalMs: undefined };
  }
  if (value === undefined) return { ...DEFAULT_TIMEOUTS };
  if (!isPlainObject(value)) fail('timeouts', 'an object of timeouts in ms, or false', value);
  const t = value as TimeoutOptions;
  for (const key of ['connectMs', 'firstTokenMs', 'idleMs', 'totalMs'] as const) {
    optionalNumber(`timeouts.${key}`, t[key], 0);
  }
  const positive = (v: number | undefined) => (v === undefined || v === 0 ? undefined : v);
  return {
    connectMs: t.connectMs ?? DEFAULT_TIMEOUTS.connectMs,
    firstTokenMs: 'firstTokenMs' in t ? positive(t.firstTokenMs) : DEFAULT_TIMEOUTS.firstTokenMs,
    idleMs: 'idleMs' in t ? positive(t.idleMs) : DEFAULT_TIMEOUTS.idleMs,
    totalMs: positive(t.totalMs),
  };
}

export function resolveRetry(value: unknown): ResolvedRetry {
  if (value === false) {
    return { ...DEFAULT_RETRY, retries: 0, budget: false, random: Math.random };
  }
  if (value === undefined) return { ...DEFAULT_RETRY, random: Math.random };
  if (!isPlainObject(value)) fail('retry', 'an object of retry options, or false', value);
  const r = value as RetryOptions;
  optionalNumber('retry.retries', r.retries, 0, 100, true);
  optionalNumber('retry.baseDelayMs', r.baseDelayMs, 0);
  optionalNumber('retry.maxDelayMs', r.maxDelayMs, 0);
  optionalNumber('retry.maxRetryAfterMs', r.maxRetryAfterMs, 0);
  optionalFunction('retry.random', r.random);
  let budget: ResolvedRetry['budget'] = { ...DEFAULT_RETRY.budget } as {
    ratio: number;
    reserve: number;
  };
  if (r.budget === false) budget = false;
  else if (r.budget !== undefined) {
    if (!isPlainObject(r.budget))
      fail('retry.budget', 'an object `{ ratio, reserve }`, or false', r.budget);
    optionalNumber('retry.budget.ratio', r.budget.ratio, 0, 1);
    optionalNumber('retry.budget.reserve', r.budget.reserve, 0);
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
 * Normalises a base URL or an `OLLAMA_HOST` value to an origin plus path prefix without a
 * trailing slash, reading it as Ollama's own clients do: surrounding spaces and quotes are
 * dropped; a value without a scheme (`127.0.0.1:11434`, `0.0.0.0`, `localhost`, `[::1]`, `::1`,
 * `:11434`) is http with port 11434 unless it names one; a value with a scheme
 * (`http://proxy`, `https://ollama.com`) keeps that scheme's own default port (80 or 443), as in
 * any URL. `0.0.0.0` and `::`, where a server listens, become the loopback address.
 */
export function normaliseBaseUrl(raw: string, name: string): string {
  let text = raw
    .trim()
    .replace(/^["']+|["']+$/g, '')
    .trim();
  // What an error may show of the value: never a password written into it.
  const shown = raw.replace(/^(\s*["']?[a-z][a-z0-9+.-]*:\/\/)?[^/?#@]*@/i, '$1[redacted]@');
  if (text.length === 0) fail(name, 'a URL such as "http://localhost:11434"', shown);
  const schemeless = !/^[a-z][a-z0-9+.-]*:\/\//i.test(text);
  let explicitPort = false;
  if (schemeless) {
    const cut = text.search(/[/?#]/);
    let authority = cut === -1 ? text : text.slice(0, cut);
    const rest = cut === -1 ? '' : text.slice(cut);
    // A bare IPv6 address (`::1`) needs brackets in a URL.
    if (isIPv6(authority)) authority = `[${authority}]`;
    // `:11434` is the port alone, on this machine.
    else if (authority.startsWith(':')) authority = `127.0.0.1${authority}`;
    explicitPort = /:\d+$/.test(authority.replace(/^\[[^\]]*\]/, ''));
    text = `http://${authority}${rest}`;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(name, 'a URL such as "http://localhost:11434"', shown);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    fail(name, 'an http: or https: URL', shown);
  }
  if (url.username || url.password) {
    fail(name, 'a URL without credentials (pass them as `apiKey` or `headers`)', '[redacted]');
  }
  // 0.0.0.0 is where a server listens, not an address to call.
  if (url.hostname === '0.0.0.0' || url.hostname === '') url.hostname = '127.0.0.1';
  if (url.hostname === '[::]') url.hostname = '[::1]';
  if (schemeless && !explicitPort) url.port = '11434';
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api$/, '');
  return `${url.protocol}//${url.host}${path}`;
}

export function validateHeaders(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) fail('headers', 'an object of header names to strings', value);
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string')
      fail(`headers.${key}`, 'a string', /authorization/i.test(key) ? '[redacted]' : v);
    out[key.toLowerCase()] = v;
  }
  return out;
}
