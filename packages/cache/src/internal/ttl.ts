import type { CacheInput } from '../cache-api';
import type { CacheSkipReason } from '../events';
import type { ResolvedCacheOptions } from '../options';
import { decideFor } from '../strategy';

/**
 * The TTL to store `value` with, within [minTtlMs, maxTtlMs], or the reason it is not to be
 * stored. With a request the strategy decides, then `ttlOverride` (from `set()`) or the `ttl`
 * option may change the TTL; with a key the caller already decided.
 * @throws what the `ttl` option throws.
 */
export function chooseTtl(
  options: ResolvedCacheOptions,
  input: CacheInput,
  value: unknown,
  ttlOverride: number | undefined,
): number | CacheSkipReason {
  const { strategy, minTtlMs, maxTtlMs, ttl } = options;
  if (strategy === 'disabled') return 'disabled';
  let ttlMs: number;
  if (typeof input === 'string') {
    ttlMs = ttlOverride ?? maxTtlMs;
  } else {
    const decision = decideFor(strategy, input, options);
    if (!decision.cacheable) return decision.reason as CacheSkipReason;
    ttlMs = decision.ttlMs;
    if (ttlOverride !== undefined) ttlMs = ttlOverride;
    else if (ttl !== undefined) {
      const chosen = ttl(input, value);
      if (chosen === false) return 'ttl-function';
      if (typeof chosen === 'number' && !Number.isNaN(chosen)) ttlMs = chosen;
    }
  }
  return Math.round(Math.min(maxTtlMs, Math.max(minTtlMs, ttlMs)));
}
