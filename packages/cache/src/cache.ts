import { expectFunction, type InspectArgs, inspectStats, raceAbort } from '@x/internal';
import type {
  Cache,
  CacheCallOptions,
  CacheInput,
  CacheLoader,
  CacheLoadResult,
  CacheSetOptions,
  CacheStats,
} from './cache-api';
import { hashRequest } from './cache-key';
import { CacheClosedError, type CacheStoreError, CacheValueError } from './errors';
import {
  type CacheCorruptEntryEvent,
  type CacheEvictEvent,
  type CacheHitEvent,
  type CacheMissEvent,
  type CacheSetEvent,
  type CacheSkipEvent,
  type CacheSkipReason,
  createCacheTopics,
  type Listener,
} from './events';
import { type Encoded, encode, toJson } from './internal/codec';
import { Flight } from './internal/flight';
import { MemoryTier } from './internal/memory';
import { snapshot } from './internal/stats';
import { type StoreRead, StoreTier } from './internal/store-tier';
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

const MISS = Symbol('miss');
/** The signal a loader gets when its caller gave none. */
const NEVER_ABORTED = new AbortController().signal;

/** The cache: the memory tier, the optional store tier, single flight, counters and events. */
class LlmCache<T> implements Cache<T> {
  readonly #options: ResolvedCacheOptions;
  readonly #topics = createCacheTopics();
  readonly #memory: MemoryTier;
  readonly #store: StoreTier | undefined;
  readonly #inflight = new Map<string, Flight<CacheLoadResult<T>>>();
  #closing: Promise<void> | undefined;

  #hits = 0;
  #misses = 0;
  #loads = 0;
  #coalesced = 0;
  #skipped: Partial<Record<CacheSkipReason, number>> = {};

  constructor(options: ResolvedCacheOptions) {
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
    const namespace = this.#options.namespace;
    const digest = hashRequest(request);
    return namespace === undefined ? digest : namespace + ':' + digest;
  }

  decide(request: object): CacheDecision {
    return decideFor(this.#options.strategy, request, this.#options);
  }

  get size(): number {
    return this.#memory.size;
  }

  /** Refuses work that would store or load once `close()` was called. */
  #open(): void {
    if (this.#closing !== undefined) throw new CacheClosedError('cache');
  }

  // ---- memory tier -------------------------------------------------------------------------

  get(input: CacheInput): T | undefined {
    const key = typeof input === 'string' ? input : this.key(input);
    const value = this.#memoryGet(key);
    if (value === MISS) {
      this.#missed(key);
      return undefined;
    }
    return value;
  }

  /** A live value from memory, counted as a hit, or MISS (not counted: callers decide). */
  #memoryGet(key: string): T | typeof MISS {
    const memory = this.#memory;
    const entry = memory.read(key);
    if (entry === undefined) return MISS;
    this.#hits++;
    if (this.#topics.hit.active) this.#topics.hit.emit({ key, tier: 'memory' });
    return (entry.bytes === undefined ? entry.value : memory.value(entry)) as T;
  }

  #missed(key: string): void {
    this.#misses++;
    if (this.#topics.miss.active) this.#topics.miss.emit({ key });
  }

  has(input: CacheInput): boolean {
    return this.#memory.has(typeof input === 'string' ? input : this.key(input));
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
    const key = typeof input === 'string' ? input : this.key(input);
    const ttlMs = this.#ttlFor(input, key, value, ttlOverride);
    return ttlMs !== undefined && this.#keep(key, json, ttlMs);
  }

  /**
   * Stores JSON in memory and writes it through to the store; returns whether it was stored.
   * A lock held for the key is released after the write, or at once when nothing is written.
   */
  #keep(key: string, json: string, ttlMs: number, release?: () => Promise<void>): boolean {
    const { compressAboveBytes, compressionLevel } = this.#options;
    const encoded = encode(json, compressAboveBytes, compressionLevel);
    const stored = this.#insert(key, encoded, ttlMs);
    if (stored) this.#store?.write(key, encoded, ttlMs, release);
    else if (release !== undefined) this.#store!.release(release);
    return stored;
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
    this.#skipped[reason] = (this.#skipped[reason] ?? 0) + 1;
    if (this.#topics.skip.active) this.#topics.skip.emit({ key, reason });
  }

  delete(input: CacheInput): boolean {
    this.#open();
    const key = typeof input === 'string' ? input : this.key(input);
    const deleted = this.#memory.delete(key);
    this.#store?.delete(key);
    return deleted;
  }

  clear(): void {
    this.#memory.clear();
  }

  // ---- store tier --------------------------------------------------------------------------

  /** Takes a checked store read into memory: the value (counted as a hit) or MISS. */
  #adopt(key: string, read: StoreRead): T | typeof MISS {
    if (read === 'too-large') this.#skip(key, 'too-large');
    if (typeof read === 'string') return MISS;
    this.#insert(key, read.encoded, read.ttlMs, read.value);
    this.#hits++;
    this.#store!.hits++;
    if (this.#topics.hit.active) this.#topics.hit.emit({ key, tier: 'store' });
    return read.value as T;
  }

  async #storeGet(key: string, signal: AbortSignal | undefined): Promise<T | typeof MISS> {
    const store = this.#store!;
    const value = this.#adopt(key, await store.read(key, signal));
    if (value === MISS) store.misses++;
    return value;
  }

