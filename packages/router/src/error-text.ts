import { hideSecretShapes, REDACTED } from '@x/internal';

/**
 * The last word of a header, field or query parameter that holds a credential: `Authorization`,
 * `x-api-key`, `X-Auth-Token`, `client_secret`, `accessToken`, `Cookie`, `?sig=`,
 * `X-Amz-Signature`. Only as the name's end: `@x/internal`'s `SECRET_HEADER` matches anywhere in
 * a name, which suits a header list but not prose, where `max_tokens: 4096` would lose its value.
 */
const CREDENTIAL_WORD =
  'auth(?:orization)?|key|token|secret|passw(?:or)?d|pwd|pass|cookie|credentials?|signature|sig|jwt|session(?:id)?';
/** An `Authorization` scheme, kept in front of the credential it introduces. */
const SCHEME = '(?:Bearer|Basic|Token|Digest|Bot|ApiKey)[ \\t]+';

/**
 * `name: value` (a header, JSON, YAML) or `name=value` (a query string, a form, a connection
 * string) where the name ends with a credential word; the value quoted (to its closing quote) or
 * bare (up to a space, a quote or a separator). The name starts a word and is at most 64
 * characters before its credential word: a long run of name characters (a base64 blob in a
 * server's text) costs linear time, never quadratic.
 */
const NAMED_CREDENTIAL = new RegExp(
  `(?<![\\w.-])([\\w.-]{0,64}?(?:${CREDENTIAL_WORD}))(["']?[ \\t]*[:=][ \\t]*)` +
    `(?:(")(${SCHEME})?[^"]*"?|(')(${SCHEME})?[^']*'?|(${SCHEME})?[^\\s"'\`,;&#<>(){}[\\]]+)`,
  'gi',
);

/**
 * Text copied out of a provider's error (its message, name, code) for the router's own outputs:
 * attempts, events and their diagnostics channels, logs, stats and metrics. A provider of the
 * user's own may quote what it failed on: `request to https://bob:pw@gw/v1 failed;
 * Authorization: Bearer tok`. Hidden: the value of a header or parameter named for a credential
 * (`x-api-key: ...`, `?api_key=...`, `"password": "..."`), then what `hideSecretShapes` hides (a
 * URL's userinfo, a `Bearer`/`Basic` credential, a generated key or token). The provider's error
 * object itself is never changed.
 */
export function scrubErrorText(text: string): string {
  const named = text.replace(
    NAMED_CREDENTIAL,
    (
      _whole: string,
      name: string,
      separator: string,
      double: string | undefined,
      doubleScheme: string | undefined,
      single: string | undefined,
      singleScheme: string | undefined,
      bareScheme: string | undefined,
    ) => {
      const quote = double ?? single;
      const scheme = doubleScheme ?? singleScheme ?? bareScheme ?? '';
      return quote === undefined
        ? `${name}${separator}${scheme}${REDACTED}`
        : `${name}${separator}${quote}${scheme}${REDACTED}${quote}`;
    },
  );
  return hideSecretShapes(named);
}
