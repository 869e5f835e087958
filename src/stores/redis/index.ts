/**
 * `eventyard/redis`: the Redis store (single server or Redis Cluster). Needs the optional
 * peer dependency `ioredis`.
 */
export { createRedisStore, type RedisStore } from './store.js';
export {
  redisStoreSchema,
  resolveRedisStoreOptions,
  type RedisNode,
  type RedisStoreOptions,
  type RedisTls,
  type ResolvedRedisStoreOptions,
} from './options.js';
export { KeyLayout } from './layout.js';
