// The forms a hostile server may put a secret in to get it past a scrubber that knows only its
// encodings (secret-forms.ts): spaced out (in groups too), reversed, base64 of its UTF-16 bytes,
// base64 twice, fullwidth, rotated letters. Like the encodings, they are worked out once per
// secret and found in the same one pass over the text: what they add per text is more anchors in
// the index's bitmap, and an `indexOf` per form shorter than PIECE (those of a secret under 8
// characters).

import { reversed } from '@x/internal';
import { alignedBase64, type Forms, NOT_ASCII, PIECE } from './secret-forms';

/**
 * What a server may put between every two characters of a key (`s k - l i v e`, `s, k, -`): one
 * of these throughout. Invisible characters need none of their own: the search view has them
 * taken out, so `s\u200b k\u200b` is looked for as `s k`. Mixed separators are not looked for.
 */
const SPACERS = [
  ' ',
  '  ',
  '-',
  '.',
  '_',
  ',',
  ', ',
  ':',
  ';',
  '|',
  '/',
  '\\',
  '+',
  '*',
  '~',
  '\t',
  '\u00a0',
  '\u00b7',
  '\u3000',
  ' - ',
  '- ',
  ' . ',
  '. ',
  ' | ',
  ' / ',
];

/**
 * What a server may put between groups of a key's characters (`sk-a bcde fghi`, `sk-ab.cdef.gh`):
 * one of these throughout, every {@link GROUP_MIN} to {@link GROUP_MAX} characters. A line break
 * needs none: the search view has line breaks taken out, so a key wrapped every N characters is
 * found as it is.
 */
const GROUP_SPACERS = [' ', '-', '.', '_'];
/** Groups of one character are the spaced-out forms ({@link SPACERS}). */
const GROUP_MIN = 2;
/**
 * From PIECE characters on a group holds pieces of the key, which are scrubbed wherever they
 * are; only a last group shorter than a piece would be left (`[redacted] [redacted] Rq`).
 */
const GROUP_MAX = PIECE;

/**
 * `chars` cut into groups of `size`, counted from the start (the last group may be shorter) or
 * from the end (the first may be): how a key is written out in groups, as a card number is.
 */
function groupsOf(chars: string[], size: number, fromEnd: boolean): string[] {
  const groups: string[] = [];
  let at = fromEnd ? chars.length % size : 0;
  if (at > 0) groups.push(chars.slice(0, at).join(''));
  for (; at < chars.length; at += size) groups.push(chars.slice(at, at + size).join(''));
  return groups;
}

/**
 * The key in groups of 2 to {@link GROUP_MAX} characters with one of {@link GROUP_SPACERS}
 * between two, from either end: whole only (the key's characters in order, one separator
 * throughout), and only in 3 groups or more and {@link PIECE} characters or more (a short
 * secret in two halves, `pass word`, is ordinary text). A fixed number of forms per key, worked
 * out once: a text is searched for them in the same one pass as every other form.
 */
function groupedForms(chars: string[], forms: Forms): void {
  for (let size = GROUP_MIN; size <= GROUP_MAX; size++) {
    for (const fromEnd of [false, true]) {
      // From either end the same groups when they divide the key evenly.
      if (fromEnd && chars.length % size === 0) continue;
      const groups = groupsOf(chars, size, fromEnd);
      if (groups.length < 3) continue;
      for (const spacer of GROUP_SPACERS) {
        const form = groups.join(spacer);
        if (form.length >= PIECE) forms.add(form);
      }
    }
  }
}

/** ASCII letters moved `shift` places along the alphabet, in their case; nothing else. */
function caesar(text: string, shift: number): string {
  if (NOT_ASCII.test(text)) {
    return text.replace(/[A-Za-z]/g, (c) => {
      const base = c <= 'Z' ? 65 : 97;
      return String.fromCharCode(((c.charCodeAt(0) - base + shift) % 26) + base);
    });
  }
  // ASCII (most keys) a byte at a time: 25 rotations of a 2.5 KB key, a replacement per letter,
  // were a good part of the time a key's forms took.
  const bytes = Buffer.from(text, 'latin1');
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    const base = c >= 97 && c <= 122 ? 97 : c >= 65 && c <= 90 ? 65 : 0;
    if (base !== 0) bytes[i] = ((c - base + shift) % 26) + base;
  }
  return bytes.toString('latin1');
}

