// The forms a secret may be quoted in, once for every package: `@x/provider-core`'s Redactor and
// the Redis stores' error texts (`client-secrets.ts`) look for the same list.

/**
 * Shorter secrets are not looked for in text (`x-token: 1` would shred ordinary text, `ab` is in
 * every other message): the Redactor does not scrub them, a provider refuses a header named like
 * a credential with such a value, and a Redis store's error text keeps them.
 */
export const SECRET_MIN = 4;

/**
 * A secret this long is matched whatever the case of its letters (an upper-cased echo of a key is
 * still the key); a shorter one only as written: those are placeholders more than keys (`EMPTY`
 * for vLLM, `ollama`), and in any case they would match ordinary words.
 */
export const FOLD_MIN = 16;

/** Every byte as `%xx`: a proxy or a logger that escapes all of a value, not only what it must. */
export function percentEveryByte(bytes: Buffer, upper: boolean): string {
  const text = Array.from(bytes, (byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
  return upper ? text.toUpperCase() : text;
}

/** What a dump puts between hex bytes (`73:6b:2d`, `73 6b 2d`, `73-6b-2d`); nothing, most often. */
export const HEX_SEPARATORS: readonly string[] = ['', ':', ' ', '-'];

/** `bytes` in hex, `separator` between two bytes, in lower-case digits. */
export const hexOf = (bytes: Buffer, separator: string): string =>
  Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(separator);

/** A lone surrogate: no URI form (`encodeURIComponent` throws); as UTF-8 bytes it is U+FFFD. */
const LONE_SURROGATE = /\p{Cs}/gu;

/** `secret` URL-encoded, a lone surrogate written as the U+FFFD its UTF-8 bytes hold. */
export const uriOf = (secret: string): string =>
  encodeURIComponent(secret.replace(LONE_SURROGATE, '\ufffd'));

/**
 * `text` read backwards, by code point (a surrogate pair stays one character): a hostile server's
 * way past a scrubber that looks for a secret only as it is written.
 */
export const reversed = (text: string): string => [...text].reverse().join('');

/**
 * The forms a whole secret may be quoted in by a server, a proxy or a wrapping driver: as
 * written, reversed, URL-encoded (`+` for a space too, and every byte escaped), base64 (padded or
 * not), base64url, hex (bytes apart or not), the escapes and hex digits in both cases, and
 * JSON-escaped (once, and inside JSON again). The one list of them: `@x/provider-core`'s Redactor
 * indexes these before the pieces of a secret, and {@link redactKnownSecrets} looks for them in
 * a driver's error text. A secret is looked for only from {@link SECRET_MIN} characters on, so a
 * reversed one is at least as long as any other form looked for (and a long one in any case, as
 * the secret itself: {@link FOLD_MIN}).
 */
export function secretForms(secret: string): string[] {
  const uri = uriOf(secret);
  const bytes = Buffer.from(secret, 'utf8');
  const base64 = bytes.toString('base64');
  const forms = [
    secret,
    reversed(secret),
    uri,
    // `+` in a query string.
    uri.replace(/%20/g, '+'),
    percentEveryByte(bytes, false),
    percentEveryByte(bytes, true),
    base64,
    base64.replace(/=+$/, ''),
    bytes.toString('base64url'),
    JSON.stringify(secret).slice(1, -1),
    // JSON quoted inside JSON (a log line's message holding a serialised error)
    JSON.stringify(JSON.stringify(secret).slice(1, -1)).slice(1, -1),
  ];
  for (const separator of HEX_SEPARATORS) {
    const hex = hexOf(bytes, separator);
    forms.push(hex, hex.toUpperCase());
  }
  // Longest first: a form that holds another (the base64 with its padding) is hidden whole.
  return [...new Set(forms)].sort((a, b) => b.length - a.length);
}
