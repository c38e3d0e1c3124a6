export { createCache } from './cache';
export type {
  Cache,
  CacheCallOptions,
  CachedValue,
  CacheInput,
  CacheLoader,
  CacheLoadResult,
  CacheSetOptions,
  CacheSource,
  CacheStats,
  CacheStoreStats,
} from './cache-api';
export type { CacheKeyOptions } from './cache-key';
export { cacheKey } from './cache-key';
export type { CacheStoreOperation } from './errors';
export {
  CacheClosedError,
  CacheKeyError,
  CacheLoadCycleError,
  CacheStoreError,
  CacheValueError,
  isCacheClosedError,
  isCacheError,
  isCacheKeyError,
  isCacheLoadCycleError,
  isCacheStoreError,
  isCacheValueError,
} from './errors';
export type {
  CacheCorruptEntryEvent,
  CacheCorruptReason,
  CacheEvictEvent,
  CacheHitEvent,
  CacheMissEvent,
  CacheSetEvent,
  CacheSkipEvent,
  CacheSkipReason,
  Listener,
} from './events';
export type { CacheLogger, CacheLogMethod } from './log';
export type { CacheOptions, CacheTtlFunction } from './options';
export { sharedCache } from './shared';
export type {
  CacheStore,
  CacheStoreGetOptions,
  CacheStoreLock,
  CacheStoreLockOptions,
} from './store';
export type { CacheDecision, CacheDecisionReason, CacheStrategy } from './strategy';
export { CACHE_STRATEGIES } from './strategy';
