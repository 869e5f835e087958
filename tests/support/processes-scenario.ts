/**
 * One scenario for every store shared by several OS processes: competing consumers, SIGKILL
 * mid-handler, and poison messages that kill their worker every time. Every count is exact.
 * Each store's system test supplies how to open a fresh store and what its workers get as
 * `--store`/`--db` (tests/support/worker.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventyard, type EventStore, type Eventyard } from '../../src/index.js';
import { allRows, waitUntil } from './rows.js';
import { groupByEvent, readStarts } from './start-log.js';
import { WorkerPool } from './worker-pool.js';
import { workTypes } from './work-types.js';

export interface ProcessesBackend {
  /** `SQLite`, `Redis`, `PostgreSQL`: the suite's title. */
  readonly title: string;
  /** The worker's `--store`. */
  readonly store: string;
  /** Events of the competing-consumers case. */
  readonly events: number;
  /** Claim concurrency of each competing worker. */
  readonly concurrency: number;
  /** A fresh location (file, key prefix, schema): what the workers get as `--db`. */
  fresh(tmp: string): Promise<string> | string;
  open(location: string): Promise<EventStore> | EventStore;
  /** Removes what `fresh` made (the temporary folder is removed by the scenario). */
  cleanup(location: string): Promise<void> | void;
}

