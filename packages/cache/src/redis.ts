export type { RedisStore, RedisStoreClient, RedisStoreOptions } from './redis-store';
export { createRedisStore } from './redis-store';
