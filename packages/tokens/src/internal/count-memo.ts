/**
 * A bounded memo of string -> value (a token count, a feature vector) with two generations: lookups hit the young map, then
 * the old one (promoting the entry); when the young map is full it becomes the old map and the
 * previous old map is dropped. Memory stays under 2 × `capacity` entries (and 2 × `maxChars`
 * characters of keys) and recently used strings survive, without the bookkeeping cost of a strict
 * LRU on the hot path.
 */
export class CountMemo<V = number> {
  #young = new Map<string, V>();
  #old = new Map<string, V>();
  #youngChars = 0;
  #oldChars = 0;
  readonly #capacity: number;
  readonly #maxChars: number;

  /**
   * @param capacity entries per generation
   * @param maxChars characters of keys per generation; a longer key is never stored
   */
  constructor(capacity: number, maxChars = Number.POSITIVE_INFINITY) {
    this.#capacity = capacity;
    this.#maxChars = maxChars;
  }

  get(key: string): V | undefined {
    const hit = this.#young.get(key);
    if (hit !== undefined || this.#old.size === 0) return hit;
    const old = this.#old.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  set(key: string, value: V): void {
    const chars = key.length;
    if (chars > this.#maxChars) return;
    if (this.#young.size >= this.#capacity || this.#youngChars + chars > this.#maxChars) {
      this.#old = this.#young;
      this.#oldChars = this.#youngChars;
      this.#young = new Map();
      this.#youngChars = 0;
    }
    this.#young.set(key, value);
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
