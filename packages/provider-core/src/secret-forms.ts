// How a secret is looked for in text that came from the outside: the forms a server may echo it
// in, an index that finds all of them in one pass, and the view of the text they are looked for
// in. The `Redactor` (secrets.ts) puts them together.

/**
 * How many characters of a secret identify it: a piece this long is scrubbed wherever it appears
 * (a server that shows a key's first characters, or cuts it), and the tests' leak check looks for
 * pieces of this length. Also the window of the index's rolling hash.
 */
export const PIECE = 8;

/**
 * ASCII letters lower-cased, nothing else: the same length as `text`, so an index found in it is
 * an index in `text` (`toLowerCase()` may lengthen a string: `İ` becomes two characters).
 */
export const foldCase = (text: string): string =>
  text.replace(/[A-Z]+/g, (run) => run.toLowerCase());

/** Every byte as `%xx`: a proxy or a logger that escapes all of a value, not only what it must. */
function percentEveryByte(bytes: Buffer, upper: boolean): string {
  const text = Array.from(bytes, (byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
  return upper ? text.toUpperCase() : text;
}

/** What a dump puts between hex bytes (`73:6b:2d`, `73 6b 2d`, `73-6b-2d`); nothing, most often. */
const HEX_SEPARATORS = ['', ':', ' ', '-'];

/** `bytes` in hex, with each separator, in both cases of its digits. */
function hexForms(bytes: Buffer): string[] {
  const pairs = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0'));
  return HEX_SEPARATORS.flatMap((separator) => {
    const hex = pairs.join(separator);
    return [hex, hex.toUpperCase()];
  });
}

/**
 * The forms in which a server (or a proxy) may echo a secret back: whole (raw, URL-encoded, every
 * byte percent-encoded, base64, base64url, hex, hex bytes apart), then, with `pieces`, every piece of
 * {@link PIECE} characters, raw and encoded. The encoded pieces are what finds a secret inside a
 * longer encoded value (`base64("Bearer " + key)`, a Basic credential): there the secret does not
 * start on a 3-byte boundary, so its own base64 is not a substring of the whole's, but every 6
 * bytes of it that do start on one encode to 8 characters of their own, whichever of the three
 * alignments it sits at. Hex digits come in both cases; the caller folds the letters of a secret
 * matched in any case.
 */
export function encodings(secret: string, pieces: boolean): string[] {
  const forms = new Set<string>([secret]);
  const uri = encodeURIComponent(secret);
  forms.add(uri);
  // `+` in a query string.
  forms.add(uri.replace(/%20/g, '+'));
  const bytes = Buffer.from(secret, 'utf8');
  forms.add(percentEveryByte(bytes, false));
  forms.add(percentEveryByte(bytes, true));
  const base64 = bytes.toString('base64');
  forms.add(base64);
  forms.add(base64.replace(/=+$/, ''));
  forms.add(bytes.toString('base64url'));
  for (const form of hexForms(bytes)) forms.add(form);
  if (!pieces) return [...forms];
  for (const text of uri === secret ? [secret] : [secret, uri]) {
    for (let i = 0; i + PIECE <= text.length; i++) forms.add(text.slice(i, i + PIECE));
  }
  for (let i = 0; i + PIECE <= bytes.length; i++) {
    const piece = bytes.subarray(i, i + PIECE);
    forms.add(percentEveryByte(piece, false));
    forms.add(percentEveryByte(piece, true));
  }
  for (let i = 0; i + 6 <= bytes.length; i++) {
    const six = bytes.subarray(i, i + 6);
    forms.add(six.toString('base64'));
    forms.add(six.toString('base64url'));
  }
  // Under 8 bytes the windows above miss one alignment or more (none at all under 6 bytes), so a
  // short secret (a URL's password) inside a longer base64 value needs its own forms per alignment.
  if (bytes.length < PIECE) for (const form of alignedBase64(bytes)) forms.add(form);
  for (let i = 0; i + PIECE / 2 <= bytes.length; i++) {
    for (const form of hexForms(bytes.subarray(i, i + PIECE / 2))) forms.add(form);
  }
  return [...forms];
}

/**
 * The base64 characters that `bytes` alone decide, at each of the three places they can start in
 * a 3-byte group of a longer value: the characters that also hold a neighbour's bits are left
 * out. Each is at least 4 characters for 4 bytes or more.
 */
export function alignedBase64(bytes: Buffer): string[] {
  const forms: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes, Buffer.alloc(2)]);
    const first = Math.ceil((8 * offset) / 6);
    const end = Math.floor((8 * (offset + bytes.length)) / 6);
    forms.push(padded.toString('base64').slice(first, end));
    forms.push(padded.toString('base64url').slice(first, end));
  }
  return forms;
}

/**
 * The secret parts of a credential: `Bearer x` → the value and `x`; `Basic b64` → the value, `b64`,
 * `user:pass` and `pass`. Pieces are taken of the secret parts only: the pieces of `Bearer x` would
 * scrub the word `Bearer` out of every message.
 */
export function parts(value: string): { text: string; pieces: boolean }[] {
  const match = /^\s*(Bearer|Basic|Token|ApiKey)\s+(\S+)\s*$/i.exec(value);
  if (match === null) return [{ text: value, pieces: true }];
  const token = match[2]!;
  const out = [
    { text: value, pieces: false },
    { text: token, pieces: true },
  ];
  if (match[1]!.toLowerCase() === 'basic') {
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon !== -1) {
      out.push({ text: decoded, pieces: false }, { text: decoded.slice(colon + 1), pieces: true });
    }
  }
  return out;
}

