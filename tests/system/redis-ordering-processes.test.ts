/**
 * Ordering keys across OS processes on Redis (single server at 127.0.0.1:6379 and a private
 * 3-master cluster): three worker processes (tests/support/worker.ts) handle 1,500 keyed
 * events over 30 keys while one worker is SIGKILLed mid-run. Every handler start is logged
 * in order; per key, the starts (a retry of the same row after the kill collapsed) must be
 * exactly the publish order, and every row ends COMPLETED.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewMessage } from '../../src/store/port.js';
import { createRedisStore, type RedisStoreOptions } from '../../src/stores/redis/index.js';
import { startRedisCluster, type RedisClusterHandle } from '../support/redis-cluster.js';
import { assertReachable, deletePrefix, randomPrefix, SINGLE_REDIS } from '../support/redis-keys.js';
import { allRows, waitUntil } from '../support/rows.js';
import { readStarts } from '../support/start-log.js';
import { WorkerPool } from '../support/worker-pool.js';

const KEYS = 30;
const EVENTS = 1500;

let cluster: RedisClusterHandle | undefined;
let admin: Redis | undefined;
let clusterAdmin: Cluster | undefined;

beforeAll(async () => {
  admin = new Redis({ ...SINGLE_REDIS, maxRetriesPerRequest: 1 });
  admin.on('error', () => undefined);
  await assertReachable(admin, `redis at ${SINGLE_REDIS.host}:${SINGLE_REDIS.port}`);
  cluster = await startRedisCluster(3);
  clusterAdmin = new Cluster([...cluster.nodes]);
  clusterAdmin.on('error', () => undefined);
}, 120_000);
afterAll(async () => {
  await admin?.quit();
  await clusterAdmin?.quit();
  await cluster?.stop();
});

async function scenario(options: RedisStoreOptions, cleanup: () => Promise<unknown>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'eventyard-redis-order-'));
  const log = join(dir, 'starts.log');
  const store = createRedisStore(options);
  let pool: WorkerPool | undefined;
  try {
    const messages: NewMessage[] = Array.from({ length: EVENTS }, (_, n) => ({
      eventId: randomUUID(),
      messageType: 'RQ_WORK',
      table: 'request',
      payload: JSON.stringify({ n }),
      maxAttempts: 10,
      createdBy: 'TEST',
      orderingKey: `key-${n % KEYS}`,
    }));
    for (let i = 0; i < EVENTS; i += 500) {
      const results = await store.publish(messages.slice(i, i + 500));
      expect(results.filter((r) => r.created)).toHaveLength(500);
    }
    pool = new WorkerPool([
      '--store',
      'redis',
      '--db',
      JSON.stringify(options),
      '--log',
      log,
      '--concurrency',
      '8',
      '--lease-ms',
      '600',
      '--work-ms',
      '6',
    ]);
    await Promise.all([pool.spawn(), pool.spawn(), pool.spawn()]);
    const completed = async (): Promise<number> =>
      (await store.countByStatus({ statuses: ['COMPLETED'] })).reduce((n, c) => n + c.count, 0);
    await waitUntil('a third of the events are COMPLETED', async () => (await completed()) >= EVENTS / 3, 120_000);
    expect(pool.killOne()).toBeDefined();
    await waitUntil('all events are COMPLETED', async () => (await completed()) === EVENTS, 240_000);
    await pool.stopAll();

    const rows = await allRows(store);
    expect(rows.filter((r) => r.status === 'COMPLETED')).toHaveLength(EVENTS);
    const keyOf = new Map(messages.map((m) => [m.eventId, m.orderingKey as string]));
    const startsPerKey = new Map<string, string[]>();
    for (const start of readStarts(log)) {
      const key = keyOf.get(start.eventId) as string;
      const list = startsPerKey.get(key) ?? [];
      // A row started again after its worker was killed: the same row, not a reordering.
      if (list[list.length - 1] !== start.eventId) list.push(start.eventId);
      startsPerKey.set(key, list);
    }
    expect(pool.killed.size).toBe(1);
    for (let k = 0; k < KEYS; k++) {
      const expected = messages.filter((_, n) => n % KEYS === k).map((m) => m.eventId);
      expect(startsPerKey.get(`key-${k}`), `key-${k}`).toEqual(expected);
    }
  } finally {
    await pool?.stopAll();
    await store.close();
    await cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('Redis ordering keys shared by several processes', () => {
  it(`single server: 3 processes, one SIGKILLed, keep ${KEYS} keys in publish order`, async () => {
    const keyPrefix = randomPrefix('sys-order');
    await scenario({ ...SINGLE_REDIS, keyPrefix }, () => deletePrefix(admin as Redis, keyPrefix));
  }, 400_000);

  it(`Redis Cluster: 3 processes, one SIGKILLed, keep ${KEYS} keys in publish order`, async () => {
    const keyPrefix = randomPrefix('sys-order-c');
    await scenario({ cluster: [...(cluster as RedisClusterHandle).nodes], keyPrefix }, () =>
      deletePrefix(clusterAdmin as Cluster, keyPrefix),
    );
  }, 400_000);
});
