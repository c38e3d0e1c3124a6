export type {
  Cache,
  CacheCallOptions,
  CacheInput,
  CacheLoader,
  CacheLoadResult,
  CacheSetOptions,
  CacheSource,
  CacheStats,
  CacheStoreStats,
} from './cache';
export { createCache } from './cache';
export type { CacheKeyOptions } from './cache-key';
export { cacheKey } from './cache-key';
export type { CacheStoreOperation } from './errors';
export {
  CacheKeyError,
  CacheStoreError,
  CacheValueError,
  isCacheError,
  isCacheKeyError,
  isCacheStoreError,
  isCacheValueError,
} from './errors';
export type {
  CacheEvictEvent,
  CacheHitEvent,
  CacheMissEvent,
  CacheSetEvent,
  CacheSkipEvent,
  CacheSkipReason,
  Listener,
} from './events';
export type { CacheOptions, CacheTtlFunction } from './options';
export type { CacheStore, CacheStoreLock } from './store';
export type { CacheDecision, CacheDecisionReason, CacheStrategy } from './strategy';
export { CACHE_STRATEGIES } from './strategy';
