/**
 * `@x/rate-limit/redis`: token buckets shared by every process that talks to one Redis.
 * The Redis client is an optional peer dependency, typed structurally; ioredis 5 is tested.
 */
export type {
  OutagePolicy,
  RedisClientLike,
  RedisRecoveredEvent,
  RedisStore,
  RedisStoreOptions,
  RedisStoreStats,
  RedisTokenBucket,
  RedisTokenBucketOptions,
  RedisUnavailableEvent,
} from './redis-store';
export { createRedisStore, createRedisTokenBucket } from './redis-store';
