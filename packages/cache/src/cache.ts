import { expectFunction, type InspectArgs, inspectStats } from '@x/internal';
import type {
  Cache,
  CacheCallOptions,
  CachedValue,
  CacheInput,
  CacheLoader,
  CacheLoadResult,
  CacheSetOptions,
  CacheStats,
} from './cache-api';
import { expectRequest, inputKey, keyIn } from './cache-key';
import { CacheClosedError, CacheValueError } from './errors';
import {
  CacheEventSource,
  type CacheSkipReason,
  type CacheTopics,
  createCacheTopics,
} from './events';
import { deepFreeze, type Encoded, encode, toJson } from './internal/codec';
import { type Flight, Flights, loadAlone } from './internal/flight';
import { MemoryTier } from './internal/memory';
import { MISS, type Missed, TOO_LARGE } from './internal/missed';
import { snapshot } from './internal/stats';
import { StoreReads } from './internal/store-reads';
import { MEMORY_ONLY, type Release, type StoreRead, StoreTier } from './internal/store-tier';
import { chooseTtl } from './internal/ttl';
import { logCacheEvents, logLoaderFailed } from './log';
import {
  type CacheOptions,
  callSignal,
  type ResolvedCacheOptions,
  resolveOptions,
  setTtl,
} from './options';
import { type CacheDecision, decideFor } from './strategy';

type Skipped = Partial<Record<CacheSkipReason, number>>;

/** The cache: the memory tier, the optional store tier, single flight, counters and events. */
class LlmCache<T> extends CacheEventSource implements Cache<T> {
  readonly #options: ResolvedCacheOptions;
  readonly #topics: CacheTopics;
  readonly #memory: MemoryTier;
  readonly #store: StoreTier | undefined;
  readonly #flights = new Flights<CacheLoadResult<T>>();
  readonly #reads = new StoreReads();
  #closing: Promise<void> | undefined;

  /** The counters of stats() the tiers do not keep. */
  readonly #counts = { hits: 0, misses: 0, loads: 0, coalesced: 0, skipped: {} as Skipped };

  constructor(options: ResolvedCacheOptions) {
    const topics = createCacheTopics();
    super(topics);
    this.#topics = topics;
    this.#options = options;
    this.#memory = new MemoryTier(
      options.maxEntries,
      options.maxBytes,
      this.#topics,
      options.exactExpiry,
    );
    if (options.store) this.#store = new StoreTier(options.store, this.#topics, options);
    logCacheEvents(options.log, this.#topics);
  }

