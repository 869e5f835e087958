/**
 * Several OS processes sharing one Redis (127.0.0.1:6379, a random key prefix per test;
 * tests/support/processes-scenario.ts).
 */
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { createRedisStore } from '../../src/stores/redis/index.js';
import { describeProcessesScenario } from '../support/processes-scenario.js';
import { assertReachable, deletePrefix, randomPrefix, SINGLE_REDIS } from '../support/redis-keys.js';

const admin = new Redis({ ...SINGLE_REDIS, maxRetriesPerRequest: 1 });
admin.on('error', () => undefined);
afterAll(async () => {
  await admin.quit();
});
const prefixOf = (location: string): string => (JSON.parse(location) as { keyPrefix: string }).keyPrefix;

describeProcessesScenario({
  title: 'Redis',
  store: 'redis',
  events: 50_000,
  concurrency: 32,
  fresh: async () => {
    await assertReachable(admin, `redis at ${SINGLE_REDIS.host}:${SINGLE_REDIS.port}`);
    return JSON.stringify({ ...SINGLE_REDIS, keyPrefix: randomPrefix('sys') });
  },
  open: (location) => createRedisStore({ ...SINGLE_REDIS, keyPrefix: prefixOf(location) }),
  cleanup: async (location) => {
    await deletePrefix(admin, prefixOf(location));
  },
});
