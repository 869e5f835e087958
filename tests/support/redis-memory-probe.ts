/**
 * Memory per event on Redis (127.0.0.1:6379, a random key prefix, deleted after): 20,000
 * events with 1 KB payloads, `used_memory` after publish and after claim + complete, and
 * MEMORY USAGE of one event's keys and of the partition's rows hash (per row). With `keys` > 0 every event is published under ORDERING_KEY
 * `k<i mod keys>` (the keyed layout: the key's FIFO, only heads in the ready index).
 *
 *   node --import tsx tests/support/redis-memory-probe.ts [keys=0]
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createRedisStore } from '../../src/stores/redis/index.js';
import { deletePrefix, randomPrefix } from './redis-keys.js';

const events = 20_000;
const keys = Number(process.argv[2] ?? 0);
const keyPrefix = randomPrefix('memory');
const store = createRedisStore({ keyPrefix });
const admin = new Redis();
const usedMemory = async (): Promise<number> => Number(/used_memory:(\d+)/.exec(await admin.info('memory'))?.[1]);
const payload = JSON.stringify({ data: 'x'.repeat(1000) });

const before = await usedMemory();
for (let i = 0; i < events; i += 1000) {
  await store.publish(
    Array.from({ length: 1000 }, (_, j) => ({
      ...(keys > 0 ? { orderingKey: `k${(i + j) % keys}` } : {}),
      eventId: randomUUID(),
      messageType: 'RQ_MEMORY',
      table: 'request' as const,
      payload,
      maxAttempts: 5,
      createdBy: 'SERVICE_A',
    })),
  );
}
const published = await usedMemory();
if (keys > 0) {
  const fifo = `{${keyPrefix}:0}:K:request:k0`;
  console.log(
    `key FIFO of ${events / keys} rows: ${Number(await admin.memory('USAGE', fifo))} B, ${String(await admin.object('ENCODING', fifo))}`,
  );
}
for (;;) {
  const claimed = await store.claim({
    table: 'request',
    messageTypes: ['RQ_MEMORY'],
    limit: 500,
    owner: `SERVICE_B/host/1234/${randomUUID()}`,
    updatedBy: 'SERVICE_B',
    leaseMs: 30_000,
  });
  if (claimed.length === 0) break;
  await store.complete(claimed.map((m) => ({ ref: m, updatedBy: 'SERVICE_B', emits: [], workingData: [] })));
}
const completed = await usedMemory();
const [row] = (await store.list({ limit: 1 })).rows;
if (row !== undefined) {
  const base = `{${keyPrefix}:0}`; // one partition on a single server
  const rows = `${base}:r`;
  const count = await admin.hlen(rows);
  const rowsBytes = Number(await admin.memory('USAGE', rows, 'SAMPLES', '0'));
  console.log(
    `${rows}: ${Math.round(rowsBytes / count)} B per row (${count} rows), ${String(await admin.object('ENCODING', rows))}`,
  );
  console.log(`one row text: ${(await admin.hget(rows, `RQ_MEMORY:${row.eventId}`))?.length ?? 0} B`);
  for (const key of [`${base}:p:${row.eventId}`, `${base}:e:${row.eventId}`]) {
    const shown = key.replace(row.eventId, '<EVENT_ID>');
    const bytes = Number(await admin.memory('USAGE', key));
    console.log(`${shown}: ${bytes} B, ${String(await admin.object('ENCODING', key))}`);
  }
}
console.log(`per UNPROCESSED event: ${Math.round((published - before) / events)} B of used_memory`);
console.log(`per COMPLETED event: ${Math.round((completed - before) / events)} B of used_memory`);
await store.close();
await deletePrefix(admin, keyPrefix);
admin.disconnect();
