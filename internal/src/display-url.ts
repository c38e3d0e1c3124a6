import { REDACTED } from './args';

/** A scheme and its `//`, after what a user may wrap a URL in (spaces, quotes). */
const SCHEME = /^\s*["']?[a-z][a-z0-9+.-]*:\/\//i;

/**
 * A URL as an argument error may show it: never its userinfo (`user:password@`), never its query
 * or fragment (`?api-key=...`: some gateways take their key there), each replaced with
 * `[redacted]`. It takes the text as given, parsed or not (the error is often that it does not
 * parse: a bad port, a space in the host), so it reads it the careful way:
 * - everything up to the last `@` is userinfo, since a password may itself hold `/`, `?` or `#`;
 * - everything from the first `?` or `#` after that is query or fragment;
 * - when a `?` or `#` comes before the last `@` (a password holding one, or an `@` inside the
 *   query), the text cannot tell which: the URL parser decides when it can, else nothing after
 *   the scheme is shown.
 */
export function displayUrl(text: string): string {
  const scheme = SCHEME.exec(text)?.[0] ?? '';
  const rest = text.slice(scheme.length);
  const at = rest.lastIndexOf('@');
  const cut = rest.search(/[?#]/);
  if (cut === -1 || at < cut) {
    const userinfo = at === -1 ? '' : `${REDACTED}@`;
    const tail = cut === -1 ? '' : rest[cut] === '?' ? `?${REDACTED}` : `#${REDACTED}`;
    return `${scheme}${userinfo}${rest.slice(at + 1, cut === -1 ? undefined : cut)}${tail}`;
  }
  return parsedForDisplay(text) ?? `${scheme}${REDACTED}`;
}

/** What the URL parser makes of `text`, shown without userinfo, query or fragment. */
function parsedForDisplay(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return undefined;
  }
  // An opaque URL (`mailto:`, a host read as a scheme) has no authority to tell userinfo from.
  if (url.host === '') return undefined;
  const userinfo = url.username === '' && url.password === '' ? '' : `${REDACTED}@`;
  const query = url.search === '' ? '' : `?${REDACTED}`;
  const fragment = url.hash === '' ? '' : `#${REDACTED}`;
  return `${url.protocol}//${userinfo}${url.host}${url.pathname}${query}${fragment}`;
}
