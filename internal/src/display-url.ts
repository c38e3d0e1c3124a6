import { REDACTED } from './redacted';
import { userinfoEnd } from './url-userinfo';

/**
 * A scheme and its slashes, after what a user may wrap a URL in (spaces, quotes). Typos count
 * (`http:/`, `http//`, `http:///`, backslashes): WHATWG parsers read `http:///u:pw@h` as userinfo
 * `u:pw`, and a URL refused for its typo must not show its password either.
 */
const SCHEME = /^\s*["']?[a-z][a-z0-9+.-]*(?::[/\\]+|[/\\]{2})/i;

/**
 * A URL as an argument error may show it: never its userinfo (`user:password@`), never its query
 * or fragment (`?api-key=...`: some gateways take their key there), each replaced with
 * `[redacted]`. It takes the text as given, parsed or not (the error is often that it does not
 * parse: a bad port, a space in the host): the userinfo ends where {@link userinfoEnd} says, and
 * the query or fragment begins at the first `?` or `#` after it.
 */
export function displayUrl(text: string): string {
  const scheme = SCHEME.exec(text)?.[0] ?? '';
  const rest = text.slice(scheme.length);
  const at = userinfoEnd(rest);
  const userinfo = at === -1 ? '' : `${REDACTED}@`;
  const after = rest.slice(at + 1);
  const cut = after.search(/[?#]/);
  const tail = cut === -1 ? '' : after[cut] === '?' ? `?${REDACTED}` : `#${REDACTED}`;
  return `${scheme}${userinfo}${cut === -1 ? after : after.slice(0, cut)}${tail}`;
}