export function describeProcessesScenario(backend: ProcessesBackend): void {
  let dir: string;
  let log: string;
  let location: string;
  let store: EventStore;
  let app: Eventyard;
  let pool: WorkerPool | undefined;

  const openApp = async (maxAttempts: number): Promise<void> => {
    store = await backend.open(location);
    app = createEventyard({ store, messageTypes: workTypes(maxAttempts) });
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), `eventyard-${backend.store}-sys-`));
    log = join(dir, 'starts.log');
    location = await backend.fresh(dir);
    await openApp(10);
  });

  afterEach(async () => {
    await pool?.stopAll();
    pool = undefined;
    await app.close();
    await backend.cleanup(location);
    rmSync(dir, { recursive: true, force: true });
  });

  async function publishWork(count: number, poison: (n: number) => boolean = () => false): Promise<void> {
    for (let start = 0; start < count; start += 1000) {
      const batch = [];
      for (let n = start; n < Math.min(count, start + 1000); n++) {
        batch.push({ type: 'RQ_WORK', payload: { n, ...(poison(n) && { poison: true }) } });
      }
      const results = await app.publishMany(batch);
      expect(results.filter((r) => r.created)).toHaveLength(batch.length);
    }
  }

  const countStatus = async (status: 'COMPLETED' | 'FAILED'): Promise<number> =>
    (await store.countByStatus({ statuses: [status] })).reduce((n, c) => n + c.count, 0);

  const workerArgs = (...extra: string[]): string[] => [
    '--store',
    backend.store,
    '--db',
    location,
    '--log',
    log,
    ...extra,
  ];

  describe(`${backend.title} shared by several processes`, () => {
    it(`3 competing processes complete ${backend.events.toLocaleString('en')} events, each exactly once`, async () => {
      const events = backend.events;
      await publishWork(events);
      pool = new WorkerPool(workerArgs('--concurrency', String(backend.concurrency)));
      await Promise.all([pool.spawn(), pool.spawn(), pool.spawn()]);
      await waitUntil('all events are COMPLETED', async () => (await countStatus('COMPLETED')) === events, 300_000);
      await pool.stopAll();

      const rows = await allRows(store);
      expect(rows).toHaveLength(events);
      expect(rows.filter((r) => r.status === 'COMPLETED' && r.attempts === 1)).toHaveLength(events);
      const starts = readStarts(log);
      expect(starts).toHaveLength(events);
      expect(new Set(starts.map((s) => s.eventId)).size).toBe(events);
      const perProcess = new Map<number, number>();
      for (const s of starts) perProcess.set(s.pid, (perProcess.get(s.pid) ?? 0) + 1);
      expect(perProcess.size).toBe(3);
      for (const n of perProcess.values()) expect(n).toBeGreaterThan(0);
      expect(await store.countByStatus()).toEqual([
        { table: 'request', messageType: 'RQ_WORK', status: 'COMPLETED', count: events },
      ]);
    });

    it('SIGKILL of workers mid-handler, repeatedly: nothing lost, every extra start explained by a kill', async () => {
      const events = 3000;
      await publishWork(events);
      pool = new WorkerPool(workerArgs('--concurrency', '8', '--lease-ms', '600', '--work-ms', '40'));
      await Promise.all([pool.spawn(), pool.spawn(), pool.spawn()]);
      let kills = 0;
      while (kills < 6) {
        await new Promise((r) => setTimeout(r, 400));
        if ((await countStatus('COMPLETED')) >= events - 200) break;
        if (pool.killOne() !== undefined) kills++;
      }
      await waitUntil(
        'every event is COMPLETED or FAILED',
        async () => (await countStatus('COMPLETED')) + (await countStatus('FAILED')) === events,
        240_000,
      );
      await pool.stopAll();

      const rows = await allRows(store);
      expect(rows).toHaveLength(events);
      const starts = groupByEvent(readStarts(log));
      let victims = 0;
      let completions = 0;
      for (const row of rows) {
        // Ten attempts allowed, six kills at most: every row completes.
        expect(row.status).toBe('COMPLETED');
        const mine = starts.get(row.eventId) ?? [];
        // No attempt number started twice: no row was ever held by two workers at once.
        expect(new Set(mine.map((s) => s.attempt)).size).toBe(mine.length);
        completions++;
        // The completing attempt is the row's last one, and it was logged.
        expect(Math.max(...mine.map((s) => s.attempt))).toBe(row.attempts);
        // Every start that is not the completing one died with its process.
        for (const start of mine) {
          if (start.attempt === row.attempts) continue;
          expect(pool.killed.has(start.pid)).toBe(true);
          victims++;
        }
        // Attempts are counted: one per start, plus claims a kill cut short before the handler began.
        expect(row.attempts).toBeGreaterThanOrEqual(mine.length);
      }
      const totalStarts = [...starts.values()].reduce((n, s) => n + s.length, 0);
      expect(totalStarts - completions).toBe(victims);
      expect(kills).toBeGreaterThan(0);
      expect(victims).toBeGreaterThan(0);
      expect(completions).toBe(events);
    });

    it('a poison message that kills its worker every time ends FAILED after max attempts; the rest complete, each killed at most twice', async () => {
      const events = 500;
      const isPoison = (n: number): boolean => n % 100 === 7;
      const maxAttempts = 3;
      await app.close();
      await openApp(maxAttempts);
      await publishWork(events, isPoison);
      pool = new WorkerPool(
        workerArgs('--concurrency', '4', '--lease-ms', '500', '--max-attempts', String(maxAttempts)),
      );
      await Promise.all([pool.spawn(), pool.spawn()]);
      await waitUntil(
        'every event is COMPLETED or FAILED',
        async () => (await countStatus('COMPLETED')) + (await countStatus('FAILED')) === events,
        240_000,
      );
      await pool.stopAll();

      const rows = await allRows(store);
      const poisoned = rows.filter((r) => r.status === 'FAILED');
      expect(poisoned).toHaveLength(5);
      for (const row of poisoned) {
        expect(row.attempts).toBe(maxAttempts);
        expect(row.lastError).toMatch(/lease/i);
      }
      const completed = rows.filter((r) => r.status === 'COMPLETED');
      expect(completed).toHaveLength(events - 5);
      // One expiry is what every row of a dead owner shows, so the rows beside a poison row run
      // again at normal concurrency; a row that expires again under another owner runs alone.
      // An innocent row killed beside the poison row on both its first two attempts pays twice,
      // never three times: its third attempt runs alone.
      expect(completed.filter((r) => r.attempts > 3)).toEqual([]);
      const starts = groupByEvent(readStarts(log));
      // Each attempt of a poison row started it, except one a kill cut short before its
      // handler began: a row claimed beyond the free slots (prefetch) counts its attempt at
      // the claim and dies unstarted with its process. After the first expiry nothing is
      // queued, so that happens at most once per row.
      for (const row of poisoned) {
        const n = starts.get(row.eventId)?.length ?? 0;
        expect(n).toBeGreaterThanOrEqual(maxAttempts - 1);
        expect(n).toBeLessThanOrEqual(maxAttempts);
      }
    });
  });
}
