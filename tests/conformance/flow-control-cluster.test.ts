/**
 * The schedule, reply-deadline and rate-limit cases on a 3-master Redis Cluster started for this file
 * (each case on its own key prefix, deleted after): the slots' and checks' rows land on
 * different partitions, and nothing in them may depend on one server.
 */
import { Cluster } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { createRedisStore } from '../../src/stores/redis/index.js';
import { startRedisCluster, type RedisClusterHandle } from '../support/redis-cluster.js';
import { assertReachable, deletePrefix, randomPrefix } from '../support/redis-keys.js';
import type { StoreFactory } from '../support/store-factories.js';
import { scheduleSuite } from '../support/flow-control-schedules-cases.js';
import { replyDeadlineSuite } from '../support/flow-control-timeouts-cases.js';
import { rateLimitSuite } from '../support/flow-control-rate-cases.js';

let cluster: RedisClusterHandle | undefined;
let admin: Cluster | undefined;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  admin = new Cluster([...cluster.nodes]);
  admin.on('error', () => undefined);
  await assertReachable(admin, 'the test Redis Cluster');
});
afterAll(async () => {
  await admin?.quit();
  await cluster?.stop();
});

const CLUSTER_FACTORY: StoreFactory = {
  name: 'redis cluster',
  async open() {
    if (cluster === undefined) throw new Error('the Redis Cluster did not start');
    const keyPrefix = randomPrefix('flow');
    const store = createRedisStore({ cluster: [...cluster.nodes], keyPrefix });
    return {
      store,
      async dispose() {
        await store.close();
        if (admin) await deletePrefix(admin, keyPrefix);
      },
    };
  },
};

scheduleSuite(CLUSTER_FACTORY);
replyDeadlineSuite(CLUSTER_FACTORY);
rateLimitSuite(CLUSTER_FACTORY);
