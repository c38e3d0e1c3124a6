import {
  hasFixedSeed,
  hasImages,
  hasTools,
  isEmbeddingsRequest,
  isTimeSensitive,
  temperatureOf,
} from './internal/request-facts';

/**
 * How much the cache stores:
 *
 * | strategy | caches | TTL |
 * |---|---|---|
 * | `disabled` | nothing | - |
 * | `conservative` | embeddings, and deterministic requests (temperature 0, or a fixed seed >= 0) without tools or images | `maxTtlMs` |
 * | `selective` | embeddings, deterministic requests, plus temperature <= 0.5, unless the user's text depends on the current time | `maxTtlMs` for embeddings and deterministic requests, shrinking linearly to `minTtlMs` at temperature 0.5 |
 * | `aggressive` | every answer a loader returns | `maxTtlMs` |
 *
 * No strategy can tell a truncated answer from a complete one: the cache stores what the loader
 * returns (the providers drop truncated answers before storing; alone, use `ttl` returning `false`).
 */
export type CacheStrategy = 'disabled' | 'conservative' | 'selective' | 'aggressive';

/** The strategies, in order of how much they store. */
export const CACHE_STRATEGIES: readonly CacheStrategy[] = Object.freeze([
  'disabled',
  'conservative',
  'selective',
  'aggressive',
]);

/**
 * Why a request is (or is not) cached:
 * - `deterministic`: temperature 0 or a fixed seed; cached.
 * - `embeddings`: an embeddings request (`{ model, input }`): the same input always gets the same
 *   vector, so it is cached for `maxTtlMs` by every strategy but `disabled`.
 * - `low-temperature`: `selective` and 0 < temperature <= 0.5; cached with a shorter TTL.
 * - `aggressive`: the `aggressive` strategy caches everything.
 * - `disabled`: the `disabled` strategy caches nothing.
 * - `nondeterministic`: `conservative` and neither temperature 0 nor a fixed seed
 *   (an unset temperature means the provider's default, 0.8 in Ollama).
 * - `high-temperature`: `selective` and temperature unset or above 0.5 without a fixed seed.
 * - `has-tools`: `conservative` and the request offers tools.
 * - `has-images`: `conservative` and the request carries images.
 * - `time-sensitive`: `selective` and the user's text depends on the current time.
 */
export type CacheDecisionReason =
  | 'deterministic'
  | 'embeddings'
  | 'low-temperature'
  | 'aggressive'
  | 'disabled'
  | 'nondeterministic'
  | 'high-temperature'
  | 'has-tools'
  | 'has-images'
  | 'time-sensitive';

/** What `decide(request)` says about a request. */
export interface CacheDecision {
  /** Whether an answer to this request would be stored. */
  readonly cacheable: boolean;
  /** How long it would be kept, within [minTtlMs, maxTtlMs]; 0 when not cacheable. */
  readonly ttlMs: number;
  /** Why: see {@link CacheDecisionReason}. */
  readonly reason: CacheDecisionReason;
}

/** Temperatures up to this one count as "low" for `selective`. */
export const LOW_TEMPERATURE = 0.5;

/** Bounds the strategies work within. */
export interface TtlBounds {
  readonly minTtlMs: number;
  readonly maxTtlMs: number;
}

const no = (reason: CacheDecisionReason): CacheDecision => ({ cacheable: false, ttlMs: 0, reason });

/** Embeddings do not change for a given model and input: the longest TTL the cache allows. */
const embeddings = (bounds: TtlBounds): CacheDecision => ({
  cacheable: true,
  ttlMs: bounds.maxTtlMs,
  reason: 'embeddings',
});

/** The decision of `strategy` for `request` (see {@link CacheStrategy}). */
export function decideFor(
  strategy: CacheStrategy,
  request: object,
  bounds: TtlBounds,
): CacheDecision {
  const loose = request as Record<string, unknown>;
  switch (strategy) {
    case 'disabled':
      return no('disabled');
    case 'aggressive':
      return { cacheable: true, ttlMs: bounds.maxTtlMs, reason: 'aggressive' };
    case 'conservative': {
      if (isEmbeddingsRequest(loose)) return embeddings(bounds);
      if (hasTools(loose)) return no('has-tools');
      if (hasImages(loose)) return no('has-images');
      if (temperatureOf(loose) === 0 || hasFixedSeed(loose)) {
        return { cacheable: true, ttlMs: bounds.maxTtlMs, reason: 'deterministic' };
      }
      return no('nondeterministic');
    }
    case 'selective': {
      if (isEmbeddingsRequest(loose)) return embeddings(bounds);
      const temperature = temperatureOf(loose);
      const deterministic = temperature === 0 || hasFixedSeed(loose);
      const low = temperature !== undefined && temperature > 0 && temperature <= LOW_TEMPERATURE;
      if (!deterministic && !low) return no('high-temperature');
      if (isTimeSensitive(loose)) return no('time-sensitive');
      if (deterministic)
        return { cacheable: true, ttlMs: bounds.maxTtlMs, reason: 'deterministic' };
      const span = bounds.maxTtlMs - bounds.minTtlMs;
      const ttlMs = Math.round(
        bounds.maxTtlMs - span * ((temperature as number) / LOW_TEMPERATURE),
      );
      return {
        cacheable: true,
        ttlMs: Math.min(bounds.maxTtlMs, Math.max(bounds.minTtlMs, ttlMs)),
        reason: 'low-temperature',
      };
    }
  }
}
