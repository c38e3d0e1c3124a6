// A text with its escapes decoded, where a secret (or an echo of a prompt: `prompt-echoes.ts`) is
// looked for besides the text itself. A server or a proxy may escape some characters of a key, or
// all of them, in several ways: JSON's `\"`, `\/` and `\uXXXX` (a server quoting the request's
// headers as JSON; Python's `json.dumps` escapes every character past ASCII), Python repr's `\'`,
// `\xNN` and `\UNNNNNNNN` (pydantic's `input_value='...'`, which escapes the controls and
// unprintable characters of a quoted prompt that way), percent-escapes of any byte (`%2D` for `-`: RFC 3986 allows
// it), and HTML character references (`&#115;`, `&#x73;`, `&amp;`: an HTML error page).
// Escapes of only some characters cannot be listed as forms of a secret (each character escaped
// or not: 2^n forms); decoding the text once finds them all, and costs nothing per secret.
// Decoding the decoded text again finds a secret escaped twice (JSON quoted in a JSON string, a
// URL encoded again: `%252D`).

/** A text with its escapes decoded, and where each decoded escape sits. */
export interface Unescaped {
  readonly text: string;
  /** Index in `text` of the first character of each decoded escape, ascending. */
  readonly at: Int32Array;
  /** For each of those: the characters its escape and the ones before took beyond what they became. */
  readonly extra: Int32Array;
}

/**
 * The escapes, each read where it starts (left to right, so `\\u0041` is a backslash and `u0041`,
 * as a JSON string is read): JSON's escapes and Python repr's `\'`, `\xNN` and `\UNNNNNNNN`, a run of percent-escapes (of
 * any byte, in either case of hex: a UTF-8 character spans several), and an HTML character
 * reference (numeric, with any number of leading zeros and its `;` or without as browsers read
 * them, or one of XML's five named ones).
 */
const ESCAPES =
  /\\(?:u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|U[0-9A-Fa-f]{8}|["'\\/bfnrt])|(?:%[0-9A-Fa-f]{2})+|&#(?:0*[0-9]{1,7}|[xX]0*[0-9A-Fa-f]{1,6});?|&(?:amp|lt|gt|quot|apos);/g;
const SIMPLE: Readonly<Record<string, string>> = {
  '"': '"',
  "'": "'",
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};
const NAMED: Readonly<Record<string, string>> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&apos;': "'",
};

/**
 * The decoded text as it is built: each escape becomes a unit, whose place is recorded. Pieces
 * are joined once at the end (a text of megabytes may hold an escape every few characters).
 */
class Decoding {
  readonly parts: string[] = [];
  length = 0;
  /** Units recorded so far; `at` and `extra` grow by doubling (cheaper than `push` for many). */
  count = 0;
  at = new Int32Array(64);
  extra = new Int32Array(64);
  /** What the escapes so far took beyond what they became. */
  taken = 0;

  #room(more: number): void {
    if (this.count + more <= this.at.length) return;
    let size = this.at.length * 2;
    while (size < this.count + more) size *= 2;
    const at = new Int32Array(size);
    at.set(this.at);
    const extra = new Int32Array(size);
    extra.set(this.extra);
    this.at = at;
    this.extra = extra;
  }

  /** Text taken as it is. */
  raw(text: string): void {
    this.parts.push(text);
    this.length += text.length;
  }

  /** An escape of `length` characters that stands for `decoded` (a surrogate pair at most). */
  unit(decoded: string, length: number): void {
    this.#room(1);
    this.at[this.count] = this.length;
    this.taken += length - decoded.length;
    this.extra[this.count++] = this.taken;
    this.raw(decoded);
  }

  /** Characters each escaped by `length` characters (one unit each, without a string each). */
  units(decoded: string, length: number): void {
    this.#room(decoded.length);
    const { at, extra, count } = this;
    let taken = this.taken;
    for (let i = 0; i < decoded.length; i++) {
      at[count + i] = this.length + i;
      taken += length - 1;
      extra[count + i] = taken;
    }
    this.count += decoded.length;
    this.taken = taken;
    this.raw(decoded);
  }

  /**
   * A run of `%XX` read as UTF-8: a character of several bytes is one unit; a byte that starts
   * none is left as it was written.
   */
  percent(run: string): void {
    const values = Buffer.alloc(run.length / 3);
    for (let i = 0; i < values.length; i++) {
      values[i] = (hexDigit(run.charCodeAt(3 * i + 1)) << 4) | hexDigit(run.charCodeAt(3 * i + 2));
    }
    for (let i = 0; i < values.length; ) {
      if (values[i]! < 0x80) {
        let end = i + 1;
        while (end < values.length && values[end]! < 0x80) end++;
        this.units(values.toString('latin1', i, end), 3);
        i = end;
        continue;
      }
      const size = utf8Size(values, i);
      if (size === 0) {
        this.raw(run.slice(3 * i, 3 * i + 3));
        i++;
        continue;
      }
      this.unit(values.toString('utf8', i, i + size), 3 * size);
      i += size;
    }
  }
}

/** The value of a hex digit's character code (one the expression matched). */
const hexDigit = (code: number): number => (code <= 0x39 ? code - 0x30 : (code | 0x20) - 0x57);

