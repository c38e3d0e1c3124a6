import { hideSecretShapes, REDACTED } from '@x/internal';
import { CREDENTIAL_WORD, hideCredentialElements, stickyMatch } from './credential-elements';

/**
 * A quote as a text quoting JSON or markup may spell it: escaped any number of times (`\"`,
 * `\\\"`), as a JSON escape (`\u0022`, `\u0027`: HTML-safe serializers write them; escaped
 * again, `\\u0022`), or as an HTML reference (`&quot;`, `&#34;`, `&#x27;`, `&amp;quot;`), which
 * an error page showing a JSON body writes.
 */
const QUOTE_FORM =
  '(\\\\*)(["\']|(?<=\\\\)u00(?:22|27)|&(?:amp;)*(?:quot|apos|#0*3[49]|#x0*2[27]);)';

/**
 * A name ending with a credential word, then `:` or `=` (a header, JSON, YAML, a query string, a
 * form, a connection string). The name may close a quote in any of its forms: a provider
 * quoting its upstream's JSON body writes `{\"password\":\"...\"}`. The name starts a word, is
 * at most 80 characters, and is read once (the lookahead and back-reference make it atomic): its
 * credential word is looked for behind its end, so a long text costs linear time, never
 * quadratic, and a few steps per word.
 */
const CREDENTIAL_NAME = new RegExp(
  `(?<![\\w.-])(?=([\\w.-]{1,80}))\\1(?<=${CREDENTIAL_WORD})(?:${QUOTE_FORM})?[ \\t]*[:=][ \\t]*`,
  'gi',
);

/** An `Authorization` scheme, kept in front of the credential it introduces. */
const SCHEME = /(?:Bearer|Basic|Token|Digest|Bot|ApiKey)[ \t]+/iy;
/** A quote opening a value, in the form the text around it uses. */
const QUOTE = new RegExp(QUOTE_FORM, 'iy');
/** `Digest username="u", response="..."`: parameters after a scheme, known or not. */
const PARAMETER = /[\w-]{1,64}=/y;
const ANY_SCHEME_PARAMETER = /[\w.+/-]{1,64}[ \t]+[\w-]{1,64}=/y;
/**
 * A bare value: up to a space, a quote or a separator. A backslash ends it only where it escapes
 * a quote (`\"`, `\u0022`) or a backslash, so the text's escaping stays whole around `[redacted]`.
 */
const BARE = /(?:[^\s"'`,;&#<>(){}[\]\\]|\\(?![\\"']|u00(?:22|27)))+/y;
const REST_OF_LINE = /[^\r\n]*/y;

/**
 * What replaces the value starting at `at`, and where that value ends; `undefined` when nothing
 * there is a value. A quoted value runs to the quote closing it: the first one spelled and
 * escaped as the opening one was, after none or more of the value's escaped backslashes (a quote
 * inside, escaped once more, is part of the value), or the line's end. A scheme followed by
 * parameters (`Digest username="u", response="..."`) is hidden up to the line's end: its
 * credential is the parameters together.
 */
function hiddenValue(text: string, at: number): { shown: string; end: number } | undefined {
  const quote = stickyMatch(QUOTE, text, at);
  if (quote !== null) {
    const depth = quote[1]!.length;
    // The closing quote is spelled as the opening one. The value's own escaped backslashes in
    // front of it are each `2 * (depth + 1)` backslashes long (`\\` around `\"`), or `4 * depth`
    // for a JSON escape (`\\\\` around `\u0022`: the backslash of each level doubles).
    const mark = quote[2]!;
    const unit = mark.startsWith('u') || mark.startsWith('U') ? 4 * depth : 2 * depth + 2;
    const start = at + quote[0].length;
    const scheme = stickyMatch(SCHEME, text, start)?.[0] ?? '';
    let backslashes = 0;
    for (let i = start + scheme.length; i < text.length; i++) {
      const char = text[i];
      if (char === '\n' || char === '\r')
        return { shown: `${quote[0]}${scheme}${REDACTED}`, end: i };
      // A mark holds one `&` at most, at its start: comparing it from each `&` reads each
      // character a bounded number of times.
      if (
        char === mark[0] &&
        backslashes >= depth &&
        (backslashes - depth) % unit === 0 &&
        text.startsWith(mark, i)
      ) {
        const closing = text.slice(i - depth, i + mark.length);
        return { shown: `${quote[0]}${scheme}${REDACTED}${closing}`, end: i + mark.length };
      }
      backslashes = char === '\\' ? backslashes + 1 : 0;
    }
    return { shown: `${quote[0]}${scheme}${REDACTED}`, end: text.length };
  }
  const scheme = stickyMatch(SCHEME, text, at)?.[0] ?? '';
  const after = at + scheme.length;
  const parameters =
    scheme === ''
      ? stickyMatch(ANY_SCHEME_PARAMETER, text, at)
      : stickyMatch(PARAMETER, text, after);
  if (parameters !== null) {
    const line = stickyMatch(REST_OF_LINE, text, after)!;
    return { shown: `${scheme}${REDACTED}`, end: after + line[0].length };
  }
  const bare =
    stickyMatch(BARE, text, after) ?? (scheme === '' ? null : stickyMatch(BARE, text, at));
  if (bare === null) return undefined;
  const kept = bare.index === after ? scheme : '';
  return { shown: `${kept}${REDACTED}`, end: bare.index + bare[0].length };
}

/** `text` with the value of every name ending with a credential word hidden. */
function hideNamedValues(text: string): string {
  let shown = '';
  let copied = 0;
  CREDENTIAL_NAME.lastIndex = 0;
  for (let name = CREDENTIAL_NAME.exec(text); name !== null; name = CREDENTIAL_NAME.exec(text)) {
    const at = name.index + name[0].length;
    const value = hiddenValue(text, at);
    if (value === undefined) continue;
    shown += text.slice(copied, at) + value.shown;
    copied = value.end;
    CREDENTIAL_NAME.lastIndex = value.end;
  }
  return shown + text.slice(copied);
}

/**
 * Text copied out of a provider's error (its message, name, code) for the router's own outputs:
 * attempts, events and their diagnostics channels, logs, stats and metrics. A provider of the
 * user's own may quote what it failed on: `request to https://bob:pw@gw/v1 failed;
 * Authorization: Bearer tok`, or its upstream's body. Hidden: the value of a header, field or
 * query parameter named for a credential (`x-api-key: ...`, `?api_key=...`, `"password": "..."`,
 * `{\"password\":\"...\"}`, `{\u0022password\u0022:...}`, `{&quot;password&quot;:...}`), a
 * scheme's parameters (`Digest username="u", response="..."`), the text of an XML element named
 * alike (`<password>...</password>`, escaped too: `&lt;password&gt;`), then what `hideSecretShapes`
 * hides (a URL's userinfo, a `Bearer`/`Basic` credential, a generated key or token). The
 * provider's error object itself is never changed.
 */
export function scrubErrorText(text: string): string {
  return hideSecretShapes(hideNamedValues(hideCredentialElements(text)));
}
