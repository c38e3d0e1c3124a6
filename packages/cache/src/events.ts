import { createTopics } from '@x/internal';
import type { CacheStoreError } from './errors';
import type { CacheDecisionReason } from './strategy';

/** Why an answer was not stored: a strategy's reason, or a reason found when storing. */
export type CacheSkipReason =
  | Exclude<CacheDecisionReason, 'deterministic' | 'low-temperature' | 'embeddings' | 'aggressive'>
  | 'too-large'
  | 'not-serializable'
  | 'ttl-function';

/** A lookup found a live entry. Published on `x:cache:hit`. */
export interface CacheHitEvent {
  readonly key: string;
  /** `memory` for the in-process LRU, `store` for the shared tier. */
  readonly tier: 'memory' | 'store';
}

/** A lookup found nothing (in any tier it looked at). Published on `x:cache:miss`. */
export interface CacheMissEvent {
  readonly key: string;
}

/** An entry was stored in memory. Published on `x:cache:set`. */
export interface CacheSetEvent {
  readonly key: string;
  /** Stored bytes (after compression). */
  readonly bytes: number;
  /** Bytes of the JSON text before compression. */
  readonly rawBytes: number;
  readonly compressed: boolean;
  readonly ttlMs: number;
}

/** An entry left memory without being deleted. Published on `x:cache:evict`. */
export interface CacheEvictEvent {
  readonly key: string;
  readonly bytes: number;
  /** `entries`: over `maxEntries`; `bytes`: over `maxBytes`; `expired`: its TTL ran out. */
  readonly reason: 'entries' | 'bytes' | 'expired';
}

/** An answer was not stored. Published on `x:cache:skip`. */
export interface CacheSkipEvent {
  /** The key, when one was computed. */
  readonly key: string | undefined;
  readonly reason: CacheSkipReason;
}

/**
 * What was wrong with an entry read from the store:
 * - `format`: not an entry this cache writes (too short, unknown format byte, no valid expiry);
 * - `size`: the size in its header is not the size of what it holds once decoded;
 * - `inflate`: the compressed payload is not valid deflate data;
 * - `json`: the payload is not JSON;
 * - `key`: it was written for another key (a reply that was another command's: a proxy that lost
 *   a reply, say). Checked for entries written since this check came; older ones are read without.
 */
export type CacheCorruptReason = 'format' | 'size' | 'inflate' | 'json' | 'key';

/**
 * An entry read from the store was corrupt: it was treated as a miss and deleted from the store.
 * Published on `x:cache:corrupt-entry`.
 */
export interface CacheCorruptEntryEvent {
  readonly key: string;
  readonly reason: CacheCorruptReason;
}

/**
 * A listener of an `onX()` method. A listener that throws (or rejects) never fails the call that
 * emitted the event: its error is reported with `process.emitWarning` (type `XListenerError`).
 */
export type Listener<E> = (event: E) => void;

type CacheEventMap = {
  hit: CacheHitEvent;
  miss: CacheMissEvent;
  set: CacheSetEvent;
  evict: CacheEvictEvent;
  skip: CacheSkipEvent;
  'store-error': CacheStoreError;
  'corrupt-entry': CacheCorruptEntryEvent;
};

const EVENTS = [
  'hit',
  'miss',
  'set',
  'evict',
  'skip',
  'store-error',
  'corrupt-entry',
] as const satisfies readonly (keyof CacheEventMap)[];

/** The cache's events: `onX()` listeners plus the `x:cache:<event>` diagnostics channels. */
export function createCacheTopics() {
  return createTopics<CacheEventMap>('cache', EVENTS);
}

export type CacheTopics = ReturnType<typeof createCacheTopics>;

/**
 * The `onX()` methods of the cache over its topics: subscriptions only, kept apart from what the
 * cache does. The cache emits on the same topics.
 */
export class CacheEventSource {
  readonly #topics: CacheTopics;

  constructor(topics: CacheTopics) {
    this.#topics = topics;
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
