/**
 * W1 publish: events written one at a time with 1 in flight (`eventsSerial`), one at a
 * time with 64 in flight (`events`), and in batches of 100 (`eventsBatch`, else `events`);
 * no workers run.
 * On PostgreSQL a fourth phase publishes inside the caller's own transaction (`eventsTx`
 * events, 8 in flight on a pool of 8): BEGIN, an application row, the publish, COMMIT.
 * Exact check after each phase: the store holds exactly the events published so far, all
 * waiting (and, in the transactional phase, one application row per event).
 */
import pg from 'pg';
import { makePayloads, type BenchPayload } from '../harness/payloads.js';
import type { QueueSystem } from '../systems/types.js';
import { formatCounts } from './completion.js';
import { param, type PhaseResult, type RunEnv } from './types.js';

interface Mode {
  readonly phase: string;
  readonly events: number;
  readonly write: (system: QueueSystem, payloads: readonly BenchPayload[]) => Promise<void>;
  /** Application rows the phase writes next to its events. */
  readonly appRows?: number;
}

async function inFlight(system: QueueSystem, payloads: readonly BenchPayload[], width: number): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < payloads.length) await system.publish(payloads[next++] as BenchPayload);
  };
  await Promise.all(Array.from({ length: width }, lane));
}

async function batches(system: QueueSystem, payloads: readonly BenchPayload[], size: number): Promise<void> {
  for (let i = 0; i < payloads.length; i += size) await system.publishBatch(payloads.slice(i, i + size));
}

const TX_WIDTH = 8;

/** BEGIN; INSERT an order; publish through the same client; COMMIT. */
async function inUserTransactions(
  pool: pg.Pool,
  system: QueueSystem,
  payloads: readonly BenchPayload[],
): Promise<void> {
  const publishIn = system.publishInTransaction?.bind(system);
  if (publishIn === undefined) throw new Error(`${system.name} cannot publish in a transaction`);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < payloads.length) {
      const payload = payloads[next++] as BenchPayload;
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('INSERT INTO bench_orders (seq, at) VALUES ($1, now())', [payload.seq]);
        await publishIn(client, payload);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    }
  };
  await Promise.all(Array.from({ length: TX_WIDTH }, lane));
}

async function openUserPool(url: string): Promise<pg.Pool> {
  const pool = new pg.Pool({
    connectionString: url,
    max: TX_WIDTH,
    query_timeout: 30_000,
    connectionTimeoutMillis: 10_000,
  });
  await pool.query('CREATE TABLE IF NOT EXISTS bench_orders (seq bigint PRIMARY KEY, at timestamptz NOT NULL)');
  return pool;
}

export async function publish(env: RunEnv): Promise<PhaseResult[]> {
  const txEvents = env.spec.params.eventsTx;
  const pool = txEvents !== undefined && env.spec.pgUrl !== undefined ? await openUserPool(env.spec.pgUrl) : undefined;
  const modes: Mode[] = [
    { phase: '1 in flight', events: param(env.spec.params, 'eventsSerial'), write: (s, p) => inFlight(s, p, 1) },
    { phase: '64 in flight', events: param(env.spec.params, 'events'), write: (s, p) => inFlight(s, p, 64) },
    {
      phase: 'batches of 100',
      events: param(env.spec.params, env.spec.params['eventsBatch'] === undefined ? 'events' : 'eventsBatch'),
      write: (s, p) => batches(s, p, 100),
    },
  ];
  if (pool && txEvents !== undefined) {
    modes.push({
      phase: `in a user transaction, ${TX_WIDTH} in flight`,
      events: txEvents,
      appRows: txEvents,
      write: (s, p) => inUserTransactions(pool, s, p),
    });
  }
  const system = await env.createSystem();
  const results: PhaseResult[] = [];
  let total = 0;
  try {
    for (const mode of modes) {
      const payloads = makePayloads(mode.events, total);
      const meter = env.createMeter();
      await meter.start();
      await mode.write(system, payloads);
      const window = await meter.stop(mode.events);
      total += mode.events;
      const counts = await system.counts();
      const orders = pool
        ? Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM bench_orders')).rows[0]?.n)
        : 0;
      const expectedOrders = mode.appRows ?? 0;
      const ok =
        counts.pending === total && counts.completed + counts.active + counts.failed === 0 && orders === expectedOrders;
      results.push({
        phase: mode.phase,
        window,
        extra: {},
        check: {
          ok,
          detail: `store: ${formatCounts(counts)} (expected ${total} pending)${pool ? `; ${orders} application rows (expected ${expectedOrders})` : ''}`,
        },
      });
    }
    return results;
  } finally {
    await system.close();
    await pool?.end();
  }
}
