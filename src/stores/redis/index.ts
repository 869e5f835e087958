/**
 * `eventyard/redis`: the Redis store (single server or Redis Cluster). Needs the optional
 * peer dependency `ioredis`.
 */
export { createRedisStore, type RedisStore } from './store.js';
export type { RedisNode, RedisStoreOptions, RedisTls, ResolvedRedisStoreOptions } from './options.js';
export type { KeyLayout } from './layout.js';
