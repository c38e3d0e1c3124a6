/**
 * The rank map as an open-addressing hash table over the tokens' bytes, so the long-piece merge
 * can look up a byte range of the piece without cutting it out as a string (a `slice` per
 * candidate pair was most of that merge's garbage). Built once per encoding, on the first long
 * piece: about 12 bytes per token plus the tokens' bytes (~6 MB for o200k_base).
 */
export class RankTable {
  readonly #data: Uint8Array; // every token's bytes, back to back
  readonly #start: Int32Array; // token k's bytes are data[start[k] .. start[k + 1])
  readonly #rank: Int32Array;
  readonly #slots: Int32Array; // token index + 1 by hash, 0 when empty
  readonly #mask: number;
  /** The longest token, in bytes: a longer range is never a token. */
  readonly maxLength: number;

  constructor(ranks: Map<string, number>) {
    let total = 0;
    let longest = 0;
    for (const key of ranks.keys()) {
      total += key.length;
      if (key.length > longest) longest = key.length;
    }
    this.maxLength = longest;
    this.#data = new Uint8Array(total);
    this.#start = new Int32Array(ranks.size + 1);
    this.#rank = new Int32Array(ranks.size);
    let size = 1;
    while (size < ranks.size * 2) size <<= 1;
    this.#slots = new Int32Array(size);
    this.#mask = size - 1;
    let k = 0;
    let at = 0;
    for (const [key, rank] of ranks) {
      this.#start[k] = at;
      for (let i = 0; i < key.length; i++) this.#data[at++] = key.charCodeAt(i);
      this.#rank[k] = rank;
      let slot = hashText(key) & this.#mask;
      while (this.#slots[slot] !== 0) slot = (slot + 1) & this.#mask;
      this.#slots[slot] = ++k;
    }
    this.#start[k] = at;
  }

  /** The rank of `bytes[from, to)`, or -1 when it is not a token. */
  rank(bytes: Uint8Array, from: number, to: number): number {
    const length = to - from;
    if (length > this.maxLength) return -1;
    const data = this.#data;
    let slot = hashBytes(bytes, from, to) & this.#mask;
    for (;;) {
      const entry = this.#slots[slot]!;
      if (entry === 0) return -1;
      const k = entry - 1;
      const start = this.#start[k]!;
      if (this.#start[k + 1]! - start === length) {
        let i = 0;
        while (i < length && data[start + i] === bytes[from + i]) i++;
        if (i === length) return this.#rank[k]!;
      }
      slot = (slot + 1) & this.#mask;
    }
  }
}

/** FNV-1a over `bytes[from, to)`. */
function hashBytes(bytes: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

/** The same hash of a binary string (char codes 0-255), for the tokens of the rank map. */
function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