  key(request: object): string {
    return keyIn(this.#options.namespace, request);
  }

  decide(request: object): CacheDecision {
    // Checked as key() checks it: a strategy that reads no field would answer for `5` or `null`.
    expectRequest('request', request);
    return decideFor(this.#options.strategy, request, this.#options);
  }

  /** The key of an input: a key as it is (checked first: `get(key)` is the hottest call). */
  #keyOf(input: CacheInput): string {
    return typeof input === 'string' ? input : inputKey(this.#options.namespace, input);
  }

  get size(): number {
    return this.#memory.size;
  }

  /** Refuses work that would store or load once `close()` was called. */
  #open(): void {
    if (this.#closing !== undefined) throw new CacheClosedError('cache');
  }

  // ---- memory tier -------------------------------------------------------------------------

  get(input: CacheInput): CachedValue<T> | undefined {
    const key = this.#keyOf(input);
    const value = this.#memoryGet(key);
    if (value === MISS) {
      this.#missed(key);
      return undefined;
    }
    return value as CachedValue<T>;
  }

  /** A live value from memory, counted as a hit, or MISS (not counted: callers decide). */
  #memoryGet(key: string): T | typeof MISS {
    const memory = this.#memory;
    const entry = memory.read(key);
    if (entry === undefined) return MISS;
    // Decoded before the event: a listener may delete the entry, and a copy decoded after that
    // would be kept (and counted) for an entry memory no longer holds.
    const value = (entry.bytes === undefined ? entry.value : memory.value(entry)) as T;
    this.#counts.hits++;
    if (this.#topics.hit.active) this.#topics.hit.emit({ key, tier: 'memory' });
    return value;
  }

  #missed(key: string): void {
    this.#counts.misses++;
    if (this.#topics.miss.active) this.#topics.miss.emit({ key });
  }

  has(input: CacheInput): boolean {
    return this.#memory.has(this.#keyOf(input));
  }

  set(input: CacheInput, value: T, options?: CacheSetOptions): boolean {
    this.#open();
    const ttlOverride = setTtl(options);
    const json = toJson(value);
    if (json === undefined) {
      throw new CacheValueError(
        'Expected `value` to be JSON-serialisable (not undefined, a function, a BigInt or cyclic)',
      );
    }
    const key = this.#keyOf(input);
    const ttlMs = this.#ttlFor(input, key, value, ttlOverride);
    return ttlMs !== undefined && this.#keep(key, json, ttlMs);
  }

  /**
   * Stores JSON in memory and writes it through to the store; returns whether it was stored.
   * A lock held for the key is released after the write, or at once when nothing is written.
   * `value` is the deep-frozen value of `json`, when the caller has it already.
   */
  #keep(key: string, json: string, ttlMs: number, release?: Release, value?: unknown): boolean {
    const { compressAboveBytes, compressionLevel } = this.#options;
    const encoded = encode(json, compressAboveBytes, compressionLevel);
    this.#reads.changed(key);
    // The write is sent before memory emits `set` (and `evict`): a listener that deletes the key
    // then deletes it from the store after this write, not before it.
    if (release === MEMORY_ONLY) release = undefined;
    else if (this.#memory.fits(encoded)) this.#store?.write(key, encoded, ttlMs, release);
    else if (release !== undefined) this.#store!.release(release);
    return this.#insert(key, encoded, ttlMs, value);
  }

  /** The TTL to store `value` with, or `undefined` (counted as skipped) when it is not stored. */
  #ttlFor(
    input: CacheInput,
    key: string,
    value: unknown,
    ttlOverride: number | undefined,
  ): number | undefined {
    const ttlMs = chooseTtl(this.#options, input, value, ttlOverride);
    if (typeof ttlMs === 'number') return ttlMs;
    this.#skip(key, ttlMs);
    return undefined;
  }

  /** Puts an encoded value in memory; false (counted as too large) when it does not fit. */
  #insert(key: string, encoded: Encoded, ttlMs: number, value?: unknown): boolean {
    if (this.#memory.insert(key, encoded, ttlMs, value) !== undefined) return true;
    this.#skip(key, 'too-large');
    return false;
  }

  #skip(key: string | undefined, reason: CacheSkipReason): void {
    const skipped = this.#counts.skipped;
    skipped[reason] = (skipped[reason] ?? 0) + 1;
    if (this.#topics.skip.active) this.#topics.skip.emit({ key, reason });
  }

  delete(input: CacheInput): boolean {
    this.#open();
    const key = this.#keyOf(input);
    this.#reads.changed(key);
    const deleted = this.#memory.delete(key);
    this.#store?.delete(key);
    return deleted;
  }

  clear(): void {
    this.#memory.clear();
    this.#reads.cleared();
  }

  // ---- store tier --------------------------------------------------------------------------

  /**
   * Takes a checked store read into memory: the value (a hit), MISS or TOO_LARGE. A `stale` read
   * (memory's entry changed while it was in flight, see StoreReads) answers its caller only.
   */
  #adopt(key: string, read: StoreRead, stale: boolean): T | Missed {
    if (read === 'too-large') this.#skip(key, 'too-large');
    if (typeof read === 'string') return read === 'too-large' ? TOO_LARGE : MISS;
    if (!stale) this.#insert(key, read.encoded, read.ttlMs, read.value);
    this.#counts.hits++;
    this.#store!.hits++;
    if (this.#topics.hit.active) this.#topics.hit.emit({ key, tier: 'store' });
    return read.value as T;
  }

  async #storeGet(key: string, signal: AbortSignal | undefined): Promise<T | Missed> {
    const store = this.#store!;
    const { result, stale } = await this.#reads.track(key, store.read(key, signal));
    const value = this.#adopt(key, result, stale);
    // Answers are JSON values, never symbols.
    if (typeof value === 'symbol') store.misses++;
    return value;
  }

  async lookup(input: CacheInput, options?: CacheCallOptions): Promise<CachedValue<T> | undefined> {
    this.#open();
    const signal = callSignal(options);
    signal?.throwIfAborted();
    const key = this.#keyOf(input);
    const local = this.#memoryGet(key);
    if (local !== MISS) return local as CachedValue<T>;
    if (this.#store !== undefined) {
      const shared = await this.#storeGet(key, signal);
      if (typeof shared !== 'symbol') return shared as CachedValue<T>;
    }
    this.#missed(key);
    return undefined;
  }

  // ---- single flight -----------------------------------------------------------------------

  getOrLoad<R extends T>(request: object, loader: CacheLoader<R>, options?: CacheCallOptions) {
    return this.load(request, loader, options).then((loaded) => loaded.value);
  }

  load<R extends T>(request: object, loader: CacheLoader<R>, options?: CacheCallOptions) {
    // What a load hands back is deep-frozen JSON (see #storeLoaded), of the loader's kind R.
    return this.#answer(request, loader, options) as Promise<CacheLoadResult<CachedValue<R>>>;
  }

  async #answer(
    request: object,
    loader: CacheLoader<T>,
    options?: CacheCallOptions,
  ): Promise<CacheLoadResult<T>> {
    this.#open();
    expectFunction<CacheLoader<T>>('loader', loader);
    const signal = callSignal(options);
    signal?.throwIfAborted();
    const key = this.key(request);
    // key() checked the request already.
    const decision = decideFor(this.#options.strategy, request, this.#options);
    if (!decision.cacheable) {
      // Not cached means not shared either: two sampled answers must stay two answers.
      this.#skip(key, decision.reason as CacheSkipReason);
      return { value: await loadAlone(loader, signal), source: 'uncached' };
    }
    const local = this.#memoryGet(key);
    if (local !== MISS) return { value: local, source: 'memory' };
    const flight = this.#flights.get(key);
    if (flight !== undefined) {
      // Refused (CacheLoadCycleError) before it counts, when this caller is a loader it waits for.
      const joined = flight.join(signal);
      this.#counts.coalesced++;
      return { value: (await joined).value, source: 'coalesced' };
    }
    // Watched as store reads are: a set/delete/clear meanwhile keeps its answer out (StoreReads).
    return this.#flights.start(key, signal, (started) =>
      this.#reads.watch(key, (changed) => this.#load(key, request, loader, started, changed)),
    );
  }

