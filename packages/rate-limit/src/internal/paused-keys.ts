import type { BoundRateLimitStore, ResolvedLimit } from '../store';

/** Keys whose pause is remembered at once (a pause per server quota: few keys). */
const MAX_PAUSED_KEYS = 10_000;

/**
 * The pausing side of a rate limiter: the keys held back by `pauseFor()` and until when (the
 * `performance.now()` clock), and what a pause's end does to its key's limits.
 *
 * A key's limits refill during its pause, so when the pause is seen over (asked about, or
 * forgotten to make room) they are emptied, once: calls then leave at the limits' pace, not in a
 * burst (a server that said "wait" is not met with one). Done where the end is first seen, so no
 * per-key flag outlives the pause.
 *
 * At most {@link MAX_PAUSED_KEYS} are remembered, so that a caller pausing ever new keys cannot
 * grow the limiter without bound. One more forgets a pause that is over if one is kept, otherwise
 * the pause that ends first (the new one, when it does), which thereby ends now: never a running
 * pause while one that ended is kept, and of running ones the one that loses the least.
 */
export class PausedKeys {
  readonly #until = new Map<string, number>();
  readonly #store: BoundRateLimitStore;
  readonly #limits: readonly ResolvedLimit[];

  constructor(store: BoundRateLimitStore, limits: readonly ResolvedLimit[]) {
    this.#store = store;
    this.#limits = limits;
  }

  /** Ms left of `key`'s pause, 0 when it is not paused. */
  left(key: string): number {
    // most limiters never pause: no lookup then (this is on every decision's path)
    if (this.#until.size === 0) return 0;
    const until = this.#until.get(key);
    if (until === undefined) return 0;
    const left = until - performance.now();
    if (left > 0) return left;
    this.#end(key);
    return 0;
  }

  /**
   * Holds `key` back until `until`, never shortening its pause. Returns false when nothing changed:
   * a pause as long or longer was there, or every pause kept ends after this one (which then ends
   * at once: its key starts from empty).
   */
  extend(key: string, until: number): boolean {
    const current = this.#until.get(key);
    if (current !== undefined) {
      if (until <= current) return false;
      this.#until.set(key, until);
      return true;
    }
    if (this.#until.size >= MAX_PAUSED_KEYS && !this.#makeRoom(until)) {
      this.#empty(key);
      return false;
    }
    this.#until.set(key, until);
    return true;
  }

  /**
   * Forgets one pause to make room for one ending at `until`: the first that is over in insertion
   * order (the oldest first: the likeliest to be over), else the running one that ends first, if it
   * ends before `until`. Returns false when every pause ends after `until`. O(keys), only when the
   * table is full and a new key is paused.
   */
  #makeRoom(until: number): boolean {
    const now = performance.now();
    let soonest: string | undefined;
    let soonestUntil = until;
    for (const [key, end] of this.#until) {
      if (end <= now) {
        this.#end(key);
        return true;
      }
      if (end < soonestUntil) {
        soonest = key;
        soonestUntil = end;
      }
    }
    if (soonest === undefined) return false;
    this.#end(soonest);
    return true;
  }

  #end(key: string): void {
    this.#until.delete(key);
    this.#empty(key);
  }

  /**
   * Brings every limit of the key down to an empty level (what a full one needs before it admits
   * a full cost is known from the store's wait prediction). An in-process store answers at once;
   * a remote one is emptied in the background, its next decision coming after.
   */
  #empty(key: string): void {
    const deltas = this.#limits.map((limit, i) => {
      const full = this.#limits.map((_, j) => (j === i ? limit.capacity : 0));
      const wait = this.#store.waitTime(key, full);
      if (typeof wait !== 'number') {
        wait.catch(() => {});
        return limit.capacity;
      }
      return Math.max(0, limit.capacity - (wait * limit.ratePerSecond) / 1000);
    });
    if (deltas.every((d) => d === 0)) return;
    try {
      const adjusted = this.#store.adjust(key, deltas);
      if (adjusted instanceof Promise) adjusted.catch(() => {});
    } catch {
      // A store that refuses: the pause held; only the pace after it is lost.
    }
  }
}
