/**
 * Pieces for recognising the few fixed shapes a streamed answer repeats once per token, so a
 * provider can read them without `JSON.parse` (about 0.8-1.2 µs a line on Node 20, against 0.1 µs
 * for one anchored regular expression). A pattern built from them matches only valid JSON, so a
 * line it accepts means exactly what it captured; a line it does not accept goes to `JSON.parse`.
 */

/** A JSON string's body, captured: any character but `"`, `\` and controls, or a valid escape. */
export const JSON_TEXT = String.raw`((?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*)`;

/**
 * A JSON string's body without escapes (an id, a model name, a timestamp), not captured: a line
 * where one has an escape is left to `JSON.parse`. Wrap it in `()` to capture it.
 */
export const JSON_PLAIN = String.raw`[^"\\\u0000-\u001f]*`;

/**
 * Longer lines are left to `JSON.parse`: a token's line is 100-300 characters, and a regular
 * expression's backtracking stack grows with the text it repeats over.
 */
export const MAX_SHAPED_LINE = 2048;

/** The string a {@link JSON_TEXT} capture stands for. */
export function jsonText(captured: string): string {
  // Every escape in a capture is valid, so this parse cannot throw.
  return captured.includes('\\') ? (JSON.parse(`"${captured}"`) as string) : captured;
}
