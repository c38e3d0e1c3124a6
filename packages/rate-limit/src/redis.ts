/**
 * `@x/rate-limit/redis`: token buckets shared by every process that talks to one Redis.
 * The Redis client is an optional peer dependency, typed structurally; ioredis 5 and 6 are tested.
 */
export type {
  OutagePolicy,
  RedisClientLike,
  RedisRecoveredEvent,
  RedisStore,
  RedisStoreOptions,
  RedisStoreStats,
  RedisUnavailableEvent,
} from './redis-options';
export { createRedisStore } from './redis-store';
export type { RedisTokenBucket, RedisTokenBucketOptions } from './redis-token-bucket';
export { createRedisTokenBucket } from './redis-token-bucket';
