import { coarseNow, type Topic } from '@x/internal';
import type { CacheEvictEvent, CacheSetEvent } from '../events';
import { deepFreeze, type Encoded, inflate } from './codec';

/** One value in memory, and its place in the eviction queue. */
export class Entry {
  /** The next entry towards the head of the queue (written earlier), or none. */
  older: Entry | undefined = undefined;
  /** The next entry towards the tail of the queue (written later), or none. */
  newer: Entry | undefined = undefined;
  /** Read since it was last (re)queued: gets a second chance before eviction. */
  referenced = false;
  /**
   * The deep-frozen value of a compressed entry read more than once, kept so that later hits skip
   * inflating and parsing; `undefined` when not kept. See `MemoryTier.value()`.
   */
  decoded: unknown = undefined;

  constructor(
    readonly key: string,
    /** The deep-frozen value, when stored uncompressed. */
    readonly value: unknown,
    /** Compressed JSON, when stored compressed. */
    readonly bytes: Buffer | undefined,
    /** Stored size: compressed size or `rawSize`. */
    readonly size: number,
    /** UTF-8 size of the JSON text. */
    readonly rawSize: number,
    /** `performance.now()` time after which the entry is dead. */
    readonly expiresAt: number,
  ) {}
}

/** The value of a compressed entry, inflated and parsed. */
function decode(entry: Entry): unknown {
  return deepFreeze(JSON.parse(inflate(entry.bytes!, entry.rawSize).toString('utf8')));
}

/**
 * The in-process tier: a Map from key to entry, plus an eviction queue of its own (a doubly
 * linked list through the entries), bounded in entries and in stored bytes after every call.
 *
 * Eviction is CLOCK-style second chance: entries queue in the order they were written; a read
 * only sets a bit, so a hit costs one Map lookup and no writes; an entry whose bit is set when it
 * reaches the head is requeued once instead of evicted. Expiry is checked when an entry is met,
 * with the clock read then: no timer runs, so an idle cache costs nothing.
 *
 * A compressed entry that is read again keeps its decoded value (its JSON size counted in
 * `decodedBytes`), so a hot answer is inflated and parsed once, not on every hit. Decoded copies
 * only use room the entries leave under `maxBytes`: the oldest copies are dropped first, before
 * any entry is evicted, and a copy that does not fit is not kept.
 */
function exactNow(): number {
  return performance.now();
}

export class MemoryTier {
  readonly #index = new Map<string, Entry>();
  /** Head of the queue: the next candidate for eviction. */
  #oldest: Entry | undefined;
  /** Tail of the queue. */
  #newest: Entry | undefined;
  readonly #maxEntries: number;
  /**
   * The clock of the expiry checks on reads: by default read at most once a millisecond (it
   * would cost as much as the rest of a hit); `exactExpiry` reads it every time.
   */
  readonly #now: () => number;
  readonly #maxBytes: number;
  readonly #topics: { readonly set: Topic<CacheSetEvent>; readonly evict: Topic<CacheEvictEvent> };

  bytes = 0;
  /** JSON size of the decoded values kept for compressed entries (not part of `bytes`). */
  decodedBytes = 0;
  /** The entries holding a decoded value, oldest copy first. */
  readonly #decoded = new Set<Entry>();
  compressedEntries = 0;
  bytesSaved = 0;
  sets = 0;
  evictions = 0;
  expirations = 0;

  constructor(
    maxEntries: number,
    maxBytes: number,
    topics: { readonly set: Topic<CacheSetEvent>; readonly evict: Topic<CacheEvictEvent> },
    exactExpiry: boolean,
  ) {
    this.#now = exactExpiry ? exactNow : coarseNow;
    this.#maxEntries = maxEntries;
    this.#maxBytes = maxBytes;
    this.#topics = topics;
  }

  get size(): number {
    return this.#index.size;
  }

