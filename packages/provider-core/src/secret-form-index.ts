// The index that finds every form of the configured secrets (secret-forms.ts) in one pass over a
// text: a rolling hash of each position's first PIECE characters, a bitmap of the forms' hashes,
// and a table of the forms by that hash.

import { PIECE } from './secret-forms';

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

/** Sets the bit of hash `h` in `bits`. */
function mark(bits: Uint32Array, h: number): void {
  const slot = slotOf(h);
  bits[slot >>> 5]! |= 1 << (slot & 31);
}

/** A form's bucket in a table of 2^(32 - `shift`): the high bits of a product mix all of `h`'s. */
const bucketOf = (h: number, shift: number): number => Math.imul(h, 0x9e3779b1) >>> shift;

/**
 * Forms found in one pass over a text, however many: each form of {@link PIECE} characters or
 * more by the hash of its first {@link PIECE}, which a rolling hash over the text and a bitmap of
 * those hashes pick out (a form is compared only where the bitmap says so); shorter forms (of
 * short secrets) with `indexOf`. A form per character of a key, searched one by one, cost seconds
 * on a partial answer of 32 MB. The forms are in a hash table of typed arrays keyed by that same
 * hash, not a `Map` by their first characters: a `Map` entry (a string sliced and hashed) for
 * each of the 40,000 forms of a 2.5 KB key took a good part of a tenth of a second.
 */
export class FormIndex {
  /** The forms, each once. */
  readonly #forms: string[] = [];
  /** For each form, the hash of its first PIECE characters. */
  #hashes = new Int32Array(256);
  /** For each form, the next one in its bucket; -1 after the last. */
  #next = new Int32Array(256);
  /** For each bucket, its first form; -1 for none. */
  #buckets = new Int32Array(512).fill(-1);
  #shift = 32 - 9;
  /**
   * The hashes of its forms and its members' as bits: made on the first search, not before: an
   * index that is only ever searched as a member of another (a recent key's) needs none, and
   * each is 128 KB.
   */
  #bits: Uint32Array | undefined;
  readonly #short = new Set<string>();
  /** Indexes searched with this one ({@link addIndex}), theirs too; their hashes are in its bitmap. */
  readonly #members: FormIndex[] = [];

  get size(): number {
    let size = 0;
    for (const index of [this, ...this.#members]) size += index.#forms.length + index.#short.size;
    return size;
  }

  /** Every form, once in each index: what secrets are looked for as (for a count in a test). */
  *forms(): IterableIterator<string> {
    for (const index of [this, ...this.#members]) {
      yield* index.#short;
      yield* index.#forms;
    }
  }

  add(form: string): void {
    if (form.length < PIECE) {
      if (form.length > 0) this.#short.add(form);
      return;
    }
    const h = hashAt(form, 0);
    const bucket = bucketOf(h, this.#shift);
    for (let f = this.#buckets[bucket]!; f !== -1; f = this.#next[f]!) {
      if (this.#hashes[f] === h && this.#forms[f] === form) return;
    }
    const f = this.#forms.length;
    if (f === this.#hashes.length) this.#grow();
    this.#forms.push(form);
    this.#hashes[f] = h;
    this.#link(f, h);
    if (this.#bits !== undefined) mark(this.#bits, h);
  }

  /** Puts form `f` first in its bucket. */
  #link(f: number, h: number): void {
    const bucket = bucketOf(h, this.#shift);
    this.#next[f] = this.#buckets[bucket]!;
    this.#buckets[bucket] = f;
  }

  /** Twice the room, and twice the buckets (two for each form at most: short chains). */
  #grow(): void {
    const size = this.#hashes.length * 2;
    const hashes = new Int32Array(size);
    hashes.set(this.#hashes);
    this.#hashes = hashes;
    this.#next = new Int32Array(size);
    this.#buckets = new Int32Array(size * 2).fill(-1);
    this.#shift--;
    for (let f = 0; f < this.#forms.length; f++) this.#link(f, hashes[f]!);
  }

  /**
   * Searches `other` too, in the same pass: the recent keys' index is made again of each key's
   * own whenever a key callback hands out a new key, and taking a key's index as it is costs
   * next to nothing, where adding its forms again cost most of building it. `other` is not
   * changed afterwards (its new forms would be missing from this index's bitmap).
   */
  addIndex(other: FormIndex): void {
    const joined = [other, ...other.#members];
    this.#members.push(...joined);
    if (this.#bits !== undefined) for (const index of joined) index.#markInto(this.#bits);
  }

  /** Sets the bits of this index's own forms in `bits`. */
  #markInto(bits: Uint32Array): void {
    const hashes = this.#hashes;
    for (let f = 0; f < this.#forms.length; f++) mark(bits, hashes[f]!);
  }

  /** The bitmap of every form searched, made now if it was not. */
  #bitmap(): Uint32Array {
    if (this.#bits !== undefined) return this.#bits;
    const bits = new Uint32Array(BITS / 32);
    this.#markInto(bits);
    for (const member of this.#members) member.#markInto(bits);
    this.#bits = bits;
    return bits;
  }

  /** Adds to `found` the spans of `text` (as [start, end) pairs) where a form occurs. */
  find(text: string, found: number[]): void {
    const all = this.#members.length === 0 ? [this] : [this, ...this.#members];
    for (const index of all) {
      for (const form of index.#short) {
        for (let i = text.indexOf(form); i !== -1; i = text.indexOf(form, i + 1)) {
          found.push(i, i + form.length);
        }
      }
    }
    const n = text.length;
    if (n < PIECE || all.every((index) => index.#forms.length === 0)) return;
    const bits = this.#bitmap();
    let h = hashAt(text, 0);
    for (let at = 0; ; at++) {
      const slot = slotOf(h);
      if ((bits[slot >>> 5]! & (1 << (slot & 31))) !== 0) {
        // rare (a form's anchor, or one bit in ~20 of text): each index's table says which
        for (const index of all) index.#at(text, at, h, found);
      }
      const next = at + PIECE;
      if (next >= n) return;
      h =
        (Math.imul(h - Math.imul(text.charCodeAt(at), BASE_OUT), BASE) + text.charCodeAt(next)) | 0;
    }
  }

  /** Adds to `found` the forms that occur at `at` in `text`, whose first characters hash to `h`. */
  #at(text: string, at: number, h: number, found: number[]): void {
    const forms = this.#forms;
    for (let f = this.#buckets[bucketOf(h, this.#shift)]!; f !== -1; f = this.#next[f]!) {
      if (this.#hashes[f] === h && text.startsWith(forms[f]!, at)) {
        found.push(at, at + forms[f]!.length);
      }
    }
  }
}
