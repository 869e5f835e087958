/**
 * The store conformance suite, unchanged, against a 3-master Redis Cluster started for this
 * file on free loopback ports (16 partitions, the cluster default). Each case gets a random
 * key prefix, deleted after.
 */
import { Cluster } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, it } from 'vitest';
import { runStoreConformance } from '../../src/testing/index.js';
import { createRedisStore } from '../../src/stores/redis/index.js';
import { startRedisCluster, type RedisClusterHandle } from '../support/redis-cluster.js';
import { assertReachable, deletePrefix, randomPrefix } from '../support/redis-keys.js';
import { describeRedisOrdering } from '../support/redis-ordering-cases.js';

let cluster: RedisClusterHandle | undefined;
let admin: Cluster | undefined;
const prefixes: string[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  admin = new Cluster([...cluster.nodes]);
  admin.on('error', () => undefined);
  await assertReachable(admin, 'the test Redis Cluster');
});
afterEach(async () => {
  for (const prefix of prefixes.splice(0)) if (admin) await deletePrefix(admin, prefix);
});
afterAll(async () => {
  await admin?.quit();
  await cluster?.stop();
});

runStoreConformance({
  name: 'redis (3-master cluster, 16 partitions)',
  features: { orderingKeys: true },
  createStore: async () => {
    if (cluster === undefined) throw new Error('the Redis Cluster did not start');
    const keyPrefix = randomPrefix('cluster');
    prefixes.push(keyPrefix);
    return createRedisStore({ cluster: [...cluster.nodes], keyPrefix, priorityAgingStepMs: 100 });
  },
  test: { describe, it, beforeEach, afterEach },
});

// Ordering keys beyond the shared suite (tests/support/redis-ordering-cases.ts).
describeRedisOrdering('3-master cluster, 16 partitions', async () => {
  if (cluster === undefined) throw new Error('the Redis Cluster did not start');
  const keyPrefix = randomPrefix('cluster-o');
  prefixes.push(keyPrefix);
  return createRedisStore({ cluster: [...cluster.nodes], keyPrefix });
});