/**
 * Line breaks, and the indentation after one: what a wrapped value (base64 at any width) holds;
 * and the characters that show as nothing (zero-width space, joiners, word joiner, byte order
 * mark, soft hyphen), which a server may put between a key's characters to keep it from being
 * copied, or a text's formatting may leave there.
 */
const WRAP = /[\r\n\u2028\u2029][\t ]*|[\u00ad\u200b-\u200d\u2060\ufeff]/g;

/** A form as it is looked for: without what {@link WRAP} takes out of the text. */
export const unwrapped = (form: string): string => form.replace(WRAP, '');

/**
 * Where secrets are looked for: the text without its line breaks (a base64 block wrapped at any
 * width, a key cut across lines) and invisible characters, as it is and case-folded, and what maps an index in it back to
 * the text: one number per character taken out (a partial answer can be megabytes of markdown;
 * one per line, not one per character of the text).
 */
export interface SearchView {
  readonly exact: string;
  readonly folded: string;
  /** For each character taken out: where, in the view, it was taken from. Ascending. */
  readonly taken: number[];
}

export function searchable(text: string): SearchView {
  const taken: number[] = [];
  WRAP.lastIndex = 0;
  for (let m = WRAP.exec(text); m !== null; m = WRAP.exec(text)) {
    const at = m.index - taken.length;
    for (let i = 0; i < m[0].length; i++) taken.push(at);
  }
  const exact = taken.length === 0 ? text : text.replace(WRAP, '');
  return { exact, folded: foldCase(exact), taken };
}

/** The index in the text of the character at `i` in the view. */
function original(view: SearchView, i: number): number {
  const { taken } = view;
  // characters taken out before it: those taken from its place in the view or an earlier one
  let low = 0;
  let high = taken.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (taken[mid]! <= i) low = mid + 1;
    else high = mid;
  }
  return i + low;
}

/** `found` (spans of the view, as [start, end) pairs) as spans of the text. */
export function inText(view: SearchView, found: number[]): number[] {
  if (view.taken.length === 0) return found;
  const out: number[] = [];
  for (let i = 0; i < found.length; i += 2) {
    out.push(original(view, found[i]!), original(view, found[i + 1]! - 1) + 1);
  }
  return out;
}

const BASE = 31;
/** BASE to the power PIECE - 1, modulo 2^32: what the character leaving the window weighed. */
const BASE_OUT = Array.from({ length: PIECE - 1 }).reduce<number>((h) => Math.imul(h, BASE), 1);
const BITS = 1 << 20;

/** The rolling hash of `text`'s {@link PIECE} characters from `at`. */
function hashAt(text: string, at: number): number {
  let h = 0;
  for (let i = at; i < at + PIECE; i++) h = (Math.imul(h, BASE) + text.charCodeAt(i)) | 0;
  return h;
}

const slotOf = (h: number): number => (h ^ (h >>> 13)) & (BITS - 1);

/**
 * Forms found in one pass over a text, however many: each form of {@link PIECE} characters or
 * more under its first {@link PIECE}, which a rolling hash over the text and a bitmap of the
 * anchors' hashes pick out (a string is made only where the bitmap says so); shorter forms (of
 * short secrets) with `indexOf`. A form per character of a key, searched one by one, cost seconds
 * on a partial answer of 32 MB.
 */
export class FormIndex {
  readonly #anchors = new Map<string, string[]>();
  readonly #bits = new Uint32Array(BITS / 32);
  readonly #short = new Set<string>();

  get size(): number {
    return this.#anchors.size + this.#short.size;
  }

  add(form: string): void {
    if (form.length < PIECE) {
      if (form.length > 0) this.#short.add(form);
      return;
    }
    const anchor = form.slice(0, PIECE);
    const forms = this.#anchors.get(anchor);
    if (forms === undefined) {
      this.#anchors.set(anchor, [form]);
      const slot = slotOf(hashAt(anchor, 0));
      this.#bits[slot >>> 5]! |= 1 << (slot & 31);
    } else if (!forms.includes(form)) forms.push(form);
  }

  /** Adds to `found` the spans of `text` (as [start, end) pairs) where a form occurs. */
  find(text: string, found: number[]): void {
    for (const form of this.#short) {
      for (let i = text.indexOf(form); i !== -1; i = text.indexOf(form, i + 1)) {
        found.push(i, i + form.length);
      }
    }
    const n = text.length;
    if (this.#anchors.size === 0 || n < PIECE) return;
    const bits = this.#bits;
    let h = hashAt(text, 0);
    for (let at = 0; ; at++) {
      const slot = slotOf(h);
      if ((bits[slot >>> 5]! & (1 << (slot & 31))) !== 0) {
        const forms = this.#anchors.get(text.slice(at, at + PIECE));
        if (forms !== undefined) {
          for (const form of forms) if (text.startsWith(form, at)) found.push(at, at + form.length);
        }
      }
      const next = at + PIECE;
      if (next >= n) return;
      h =
        (Math.imul(h - Math.imul(text.charCodeAt(at), BASE_OUT), BASE) + text.charCodeAt(next)) | 0;
    }
  }
}
