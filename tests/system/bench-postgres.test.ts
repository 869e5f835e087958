/**
 * The PostgreSQL bench systems (Eventyard's store, pg-boss, graphile-worker, the floor) run
 * the suite's own workloads at a tiny size against a private PostgreSQL, and every exact check
 * holds: each event published lands once, each is handled once and counted COMPLETED by the
 * store, the transactional publish commits its application row with it, W5 completes every
 * stage of every flow, W6's failing events are retried exactly once. No speed is asserted.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgProfile } from '../../bench/harness/durability.js';
import { Meter } from '../../bench/harness/meter.js';
import { installPgRoundTripCounter, openPgProbe } from '../../bench/harness/pg-probe.js';
import type { ServerProbe } from '../../bench/harness/server-probe.js';
import { createSystem } from '../../bench/systems/index.js';
import { createPipeline } from '../../bench/systems/pipelines.js';
import { SystemName, type SystemOptions } from '../../bench/systems/types.js';
import { WORKLOADS } from '../../bench/workloads/index.js';
import type { Params, PhaseResult, WorkloadId } from '../../bench/workloads/types.js';
import { createPostgresServer, type PostgresServerHandle } from '../support/postgres-server.js';

let server: PostgresServerHandle;
let databases = 0;
const probes: ServerProbe[] = [];

beforeAll(async () => {
  installPgRoundTripCounter();
  server = await createPostgresServer({ max_connections: '200' });
});
afterAll(async () => {
  for (const p of probes) await p.close();
  await server?.destroy();
});

/** Runs one workload on a fresh database of the private server, as bench/run-one.ts does. */
async function runWorkload(system: SystemName, workload: WorkloadId, params: Params): Promise<PhaseResult[]> {
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  const db = `bench_${++databases}`;
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();
  const pgUrl = server.url.replace(/\/postgres$/, `/${db}`);
  const probe = await openPgProbe(pgUrl);
  probes.push(probe);
  const spec = { system, workload, params, profile: PgProfile.SYNC_ON, pgUrl };
  const systemOptions: SystemOptions = {
    profile: PgProfile.SYNC_ON,
    pgUrl,
    maxAttempts: params.maxAttempts ?? 5,
    leaseMs: params.leaseMs ?? 30_000,
  };
  const run = WORKLOADS[workload];
  if (run === undefined) throw new Error(`no workload ${workload}`);
  return run({
    spec,
    systemOptions,
    createSystem: () => createSystem(system, systemOptions),
    createPipeline: () => createPipeline(system, systemOptions),
    createMeter: () => new Meter(probe),
    note: () => undefined,
  });
}

function expectAllChecked(phases: readonly PhaseResult[], count: number): void {
  expect(phases.map((p) => p.phase)).toHaveLength(count);
  for (const p of phases) expect(p.check, p.phase).toMatchObject({ ok: true });
}

const PEERS = [SystemName.EVENTYARD_POSTGRES, SystemName.PGBOSS, SystemName.GRAPHILE_WORKER] as const;

describe('bench: PostgreSQL systems run the workloads with exact counts', () => {
  for (const system of [...PEERS, SystemName.PG_FLOOR]) {
    it(`${system}: W2 drains 300 events, each handled once and COMPLETED`, async () => {
      const [phase] = await runWorkload(system, 'W2', { events: 300, concurrency: 8 });
      expect(phase?.check.detail).toContain('completed 300,');
      expect(phase?.check.detail).toContain('0 never run, 0 run twice');
      expectAllChecked(phase ? [phase] : [], 1);
      // The probe saw the server: round trips and WAL were counted.
      expect(phase?.window.roundTripsPerEvent).toBeGreaterThan(0);
      expect(phase?.window.walBytesPerEvent).toBeGreaterThan(0);
    });
  }

  for (const system of PEERS) {
    it(`${system}: W1 publishes one at a time, in batches and inside a user transaction`, async () => {
      const phases = await runWorkload(system, 'W1', { events: 200, eventsSerial: 50, eventsTx: 40 });
      expectAllChecked(phases, 4);
      expect(phases[3]?.check.detail).toContain('pending 490,');
      expect(phases[3]?.check.detail).toContain('40 application rows (expected 40)');
    });

    it(`${system}: W5 completes every stage of 40 flows`, async () => {
      const phases = await runWorkload(system, 'W5', { flows: 40, concurrency: 4 });
      expectAllChecked(phases, 1);
      expect(phases[0]?.check.detail).toContain('completed 160,');
    });

    it(`${system}: W6 retries the failing tenth exactly once`, async () => {
      const phases = await runWorkload(system, 'W6', { events: 100, killEvents: 4, leaseMs: 2000 });
      // graphile-worker has no crash phase (its locks expire after 4 hours).
      expectAllChecked(phases, system === SystemName.GRAPHILE_WORKER ? 1 : 2);
      expect(phases[0]?.extra.retried).toBe(10);
    });
  }
});
