import type { CacheClosedError, CacheStoreError } from './errors';
import type {
  CacheCorruptEntryEvent,
  CacheEvictEvent,
  CacheHitEvent,
  CacheMissEvent,
  CacheSetEvent,
  CacheSkipEvent,
  CacheSkipReason,
  Listener,
} from './events';
import type { CacheDecision } from './strategy';

/** The public types of the cache: the `Cache` interface, its call options, results and stats. */

/** A request object, or a key from `cache.key(request)` / `cacheKey(request, { namespace })`. */
export type CacheInput = object | string;

/** Options of `cache.set()`. */
export interface CacheSetOptions {
  /**
   * TTL of this entry, clamped to [minTtlMs, maxTtlMs]. With a request it replaces the
   * strategy's TTL and the `ttl` function.
   * @default the strategy's TTL with a request; `maxTtlMs` with a key
   */
  ttlMs?: number | undefined;
}

/** Options of `cache.getOrLoad()` and `cache.lookup()`. */
export interface CacheCallOptions {
  /** Aborting rejects this call with `signal.reason`; other callers are not affected. */
  signal?: AbortSignal | undefined;
}

/** Where an answer of `cache.load()` came from. */
export type CacheSource = 'memory' | 'store' | 'loader' | 'coalesced' | 'uncached';

/**
 * What the cache hands back for a stored `T`: a deep-frozen copy of its JSON form, so a
 * deep-readonly view of `T` (arrays and objects readonly at every level) that code writing into
 * it does not compile. `unknown` and `any` stay as they are. JSON's conversions are not modelled:
 * in the JSON form a `Date` is its ISO string, a `Map` is `{}`, and a function field is dropped.
 */
// No `unknown extends T` test: it would make `Cache<T>` invariant, and a `Cache<Answer>` could no
// longer be passed where a `Cache` is expected. `unknown` and `any` come out as they went in.
export type CachedValue<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends object
    ? { readonly [K in keyof T]: CachedValue<T[K]> }
    : T;

/** What `cache.load()` resolves with. */
export interface CacheLoadResult<T> {
  readonly value: T;
  readonly source: CacheSource;
}

/**
 * Loads the answer on a miss; `signal` aborts when every caller waiting for it has gone before it
 * answered (an answer it gave is stored all the same).
 */
export type CacheLoader<T> = (signal: AbortSignal) => T | Promise<T>;

/** Counters of the shared store tier. */
export interface CacheStoreStats {
  /** Values found in the store after a memory miss. */
  readonly hits: number;
  /** Store lookups that found nothing. */
  readonly misses: number;
  /** Values written to the store. */
  readonly writes: number;
  /** Store operations that failed or timed out (the cache carried on without the store). */
  readonly errors: number;
  /**
   * Times this process waited for another process to load the same key, however the wait ended:
   * with its value, with the lock (its load failed, or it died), at the bound (`lockTimeouts`),
   * when every caller of the load left during it, or when the store failed or closed, or the
   * cache closed, during it.
   */
  readonly lockWaits: number;
  /**
   * The waits among `lockWaits` for a load that went on too long (the Redis store's `lockWaitMs`,
   * or a store's `lock()` resolving `undefined`): this process then loaded without the lock.
   */
  readonly lockTimeouts: number;
  /** Entries read back corrupt (treated as misses and deleted from the store). */
  readonly corruptEntries: number;
}

/** A JSON-serialisable snapshot of the cache; counters only grow. */
export interface CacheStats {
  /** Entries in memory now. */
  readonly entries: number;
  /** Stored bytes in memory now (after compression). */
  readonly bytes: number;
  readonly maxEntries: number;
  /** `null` when unbounded (`Infinity`), to stay JSON. */
  readonly maxBytes: number | null;
  /** Lookups answered from the cache (memory or store). */
  readonly hits: number;
  /** Lookups that found nothing. */
  readonly misses: number;
  /** hits / (hits + misses), 0 before the first lookup. */
  readonly hitRate: number;
  /** Entries stored in memory. */
  readonly sets: number;
  /** Entries removed to respect `maxEntries` or `maxBytes`. */
  readonly evictions: number;
  /** Entries removed because their TTL ran out. */
  readonly expirations: number;
  /** Entries in memory now that are stored compressed. */
  readonly compressedEntries: number;
  /** Bytes compression saves now: JSON size minus stored size, over the entries in memory. */
  readonly bytesSaved: number;
  /**
   * JSON size of the decoded values kept for compressed entries read more than once, so that their
   * hits skip inflating. Not part of `bytes`; `bytes + decodedBytes` stays within `maxBytes`.
   */
  readonly decodedBytes: number;
  /** Answers not stored, by reason. */
  readonly skipped: Readonly<Partial<Record<CacheSkipReason, number>>>;
  /** Loader calls made by `getOrLoad()`. */
  readonly loads: number;
  /** Loads in flight now (one per key). */
  readonly inflight: number;
  /** `getOrLoad()` callers that joined a load already in flight instead of starting one. */
  readonly coalesced: number;
  /** The store tier, or `null` without a store. */
  readonly store: CacheStoreStats | null;
}

