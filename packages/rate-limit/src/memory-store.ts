import { expectNumber } from '@x/internal';
import { expectOptions } from './options';
import type { BoundRateLimitStore, RateLimitStore, ResolvedLimit } from './store';

const EPSILON = 1e-9;

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * How many keys are examined for eviction per store operation, on average; an operation that
   * adds a key examines one more, so new keys never outrun the sweep. A key whose every bucket is
   * full again is indistinguishable from a new key, so it is dropped within about
   * `keys / sweepPerOperation` operations; the sweep runs inside `take()`/`adjust()` calls, never
   * on a timer.
   * @default 1
   * Range: a finite number >= 0 (0 disables the incremental sweep; `prune()` still works).
   */
  sweepPerOperation?: number | undefined;
}

/** A JSON-serialisable snapshot of a memory store. */
export interface MemoryStoreStats {
  kind: 'memory';
  /** Keys that hold state now. */
  keys: number;
  /** Keys dropped since creation because all their buckets were full again. */
  evicted: number;
}

/** The in-process store; bound state also offers `prune()`. */
export interface MemoryStore extends RateLimitStore {
  bind(limits: readonly ResolvedLimit[]): BoundMemoryStore;
}

/** A memory store bound to a limiter's limits. */
export interface BoundMemoryStore extends BoundRateLimitStore {
  take(key: string, costs: readonly number[]): number;
  adjust(key: string, deltas: readonly number[]): void;
  waitTime(key: string, costs: readonly number[]): number;
  stats(): MemoryStoreStats & Record<string, unknown>;
  /** Drops every idle key now; returns how many were dropped. */
  prune(): number;
  close(): void;
}

/**
 * Key state lives in one `Float64Array` (per slot: the last refill time, then the tokens of each
 * limit) indexed by a slot number the `Map` holds as a small integer. An idle key then costs one
 * `Map` entry, `8 * (limits + 1)` bytes, one slot of `keys` and its key string, instead of a JS
 * object with boxed doubles.
 *
 * The sweep walks the slots, not the `Map`: a `Map` iterator allocates an entry array per key
 * examined, which cost more than the rest of a decision over many keys. `keys` (slot -> key, or
 * `undefined` for a free slot) is what lets it find the key to delete.
 */
class BoundMemory implements BoundMemoryStore {
  // The fields set in the constructor are `declare`d: a class field is first defined as
  // `undefined`, and V8 then types it as "anything", which every `take()` paid for in checks of
  // what it read (counted: profile/decision-instructions.ts).
  declare private readonly count: number;
  declare private readonly rates: Float64Array;
  declare private readonly caps: Float64Array;
  /** The first limit's refill per ms and capacity, read by `take()` without a typed-array load. */
  declare private readonly rate: number;
  declare private readonly cap: number;
  private readonly index = new Map<string, number>();
  /** per slot: the last refill time, then the tokens of each limit (one cache line for most keys) */
  declare private cells: Float64Array;
  declare private readonly stride: number;
  declare private slots: number;
  private used = 0;
  private readonly free: number[] = [];
  /** slot -> its key, `undefined` while the slot is free */
  private keys: (string | undefined)[] = [];
  /** The next slot the sweep examines. */
  private cursor = 0;
  private sweepCredit = 0;
  declare private readonly sweepPerOperation: number;
  private evicted = 0;

  constructor(limits: readonly ResolvedLimit[], sweepPerOperation: number) {
    this.count = limits.length;
    this.rates = Float64Array.from(limits, (l) => l.ratePerSecond / 1000);
    this.caps = Float64Array.from(limits, (l) => l.capacity);
    this.rate = this.rates[0]!;
    this.cap = this.caps[0]!;
    this.sweepPerOperation = sweepPerOperation;
    this.slots = 64;
    this.stride = this.count + 1;
    this.cells = new Float64Array(this.slots * this.stride);
  }

