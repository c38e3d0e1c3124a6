import { displayUrl, redactKnownSecrets, redactUrlCredentials, SECRET_HEADER } from '@x/internal';
import type { Dispatcher } from 'undici';

/** The text of a URL a caller gave (a string, a URL, a Request), to find it in messages. */
function urlText(input: unknown): string {
  if (typeof input === 'string') return input;
  try {
    const url =
      (input as { url?: unknown; href?: unknown }).href ?? (input as { url?: unknown }).url;
    return typeof url === 'string' ? url : String(input);
  } catch {
    return '';
  }
}

/**
 * `scheme://host[:port]` of a URL text that may not parse, its userinfo hidden: what
 * {@link displayUrl} shows, cut at the end of the authority.
 */
function locationOrigin(text: string): string {
  const shown = displayUrl(text);
  const authority = /^(\s*["']?[a-z][a-z0-9+.-]*:[/\\]*)([^/\\?#\s]*)/i.exec(shown);
  return authority === null ? '[redacted]' : `${authority[1]}${authority[2]}`;
}

function scrubText(text: string, input: string, shown: string): string {
  const replaced = input.length > 0 && text.includes(input) ? text.split(input).join(shown) : text;
  return redactUrlCredentials(replaced);
}

/** `text` scrubbed, or `undefined` when there was nothing to scrub (nothing to write back). */
function changed(text: unknown, scrub: (text: string) => string): string | undefined {
  if (typeof text !== 'string') return undefined;
  const scrubbed = scrub(text);
  return scrubbed === text ? undefined : scrubbed;
}

/**
 * Removes the userinfo of `input` (a URL a caller gave), and of any other URL, from an error
 * raised by undici or the URL parser, and from its causes: their messages quote the URL whole,
 * password included (`Request cannot be constructed from a URL that includes credentials:
 * http://user:pass@...`), and Node's URL error keeps it in its `input` field (the caller's URL, or
 * a redirect's `Location`) and the URL it was resolved against in `base`. The caller's URL is
 * shown as argument errors show it (no userinfo, query or fragment: a key may sit in any). The
 * error keeps its class (callers test `instanceof TypeError`); only its text changes, and only
 * where it held something to hide (an abort's `signal.reason`, the caller's own, is left alone).
 */
export function scrubUserinfo(error: unknown, input: unknown): unknown {
  const text = urlText(input);
  const shown = displayUrl(text);
  const inText = (t: string) => scrubText(t, text, shown);
  let current = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    const e = current as Error & { input?: unknown; base?: unknown };
    try {
      const message = changed(e.message, inText);
      if (message !== undefined) e.message = message;
      const stack = changed(e.stack, inText);
      if (stack !== undefined) e.stack = stack;
      // The caller's URL as argument errors show it; any other (a redirect's `Location` the URL
      // parser refused) only as `scheme://host[:port]`: its path may hold a key too.
      const url = changed(e.input, e.input === text ? displayUrl : locationOrigin);
      if (url !== undefined) e.input = url;
      const base = changed(e.base, displayUrl);
      if (base !== undefined) e.base = base;
    } catch {
      // A frozen error: nothing of it can be changed.
    }
    current = e.cause;
  }
  return error;
}

/**
 * `promise`, its rejection scrubbed of `input`'s userinfo when `input` may hold one: a string
 * with an `@`, or a `URL` with a user or a password. For `request`, which follows no redirect:
 * anything else pays nothing, no handler is added to its promise.
 */
export function withoutUserinfo<T>(promise: Promise<T>, input: unknown): Promise<T> {
  const mayHold =
    typeof input === 'string'
      ? input.includes('@')
      : input instanceof URL && (input.username !== '' || input.password !== '');
  if (!mayHold) return promise;
  return promise.catch((error: unknown) => {
    throw scrubUserinfo(error, input);
  });
}

/**
 * A `fetch`, its rejection always scrubbed: besides the caller's URL (undici's `Request` refuses
 * one with a user or a password, quoting it), a redirect brings URLs the caller never gave, and
 * a `Location` the URL parser refuses is quoted whole in the cause (`input:
 * 'http://bob:<password>@host:99999/'`). An abort rejects with the caller's own
 * `signal.reason`, which is not ours to change.
 */
export function fetchWithoutUserinfo<T>(
  promise: Promise<T>,
  input: unknown,
  signal: AbortSignal | undefined,
): Promise<T> {
  return promise.catch((error: unknown) => {
    if (signal?.aborted === true && error === signal.reason) throw error;
    throw scrubUserinfo(error, input);
  });
}

/**
 * Calls `visit` with each name and value of a request's `headers`, in any form undici takes: an
 * object, a flat array (`[name, value, ...]`), an array of pairs, or an iterable of pairs.
 */
export function forEachHeader(
  headers: unknown,
  visit: (name: unknown, value: unknown) => void,
): void {
  if (headers == null || typeof headers !== 'object') return;
  if (Array.isArray(headers)) {
    if (headers.every((h) => Array.isArray(h))) for (const [n, v] of headers) visit(n, v);
    else for (let i = 0; i + 1 < headers.length; i += 2) visit(String(headers[i]), headers[i + 1]);
  } else if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const pair of headers as Iterable<unknown>) {
      if (Array.isArray(pair)) visit(pair[0], pair[1]);
    }
  } else {
    for (const [n, v] of Object.entries(headers)) visit(n, v);
  }
}

/** The values of the request's headers named like a credential (`SECRET_HEADER`). */
function credentialValues(headers: unknown): string[] {
  const values: string[] = [];
  forEachHeader(headers, (name, value) => {
    if (typeof name !== 'string' || !SECRET_HEADER.test(name)) return;
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v !== 'string' && !Buffer.isBuffer(v)) continue;
      const text = String(v);
      values.push(text);
      // A server echoing `Bearer <key>` may echo the key alone.
      for (const part of text.split(/\s+/))
        if (part.length >= 8 && part !== text) values.push(part);
    }
  });
  return values;
}

/**
 * Scrubs an error a request failed with of what a server sent back: undici's HTTPParserError
 * keeps the raw bytes of the line it refused in `data` (a header line, a status line, a chunk
 * size), where a hostile server may echo the request's key; only their length is kept. The
 * values of the request's credential headers are redacted from every text of the error and its
 * causes. Runs on the error path only.
 */
export function scrubRequestError(error: Error, opts: Dispatcher.DispatchOptions): Error {
  let secrets: string[] | undefined;
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    const e = current as Error & { data?: unknown; code?: unknown };
    try {
      // undici's HTTPParserError (its `code` is often undefined: its name tells it).
      const parser =
        e.name === 'HTTPParserError' || (typeof e.code === 'string' && e.code.startsWith('HPE_'));
      if (parser && (typeof e.data === 'string' || Buffer.isBuffer(e.data))) {
        e.data = `[redacted: ${Buffer.byteLength(e.data)} bytes]`;
      }
      secrets ??= credentialValues(opts?.headers);
      if (secrets.length > 0) {
        const redact = (t: string) => redactKnownSecrets(t, secrets!);
        const message = changed(e.message, redact);
        if (message !== undefined) e.message = message;
        const stack = changed(e.stack, redact);
        if (stack !== undefined) e.stack = stack;
      }
    } catch {
      // A frozen error: nothing of it can be changed.
    }
    current = e.cause;
  }
  return error;
}
