/**
 * Table health under churn: 500,000 events pushed through one schema with retention on
 * (COMPLETED rows purged 2 s after completion). Each row is written four times (insert,
 * claim, complete, purge), two million row versions in all; the layout (partial indexes,
 * fillfactor, per-table autovacuum, batched purge; docs/postgres.md) must keep the heap,
 * the indexes and the dead tuples flat instead of growing with the number of events.
 * Every event is handled exactly once.
 *
 * Runs on a private server (tests/support/postgres-server.ts); the rate it ran at on the
 * CI machine, and so its runtime, is in docs/postgres.md ("Table health under churn").
 * EVENTYARD_CHURN_EVENTS overrides the count, e.g. 100000 for a quick look. The figures
 * are printed for docs/postgres.md.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createEventyard, silentLogger, type Eventyard } from '../../src/index.js';
import { createPostgresStore } from '../../src/stores/postgres/index.js';
import { createPostgresServer, type PostgresServerHandle } from '../support/postgres-server.js';
import { workTypes } from '../support/work-types.js';

const EVENTS = Number(process.env.EVENTYARD_CHURN_EVENTS ?? 500_000);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Sample {
  handled: number;
  liveRows: number;
  heapBytes: number;
  indexBytes: number;
  deadTuples: number;
}

let app: Eventyard | undefined;
let admin: pg.Pool | undefined;
let server: PostgresServerHandle | undefined;

afterEach(async () => {
  await app?.close();
  await admin?.end();
  await server?.destroy();
});

describe('PostgreSQL table health under churn', () => {
  it(`${EVENTS.toLocaleString('en')} events with retention: heap, indexes and dead tuples stay bounded; each event handled once`, async () => {
    // A private server: the shared test server runs with autovacuum off (its CI config), and
    // a DBA running event tables sets autovacuum_naptime well below the 1 min default
    // (docs/postgres.md, "Table health").
    // synchronous_commit off only shortens the run (commits do not wait for the WAL flush);
    // what is measured, the table's size and dead tuples, is the same either way.
    server = await createPostgresServer({ autovacuum_naptime: '5s', synchronous_commit: 'off' });
    const schema = 'churn';
    const store = await createPostgresStore({
      connectionString: server.url,
      schema,
      retainCompletedMs: 2000,
      retentionIntervalMs: 250,
      retentionBatchSize: 5000,
    });
    admin = new pg.Pool({ connectionString: server.url, max: 2 });
    app = createEventyard({ store, messageTypes: workTypes(3), logger: silentLogger });
    const handled = new Uint8Array(EVENTS);
    let handledCount = 0;
    const service = app
      .service({ name: 'CHURN', concurrency: 64, batchSize: 64 })
      .handle('RQ_WORK', (ctx) => {
        const { n } = ctx.payload as { n: number };
        const before = handled[n] ?? 0;
        handled[n] = before + 1;
        if (before === 0) handledCount++;
      })
      .start();

    const sample = async (): Promise<Sample> => {
      const { rows } = await admin!.query<{ live: string; heap: string; idx: string; dead: string }>(
        `SELECT n_live_tup AS live, pg_relation_size(relid) AS heap, pg_indexes_size(relid) AS idx, n_dead_tup AS dead
         FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'messages'`,
        [schema],
      );
      const r = rows[0]!;
      return {
        handled: handledCount,
        liveRows: Number(r.live),
        heapBytes: Number(r.heap),
        indexBytes: Number(r.idx),
        deadTuples: Number(r.dead),
      };
    };

    const samples: Sample[] = [];
    const started = Date.now();
    let published = 0;
    let nextSample = Date.now();
    // Keep a backlog of at most ~20,000 rows: the steady state of a busy system, not a bulk load.
    while (handledCount < EVENTS) {
      if (published < EVENTS && published - handledCount < 20_000) {
        const batch = [];
        for (let i = 0; i < 2000 && published < EVENTS; i++)
          batch.push({ type: 'RQ_WORK', payload: { n: published++ } });
        const results = await app.publishMany(batch);
        expect(results.filter((r) => r.created)).toHaveLength(batch.length);
      } else {
        await sleep(20);
      }
      if (Date.now() >= nextSample) {
        samples.push(await sample());
        nextSample = Date.now() + 5000;
      }
      if (Date.now() - started > 1_500_000) throw new Error(`churn: only ${handledCount} handled after 25 minutes`);
    }
    await sleep(3000); // the last completions age past retention and are purged
    samples.push(await sample());
    await service.stop();
    const seconds = (Date.now() - started) / 1000;

    expect(handledCount).toBe(EVENTS);
    expect(handled.every((n) => n === 1)).toBe(true);
    const counts = await store.countByStatus();
    const completedLeft = counts.reduce((n, c) => n + c.count, 0);
    expect(completedLeft).toBeLessThan(50_000); // retention kept up

    const size = (s: Sample): number => s.heapBytes + s.indexBytes;
    const fmt = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
    // Steady state: after the first fifth of the run the table must not keep growing. Without
    // retention and vacuum it grows with every event (about 5x from the fifth to the end).
    const fifth = samples.find((s) => s.handled >= EVENTS / 5) ?? samples[0]!;
    const peak = samples.reduce((max, s) => (size(s) > size(max) ? s : max));
    const maxDead = Math.max(...samples.map((s) => s.deadTuples));
    console.log(
      `churn: ${EVENTS} events in ${seconds.toFixed(0)} s (${(EVENTS / seconds).toFixed(0)}/s); ` +
        `heap+indexes at ${fifth.handled} handled ${fmt(size(fifth))}, peak ${fmt(size(peak))} at ${peak.handled}, ` +
        `end ${fmt(size(samples.at(-1)!))} (heap ${fmt(samples.at(-1)!.heapBytes)}, indexes ${fmt(samples.at(-1)!.indexBytes)}); ` +
        `dead tuples max ${maxDead}, live rows max ${Math.max(...samples.map((s) => s.liveRows))}; ` +
        `${store.retentionStats().purged} purged, ${samples.length} samples`,
    );
    console.log(samples.map((s) => `${s.handled}:${fmt(size(s))}:${s.deadTuples}`).join(' '));
    expect(size(peak)).toBeLessThan(Math.max(2.5 * size(fifth), 64 * 1024 * 1024));
    // Dead tuples rise and fall with vacuum's passes, and how high they rise depends on how
    // many row versions a pass takes to come round (the faster the store, the more): bounded
    // means below one per event, where without vacuum every event leaves about three.
    expect(maxDead).toBeLessThan(EVENTS);
  });
});