  take(key: string, costs: readonly number[]): number {
    const now = performance.now();
    const slot = this.index.get(key);
    if (slot === undefined) return this.takeNew(key, costs, now);
    if (this.count !== 1) return this.takeEach(slot, costs, now);
    // One limit (the common limiter, and apps/bench's), kept apart from `takeEach()` so that this
    // method stays under V8's size limit for inlining: the limiter's `tryAcquire()` then runs it
    // without a call (counted: profile/keyed-instructions.ts). The refill (as `refill()` does it)
    // and the check in one pass, with the fields read once into locals: each `this.cells[...]`
    // otherwise reloads the field, the array's length and its backing store.
    const cells = this.cells;
    const base = slot * 2;
    const last = cells[base]!;
    let t = cells[base + 1]!;
    if (now > last) {
      cells[base] = now;
      t = Math.min(t + (now - last) * this.rate, this.cap);
    }
    const missing = costs[0]! - t;
    if (missing > EPSILON) {
      cells[base + 1] = t;
      return Math.max(1, Math.ceil(missing / this.rate));
    }
    cells[base + 1] = t - costs[0]!;
    if ((this.sweepCredit += this.sweepPerOperation) >= 16) this.sweep(now);
    return 0;
  }

  /** `take()` of a known key under several limits: the same steps, looped over the limits. */
  private takeEach(slot: number, costs: readonly number[], now: number): number {
    const n = this.count;
    const cells = this.cells;
    const caps = this.caps;
    const rates = this.rates;
    const base = slot * this.stride;
    const last = cells[base]!;
    const elapsed = now > last ? now - last : 0;
    if (elapsed > 0) cells[base] = now;
    let wait = 0;
    for (let i = 0; i < n; i++) {
      let t = cells[base + 1 + i]!;
      if (elapsed > 0) {
        t = Math.min(t + elapsed * rates[i]!, caps[i]!);
        cells[base + 1 + i] = t;
      }
      const missing = costs[i]! - t;
      if (missing > EPSILON) {
        const w = missing / rates[i]!;
        if (w > wait) wait = w;
      }
    }
    if (wait > 0) return Math.max(1, Math.ceil(wait));
    for (let i = 0; i < n; i++) cells[base + 1 + i]! -= costs[i]!;
    if ((this.sweepCredit += this.sweepPerOperation) >= 16) this.sweep(now);
    return 0;
  }

  /** `take()` of a key without state: a full bucket; every cost is <= capacity (the limiter checked). */
  private takeNew(key: string, costs: readonly number[], now: number): number {
    const slot = this.allocate(key);
    // read after allocate(), which may have grown the array
    const cells = this.cells;
    const base = slot * this.stride;
    for (let i = 0; i < this.count; i++) cells[base + 1 + i] = this.caps[i]! - costs[i]!;
    cells[base] = now;
    if ((this.sweepCredit += this.sweepPerOperation) >= 16) this.sweep(now);
    return 0;
  }

  waitTime(key: string, costs: readonly number[]): number {
    const slot = this.index.get(key);
    const n = this.count;
    let wait = 0;
    if (slot === undefined) {
      // full bucket: only costs above capacity (a queue's sum) have to wait
      for (let i = 0; i < n; i++) {
        const w = (costs[i]! - this.caps[i]!) / this.rates[i]!;
        if (w > wait) wait = w;
      }
    } else {
      this.refill(slot, performance.now());
      const base = slot * this.stride;
      for (let i = 0; i < n; i++) {
        const w = (costs[i]! - this.cells[base + 1 + i]!) / this.rates[i]!;
        if (w > wait) wait = w;
      }
    }
    return wait > EPSILON ? Math.ceil(wait) : 0;
  }

  adjust(key: string, deltas: readonly number[]): void {
    const now = performance.now();
    const n = this.count;
    let slot = this.index.get(key);
    if (slot === undefined) {
      slot = this.allocate(key);
      const base = slot * this.stride;
      for (let i = 0; i < n; i++) this.cells[base + 1 + i] = this.caps[i]!;
      this.cells[slot * this.stride] = now;
    } else {
      this.refill(slot, now);
    }
    const base = slot * this.stride;
    let full = true;
    for (let i = 0; i < n; i++) {
      const cap = this.caps[i]!;
      let t = this.cells[base + 1 + i]! - deltas[i]!;
      // A correction is trusted only within one capacity of debt: a server reporting 1e18 tokens
      // must not lock the key for ever, only until one full refill (as the Redis script does).
      if (t >= cap) t = cap;
      else {
        full = false;
        if (t < -cap) t = -cap;
      }
      this.cells[base + 1 + i] = t;
    }
    if (full) this.release(slot);
    if ((this.sweepCredit += this.sweepPerOperation) >= 16) this.sweep(now);
  }