  /**
   * The live entry under `key`, marked as read (a compressed one by `value()`, which needs to know
   * whether it was read before); `undefined` when absent or expired (removed).
   */
  read(key: string): Entry | undefined {
    const entry = this.#index.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#remove(entry, 'expired');
      return undefined;
    }
    if (entry.bytes === undefined) entry.referenced = true;
    return entry;
  }

  /**
   * The value of a compressed entry returned by `read()`, which it marks as read. A first read
   * since the entry was queued inflates it; a read after that keeps the decoded value for the hits
   * that follow, when there is room.
   */
  value(entry: Entry): unknown {
    if (entry.decoded !== undefined) {
      entry.referenced = true;
      return entry.decoded;
    }
    const readBefore = entry.referenced;
    entry.referenced = true;
    const value = decode(entry);
    if (readBefore && this.#makeRoom(entry.rawSize)) {
      entry.decoded = value;
      this.decodedBytes += entry.rawSize;
      this.#decoded.add(entry);
    }
    return value;
  }

  /** Drops the oldest decoded copies until `bytes` more fit under `maxBytes`; false if never. */
  #makeRoom(bytes: number): boolean {
    if (this.bytes + bytes > this.#maxBytes) return false;
    while (this.bytes + this.decodedBytes + bytes > this.#maxBytes) {
      this.#forget(this.#decoded.values().next().value!);
    }
    return true;
  }

  /** Drops the decoded copy an entry holds, if any. */
  #forget(entry: Entry): void {
    if (entry.decoded === undefined) return;
    entry.decoded = undefined;
    this.decodedBytes -= entry.rawSize;
    this.#decoded.delete(entry);
  }

  /** Whether a live entry is under `key`, without marking it as read. */
  has(key: string): boolean {
    const entry = this.#index.get(key);
    if (entry === undefined) return false;
    if (entry.expiresAt <= this.#now()) {
      this.#remove(entry, 'expired');
      return false;
    }
    return true;
  }

  /** Whether `insert()` would store this value: neither its JSON nor its stored form is too large. */
  fits(encoded: Encoded): boolean {
    return encoded.rawSize <= this.#maxBytes && encoded.size <= this.#maxBytes;
  }

  /**
   * Stores an encoded value (replacing any under `key`), then evicts down to the bounds. Returns
   * the entry, or `undefined` when the value is larger than `maxBytes` (the old one is gone too).
   * `value` is the decoded value when the caller has it already.
   */
  insert(key: string, encoded: Encoded, ttlMs: number, value?: unknown): Entry | undefined {
    const previous = this.#index.get(key);
    if (previous !== undefined) this.#drop(previous);
    if (!this.fits(encoded)) return undefined;
    const entry = new Entry(
      key,
      encoded.compressed ? undefined : (value ?? deepFreeze(JSON.parse(encoded.json))),
      encoded.compressed ? encoded.bytes : undefined,
      encoded.size,
      encoded.rawSize,
      performance.now() + ttlMs,
    );
    this.#index.set(key, entry);
    this.#enqueue(entry);
    this.bytes += entry.size;
    if (entry.bytes !== undefined) {
      this.compressedEntries++;
      this.bytesSaved += entry.rawSize - entry.size;
    }
    this.sets++;
    const set = this.#topics.set;
    if (set.active) {
      const compressed = entry.bytes !== undefined;
      set.emit({ key, bytes: entry.size, rawBytes: entry.rawSize, compressed, ttlMs });
    }
    this.#enforceBounds(entry);
    return entry;
  }

  /** Removes the entry under `key`; returns whether it was live. Not counted as an eviction. */
  delete(key: string): boolean {
    const entry = this.#index.get(key);
    if (entry === undefined) return false;
    this.#drop(entry);
    return entry.expiresAt > performance.now();
  }

  clear(): void {
    this.#index.clear();
    this.#oldest = undefined;
    this.#newest = undefined;
    for (const entry of this.#decoded) entry.decoded = undefined;
    this.#decoded.clear();
    this.bytes = 0;
    this.decodedBytes = 0;
    this.compressedEntries = 0;
    this.bytesSaved = 0;
  }

  #enforceBounds(inserted: Entry): void {
    const maxEntries = this.#maxEntries;
    const maxBytes = this.#maxBytes;
    // Decoded copies give way first: dropping one loses no entry.
    while (this.decodedBytes > 0 && this.bytes + this.decodedBytes > maxBytes) {
      this.#forget(this.#decoded.values().next().value!);
    }
    if (this.#index.size <= maxEntries && this.bytes <= maxBytes) return;
    const now = performance.now();
    while (this.#index.size > maxEntries || this.bytes > maxBytes) {
      // Never empty here: the inserted entry alone fits both bounds.
      const victim = this.#oldest!;
      if (victim.expiresAt <= now) {
        this.#remove(victim, 'expired');
      } else if (victim.referenced || victim === inserted) {
        // Second chance: read since it was queued (or just written): requeue it as the newest.
        victim.referenced = false;
        this.#unlink(victim);
        this.#enqueue(victim);
      } else {
        this.#remove(victim, this.#index.size > maxEntries ? 'entries' : 'bytes');
      }
    }
  }

  #remove(entry: Entry, reason: CacheEvictEvent['reason']): void {
    this.#drop(entry);
    if (reason === 'expired') this.expirations++;
    else this.evictions++;
    const evict = this.#topics.evict;
    if (evict.active) evict.emit({ key: entry.key, bytes: entry.size, reason });
  }

  /** Takes an entry out of the index, the queue and the byte count. */
  #drop(entry: Entry): void {
    this.#index.delete(entry.key);
    this.#unlink(entry);
    this.#forget(entry);
    this.bytes -= entry.size;
    if (entry.bytes !== undefined) {
      this.compressedEntries--;
      this.bytesSaved -= entry.rawSize - entry.size;
    }
  }

  #enqueue(entry: Entry): void {
    entry.older = this.#newest;
    entry.newer = undefined;
    if (this.#newest === undefined) this.#oldest = entry;
    else this.#newest.newer = entry;
    this.#newest = entry;
  }

  #unlink(entry: Entry): void {
    const { older, newer } = entry;
    if (older === undefined) this.#oldest = newer;
    else older.newer = newer;
    if (newer === undefined) this.#newest = older;
    else newer.older = older;
    entry.older = undefined;
    entry.newer = undefined;
  }
}
