/**
 * How long moving a key prefix from a hash per row to row texts takes (docs/redis.md,
 * "Upgrading to row texts"): `events` rows published with 1 KB payloads on 127.0.0.1:6379
 * under a random prefix, rewritten into the old layout, then the time a new store's first
 * operation takes (the move) and the Redis CPU it used. The prefix is deleted after.
 *
 *   node --import tsx tests/support/redis-migration-probe.ts [events=100000] [partitions=1]
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createRedisStore } from '../../src/stores/redis/index.js';
import { deletePrefix, randomPrefix } from './redis-keys.js';
import { downgradeToV1 } from './redis-v1-layout.js';

const events = Number(process.argv[2] ?? 100_000);
const partitions = Number(process.argv[3] ?? 1);
const keyPrefix = randomPrefix('migration');
const admin = new Redis();
const redisCpu = async (): Promise<number> => {
  const info = await admin.info('cpu');
  const num = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return num('used_cpu_user') + num('used_cpu_sys');
};
try {
  const first = createRedisStore({ keyPrefix, partitions });
  const payload = JSON.stringify({ data: 'x'.repeat(1000) });
  for (let i = 0; i < events; i += 1000) {
    await first.publish(
      Array.from({ length: Math.min(1000, events - i) }, () => ({
        eventId: randomUUID(),
        messageType: 'RQ_MIGRATE',
        table: 'request' as const,
        payload,
        maxAttempts: 5,
        createdBy: 'SERVICE_A',
      })),
    );
  }
  await first.close();
  const rows = await downgradeToV1(admin, keyPrefix, partitions);
  const store = createRedisStore({ keyPrefix, partitions, logger: { debug() {}, info() {}, warn() {}, error() {} } });
  const cpu = await redisCpu();
  const started = performance.now();
  await store.countByStatus({});
  const seconds = (performance.now() - started) / 1000;
  const used = (await redisCpu()) - cpu;
  console.log(
    `${rows} rows moved in ${seconds.toFixed(2)} s = ${Math.round(rows / seconds)} rows/s; ` +
      `Redis CPU ${((used / rows) * 1e6).toFixed(1)} µs per row`,
  );
  await store.close();
} finally {
  await deletePrefix(admin, keyPrefix);
  admin.disconnect();
}
