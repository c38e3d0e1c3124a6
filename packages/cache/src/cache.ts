import QuickLRU from 'quick-lru';
import { hashRequest } from './cache-key';
import {
  CacheStoreError,
  type CacheStoreOperation,
  CacheValueError,
  isCacheStoreError,
} from './errors';
import {
  type CacheEvictEvent,
  type CacheHitEvent,
  type CacheMissEvent,
  type CacheSetEvent,
  type CacheSkipEvent,
  type CacheSkipReason,
  Emitter,
  type Listener,
} from './events';
import {
  deepFreeze,
  type Encoded,
  encode,
  fromEnvelope,
  inflateJson,
  toEnvelope,
  toJson,
} from './internal/codec';
import { Flight, raceAbort } from './internal/flight';
import { type CacheOptions, type ResolvedCacheOptions, resolveOptions } from './options';
import type { CacheStore, CacheStoreLock } from './store';
import { type CacheDecision, decideFor } from './strategy';

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

/** What `cache.load()` resolves with. */
export interface CacheLoadResult<T> {
  readonly value: T;
  readonly source: CacheSource;
}

/** Loads the answer on a miss; `signal` aborts when every caller waiting for it has gone. */
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
  /** Times this process waited for another process to load the same key. */
  readonly lockWaits: number;
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
  /** Whether, and for how long, this cache's strategy stores an answer to `request`. */
  decide(request: object): CacheDecision;
  /**
   * The live value in memory for a request or key, or `undefined`. Synchronous: the store tier
   * is read by `lookup()` and `getOrLoad()`. The value is a deep-frozen JSON copy.
   */
  get(input: CacheInput): T | undefined;
  /** Whether memory holds a live value; does not count as a hit or refresh recency. */
  has(input: CacheInput): boolean;
  /**
   * Stores a value in memory (and writes it through to the store). With a request, the strategy
   * decides; with a key, the caller already did. Returns whether the value was stored.
   * @throws {CacheValueError} when `value` is not JSON-serialisable.
   */
  set(input: CacheInput, value: T, options?: CacheSetOptions): boolean;
  /** Removes an entry from memory (and the store); returns whether memory held it. */
  delete(input: CacheInput): boolean;
  /** Empties memory. The shared store is left alone (it is shared). */
  clear(): void;
  /** Memory, then the store: the live value, or `undefined`. Never rejects because of the store. */
  lookup(input: CacheInput, options?: CacheCallOptions): Promise<T | undefined>;
  /**
   * The cached answer, or the loader's. Concurrent misses for one key share one loader call
   * (across processes too, with a store that locks); an error reaches every waiter and is not
   * cached; requests the strategy does not cache go straight to the loader.
   */
  getOrLoad(request: object, loader: CacheLoader<T>, options?: CacheCallOptions): Promise<T>;
  /**
   * `getOrLoad()` that also says where the answer came from, for callers that mark cached
   * answers: `memory`, `store`, `loader` (this call loaded it), `coalesced` (joined another
   * caller's load) or `uncached` (the strategy does not cache this request).
   */
  load(
    request: object,
    loader: CacheLoader<T>,
    options?: CacheCallOptions,
  ): Promise<CacheLoadResult<T>>;
  /** Resolves when every write to the store started so far has finished. */
  flush(): Promise<void>;
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
}

interface Entry {
  readonly key: string;
  /** The deep-frozen value, when stored uncompressed. */
  readonly value: unknown;
  /** Compressed JSON, when stored compressed. */
  readonly bytes: Buffer | undefined;
  readonly size: number;
  readonly rawSize: number;
  /** `performance.now()` time after which the entry is dead. */
  readonly expiresAt: number;
  /** Read since it was last (re)queued: gets a second chance before eviction. */
  referenced: boolean;
  /** Still accounted for in memory. */
  live: boolean;
}

const MISS = Symbol('miss');
const NEVER_ABORTED = new AbortController().signal;

/** Internal view of quick-lru that exposes its generation (present in quick-lru 7). */
interface Generational {
  readonly __oldCache?: unknown;
}

class LlmCache<T> implements Cache<T> {
  readonly #options: ResolvedCacheOptions;
  readonly #store: CacheStore | undefined;
  readonly #lru: QuickLRU<string, Entry>;
  readonly #inflight = new Map<string, Flight<CacheLoadResult<T>>>();
  readonly #pending = new Set<Promise<void>>();

