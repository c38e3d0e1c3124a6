import { type Channel, channel } from 'node:diagnostics_channel';
import type { CacheStoreError } from './errors';
import type { CacheDecisionReason } from './strategy';

/** Why an answer was not stored: a strategy's reason, or a reason found when storing. */
export type CacheSkipReason =
  | Exclude<CacheDecisionReason, 'deterministic' | 'low-temperature' | 'aggressive'>
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

export type Listener<E> = (event: E) => void;

/** Listeners plus a diagnostics channel; `active` lets hot paths skip building the event. */
export class Emitter<E> {
  #listeners: Listener<E>[] = [];
  readonly #channel: Channel;

  constructor(name: string) {
    this.#channel = channel(`x:cache:${name}`);
  }

  get active(): boolean {
    return this.#listeners.length > 0 || this.#channel.hasSubscribers;
  }

  on(listener: Listener<E>): () => void {
    if (typeof listener !== 'function') {
      throw new TypeError(
        `Expected \`listener\` to be a function, got \`${String(listener)}\` (${typeof listener})`,
      );
    }
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  emit(event: E): void {
    if (this.#channel.hasSubscribers) this.#channel.publish(event);
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        // A broken listener must not break the cache, nor be silenced.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

export type StoreErrorEvent = CacheStoreError;
