import type { CacheStats } from '../cache-api';
import type { CacheSkipReason } from '../events';
import type { ResolvedCacheOptions } from '../options';
import type { MemoryTier } from './memory';
import type { StoreTier } from './store-tier';

/** The counters the cache itself keeps (the tiers keep theirs). */
export interface CacheCounters {
  readonly hits: number;
  readonly misses: number;
  readonly loads: number;
  readonly coalesced: number;
  readonly inflight: number;
  readonly skipped: Readonly<Partial<Record<CacheSkipReason, number>>>;
}

/** The JSON snapshot of `stats()`: copies, so it does not change with the cache. */
export function snapshot(
  options: ResolvedCacheOptions,
  memory: MemoryTier,
  store: StoreTier | undefined,
  counters: CacheCounters,
): CacheStats {
  const lookups = counters.hits + counters.misses;
  return {
    entries: memory.size,
    bytes: memory.bytes,
    maxEntries: options.maxEntries,
    maxBytes: Number.isFinite(options.maxBytes) ? options.maxBytes : null,
    hits: counters.hits,
    misses: counters.misses,
    hitRate: lookups === 0 ? 0 : counters.hits / lookups,
    sets: memory.sets,
    evictions: memory.evictions,
    expirations: memory.expirations,
    compressedEntries: memory.compressedEntries,
    bytesSaved: memory.bytesSaved,
    decodedBytes: memory.decodedBytes,
    skipped: { ...counters.skipped },
    loads: counters.loads,
    inflight: counters.inflight,
    coalesced: counters.coalesced,
    store:
      store === undefined
        ? null
        : {
            hits: store.hits,
            misses: store.misses,
            writes: store.writes,
            errors: store.errors,
            lockWaits: store.lockWaits,
            lockTimeouts: store.lockTimeouts,
            corruptEntries: store.corruptEntries,
          },
  };
}
