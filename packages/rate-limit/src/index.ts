export { ADMITTED } from './admitted';
export type {
  ConcurrencyLimiter,
  ConcurrencyLimiterOptions,
  ConcurrencyLimiterStats,
  Release,
} from './concurrency-limiter';
export { createConcurrencyLimiter } from './concurrency-limiter';
export type { OutagePolicy, RateLimitErrorCode } from './errors';
export {
  ConcurrencyTimeoutError,
  isConcurrencyTimeoutError,
  isQueueFullError,
  isRateLimitClosedError,
  isRateLimitError,
  isRateLimitStoreError,
  isRateLimitStoreUnavailableError,
  isRateLimitTimeoutError,
  QueueFullError,
  RateLimitClosedError,
  RateLimitError,
  RateLimitStoreError,
  RateLimitStoreUnavailableError,
  RateLimitTimeoutError,
} from './errors';
export type {
  ConcurrencyRejectEvent,
  RateLimitPauseEvent,
  RateLimitRejectEvent,
} from './events';
export type { HeadersLike, RateLimitHeaders } from './headers';
export { parseDurationMs, parseRateLimitHeaders } from './headers';
export type { RateLimitLogger, RateLimitLogMethod } from './log';
export type {
  BoundMemoryStore,
  MemoryStore,
  MemoryStoreOptions,
  MemoryStoreStats,
} from './memory-store';
export { createMemoryStore } from './memory-store';
export type { AcquireOptions, LimitOptions, TokenBucketOptions } from './options';
export type { RateLimitPreset } from './presets';
export { rateLimitPresets } from './presets';
export type {
  BucketLike,
  LimiterLike,
  RateLimitedMethodOptions,
  RateLimitedOptions,
} from './rate-limited';
export { rateLimited } from './rate-limited';
export { createRateLimiter } from './rate-limiter';
export type { Costs, RateLimiter, RateLimiterOptions, RateLimiterStats } from './rate-limiter-api';
export { sharedConcurrencyLimiter, sharedRateLimiter } from './shared';
export type { BoundRateLimitStore, RateLimitStore, ResolvedLimit } from './store';
export { createTokenBucket } from './token-bucket';
export type { TokenBucket, TokenBucketStats } from './token-bucket-api';
