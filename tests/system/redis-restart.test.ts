/**
 * Durability across a Redis restart: a private Redis with `appendonly yes` and
 * `appendfsync always` is SIGKILLed and restarted in the middle of a run while a publisher
 * and three worker processes keep going. Every publish Redis acknowledged must still be
 * there after the restart, and every event ends COMPLETED exactly once.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventyard, type EventStore, type Eventyard } from '../../src/index.js';
import { createRedisStore } from '../../src/stores/redis/index.js';
import { randomPrefix } from '../support/redis-keys.js';
import { AOF_ALWAYS, createRedisServer, type RedisServerHandle } from '../support/redis-server.js';
import { allRows, waitUntil } from '../support/rows.js';
import { groupByEvent, readStarts } from '../support/start-log.js';
import { WorkerPool } from '../support/worker-pool.js';
import { workTypes } from '../support/work-types.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let dir: string;
let log: string;
let server: RedisServerHandle;
let store: EventStore;
let app: Eventyard;
let pool: WorkerPool | undefined;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'eventyard-redis-restart-'));
  log = join(dir, 'starts.log');
  server = await createRedisServer(AOF_ALWAYS);
  await server.start();
});

afterEach(async () => {
  await pool?.stopAll();
  pool = undefined;
  await app.close();
  await server.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('Redis restart with appendfsync always', () => {
  it('every acknowledged publish survives a SIGKILL of Redis and is processed exactly once', async () => {
    const events = 6000;
    const batchSize = 100;
    const options = { host: '127.0.0.1', port: server.port, keyPrefix: randomPrefix('restart') };
    store = createRedisStore(options);
    app = createEventyard({ store, messageTypes: workTypes(20) });
    pool = new WorkerPool([
      '--store',
      'redis',
      '--db',
      JSON.stringify(options),
      '--log',
      log,
      '--concurrency',
      '16',
      '--work-ms',
      '4',
    ]);
    await Promise.all([pool.spawn(), pool.spawn(), pool.spawn()]);

    const batches = Array.from({ length: events / batchSize }, (_, b) =>
      Array.from({ length: batchSize }, (_, i) => ({ eventId: randomUUID(), n: b * batchSize + i })),
    );
    const acked = new Set<string>();
    let failedPublishes = 0;
    const publisher = (async () => {
      for (const batch of batches) {
        // A publish that failed may or may not have been written: send it again (idempotent).
        for (;;) {
          try {
            await app.publishMany(
              batch.map((m) => ({ type: 'RQ_WORK', payload: { n: m.n }, options: { eventId: m.eventId } })),
            );
            for (const m of batch) acked.add(m.eventId);
            break;
          } catch {
            failedPublishes++;
            await sleep(100);
          }
        }
        await sleep(5);
      }
    })();

    await waitUntil('a third of the events are acknowledged', async () => acked.size >= events / 3, 120_000);
    const ackedBeforeKill = [...acked];
    await server.kill();
    await sleep(1500);
    await server.start();

    // Nothing Redis acknowledged was lost.
    const afterRestart = new Set((await allRows(store)).map((r) => r.eventId));
    expect(ackedBeforeKill.filter((id) => !afterRestart.has(id))).toEqual([]);

    await publisher;
    expect(acked.size).toBe(events);
    const completed = async (): Promise<number> =>
      (await store.countByStatus({ statuses: ['COMPLETED'] })).reduce((n, c) => n + c.count, 0);
    await waitUntil('every event is COMPLETED', async () => (await completed()) === events, 300_000);
    await pool.stopAll();

    const rows = await allRows(store);
    expect(rows).toHaveLength(events);
    expect(rows.filter((r) => r.status === 'COMPLETED')).toHaveLength(events);
    expect(new Set(rows.map((r) => r.eventId))).toEqual(acked);
    const starts = groupByEvent(readStarts(log));
    let repeated = 0;
    for (const row of rows) {
      const mine = starts.get(row.eventId) ?? [];
      expect(mine.length).toBeGreaterThanOrEqual(1);
      // No attempt number started twice: no two holders at once, even across the restart.
      expect(new Set(mine.map((s) => s.attempt)).size).toBe(mine.length);
      expect(Math.max(...mine.map((s) => s.attempt))).toBe(row.attempts);
      if (mine.length > 1) repeated++;
    }
    console.log(
      `restart: ${events} events, ${ackedBeforeKill.length} acknowledged before the kill, ` +
        `${failedPublishes} publish calls failed during the outage and were repeated, ` +
        `${repeated} events started more than once (leases lost while Redis was down)`,
    );
  });
});
