/**
 * A flat copy of `key` that shares no storage with the string it was cut from. V8 keeps a
 * substring of 13+ characters (a regex match, a `slice`) as a view into its parent, and a
 * concatenation as a pair of references: stored as a memo key, a 20-character piece would keep
 * a 4 MB text alive. Prepending a character and slicing it off makes V8 flatten the pair into a
 * new string the result points into (measured: ~30 ns for a short piece, paid only when a key
 * is stored, never on a hit). Shorter substrings are copies already.
 */
export function detached(key: string): string {
  return key.length < 13 ? key : ` ${key}`.slice(1);
}

/**
 * A bounded memo of string -> value (a token count, a feature vector) with two generations: lookups hit the young map, then
 * the old one (promoting the entry); when the young map is full it becomes the old map and the
 * previous old map is dropped. Memory stays under 2 × `capacity` entries (and 2 × `maxChars`
 * characters of keys, each a copy: see {@link detached}) and recently used strings survive,
 * without the bookkeeping cost of a strict LRU on the hot path.
 */
export class CountMemo<V = number> {
  #young = new Map<string, V>();
  #old = new Map<string, V>();
  #youngChars = 0;
  #oldChars = 0;
  readonly #capacity: number;
  readonly #maxChars: number;
  readonly #maxKey: number;

  /**
   * @param capacity entries per generation
   * @param maxChars characters of keys per generation
   * @param maxKey the longest key stored (at most `maxChars`); a longer one is never stored
   */
  constructor(capacity: number, maxChars = Number.POSITIVE_INFINITY, maxKey = maxChars) {
    this.#capacity = capacity;
    this.#maxChars = maxChars;
    this.#maxKey = Math.min(maxKey, maxChars);
  }

  get(key: string): V | undefined {
    const hit = this.#young.get(key);
    if (hit !== undefined || this.#old.size === 0) return hit;
    const old = this.#old.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  /** Stores a copy of `key` (see {@link detached}), so the memo never holds the caller's text. */
  set(key: string, value: V): void {
    const chars = key.length;
    if (chars > this.#maxKey) return;
    if (this.#young.size >= this.#capacity || this.#youngChars + chars > this.#maxChars) {
      this.#old = this.#young;
      this.#oldChars = this.#youngChars;
      this.#young = new Map();
      this.#youngChars = 0;
    }
    this.#young.set(detached(key), value);
    this.#youngChars += chars;
  }

  get size(): number {
    return this.#young.size + this.#old.size;
  }

  /** Characters of the keys held (a key promoted from the old generation counts twice). */
  get chars(): number {
    return this.#youngChars + this.#oldChars;
  }

  clear(): void {
    this.#young.clear();
    this.#old.clear();
    this.#youngChars = 0;
    this.#oldChars = 0;
  }
}

/** The longest text memoised whole: a longer one is read every time, never pushing the rest out. */
export const MAX_MEMO_TEXT = 1 << 16;

/**
 * A memo of whole message texts, which a chat resends every turn (its system prompt, its
 * history): two generations of at most 4,096 texts and 1 Mi characters each (~4 MB at worst).
 */
export function textMemo<V>(): CountMemo<V> {
  return new CountMemo<V>(4_096, 1 << 20);
}