/** How many bytes the UTF-8 character at `i` takes; 0 when none starts there (or it is malformed). */
function utf8Size(values: Uint8Array, i: number): number {
  const lead = values[i]!;
  if (lead < 0x80) return 1;
  const size =
    lead >= 0xc2 && lead <= 0xdf
      ? 2
      : lead >= 0xe0 && lead <= 0xef
        ? 3
        : lead >= 0xf0 && lead <= 0xf4
          ? 4
          : 0;
  if (size === 0 || i + size > values.length) return 0;
  for (let k = 1; k < size; k++) if ((values[i + k]! & 0xc0) !== 0x80) return 0;
  const second = values[i + 1]!;
  // overlong forms, surrogates, past U+10FFFF
  if (lead === 0xe0 && second < 0xa0) return 0;
  if (lead === 0xed && second >= 0xa0) return 0;
  if (lead === 0xf0 && second < 0x90) return 0;
  if (lead === 0xf4 && second >= 0x90) return 0;
  return size;
}

/**
 * The character of a `\u`, `\x` or `\U` escape: a lone surrogate as it is (JSON writes a pair as
 * two `\u`); undefined past U+10FFFF (a `\U` no Python writes).
 */
const codePoint = (cp: number): string | undefined =>
  cp <= 0xffff ? String.fromCharCode(cp) : cp <= 0x10ffff ? String.fromCodePoint(cp) : undefined;

/** The character an HTML reference stands for; undefined for none (a surrogate, past U+10FFFF). */
function referenced(reference: string): string | undefined {
  const named = NAMED[reference];
  if (named !== undefined) return named;
  const end = reference.endsWith(';') ? reference.length - 1 : reference.length;
  const hex = reference[2] === 'x' || reference[2] === 'X';
  const cp = hex
    ? Number.parseInt(reference.slice(3, end), 16)
    : Number.parseInt(reference.slice(2, end), 10);
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
  return String.fromCodePoint(cp);
}

/**
 * How many times a text's escapes are decoded: JSON text quoted in a JSON string is escaped twice,
 * and so is a URL encoded again (`%252D`).
 */
const ESCAPE_LEVELS = 2;

/**
 * `text` decoded once, then that decoded again, up to {@link ESCAPE_LEVELS} times: each decoding
 * that changed something, outermost first (none for a text without escapes). A span found in
 * decoding `k` is a span of `text` once `spansOutside` has mapped it through decodings `k` to 0.
 */
export function decodings(text: string): Unescaped[] {
  const levels: Unescaped[] = [];
  for (let inner = text; levels.length < ESCAPE_LEVELS; ) {
    const unescaped = unescapeText(inner);
    if (unescaped === undefined) break;
    levels.push(unescaped);
    inner = unescaped.text;
  }
  return levels;
}

/**
 * `text` with every escape decoded once; undefined when it holds none (most texts: no `\\`, `%`
 * or `&` at all).
 */
export function unescapeText(text: string): Unescaped | undefined {
  // a search for one character is far cheaper than the expression's, on a text of megabytes
  if (!text.includes('\\') && !text.includes('%') && !text.includes('&')) return undefined;
  const out = new Decoding();
  let from = 0;
  ESCAPES.lastIndex = 0;
  for (let m = ESCAPES.exec(text); m !== null; m = ESCAPES.exec(text)) {
    out.raw(text.slice(from, m.index));
    const escaped = m[0];
    const lead = escaped[0];
    if (lead === '\\') {
      const decoded = SIMPLE[escaped[1]!] ?? codePoint(Number.parseInt(escaped.slice(2), 16));
      if (decoded === undefined) out.raw(escaped);
      else out.unit(decoded, escaped.length);
    } else if (lead === '&') {
      const decoded = referenced(escaped);
      if (decoded === undefined) out.raw(escaped);
      else out.unit(decoded, escaped.length);
    } else {
      out.percent(escaped);
    }
    from = m.index + escaped.length;
  }
  if (out.count === 0) return undefined;
  out.raw(text.slice(from));
  const { count } = out;
  return {
    text: out.parts.join(''),
    at: out.at.subarray(0, count),
    extra: out.extra.subarray(0, count),
  };
}

/**
 * Where the character at `i` of the decoded text starts in the text it was decoded from; for
 * `i` one past a span's last character, where that span ends there (a span's end index is
 * mapped like a start: past every escape before it, its last character's included). The second
 * character of a surrogate pair decoded from one escape maps into that escape, near its end.
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

/**
 * `text` with each run of overlapping or touching spans of `found` ([start, end) pairs, in any
 * order) replaced by one `placeholder`, and how many runs there were.
 */
export function cutSpans(
  text: string,
  found: readonly number[],
  placeholder: string,
): { text: string; runs: number } {
  const spans: [number, number][] = [];
  for (let i = 0; i < found.length; i += 2) spans.push([found[i]!, found[i + 1]!]);
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let from = 0;
  let runs = 0;
  for (let i = 0; i < spans.length; ) {
    const start = spans[i]![0];
    let end = spans[i]![1];
    for (i++; i < spans.length && spans[i]![0] <= end; i++) end = Math.max(end, spans[i]![1]);
    out += text.slice(from, start) + placeholder;
    from = end;
    runs++;
  }
  return { text: out + text.slice(from), runs };
}
