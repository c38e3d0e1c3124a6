import { base64Shaped, spellsNoWords } from './base64-sample';
import { REDACTED } from './redacted';
import { userinfoEnd } from './url-userinfo';

/**
 * Names whose values are credentials, however a gateway or a client names its key header
 * (`authorization`, `x-api-key`, `apikey`, `x-auth-token`, `ocp-apim-subscription-key`,
 * `x-amz-security-token`, a cookie, a password), and query parameters named alike (`?api_key=`,
 * a signed URL's signature). Wide on purpose: scrubbing a harmless header costs nothing, leaking
 * a key does.
 */
export const SECRET_HEADER =
  /auth|key|token|secret|cookie|session|pass|pwd|sig|credential|bearer|jwt/i;

// A URL in a text: its `scheme://` (more slashes too: URL parsers read `http:///u:pw@h` as the
// userinfo `u:pw`) and what follows up to a space or a quote (a password holding one of those is
// cut there: nothing in a text tells where it would end).
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/+)([^\s"'<>]*)/gi;

/**
 * Replaces the userinfo of every URL in `text` with `[redacted]`: a driver's error message may
 * quote the connection string it was given (`redis://:secret@host:6379`). For a `PackageLog`'s
 * `redact` hook. Where the userinfo ends is read as in an option error (`userinfoEnd`): a password
 * may hold `@`, `#` or `/` unescaped, and an `@` in a path (`unpkg.com/react@18`) is left alone.
 */
export function redactUrlCredentials(text: string): string {
  if (!text.includes('://')) return text;
  return text.replace(URL_IN_TEXT, (match: string, scheme: string, rest: string) => {
    const at = userinfoEnd(rest);
    return at === -1 ? match : `${scheme}${REDACTED}${rest.slice(at)}`;
  });
}

/**
 * `Bearer x`, `Basic x`: an `Authorization` value's scheme, then its credential (8 characters or
 * more, or holding more than letters: `a bearer of bad news` is left alone). Wider than the rule
 * `@x/provider-core`'s Redactor applies to server text (8+ token characters, not only letters):
 * a value given to an option is rarely prose, and a server's error message often is
 * (`Basic realm="api"`). A backslash escaping a quote or a backslash ends the credential: in
 * JSON quoted inside a text (`{\"Authorization\":\"Bearer x\"}`) it belongs to the closing
 * quote, and hiding it would leave that quote unescaped.
 */
const AUTH_VALUE =
  /\b(Bearer|Basic)(\s+)(?=[^\s"',;]{8}|[A-Za-z]*[^A-Za-z\s"',;])(?:[^\s"',;\\]|\\(?![\\"']))+/gi;

/**
 * A run of 16 or more letters and digits (and base64's `+`, `=`) mixing letters and digits is
 * what a generated key, token or password holds (`sk-proj-<run>`, a JWT's parts, an Azure or AWS
 * key); names a user writes break into short runs (`llama3.2:latest`,
 * `meta-llama/Llama-3.1-8B-Instruct`, `maxAnswerBytes`). The whole token holding one is hidden, its
 * prefix too (`sk-proj-`): a token ends at a space, a quote (escaped ones too: `\"`, and JSON's
 * `\u0022`/`\u0027`, whose hex would otherwise join the name after it into a run:
 * `\u0022description`) or a URL's separators.
 */
const TOKEN = /(?:[^\s"'`,;:/@<>()[\]{}\\]|\\(?![\\"']|u00(?:22|27))){16,}/g;
const RUN = /[A-Za-z0-9+=]{16,}/g;
/**
 * A run of standard base64 in a text, padding included: the base64 of a key, a `user:password`
 * pair. {@link TOKEN} ends at `/` (a path's separator) and needs digits, so it would hide such a
 * run in pieces, or not at all, and leave the rest of it shown; this one is judged whole. It
 * starts after any character that is not base64 (`=` too: `key=<base64>`).
 */
const BASE64_RUN = /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{16,}={0,2}(?![A-Za-z0-9+/=])/g;
/** A JSON escape (`\n`, `\u0022`) whose letters would otherwise start a base64 run. */
const ESCAPE_LETTERS = /^(?:u[0-9A-Fa-f]{4}|[bfnrt])/;
const QUOTE_HEX = /^u00(?:22|27)/;

/**
 * A part between slashes that is a lowercase word of 4 letters or more (`blob`, `models`): a path
 * has them, random base64 seldom (a part of it is rarely short, and rarely lowercase only), and
 * two in one run almost never.
 */
const isPathWord = (part: string): boolean => /^[a-z]{4,}$/.test(part);

function generated(token: string): boolean {
  for (const run of token.match(RUN) ?? []) {
    if (/\d/.test(run) && /[A-Za-z]/.test(run)) return true;
  }
  return false;
}

/**
 * `text` with what looks like a credential replaced by `[redacted]`: a URL's userinfo, the
 * credential of a `Bearer`/`Basic` value, base64 that spells no words (`/`, `+` and padding
 * included), a token holding a long run of letters and digits. For
 * values an argument error shows, where a key pasted into the wrong option (`getApiKey: 'sk-...'`,
 * `headers: 'Bearer sk-...'`, a Redis URL with its password) must not be echoed. A heuristic on
 * top of the options that never show their value (`apiKey`, header values): it cannot know a
 * short password, only the shapes of generated ones.
 */
export function hideSecretShapes(text: string): string {
  return redactUrlCredentials(text)
    .replace(AUTH_VALUE, (_match: string, scheme: string, space: string) => {
      return `${scheme}${space}${REDACTED}`;
    })
    .replace(BASE64_RUN, (run: string, at: number, whole: string) => {
      const escaped = whole[at - 1] === '\\' ? (ESCAPE_LETTERS.exec(run)?.[0] ?? '') : '';
      const rest = run.slice(escaped.length);
      // Hidden whole when it spells no words, or when a piece of it is a generated token (TOKEN
      // would hide that piece alone and show the rest); never when two parts between its
      // slashes are lowercase words: a path's (`github.com/o/repo/blob/<commit hash>/file`,
      // where TOKEN hides the hash alone).
      const secret =
        base64Shaped(rest) &&
        rest.split('/').filter(isPathWord).length < 2 &&
        (spellsNoWords(rest) || generated(rest));
      return secret ? escaped + REDACTED : run;
    })
    .replace(TOKEN, (token: string, at: number, whole: string) => {
      // After the backslash of a quote written `\u0022`, its hex starts the token: kept as the
      // quote it is, and only what follows is judged (`\u0022description` is a name).
      const quote = whole[at - 1] === '\\' && QUOTE_HEX.test(token) ? token.slice(0, 5) : '';
      const rest = token.slice(quote.length);
      return quote + (generated(rest) ? REDACTED : rest);
    });
}
