/**
 * The floor: the plainest correct queue PostgreSQL allows, to read W2 against. One table
 * (bigserial id, jsonb payload, a status), one claim loop:
 *
 *   UPDATE floor_jobs SET status = 1
 *    WHERE id IN (SELECT id FROM floor_jobs WHERE status = 0 ORDER BY id
 *                 FOR UPDATE SKIP LOCKED LIMIT $1)
 *   RETURNING id, payload
 *
 * then every claimed job's handler at once, then one `UPDATE … SET status = 2 WHERE id =
 * ANY($1)` for the batch. No leases, no attempts, no fencing, no retries, no wake-ups (it polls
 * every 10 ms when it finds nothing), no working data: what Eventyard's semantics cost on top of
 * the bare claim/complete round trips shows as the gap. Node-postgres, one connection for the
 * loop and one for publishes and counts; a partial index on pending rows serves the claim.
 */
import pg from 'pg';
import type { BenchPayload } from '../harness/payloads.js';
import { SystemName, type QueueSystem, type StoreCounts, type SystemOptions, type WorkerSpec } from './types.js';

const TABLE = 'floor_jobs';
const IDLE_MS = 10;

export async function createPgFloor(options: SystemOptions): Promise<QueueSystem> {
  if (options.pgUrl === undefined) throw new Error('the floor needs a PostgreSQL URL');
  const pool = new pg.Pool({ connectionString: options.pgUrl, max: 4, query_timeout: 30_000 });
  await pool.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (
    id bigserial PRIMARY KEY,
    status smallint NOT NULL DEFAULT 0,
    payload jsonb NOT NULL)`);
  await pool.query(`CREATE INDEX IF NOT EXISTS ${TABLE}_pending ON ${TABLE} (id) WHERE status = 0`);
  let completed = 0;
  let stopping = false;
  let loop: Promise<void> | undefined;

  const work = async (spec: WorkerSpec): Promise<void> => {
    const client = await pool.connect();
    try {
      while (!stopping) {
        const { rows } = await client.query<{ id: string; payload: BenchPayload }>(
          `UPDATE ${TABLE} SET status = 1
            WHERE id IN (SELECT id FROM ${TABLE} WHERE status = 0 ORDER BY id FOR UPDATE SKIP LOCKED LIMIT $1)
           RETURNING id, payload`,
          [spec.concurrency],
        );
        if (rows.length === 0) {
          await new Promise((r) => setTimeout(r, IDLE_MS));
          continue;
        }
        await Promise.all(rows.map(async (r) => spec.handle({ payload: r.payload, attempt: 1 })));
        await client.query(`UPDATE ${TABLE} SET status = 2 WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
        completed += rows.length;
        if (spec.onCompleted) for (const r of rows) spec.onCompleted(r.payload);
      }
    } finally {
      client.release();
    }
  };

  return {
    name: SystemName.PG_FLOOR,
    settings: {
      claim: 'UPDATE … WHERE id IN (SELECT … ORDER BY id FOR UPDATE SKIP LOCKED LIMIT concurrency) RETURNING',
      complete: 'one UPDATE … WHERE id = ANY($1) per claimed batch',
      loop: 'one claim → handle all → complete loop on one connection',
      'idle poll ms': IDLE_MS,
      semantics: 'none beyond claim/complete (no lease, attempt, retry, fencing, wake-up)',
      publishBatch: 'one multi-row INSERT (unnest)',
    },
    async publish(payload) {
      await pool.query(`INSERT INTO ${TABLE} (payload) VALUES ($1)`, [payload]);
    },
    async publishBatch(payloads) {
      await pool.query(`INSERT INTO ${TABLE} (payload) SELECT unnest($1::jsonb[])`, [
        payloads.map((p) => JSON.stringify(p)),
      ]);
    },
    async startWorkers(spec: WorkerSpec) {
      stopping = false;
      loop = work(spec);
    },
    async stopWorkers() {
      stopping = true;
      await loop;
      loop = undefined;
    },
    completedSoFar: () => completed,
    async counts(): Promise<StoreCounts> {
      const { rows } = await pool.query<{ status: number; n: number }>(
        `SELECT status, count(*)::int AS n FROM ${TABLE} GROUP BY status`,
      );
      const n = (s: number): number => rows.find((r) => r.status === s)?.n ?? 0;
      return { pending: n(0), active: n(1), completed: n(2), retrying: 0, failed: 0 };
    },
    async close() {
      stopping = true;
      await loop;
      await pool.end();
    },
  };
}
