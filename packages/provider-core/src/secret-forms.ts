// How a secret is looked for in text that came from the outside: the forms a server may echo it
// in, and the view of the text they are looked for in. The `Redactor` (secrets.ts) puts them
// together with the index that finds them (secret-form-index.ts).

import { HEX_SEPARATORS, hexOf, percentEveryByte, secretForms, uriOf } from '@x/internal';
import type { FormIndex } from './secret-form-index';

/**
 * How many characters of a secret identify it: a piece this long is scrubbed wherever it appears
 * (a server that shows a key's first characters, or cuts it), and the tests' leak check looks for
 * pieces of this length. Also the window of the index's rolling hash.
 */
export const PIECE = 8;

/** A character past ASCII: a text without any has a faster way through case and letter changes. */
export const NOT_ASCII = /[\u0080-\uffff]/;

/**
 * ASCII letters lower-cased, nothing else: the same length as `text`, so an index found in it is
 * an index in `text` (`toLowerCase()` may lengthen a string: `İ` becomes two characters).
 */
export const foldCase = (text: string): string =>
  // ASCII alone (an encoded form, most keys) has no letter but A to Z that `toLowerCase` changes,
  // and it is many times faster than a replacement per run of capitals.
  NOT_ASCII.test(text) ? text.replace(/[A-Z]+/g, (run) => run.toLowerCase()) : text.toLowerCase();

/**
 * Where a secret's forms go as they are looked for: unwrapped, case-folded with `fold`, into
 * `index`. Pieces are sliced out of a whole form unwrapped and folded once, not each made and
 * transformed on its own (a Buffer, an encoding, two regular expressions): for the tens of
 * thousands of pieces of a 2.5 KB key, that blocked for a tenth of a second. The strings are the
 * same: folding is per character, and a whole with nothing to unwrap has nothing in any slice
 * (one that has is sliced first: `\n  ab` cut after its line break keeps the indentation).
 */
export class Forms {
  readonly #fold: boolean;
  readonly #index: FormIndex;
  /** Wholes already sliced, by how: a base64 equal to its base64url, hex upper and lower folded. */
  readonly #sliced = new Set<string>();

  constructor(fold: boolean, index: FormIndex) {
    this.#fold = fold;
    this.#index = index;
  }

  add(form: string): void {
    const flat = unwrapped(form);
    this.#index.add(this.#fold ? foldCase(flat) : flat);
  }

  /** The slices of `width` characters of `whole` that start at 0, `step`, `2 * step`, ... */
  slices(whole: string, width: number, step = 1): void {
    if (WRAPPING.test(whole)) {
      for (let at = 0; at + width <= whole.length; at += step) {
        this.add(whole.slice(at, at + width));
      }
      return;
    }
    const text = this.#fold ? foldCase(whole) : whole;
    const how = `${width},${step},${text}`;
    if (this.#sliced.has(how)) return;
    this.#sliced.add(how);
    for (let at = 0; at + width <= text.length; at += step) {
      this.#index.add(text.slice(at, at + width));
    }
  }

  /** The pieces of `count` code points of `text` (a surrogate pair is not cut in two). */
  codePointSlices(text: string, count: number): void {
    const units = [...text];
    if (units.length === text.length) {
      this.slices(text, count);
      return;
    }
    for (let i = 0; i + count <= units.length; i++) this.add(units.slice(i, i + count).join(''));
  }

  /**
   * The base64 and base64url of every `width`-byte window of `bytes`, `width` a multiple of 3:
   * what the bytes encode to inside a longer value at whichever of the three alignments they sit.
   * A window that starts `r` bytes past a multiple of 3 is a slice, on a 4-character boundary, of
   * the encoding of the whole 3-byte groups from `r` on.
   */
  base64Windows(bytes: Buffer, width: number): void {
    const chars = (width / 3) * 4;
    for (let r = 0; r < 3 && r + width <= bytes.length; r++) {
      const groups = bytes.subarray(r, r + Math.floor((bytes.length - r) / 3) * 3);
      this.slices(groups.toString('base64'), chars, 4);
      this.slices(groups.toString('base64url'), chars, 4);
    }
  }
}

/**
 * The forms in which a server (or a proxy) may echo a secret back: whole (`secretForms` of
 * `@x/internal`: raw, URL-encoded, every byte percent-encoded, base64, base64url, hex, hex bytes
 * apart, JSON-escaped), then, with `pieces`, every piece of {@link PIECE} characters, raw and
 * encoded. The encoded pieces are what finds a secret inside a longer encoded value
 * (`base64("Bearer " + key)`, a Basic credential): there the secret does not start on a 3-byte
 * boundary, so its own base64 is not a substring of the whole's, but every 6 bytes of it that do
 * start on one encode to 8 characters of their own, whichever of the three alignments it sits at.
 * Hex digits come in both cases; the caller folds the letters of a secret matched in any case. An
 * encoded piece is sliced out of the whole's encoding (each byte has its own characters in
 * percent and hex).
 */
export function encodings(secret: string, pieces: boolean, forms: Forms): void {
  for (const form of secretForms(secret)) forms.add(form);
  if (!pieces) return;
  const uri = uriOf(secret);
  const bytes = Buffer.from(secret, 'utf8');
  forms.slices(secret, PIECE);
  if (uri !== secret) forms.slices(uri, PIECE);
  // `%xx` per byte: PIECE bytes are 3 * PIECE characters.
  for (const upper of [false, true]) forms.slices(percentEveryByte(bytes, upper), 3 * PIECE, 3);
  forms.base64Windows(bytes, 6);
  // Under 8 bytes the windows above miss one alignment or more (none at all under 6 bytes), so a
  // short secret (a URL's password) inside a longer base64 value needs its own forms per alignment.
  if (bytes.length < PIECE) for (const form of alignedBase64(bytes)) forms.add(form);
  // Hex of PIECE / 2 bytes: 2 digits a byte, a separator between two; in both cases of its digits.
  for (const separator of HEX_SEPARATORS) {
    const hex = hexOf(bytes, separator);
    const step = 2 + separator.length;
    for (const form of [hex, hex.toUpperCase()]) {
      forms.slices(form, PIECE + (PIECE / 2 - 1) * separator.length, step);
    }
  }
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
 * the characters that show as nothing (zero-width space, joiners, word joiner, byte order mark,
 * soft hyphen), which a server may put between a key's characters to keep it from being copied,
 * or a text's formatting may leave there; and NUL, which is between every two characters of
 * UTF-16 text read as UTF-8 or latin1 (a body sent as UTF-16LE or BE: `s\0k\0-\0`, shown
 * escaped as `s\u0000k\u0000`), and which no text holds otherwise.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is one of what it takes out
const WRAP = /[\r\n\u2028\u2029][\t ]*|[\u0000\u00ad\u200b-\u200d\u2060\ufeff]/g;

/** A form as it is looked for: without what {@link WRAP} takes out of the text. */
export const unwrapped = (form: string): string => form.replace(WRAP, '');

/**
 * A character {@link WRAP} takes out (a match of it starts with one): a text without any is as
 * it is looked for, and so is each of its slices.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is one of what it takes out
const WRAPPING = /[\r\n\u2028\u2029\u0000\u00ad\u200b-\u200d\u2060\ufeff]/;

/**
 * Where secrets are looked for: the text without its line breaks (a base64 block wrapped at any
 * width, a key cut across lines), invisible characters and NULs (UTF-16 read as UTF-8), as it is
 * and case-folded, and what maps an index in it back to the text: one number per character taken
 * out (a partial answer can be megabytes of markdown; one per line, not one per character of the
 * text).
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
