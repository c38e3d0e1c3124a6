/**
 * `@x/router/redis`: cooldowns shared by every router instance that talks to one Redis. The Redis
 * client is an optional peer dependency, typed structurally; ioredis 5 and 6 are tested.
 */
export { createRedisRouterState } from './redis-state';
export type {
  RedisRouterClientLike,
  RedisRouterStateOptions,
  RedisRouterStateStats,
  RedisSubscriberEvents,
  RedisSubscriberLike,
} from './redis-types';
