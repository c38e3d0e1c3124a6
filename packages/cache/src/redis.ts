export type {
  RedisStore,
  RedisStoreClient,
  RedisStoreOptions,
  RedisStoreReadOptions,
} from './redis-store';
export { createRedisStore } from './redis-store';
