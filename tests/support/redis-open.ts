/**
 * Opens a Redis store for a system-test worker from its `--db` argument: the store options
 * as JSON, e.g. `{"port":6379,"keyPrefix":"ey-sys-1a2b"}`.
 */
import type { EventStore } from '../../src/index.js';
import { createRedisStore, type RedisStoreOptions } from '../../src/stores/redis/index.js';

export function openRedisStore(location: string): EventStore {
  return createRedisStore(JSON.parse(location) as RedisStoreOptions);
}
