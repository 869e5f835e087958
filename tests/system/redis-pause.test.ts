/**
 * A network pause between two workers and Redis (through our TCP proxy, never the shared
 * server itself), longer than the lease; a third worker reaches Redis directly. See
 * tests/support/store-pause-scenario.ts for what is checked.
 */
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { createRedisStore } from '../../src/stores/redis/index.js';
import { assertReachable, deletePrefix, randomPrefix, SINGLE_REDIS } from '../support/redis-keys.js';
import { runStorePauseScenario } from '../support/store-pause-scenario.js';

const admin = new Redis({ ...SINGLE_REDIS, maxRetriesPerRequest: 1 });
admin.on('error', () => undefined);
const prefix = randomPrefix('pause');

afterAll(async () => {
  await deletePrefix(admin, prefix);
  await admin.quit();
});

it('a Redis pause longer than the lease: no overlapping runs, health and one warning, stop() on time, recovery at normal concurrency, exact accounting', async () => {
  await assertReachable(admin, `redis at ${SINGLE_REDIS.host}:${SINGLE_REDIS.port}`);
  const report = await runStorePauseScenario({
    target: SINGLE_REDIS,
    openStore: (endpoint) => createRedisStore({ ...endpoint, keyPrefix: prefix }),
  });
  console.log('redis pause:', JSON.stringify(report));
  expect(report.abortedRuns).toBeGreaterThan(0);
});