  // Eviction walks entries oldest first with one long-lived iterator: restarting from the front
  // of a Map that had many deletions costs a scan over the holes each time.
  #cursor: Iterator<[string, Entry]> | undefined;
  #cursorGeneration: unknown;

  #entries = 0;
  #bytes = 0;
  #compressedEntries = 0;
  #bytesSaved = 0;
  #hits = 0;
  #misses = 0;
  #sets = 0;
  #evictions = 0;
  #expirations = 0;
  #loads = 0;
  #coalesced = 0;
  #skipped: Partial<Record<CacheSkipReason, number>> = {};
  #storeHits = 0;
  #storeMisses = 0;
  #storeWrites = 0;
  #storeErrors = 0;
  #lockWaits = 0;

  readonly #hit = new Emitter<CacheHitEvent>('hit');
  readonly #miss = new Emitter<CacheMissEvent>('miss');
  readonly #set = new Emitter<CacheSetEvent>('set');
  readonly #evict = new Emitter<CacheEvictEvent>('evict');
  readonly #skip = new Emitter<CacheSkipEvent>('skip');
  readonly #storeError = new Emitter<CacheStoreError>('store-error');

  constructor(options: ResolvedCacheOptions) {
    this.#options = options;
    this.#store = options.store;
    // One more slot than the bound: this class evicts down to maxEntries right after every
    // insert, so quick-lru's own generation swap only ever drops an already empty generation.
    this.#lru = new QuickLRU<string, Entry>({
      maxSize: options.maxEntries + 1,
      onEviction: (_key, entry) => this.#dropped(entry),
    });
  }

  key(request: object): string {
    const namespace = this.#options.namespace;
    const digest = hashRequest(request);
    return namespace === undefined ? digest : namespace + ':' + digest;
  }

  decide(request: object): CacheDecision {
    return decideFor(this.#options.strategy, request, this.#options);
  }

  get size(): number {
    return this.#entries;
  }

  // ---- memory tier -------------------------------------------------------------------------

  get(input: CacheInput): T | undefined {
    const key = typeof input === 'string' ? input : this.key(input);
    const value = this.#memoryGet(key);
    if (value === MISS) {
      this.#misses++;
      if (this.#miss.active) this.#miss.emit({ key });
      return undefined;
    }
    return value;
  }

  /** A live value from memory, counted as a hit, or MISS (not counted: callers decide). */
  #memoryGet(key: string): T | typeof MISS {
    // peek, not get: quick-lru's get moves an entry between generations (a Map delete and set)
    // on every hit; the referenced bit below records the read for eviction at a fraction of it.
    const entry = this.#lru.peek(key);
    if (entry === undefined) return MISS;
    if (entry.expiresAt <= performance.now()) {
      this.#remove(entry, 'expired');
      return MISS;
    }
    entry.referenced = true;
    this.#hits++;
    if (this.#hit.active) this.#hit.emit({ key, tier: 'memory' });
    return entry.bytes === undefined ? (entry.value as T) : this.#decode(entry);
  }

  #decode(entry: Entry): T {
    return deepFreeze(JSON.parse(inflateJson(entry.bytes!)) as T);
  }

  has(input: CacheInput): boolean {
    const key = typeof input === 'string' ? input : this.key(input);
    const entry = this.#lru.peek(key);
    if (entry === undefined) return false;
    if (entry.expiresAt <= performance.now()) {
      this.#remove(entry, 'expired');
      return false;
    }
    return true;
  }

  set(input: CacheInput, value: T, options?: CacheSetOptions): boolean {
    const json = toJson(value);
    if (json === undefined) {
      throw new CacheValueError(
        'Expected `value` to be JSON-serialisable (not undefined, a function, a BigInt or cyclic)',
      );
    }
    const ttlOverride = options?.ttlMs;
    if (ttlOverride !== undefined && (typeof ttlOverride !== 'number' || !(ttlOverride > 0))) {
      throw new TypeError(
        `Expected \`ttlMs\` to be a number > 0, got \`${String(ttlOverride)}\` (${typeof ttlOverride})`,
      );
    }
    const key = typeof input === 'string' ? input : this.key(input);
    const ttlMs = this.#ttlFor(input, key, value, ttlOverride);
    if (ttlMs === undefined) return false;
    const encoded = encode(json, this.#options.compressAboveBytes, this.#options.compressionLevel);
    if (!this.#insert(key, encoded, ttlMs)) return false;
    if (this.#store !== undefined) this.#writeThrough(key, encoded, ttlMs, undefined);
    return true;
  }

  /**
   * The TTL to store `value` with, within [minTtlMs, maxTtlMs], or `undefined` (counted as
   * skipped) when it is not to be stored. With a request the strategy decides; with a key the
   * caller already did.
   */
  #ttlFor(
    input: CacheInput,
    key: string,
    value: unknown,
    ttlOverride: number | undefined,
  ): number | undefined {
    const { strategy, minTtlMs, maxTtlMs, ttl } = this.#options;
    if (strategy === 'disabled') {
      this.#skipped1(key, 'disabled');
      return undefined;
    }
    let ttlMs: number;
    if (typeof input === 'string') {
      ttlMs = ttlOverride ?? maxTtlMs;
    } else {
      const decision = this.decide(input);
      if (!decision.cacheable) {
        this.#skipped1(key, decision.reason as CacheSkipReason);
        return undefined;
      }
      ttlMs = decision.ttlMs;
      if (ttlOverride !== undefined) ttlMs = ttlOverride;
      else if (ttl !== undefined) {
        const chosen = ttl(input, value);
        if (chosen === false) {
          this.#skipped1(key, 'ttl-function');
          return undefined;
        }
        if (typeof chosen === 'number' && !Number.isNaN(chosen)) ttlMs = chosen;
      }
    }
    return Math.round(Math.min(maxTtlMs, Math.max(minTtlMs, ttlMs)));
  }

  /** Puts an encoded value in memory, then evicts down to the bounds. */
  #insert(key: string, encoded: Encoded, ttlMs: number): boolean {
    const previous = this.#lru.peek(key);
    if (previous !== undefined) {
      this.#unaccount(previous);
      this.#lru.delete(key);
    }
    if (encoded.size > this.#options.maxBytes) {
      this.#skipped1(key, 'too-large');
      return false;
    }
    const entry: Entry = {
      key,
      value: encoded.compressed ? undefined : deepFreeze(JSON.parse(encoded.json)),
      bytes: encoded.compressed ? encoded.bytes : undefined,
      size: encoded.size,
      rawSize: encoded.rawSize,
      expiresAt: performance.now() + ttlMs,
      referenced: false,
      live: true,
    };
    this.#lru.set(key, entry);
    this.#entries++;
    this.#bytes += entry.size;
    if (entry.bytes !== undefined) {
      this.#compressedEntries++;
      this.#bytesSaved += entry.rawSize - entry.size;
    }
    this.#sets++;
    if (this.#set.active) {
      this.#set.emit({
        key,
        bytes: entry.size,
        rawBytes: entry.rawSize,
        compressed: entry.bytes !== undefined,
        ttlMs,
      });
    }
    this.#enforceBounds(entry);
    return true;
  }

  #enforceBounds(inserted: Entry): void {
    const { maxEntries, maxBytes } = this.#options;
    while (this.#entries > maxEntries || this.#bytes > maxBytes) {
      const victim = this.#oldest();
      if (victim === undefined) return;
      const now = performance.now();
      if (victim.expiresAt <= now) {
        this.#remove(victim, 'expired');
      } else if (victim.referenced || victim === inserted) {
        // Second chance: read since it was queued (or just written): requeue it as the newest.
        victim.referenced = false;
        this.#lru.delete(victim.key);
        this.#lru.set(victim.key, victim);
      } else {
        this.#remove(victim, this.#entries > maxEntries ? 'entries' : 'bytes');
      }
    }
  }

  /** The least recently queued live entry. */
  #oldest(): Entry | undefined {
    for (let attempt = 0; attempt < 2; attempt++) {
      const generation = (this.#lru as unknown as Generational).__oldCache;
      // quick-lru swaps generations inside set(); an iterator from before a swap is stale. Without
      // the generation to compare (another quick-lru), start over each time: slower, still right.
      if (
        this.#cursor === undefined ||
        generation === undefined ||
        generation !== this.#cursorGeneration
      ) {
        this.#cursor = this.#lru.entriesAscending();
        this.#cursorGeneration = generation;
      }
      for (;;) {
        const step = this.#cursor.next();
        if (step.done) break;
        if (step.value[1].live) return step.value[1];
      }
      this.#cursor = undefined;
    }
    return undefined;
  }

  #unaccount(entry: Entry): void {
    if (!entry.live) return;
    entry.live = false;
    this.#entries--;
    this.#bytes -= entry.size;
    if (entry.bytes !== undefined) {
      this.#compressedEntries--;
      this.#bytesSaved -= entry.rawSize - entry.size;
    }
  }

  #remove(entry: Entry, reason: CacheEvictEvent['reason']): void {
    if (!entry.live) return;
    this.#unaccount(entry);
    this.#lru.delete(entry.key);
    if (reason === 'expired') this.#expirations++;
    else this.#evictions++;
    if (this.#evict.active) this.#evict.emit({ key: entry.key, bytes: entry.size, reason });
  }

  /** quick-lru dropped an entry on its own (should not happen with the bounds above). */
  #dropped(entry: Entry): void {
    if (!entry.live) return;
    this.#unaccount(entry);
    const expired = entry.expiresAt <= performance.now();
    if (expired) this.#expirations++;
    else this.#evictions++;
    if (this.#evict.active) {
      this.#evict.emit({
        key: entry.key,
        bytes: entry.size,
        reason: expired ? 'expired' : 'entries',
      });
    }
  }

  #skipped1(key: string | undefined, reason: CacheSkipReason): void {
    this.#skipped[reason] = (this.#skipped[reason] ?? 0) + 1;
    if (this.#skip.active) this.#skip.emit({ key, reason });
  }

  delete(input: CacheInput): boolean {
    const key = typeof input === 'string' ? input : this.key(input);
    const entry = this.#lru.peek(key);
    let deleted = false;
    if (entry !== undefined) {
      deleted = entry.live && entry.expiresAt > performance.now();
      this.#unaccount(entry);
      this.#lru.delete(key);
    }
    const store = this.#store;
    if (store !== undefined) this.#track(this.#guard('delete', () => store.delete(key)));
    return deleted;
  }

  clear(): void {
    for (const [, entry] of this.#lru.entriesAscending()) entry.live = false;
    this.#lru.clear();
    this.#cursor = undefined;
    this.#entries = 0;
    this.#bytes = 0;
    this.#compressedEntries = 0;
    this.#bytesSaved = 0;
  }

  // ---- store tier --------------------------------------------------------------------------

  /** Runs a store operation; a failure is counted and reported, never thrown. */
  async #guard<R>(operation: CacheStoreOperation, run: () => Promise<R>): Promise<R | undefined> {
    try {
      return await run();
    } catch (cause) {
      this.#storeFailed(operation, cause);
      return undefined;
    }
  }

  #storeFailed(operation: CacheStoreOperation, cause: unknown): void {
    this.#storeErrors++;
    if (this.#storeError.active) {
      const error = isCacheStoreError(cause) ? cause : new CacheStoreError(operation, { cause });
      this.#storeError.emit(error);
    }
  }

  #track(promise: Promise<unknown>): void {
    const done = promise.then(
      () => {},
      () => {},
    );
    this.#pending.add(done);
    done.finally(() => this.#pending.delete(done));
  }

  #writeThrough(
    key: string,
    encoded: Encoded,
    ttlMs: number,
    release: (() => Promise<void>) | undefined,
  ): void {
    const store = this.#store!;
    const envelope = toEnvelope(encoded, Date.now() + ttlMs);
    const write = this.#guard('set', async () => {
      await store.set(key, envelope, ttlMs);
      this.#storeWrites++;
    });
    // The lock is released only after the value is in the store, so a waiting process that sees
    // the lock gone finds the value.
    this.#track(release === undefined ? write : write.then(() => this.#unlock(release)));
  }

  #unlock(release: () => Promise<void>): Promise<unknown> {
    return this.#guard('unlock', release);
  }

  /** Reads a store value into memory; MISS when absent, expired, foreign or on failure. */
  #adopt(key: string, data: Uint8Array | undefined): T | typeof MISS {
    if (data === undefined) return MISS;
    const envelope = fromEnvelope(data);
    if (envelope === undefined) return MISS;
    const ttlMs = envelope.expiresAtEpochMs - Date.now();
    if (!(ttlMs > 0)) return MISS;
    const { encoded } = envelope;
    let value: T;
    try {
      value = deepFreeze(
        JSON.parse(encoded.compressed ? inflateJson(encoded.bytes!) : encoded.json) as T,
      );
    } catch (cause) {
      this.#storeFailed('get', cause);
      return MISS;
    }
    this.#insert(key, encoded, ttlMs);
    this.#hits++;
    this.#storeHits++;
    if (this.#hit.active) this.#hit.emit({ key, tier: 'store' });
    return value;
  }

  async #storeGet(key: string, signal: AbortSignal): Promise<T | typeof MISS> {
    const store = this.#store!;
    let data: Uint8Array | undefined;
    try {
      data = await raceAbort(
        new Promise<Uint8Array | undefined>((resolve) => resolve(store.get(key, { signal }))),
        signal,
      );
    } catch (cause) {
      if (signal.aborted) throw signal.reason;
      this.#storeFailed('get', cause);
      return MISS;
    }
    const value = this.#adopt(key, data);
    if (value === MISS) this.#storeMisses++;
    return value;
  }

  async lookup(input: CacheInput, options?: CacheCallOptions): Promise<T | undefined> {
    const signal = options?.signal ?? NEVER_ABORTED;
    signal.throwIfAborted();
    const key = typeof input === 'string' ? input : this.key(input);
    const local = this.#memoryGet(key);
    if (local !== MISS) return local;
    if (this.#store !== undefined) {
      const shared = await this.#storeGet(key, signal);
      if (shared !== MISS) return shared;
    }
    this.#misses++;
    if (this.#miss.active) this.#miss.emit({ key });
    return undefined;
  }

  // ---- single flight -----------------------------------------------------------------------

  async getOrLoad(request: object, loader: CacheLoader<T>, options?: CacheCallOptions): Promise<T> {
    return (await this.load(request, loader, options)).value;
  }

  async load(
    request: object,
    loader: CacheLoader<T>,
    options?: CacheCallOptions,
  ): Promise<CacheLoadResult<T>> {
    if (typeof loader !== 'function') {
      throw new TypeError(
        `Expected \`loader\` to be a function, got \`${String(loader)}\` (${typeof loader})`,
      );
    }
    const signal = options?.signal;
    signal?.throwIfAborted();
    const key = this.key(request);
    const decision = this.decide(request);
    if (!decision.cacheable) {
      // Not cached means not shared either: two sampled answers must stay two answers.
      this.#skipped1(key, decision.reason as CacheSkipReason);
      return { value: await loader(signal ?? NEVER_ABORTED), source: 'uncached' };
    }
    const local = this.#memoryGet(key);
    if (local !== MISS) return { value: local, source: 'memory' };
    let flight = this.#inflight.get(key);
    if (flight === undefined) {
      const created = new Flight<CacheLoadResult<T>>(
        (flightSignal) => this.#load(key, request, loader, flightSignal),
        () => {
          if (this.#inflight.get(key) === created) this.#inflight.delete(key);
        },
      );
      flight = created;
      this.#inflight.set(key, created);
      created.promise.then(
        () => this.#inflight.get(key) === created && this.#inflight.delete(key),
        () => this.#inflight.get(key) === created && this.#inflight.delete(key),
      );
      return created.join(signal);
    }
    this.#coalesced++;
    const shared = await flight.join(signal);
    return { value: shared.value, source: 'coalesced' };
  }

  async #load(
    key: string,
    request: object,
    loader: CacheLoader<T>,
    signal: AbortSignal,
  ): Promise<CacheLoadResult<T>> {
    // Let the creating caller register as a waiter before anything can settle.
    await undefined;
    const store = this.#store;
    let release: (() => Promise<void>) | undefined;
    if (store !== undefined) {
      const shared = await this.#storeGet(key, signal);
      if (shared !== MISS) return { value: shared, source: 'store' };
      if (typeof store.lock === 'function') {
        let lock: CacheStoreLock | undefined;
        // A store that throws synchronously must not fail the request either.
        const pending = new Promise<CacheStoreLock | undefined>((resolve) =>
          resolve(store.lock!(key, { signal })),
        );
        try {
          lock = await raceAbort(pending, signal);
        } catch (cause) {
          if (signal.aborted) {
            // The store may still hand out the lock after everyone left: give it straight back.
            pending.then(
              (late) => late?.release && this.#track(this.#unlock(late.release)),
              () => {},
            );
            throw signal.reason;
          }
          this.#storeFailed('lock', cause);
        }
        if (lock?.value !== undefined) {
          this.#lockWaits++;
          const adopted = this.#adopt(key, lock.value);
          if (adopted !== MISS) return { value: adopted, source: 'store' };
        }
        release = lock?.release;
      }
    }
    this.#misses++;
    if (this.#miss.active) this.#miss.emit({ key });
    this.#loads++;
    let value: T;
    try {
      value = await loader(signal);
    } catch (error) {
      if (release !== undefined) this.#track(this.#unlock(release));
      throw error;
    }
    if (signal.aborted) {
      // Everyone left; the answer may be partial, so it is not stored.
      if (release !== undefined) this.#track(this.#unlock(release));
      throw signal.reason;
    }
    this.#storeLoaded(key, request, value, release);
    return { value, source: 'loader' };
  }

  #storeLoaded(
    key: string,
    request: object,
    value: T,
    release: (() => Promise<void>) | undefined,
  ): void {
    let stored: { encoded: Encoded; ttlMs: number } | undefined;
    const json = toJson(value);
    if (json === undefined) {
      this.#skipped1(key, 'not-serializable');
    } else {
      let ttlMs: number | undefined;
      try {
        ttlMs = this.#ttlFor(request, key, value, undefined);
      } catch {
        // A throwing `ttl` function must not fail the request: the answer is simply not stored.
        ttlMs = undefined;
      }
      if (ttlMs !== undefined) {
        const encoded = encode(
          json,
          this.#options.compressAboveBytes,
          this.#options.compressionLevel,
        );
        if (this.#insert(key, encoded, ttlMs)) stored = { encoded, ttlMs };
      }
    }
    if (this.#store !== undefined && stored !== undefined) {
      this.#writeThrough(key, stored.encoded, stored.ttlMs, release);
    } else if (release !== undefined) {
      this.#track(this.#unlock(release));
    }
  }

  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  // ---- observability -----------------------------------------------------------------------

  stats(): CacheStats {
    const lookups = this.#hits + this.#misses;
    return {
      entries: this.#entries,
      bytes: this.#bytes,
      maxEntries: this.#options.maxEntries,
      maxBytes: Number.isFinite(this.#options.maxBytes) ? this.#options.maxBytes : null,
      hits: this.#hits,
      misses: this.#misses,
      hitRate: lookups === 0 ? 0 : this.#hits / lookups,
      sets: this.#sets,
      evictions: this.#evictions,
      expirations: this.#expirations,
      compressedEntries: this.#compressedEntries,
      bytesSaved: this.#bytesSaved,
      skipped: { ...this.#skipped },
      loads: this.#loads,
      inflight: this.#inflight.size,
      coalesced: this.#coalesced,
      store:
        this.#store === undefined
          ? null
          : {
              hits: this.#storeHits,
              misses: this.#storeMisses,
              writes: this.#storeWrites,
              errors: this.#storeErrors,
              lockWaits: this.#lockWaits,
            },
    };
  }

  onHit(listener: Listener<CacheHitEvent>): () => void {
    return this.#hit.on(listener);
  }
  onMiss(listener: Listener<CacheMissEvent>): () => void {
    return this.#miss.on(listener);
  }
  onSet(listener: Listener<CacheSetEvent>): () => void {
    return this.#set.on(listener);
  }
  onEvict(listener: Listener<CacheEvictEvent>): () => void {
    return this.#evict.on(listener);
  }
  onSkip(listener: Listener<CacheSkipEvent>): () => void {
    return this.#skip.on(listener);
  }
  onStoreError(listener: Listener<CacheStoreError>): () => void {
    return this.#storeError.on(listener);
  }
}

/**
 * Creates a response cache for LLM calls: an in-process LRU (quick-lru) bounded in entries and
 * bytes, a strategy that decides what is cached and for how long, compression above a size,
 * deterministic keys, single-flight loading, and an optional shared store.
 *
 * @throws {TypeError} when an option has the wrong type.
 * @throws {RangeError} when a number is out of range.
 * @example
 * ```ts
 * const cache = createCache({ strategy: 'selective', maxBytes: 32 * 1024 * 1024 });
 * const answer = await cache.getOrLoad(request, (signal) => ollama.chat(request, { signal }));
 * ```
 */
export function createCache<T = unknown>(options?: CacheOptions): Cache<T> {
  return new LlmCache<T>(resolveOptions(options));
}
