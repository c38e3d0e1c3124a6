/**
 * A bounded memo of piece -> token count with two generations: lookups hit the young map, then
 * the old one (promoting the entry); when the young map is full it becomes the old map and the
 * previous old map is dropped. Memory stays under 2 × `capacity` entries and recently used
 * pieces survive, without the bookkeeping cost of a strict LRU on the hot path.
 */
export class PieceCache {
  #young = new Map<string, number>();
  #old = new Map<string, number>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get(piece: string): number | undefined {
    const hit = this.#young.get(piece);
    if (hit !== undefined || this.#old.size === 0) return hit;
    const old = this.#old.get(piece);
    if (old !== undefined) this.set(piece, old);
    return old;
  }

  set(piece: string, count: number): void {
    if (this.#young.size >= this.#capacity) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(piece, count);
  }

  get size(): number {
    return this.#young.size + this.#old.size;
  }

  clear(): void {
    this.#young.clear();
    this.#old.clear();
  }
}
