/**
 * The store conformance suite, unchanged, against the single Redis server at 127.0.0.1:6379:
 * one partition (the single-server default) and eight partitions (every partition-merging
 * path of claim, list and the sweeps). Each case gets a random key prefix, deleted after.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, it } from 'vitest';
import { runStoreConformance } from '../../src/testing/index.js';
import { createRedisStore } from '../../src/stores/redis/index.js';
import { assertReachable, deletePrefix, randomPrefix, SINGLE_REDIS } from '../support/redis-keys.js';
import { describeRedisOrdering } from '../support/redis-ordering-cases.js';

const admin = new Redis({ ...SINGLE_REDIS, lazyConnect: true, maxRetriesPerRequest: 1 });
admin.on('error', () => undefined);
const prefixes: string[] = [];

beforeAll(async () => {
  await admin.connect().catch(() => undefined);
  await assertReachable(admin, `redis at ${SINGLE_REDIS.host}:${SINGLE_REDIS.port}`);
});
afterEach(async () => {
  for (const prefix of prefixes.splice(0)) await deletePrefix(admin, prefix);
});
afterAll(async () => {
  await admin.quit();
});

for (const partitions of [1, 8]) {
  runStoreConformance({
    name: `redis (single server, ${partitions} partition${partitions > 1 ? 's' : ''})`,
    features: { orderingKeys: true },
    createStore: async () => {
      const keyPrefix = randomPrefix(`p${partitions}`);
      prefixes.push(keyPrefix);
      return createRedisStore({ ...SINGLE_REDIS, keyPrefix, partitions, priorityAgingStepMs: 100 });
    },
    test: { describe, it, beforeEach, afterEach },
  });
}

// Ordering keys beyond the shared suite (tests/support/redis-ordering-cases.ts).
for (const partitions of [1, 8]) {
  describeRedisOrdering(`single server, ${partitions} partition${partitions > 1 ? 's' : ''}`, async () => {
    const keyPrefix = randomPrefix(`o${partitions}`);
    prefixes.push(keyPrefix);
    return createRedisStore({ ...SINGLE_REDIS, keyPrefix, partitions });
  });
}
