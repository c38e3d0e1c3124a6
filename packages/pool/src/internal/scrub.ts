import { displayUrl, redactUrlCredentials } from '@x/internal';

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

function scrubText(text: string, input: string, shown: string): string {
  const replaced = input.length > 0 && text.includes(input) ? text.split(input).join(shown) : text;
  return redactUrlCredentials(replaced);
}

/**
 * Removes the userinfo of `input` (a URL a caller gave) from an error raised for it by undici or
 * the URL parser, and from its causes: their messages quote the URL whole, password included
 * (`Request cannot be constructed from a URL that includes credentials: http://user:pass@...`),
 * and Node's URL error keeps it in its `input` field. The URL is shown as argument errors show it
 * (no userinfo, query or fragment: a key may sit in any). The error keeps its class (callers test
 * `instanceof TypeError`); only its text changes.
 */
export function scrubUserinfo(error: unknown, input: unknown): unknown {
  const text = urlText(input);
  const shown = displayUrl(text);
  let current = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    const e = current as Error & { input?: unknown };
    try {
      e.message = scrubText(e.message, text, shown);
      if (typeof e.stack === 'string') e.stack = scrubText(e.stack, text, shown);
      if (typeof e.input === 'string') e.input = displayUrl(e.input);
    } catch {
      // A frozen error: nothing of it can be changed.
    }
    current = e.cause;
  }
  return error;
}

/**
 * `promise`, its rejection scrubbed of `input`'s userinfo when `input` may hold one: a string
 * with an `@`, or a `URL` with a user or a password (undici's `Request` refuses one that has
 * either). Anything else pays nothing: no handler is added to its promise.
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