/** The cache returned by {@link createCache}. */
export interface Cache<T = unknown> {
  /** The key of a request in this cache (with its namespace). @throws {CacheKeyError} */
  key(request: object): string;
  /**
   * Whether, and for how long, this cache's strategy stores an answer to `request`.
   * @throws {CacheKeyError} when `request` is not an object.
   */
  decide(request: object): CacheDecision;
  /**
   * The live value in memory for a request or key, or `undefined`. Synchronous: the store tier
   * is read by `lookup()` and `getOrLoad()`. The value is a deep-frozen JSON copy, typed
   * deep-readonly ({@link CachedValue}).
   * @throws {CacheKeyError} when `input` is neither a request (an object) nor a key (a string),
   * as do `has()`, `set()`, `delete()` and `lookup()`.
   */
  get(input: CacheInput): CachedValue<T> | undefined;
  /** Whether memory holds a live value; does not count as a hit or refresh recency. */
  has(input: CacheInput): boolean;
  /**
   * Stores a value in memory (and writes it through to the store). With a request, the strategy
   * decides; with a key, the caller already did. Returns whether the value was stored.
   * @throws {CacheValueError} when `value` is not JSON-serialisable.
   * @throws {CacheClosedError} after `close()`.
   */
  // `CachedValue<T>` too: a value read from a cache of the same `T` goes back in as it is.
  set(input: CacheInput, value: T | CachedValue<T>, options?: CacheSetOptions): boolean;
  /** Removes an entry from memory (and the store); returns whether memory held it. */
  delete(input: CacheInput): boolean;
  /** Empties memory. The shared store is left alone (it is shared). */
  clear(): void;
  /** Memory, then the store: the live value, or `undefined`. Never rejects because of the store. */
  lookup(input: CacheInput, options?: CacheCallOptions): Promise<CachedValue<T> | undefined>;
  // Two signatures, so that a cache made with a `T` answers a `T` whatever the loader's literal
  // (`{ tags: [] }` must not make it `never[]`), and one made without (`T` is `unknown`, which
  // `this: Cache<T & {}>` refuses) infers the answer's type from the loader. A conditional on `T`
  // would do it in one, but would make `Cache<T>` invariant: a `Cache<Answer>` could no longer be
  // passed where a `Cache` is expected.
  /**
   * The cached answer, or the loader's. Concurrent misses for one key share one loader call
   * (across processes too, with a store that locks); an error reaches every waiter and is not
   * cached; requests the strategy does not cache go straight to the loader. A loaded answer
   * reaches every caller of the load, the one whose loader ran included, as a hit reads it back:
   * its JSON form, deep-frozen (a value with no JSON form, or an `uncached` one, as the loader
   * returned it). A loader must not load its own request through this cache: it would wait for
   * itself.
   */
  getOrLoad(
    this: Cache<T & {}>,
    request: object,
    loader: CacheLoader<T | CachedValue<T>>,
    options?: CacheCallOptions,
  ): Promise<CachedValue<T>>;
  /**
   * `getOrLoad()` of a cache made without a `T` (or with one that admits `null` or `undefined`):
   * the answer is typed as the loader's, or the `null` or `undefined` the cache may hold.
   */
  getOrLoad<R extends T = T>(
    request: object,
    loader: CacheLoader<R>,
    options?: CacheCallOptions,
  ): Promise<CachedValue<R | Extract<T, null | undefined>>>;
  /**
   * `getOrLoad()` that also says where the answer came from, for callers that mark cached
   * answers: `memory`, `store`, `loader` (this call loaded it), `coalesced` (joined another
   * caller's load) or `uncached` (the strategy does not cache this request).
   */
  load(
    this: Cache<T & {}>,
    request: object,
    loader: CacheLoader<T | CachedValue<T>>,
    options?: CacheCallOptions,
  ): Promise<CacheLoadResult<CachedValue<T>>>;
  /**
   * `load()` of a cache made without a `T` (or with one that admits `null` or `undefined`):
   * the answer is typed as the loader's, or the `null` or `undefined` the cache may hold.
   */
  load<R extends T = T>(
    request: object,
    loader: CacheLoader<R>,
    options?: CacheCallOptions,
  ): Promise<CacheLoadResult<CachedValue<R | Extract<T, null | undefined>>>>;
  /** Resolves when every write to the store started so far has finished. */
  flush(): Promise<void>;
  /**
   * Closes the cache: waits for the loads in flight (their callers get their answers) and for
   * every store write, then empties memory. A load waiting for another process's load of its key
   * (the store's lock held elsewhere) stops waiting and calls its loader: `close()` never waits for
   * another process. Afterwards `set()`, `delete()`, `lookup()`,
   * `getOrLoad()` and `load()` throw {@link CacheClosedError}; `get()` and `has()` find nothing.
   * The store is not closed: it may be shared. Idempotent.
   */
  close(): Promise<void>;
  /** Calls `close()`, so `await using cache = createCache()` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void>;
  /** A JSON snapshot of the counters. */
  stats(): CacheStats;
  /** Entries in memory now. */
  readonly size: number;
  /** Calls `listener` on every hit (also on `x:cache:hit`); returns an unsubscribe function. */
  onHit(listener: Listener<CacheHitEvent>): () => void;
  /** Calls `listener` on every miss (also on `x:cache:miss`); returns an unsubscribe function. */
  onMiss(listener: Listener<CacheMissEvent>): () => void;
  /** Calls `listener` when an entry is stored (also `x:cache:set`); returns an unsubscribe. */
  onSet(listener: Listener<CacheSetEvent>): () => void;
  /** Calls `listener` when an entry is evicted or expires (also `x:cache:evict`). */
  onEvict(listener: Listener<CacheEvictEvent>): () => void;
  /** Calls `listener` when an answer is not stored, with the reason (also `x:cache:skip`). */
  onSkip(listener: Listener<CacheSkipEvent>): () => void;
  /**
   * Calls `listener` with each {@link CacheStoreError} (also `x:cache:store-error`); the failure
   * never reaches a caller.
   */
  onStoreError(listener: Listener<CacheStoreError>): () => void;
  /**
   * Calls `listener` when an entry read from the store is corrupt (also `x:cache:corrupt-entry`):
   * it was treated as a miss and deleted from the store.
   */
  onCorruptEntry(listener: Listener<CacheCorruptEntryEvent>): () => void;
}