  async lookup(input: CacheInput, options?: CacheCallOptions): Promise<T | undefined> {
    this.#open();
    const signal = callSignal(options);
    signal?.throwIfAborted();
    const key = typeof input === 'string' ? input : this.key(input);
    const local = this.#memoryGet(key);
    if (local !== MISS) return local;
    if (this.#store !== undefined) {
      const shared = await this.#storeGet(key, signal);
      if (shared !== MISS) return shared;
    }
    this.#missed(key);
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
    this.#open();
    expectFunction<CacheLoader<T>>('loader', loader);
    const signal = callSignal(options);
    signal?.throwIfAborted();
    const key = this.key(request);
    const decision = this.decide(request);
    if (!decision.cacheable) {
      // Not cached means not shared either: two sampled answers must stay two answers.
      this.#skip(key, decision.reason as CacheSkipReason);
      // The caller's abort ends the call at once, as it does for a shared load, even when the
      // loader ignores the signal it was given.
      const loaded = Promise.resolve(loader(signal ?? NEVER_ABORTED));
      return { value: await raceAbort(loaded, signal), source: 'uncached' };
    }
    const local = this.#memoryGet(key);
    if (local !== MISS) return { value: local, source: 'memory' };
    const flight = this.#inflight.get(key);
    if (flight !== undefined) {
      this.#coalesced++;
      const shared = await flight.join(signal);
      return { value: shared.value, source: 'coalesced' };
    }
    const created: Flight<CacheLoadResult<T>> = new Flight(
      (flightSignal) => this.#load(key, request, loader, flightSignal),
      () => this.#land(key, created),
    );
    this.#inflight.set(key, created);
    const land = () => this.#land(key, created);
    created.promise.then(land, land);
    return created.join(signal);
  }

  /** Forgets a flight once it settled or every waiter left (a new caller starts a new load). */
  #land(key: string, flight: Flight<CacheLoadResult<T>>): void {
    if (this.#inflight.get(key) === flight) this.#inflight.delete(key);
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
      const lock = await store.lock(key, signal);
      if (lock?.value !== undefined) {
        store.lockWaits++;
        const adopted = this.#adopt(key, store.open(key, lock.value));
        if (adopted !== MISS) return { value: adopted, source: 'store' };
      }
      release = lock?.release;
    }
    this.#missed(key);
    this.#loads++;
    let value: T;
    try {
      value = await loader(signal);
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
    this.#storeLoaded(key, request, value, release);
    return { value, source: 'loader' };
  }

  /** Stores a loaded answer when it can be; a failure here never fails the request. */
  #storeLoaded(key: string, request: object, value: T, release?: () => Promise<void>): void {
    const json = toJson(value);
    let ttlMs: number | undefined;
    if (json === undefined) {
      this.#skip(key, 'not-serializable');
    } else {
      try {
        ttlMs = this.#ttlFor(request, key, value, undefined);
      } catch {
        // A throwing `ttl` function must not fail the request: the answer is simply not stored.
      }
    }
    if (json !== undefined && ttlMs !== undefined) this.#keep(key, json, ttlMs, release);
    else if (release !== undefined) this.#store!.release(release);
  }

  async flush(): Promise<void> {
    await this.#store?.flush();
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    // Loads in flight finish for their callers and write their answers through.
    await Promise.allSettled([...this.#inflight.values()].map((flight) => flight.promise));
    await this.flush();
    this.#memory.clear();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---- observability -----------------------------------------------------------------------

  stats(): CacheStats {
    return snapshot(this.#options, this.#memory, this.#store, {
      hits: this.#hits,
      misses: this.#misses,
      loads: this.#loads,
      coalesced: this.#coalesced,
      inflight: this.#inflight.size,
      skipped: this.#skipped,
    });
  }
  [Symbol.for('nodejs.util.inspect.custom')](...args: InspectArgs): string {
    return inspectStats('Cache', this, ...args); // console.log(cache): the stats() snapshot
  }

  onHit(listener: Listener<CacheHitEvent>): () => void {
    return this.#topics.hit.on(listener);
  }
  onMiss(listener: Listener<CacheMissEvent>): () => void {
    return this.#topics.miss.on(listener);
  }
  onSet(listener: Listener<CacheSetEvent>): () => void {
    return this.#topics.set.on(listener);
  }
  onEvict(listener: Listener<CacheEvictEvent>): () => void {
    return this.#topics.evict.on(listener);
  }
  onSkip(listener: Listener<CacheSkipEvent>): () => void {
    return this.#topics.skip.on(listener);
  }
  onStoreError(listener: Listener<CacheStoreError>): () => void {
    return this.#topics['store-error'].on(listener);
  }
  onCorruptEntry(listener: Listener<CacheCorruptEntryEvent>): () => void {
    return this.#topics['corrupt-entry'].on(listener);
  }
}

/**
 * Creates a response cache for LLM calls: an in-process LRU bounded in entries and bytes, a
 * strategy that decides what is cached and for how long, compression above a size,
 * deterministic keys, single-flight loading, and an optional shared store.
 *
 * @throws {TypeError} when an option has the wrong type, or is unknown.
 * @throws {RangeError} when a number is out of range.
 * @example
 * ```ts
 * await using cache = createCache({ strategy: 'selective', maxBytes: 32 * 1024 * 1024 });
 * const answer = await cache.getOrLoad(request, (signal) => ollama.chat(request, { signal }));
 * ```
 */
export function createCache<T = unknown>(options?: CacheOptions): Cache<T> {
  return new LlmCache<T>(resolveOptions(options));
}