/** ASCII's printable characters as their fullwidth forms (U+FF01 to U+FF5E, U+3000 for a space). */
const fullwidth = (text: string): string =>
  text.replace(/[\x20-\x7e]/g, (c) =>
    c === ' ' ? '\u3000' : String.fromCharCode(c.charCodeAt(0) + 0xfee0),
  );

/** `text`'s UTF-16 code units as bytes, low byte first or high byte first. */
function utf16(text: string, bigEndian: boolean): Buffer {
  const bytes = Buffer.from(text, 'utf16le');
  return bigEndian ? bytes.swap16() : bytes;
}

/** Each of `base64`'s spellings: padded, unpadded, base64url. */
function base64s(bytes: Buffer): string[] {
  const base64 = bytes.toString('base64');
  return [base64, base64.replace(/=+$/, ''), bytes.toString('base64url')];
}

/**
 * The disguised forms of `secret`, whole, and with `pieces` its pieces where they are as specific
 * as the encodings' pieces (and so as unlikely in innocent text):
 * - spaced out: whole only, and only when the form is {@link PIECE} characters or more (a piece
 *   spaced out, or a short secret, `t e s t`, is in ordinary text);
 * - spaced out in groups of 2 to {@link PIECE} characters (`sk-a bcde fghi`): whole only
 *   ({@link groupedForms});
 * - reversed, rotated 13, fullwidth: as the raw secret, every piece of {@link PIECE} characters;
 * - any other rotation of the letters: whole only, for a secret of {@link PIECE} characters or
 *   more (the rotations of a short word include other words: `cheer`, `jolly`);
 * - the base64 of its UTF-16 bytes (either order): the pieces of 12 bytes (6 characters, as the
 *   encodings' 6-byte pieces of the UTF-8), which find it inside a longer value too;
 * - base64 twice: every 9 characters of its base64 (as it encodes alone, or inside a longer value
 *   at each alignment), encoded again; a secret too short for those, whole only.
 */
export function disguises(secret: string, pieces: boolean, forms: Forms): void {
  const chars = [...secret];
  for (const spacer of SPACERS) {
    const spaced = chars.join(spacer);
    if (spaced.length >= PIECE) forms.add(spaced);
  }
  groupedForms(chars, forms);
  const mirrored = reversed(secret);
  const rot13 = caesar(secret, 13);
  const wide = fullwidth(secret);
  for (const form of [mirrored, rot13, wide]) forms.add(form);
  if (secret.length >= PIECE)
    for (let shift = 1; shift < 26; shift++) forms.add(caesar(secret, shift));
  const utf16s = [utf16(secret, false), utf16(secret, true)];
  for (const bytes of utf16s) for (const form of base64s(bytes)) forms.add(form);
  const utf8 = Buffer.from(secret, 'utf8');
  const inner = [...new Set([...base64s(utf8), ...alignedBase64(utf8)])];
  for (const once of inner) for (const form of base64s(Buffer.from(once))) forms.add(form);
  if (!pieces) return;
  for (const text of [mirrored, rot13, wide]) forms.codePointSlices(text, PIECE);
  for (const bytes of utf16s) {
    forms.base64Windows(bytes, 12);
    // Under 7 characters, the 12-byte windows miss an alignment or more.
    if (bytes.length < 14) for (const form of alignedBase64(bytes)) forms.add(form);
  }
  // A prefix of another (unpadded of padded, the first alignment of the whole) has no window
  // the other has not.
  const longest = inner.filter(
    (once) => !inner.some((other) => other !== once && other.startsWith(once)),
  );
  for (const once of longest) forms.base64Windows(Buffer.from(once), 9);
}