  async #load(
    key: string,
    request: object,
    loader: CacheLoader<T>,
    flight: Flight<CacheLoadResult<T>>,
    changed: () => boolean,
  ): Promise<CacheLoadResult<T>> {
    // Let the creating caller register as a waiter before anything can settle.
    await undefined;
    const signal = flight.signal;
    const store = this.#store;
    let release: Release | undefined;
    if (store !== undefined) {
      let shared: T | Missed = await this.#storeGet(key, signal);
      if (shared === MISS) {
        const { result: lock, stale } = await this.#reads.track(key, store.lock(flight));
        if (lock?.value) shared = this.#adopt(key, store.open(key, lock.value), stale);
        if (lock?.release) release = store.releasedOnAbort(lock.release, signal);
      }
      if (typeof shared !== 'symbol') return { value: shared, source: 'store' };
      // Too large here: no lock was taken (nothing to wait for), nothing is written over it.
      if (shared === TOO_LARGE) release = MEMORY_ONLY;
    }
    this.#missed(key);
    this.#counts.loads++;
    let value: T;
    try {
      value = await flight.call(loader);
    } catch (error) {
      logLoaderFailed(this.#options.log, key, error);
      if (release !== undefined) store!.release(release);
      throw error;
    }
    if (signal.aborted) {
      // Everyone left; the answer may be partial, so it is not stored.
      if (release !== undefined) store!.release(release);
      throw signal.reason;
    }
    return { value: this.#storeLoaded(key, request, value, release, changed()), source: 'loader' };
  }

  /**
   * Stores a loaded answer when it can be, and returns what every caller of the load gets: its
   * JSON form, deep-frozen, as a hit would read it back, so no caller can change what another
   * gets (and the loader's object is left alone). A failure here never fails the request.
   * A `stale` answer (the key was set, deleted or cleared during the load) is not stored.
   */
  #storeLoaded(key: string, request: object, value: T, release?: Release, stale = false): T {
    const json = toJson(value);
    if (json === undefined) {
      // No JSON form to share: the callers get the loader's value as it is.
      this.#skip(key, 'not-serializable');
      if (release !== undefined) this.#store!.release(release);
      return value;
    }
    // Parsed once per load, whatever the number of callers; memory keeps this very value when
    // it stores the answer uncompressed.
    const frozen = deepFreeze(JSON.parse(json)) as T;
    let ttlMs: number | undefined;
    try {
      if (!stale) ttlMs = this.#ttlFor(request, key, value, undefined);
    } catch {
      // A throwing `ttl` function must not fail the request: the answer is simply not stored.
    }
    if (ttlMs !== undefined) this.#keep(key, json, ttlMs, release, frozen);
    else if (release !== undefined) this.#store!.release(release);
    return frozen;
  }

  async flush(): Promise<void> {
    await this.#store?.flush();
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    // Loads in flight finish for their callers and write their answers through; one waiting for
    // another process's load loads by itself rather than keep close() waiting for that process.
    this.#store?.close();
    await this.#flights.settled();
    await this.flush();
    // Also marks the lookups still in flight stale: they answer their callers, memory stays empty.
    this.clear();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---- observability -----------------------------------------------------------------------

  stats(): CacheStats {
    const inflight = this.#flights.size;
    return snapshot(this.#options, this.#memory, this.#store, { ...this.#counts, inflight });
  }
  [Symbol.for('nodejs.util.inspect.custom')](...args: InspectArgs): string {
    return inspectStats('Cache', this, ...args); // console.log(cache): the stats() snapshot
  }
}

/**
 * Creates a response cache for LLM calls: an in-process LRU bounded in entries and bytes, a
 * strategy that decides what is cached and for how long, compression above a size,
 * deterministic keys, single-flight loading, and an optional shared store.
 *
 * @throws {TypeError} when an option has the wrong type, or is unknown.
 * @throws {RangeError} when a number is out of range, or `namespace` holds a credential.
 * @example
 * ```ts
 * await using cache = createCache({ strategy: 'selective', maxBytes: 32 * 1024 * 1024 });
 * const answer = await cache.getOrLoad(request, (signal) => ollama.chat(request, { signal }));
 * ```
 */
export function createCache<T = unknown>(options?: CacheOptions): Cache<T> {
  return new LlmCache<T>(resolveOptions(options));
}
