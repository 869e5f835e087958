/**
 * The SQLite floor: the plainest correct at-least-once loop with leases that SQLite allows
 * here, written directly on better-sqlite3 with the run's journal and sync settings. It is
 * what every W2 figure is read against ("x% of floor"), not a product.
 *
 * - One table: `id INTEGER PRIMARY KEY` (the rowid: publish order), `state` (0 pending,
 *   1 leased, 2 done), `lease_until`, `token`, `payload`. One partial index on the pending
 *   rows, so a claim seeks straight to the oldest and done rows cost it nothing. A publish
 *   is two b-tree inserts (the row, the pending index).
 * - Claim: one `UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING id, payload`, with a
 *   token new per claim call (a counter) written to every row it takes.
 * - Complete: one transaction for the batch, one fenced `UPDATE … WHERE id = ? AND
 *   state = 1 AND token = ?` per job.
 * - Leases: a reaper every leaseMs / 2 puts expired leased rows back to pending (a scan:
 *   no index on leases, since in the floor they are only read that often).
 */
import Database from 'better-sqlite3';
import { sqliteSynchronous, type SqliteProfile } from '../harness/durability.js';
import type { BenchPayload } from '../harness/payloads.js';
import { FloorLoop, FLOOR_POLL_MS, type FloorJob } from './floor-loop.js';
import { SystemName, type QueueSystem, type StoreCounts, type SystemOptions } from './types.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  id          INTEGER PRIMARY KEY,
  state       INTEGER NOT NULL DEFAULT 0,
  lease_until INTEGER,
  token       INTEGER,
  payload     TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_pending ON jobs (id) WHERE state = 0;
`;

export async function createFloorSqlite(options: SystemOptions): Promise<QueueSystem> {
  if (options.sqlitePath === undefined) throw new Error('the SQLite floor needs a path');
  const synchronous = sqliteSynchronous(options.profile as SqliteProfile);
  const db = new Database(options.sqlitePath);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  const insert = db.prepare('INSERT INTO jobs (payload) VALUES (?)');
  // LIMIT +? keeps SQLite from compiling the statement again on every bind (see the store's claim-batch.sql).
  const claim = db.prepare<[number, number, number]>(
    `UPDATE jobs SET state = 1, lease_until = ?, token = ?
     WHERE id IN (SELECT id FROM jobs INDEXED BY jobs_pending WHERE state = 0 ORDER BY id LIMIT +?)
     RETURNING id, payload`,
  );
  const complete = db.prepare<[number, number]>('UPDATE jobs SET state = 2 WHERE id = ? AND state = 1 AND token = ?');
  const reap = db.prepare<[number]>('UPDATE jobs SET state = 0, token = NULL WHERE state = 1 AND lease_until < ?');
  const counts = db.prepare<[], { state: number; n: number }>('SELECT state, count(*) AS n FROM jobs GROUP BY state');
  const publishMany = db.transaction((payloads: readonly BenchPayload[]) => {
    for (const p of payloads) insert.run(JSON.stringify(p));
  });
  const claimTx = db.transaction(
    (limit: number, token: number) =>
      claim.all(Date.now() + options.leaseMs, token, limit) as { id: number; payload: string }[],
  );
  const completeTx = db.transaction((jobs: readonly FloorJob[]) =>
    jobs.map((j) => complete.run(j.id as number, j.token as number).changes === 1),
  );
  let nextToken = 1;
  const loop = new FloorLoop({
    claim: async (limit) => {
      const token = nextToken++;
      return claimTx.immediate(limit, token).map((r) => ({ id: r.id, token, payload: r.payload }));
    },
    complete: async (jobs) => (jobs.length === 0 ? [] : completeTx.immediate(jobs)),
  });
  const reaper = setInterval(() => reap.run(Date.now()), Math.max(FLOOR_POLL_MS, options.leaseMs / 2));
  reaper.unref();

  return {
    name: SystemName.FLOOR_SQLITE,
    settings: {
      what: 'floor: one table, one partial index on pending rows; UPDATE … RETURNING claim; one transaction per completed batch',
      journal_mode: 'WAL',
      synchronous,
      claim: 'up to concurrency rows per claim, token per claim call',
      pollMs: FLOOR_POLL_MS,
      reaperMs: Math.max(FLOOR_POLL_MS, options.leaseMs / 2),
    },
    async publish(payload) {
      insert.run(JSON.stringify(payload));
    },
    async publishBatch(payloads) {
      publishMany.immediate(payloads);
    },
    ...loop.workerMethods(),
    async counts(): Promise<StoreCounts> {
      const by = new Map(counts.all().map((r) => [r.state, r.n]));
      return { pending: by.get(0) ?? 0, active: by.get(1) ?? 0, completed: by.get(2) ?? 0, retrying: 0, failed: 0 };
    },
    async close() {
      clearInterval(reaper);
      db.close();
    },
  };
}
