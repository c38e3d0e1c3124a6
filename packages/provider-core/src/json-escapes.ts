// A text with its JSON string escapes decoded, where a secret is looked for besides the text
// itself: a server that quotes the request's headers as JSON inside its message escapes a key's
// `"` and `\`, Python's `json.dumps` writes `\uXXXX` for every character past ASCII, PHP writes
// `/` as `\/`, and a proxy may escape any character it likes. Escapes of only some characters
// cannot be listed as forms of a secret (each character escaped or not: 2^n forms); decoding the
// text once finds them all, and costs nothing per secret.

/** A text with its escapes decoded, and where each decoded escape sits. */
export interface Unescaped {
  readonly text: string;
  /** Index in `text` of each character that was an escape, ascending. */
  readonly at: readonly number[];
  /** For each of those: the characters its escape and the ones before it took beyond one each. */
  readonly extra: readonly number[];
}

/** JSON's escapes: `\uXXXX` and the escaped characters of RFC 8259. */
const ESCAPE = /\\(?:u([0-9A-Fa-f]{4})|(["\\/bfnrt]))/g;
const SIMPLE: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/**
 * `text` with every JSON escape decoded once, read left to right as a JSON string is (`\\u0041`
 * is a backslash and `u0041`); undefined when it holds none (most texts: no backslash at all).
 * A lone surrogate from `\uD83D` stays one, as it would in the text.
 */
export function unescapeJson(text: string): Unescaped | undefined {
  if (!text.includes('\\')) return undefined;
  const at: number[] = [];
  const extra: number[] = [];
  let out = '';
  let from = 0;
  let taken = 0;
  ESCAPE.lastIndex = 0;
  for (let m = ESCAPE.exec(text); m !== null; m = ESCAPE.exec(text)) {
    out += text.slice(from, m.index);
    at.push(out.length);
    out += m[1] !== undefined ? String.fromCharCode(Number.parseInt(m[1], 16)) : SIMPLE[m[2]!]!;
    taken += m[0].length - 1;
    extra.push(taken);
    from = m.index + m[0].length;
  }
  return at.length === 0 ? undefined : { text: out + text.slice(from), at, extra };
}

/**
 * Where the character at `i` of the decoded text starts in the text it was decoded from; for
 * `i` one past a span's last character, where that span ends there (a span's end index is
 * mapped like a start: past every escape before it, its last character's included).
 */
function outer(unescaped: Unescaped, i: number): number {
  const { at, extra } = unescaped;
  // escapes before `i`
  let low = 0;
  let high = at.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (at[mid]! < i) low = mid + 1;
    else high = mid;
  }
  return low === 0 ? i : i + extra[low - 1]!;
}

/** `found` (spans of the decoded text, as [start, end) pairs) as spans of the text, in place. */
export function spansOutside(unescaped: Unescaped, found: number[]): void {
  for (let i = 0; i < found.length; i++) found[i] = outer(unescaped, found[i]!);
}
