import { REDACTED } from './redacted';
import { userinfoEnd } from './url-userinfo';

/**
 * A scheme and its slashes, after what a user may wrap a URL in (spaces, quotes). Typos count
 * (`http:/`, `http//`, `http:///`, backslashes): WHATWG parsers read `http:///u:pw@h` as userinfo
 * `u:pw`, and a URL refused for its typo must not show its password either.
 */
const SCHEME = /^(\s*["']?)[a-z][a-z0-9+.-]*(:[/\\]+|[/\\]{2})/i;

/**
 * Where the userinfo of `text` ends (the index of its `@`, or `text.length` when where it ends
 * cannot be told: see {@link userinfoEnd}) and what comes before it: the scheme, or only what
 * the URL is wrapped in. A scheme written other than `scheme://` may be a user name instead
 * (`bob:/pa@ss@h`: a password starting with `/`), so both readings are tried and the one that
 * hides more wins.
 */
function userinfoOf(text: string): { prefix: string; end: number } {
  const match = SCHEME.exec(text);
  const scheme = match?.[0] ?? '';
  const at = userinfoEnd(text.slice(scheme.length));
  const read = { prefix: scheme, end: at === -1 ? -1 : scheme.length + at };
  if (match === null || match[2] === '://') return read;
  const lead = match[1] ?? '';
  const without = userinfoEnd(text.slice(lead.length));
  return without !== -1 && lead.length + without > read.end
    ? { prefix: lead, end: lead.length + without }
    : read;
}

/**
 * A URL as an argument error may show it: never its userinfo (`user:password@`), never its query
 * or fragment (`?api-key=...`: some gateways take their key there), each replaced with
 * `[redacted]`. It takes the text as given, parsed or not (the error is often that it does not
 * parse: a bad port, a space in the host): the userinfo ends where {@link userinfoEnd} says, and
 * the query or fragment begins at the first `?` or `#` after it.
 */
export function displayUrl(text: string): string {
  const { prefix, end } = userinfoOf(text);
  // A userinfo whose end cannot be told: nothing after the scheme is shown.
  if (end === text.length) return `${prefix}${REDACTED}`;
  const userinfo = end === -1 ? '' : `${REDACTED}@`;
  const after = text.slice(end === -1 ? prefix.length : end + 1);
  const cut = after.search(/[?#]/);
  const tail = cut === -1 ? '' : after[cut] === '?' ? `?${REDACTED}` : `#${REDACTED}`;
  return `${prefix}${userinfo}${cut === -1 ? after : after.slice(0, cut)}${tail}`;
}
