// Go's encoding/json escapes <, > and & (HTML-safe output) and U+2028/U+2029, and turns invalid
// UTF-16 (lone surrogates, which Go sees as invalid UTF-8) into \ufffd. JSON.stringify does none of
// that, so its output is post-processed; the regex test keeps the common case to one scan.
const NEEDS_ESCAPE = /[<>&\u2028\u2029]|\\ud[89a-f]/;
const ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** Serialises like Go's json.Marshal: compact, HTML-escaped, declaration (insertion) order. */
export function goJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (!NEEDS_ESCAPE.test(text)) return text;
  return (
    text
      .replace(/[<>&\u2028\u2029]/g, (c) => ESCAPES[c]!)
      // Only an escape (an odd run of backslashes), not a literal "\\ud800" typed by a user.
      .replace(/(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/g, '$1\\ufffd')
  );
}

/**
 * Formats a float32 the way Go's encoding/json does: the shortest decimal that round-trips to the
 * same float32, in plain notation between 1e-6 and 1e21 and exponent notation outside.
 */
export function goFloat32(value: number): string {
  const f = Math.fround(value);
  if (f === 0) return '0';
  for (let precision = 1; precision < 10; precision++) {
    const candidate = Number(f.toPrecision(precision));
    if (Math.fround(candidate) === f) return String(candidate);
  }
  return String(f);
}

/** Go's %q for simple strings: double quotes with JSON-style escapes (close enough for ASCII). */
export function goQuote(text: string): string {
  return JSON.stringify(text);
}