  stats(): MemoryStoreStats & Record<string, unknown> {
    return { kind: 'memory', keys: this.index.size, evicted: this.evicted };
  }

  prune(): number {
    const now = performance.now();
    let dropped = 0;
    for (let slot = 0; slot < this.used; slot++) {
      if (this.keys[slot] !== undefined && this.isFull(slot, now)) {
        this.release(slot);
        dropped++;
      }
    }
    this.evicted += dropped;
    return dropped;
  }

  close(): void {
    this.index.clear();
    this.free.length = 0;
    this.keys = [];
    this.used = 0;
    this.cursor = 0;
  }

  private refill(slot: number, now: number): void {
    const last = this.cells[slot * this.stride]!;
    if (now <= last) return;
    const elapsed = now - last;
    const n = this.count;
    const base = slot * this.stride;
    for (let i = 0; i < n; i++) {
      const t = this.cells[base + 1 + i]! + elapsed * this.rates[i]!;
      this.cells[base + 1 + i] = Math.min(t, this.caps[i]!);
    }
    this.cells[slot * this.stride] = now;
  }

  private isFull(slot: number, now: number): boolean {
    const cells = this.cells;
    const rates = this.rates;
    const caps = this.caps;
    const base = slot * this.stride;
    const elapsed = Math.max(0, now - cells[base]!);
    for (let i = 0; i < this.count; i++) {
      if (cells[base + 1 + i]! + elapsed * rates[i]! + EPSILON < caps[i]!) return false;
    }
    return true;
  }

  /** A slot for a new key, registered in the index. */
  private allocate(key: string): number {
    let slot = this.free.pop();
    if (slot === undefined) {
      if (this.used === this.slots) {
        const slots = this.slots * 2;
        const cells = new Float64Array(slots * this.stride);
        cells.set(this.cells);
        this.cells = cells;
        this.slots = slots;
      }
      slot = this.used++;
    }
    this.keys[slot] = key;
    this.index.set(key, slot);
    // A new key pays for one more examination than a call on a known key. Otherwise a flood of
    // new keys appends a slot past the cursor for every slot the cursor advances: the sweep only
    // meets keys created moments before (not yet full) and never comes round to the idle ones.
    // With it the cursor gains `sweepPerOperation` keys per call on the keys added, so it comes
    // round to every key within about `keys / sweepPerOperation` calls whatever the mix of calls.
    // Only this path pays: a call on a known key costs what it did (issue #17's hot path).
    if (this.sweepPerOperation > 0) this.sweepCredit += 1;
    return slot;
  }

  /** Forgets the key of a slot and frees the slot. */
  private release(slot: number): void {
    this.index.delete(this.keys[slot]!);
    this.keys[slot] = undefined;
    this.free.push(slot);
  }

  /**
   * Examines `sweepPerOperation` keys per call on average, plus one per key added (see
   * `allocate()`), in batches of 16, walking the slots round and round; free slots are skipped
   * without counting. Operations add their credit before calling, so those with no batch to run
   * (15 in 16 on known keys) make no call at all.
   */
  private sweep(now: number): void {
    let budget = Math.min(Math.floor(this.sweepCredit), this.index.size);
    this.sweepCredit = 0;
    const used = this.used;
    const keys = this.keys;
    let cursor = this.cursor;
    // at most one full turn, however many slots are free
    for (let seen = 0; budget > 0 && seen < used; seen++) {
      const slot = cursor < used ? cursor : 0;
      cursor = slot + 1;
      if (keys[slot] === undefined) continue;
      budget--;
      if (this.isFull(slot, now)) {
        this.release(slot);
        this.evicted++;
      }
    }
    this.cursor = cursor;
  }
}

/**
 * Creates the in-process store of {@link createRateLimiter} (its default). Idle keys are evicted
 * incrementally during later operations, never by per-key timers.
 *
 * @throws TypeError / RangeError when an option is invalid.
 * @example
 * ```ts
 * const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 10 } }, store: createMemoryStore() });
 * ```
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const o = expectOptions(undefined, options, ['sweepPerOperation']);
  const sweepPerOperation =
    o.sweepPerOperation === undefined
      ? 1
      : expectNumber('sweepPerOperation', o.sweepPerOperation, { min: 0 });
  return {
    bind(limits) {
      return new BoundMemory(limits, sweepPerOperation);
    },
  };
}
