/**
 * What each migration of the SQLite store costs: a version-1 file of N events (one COMPLETED
 * row and a 1 KB payload each) is written, then migrated one version at a time to the
 * latest schema, each step timed.
 *   node --import tsx tests/support/sqlite-migration-cost.ts [events=1000000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { migrate, MIGRATIONS } from '../../src/stores/sqlite/migrations.js';

const events = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'eventyard-migration-cost-'));
const db = new Database(join(dir, 'v1.db'));
try {
  db.pragma('journal_mode = WAL');
  migrate(db, 'ey_', MIGRATIONS.slice(0, 1));
  const row = db.prepare<[string]>(
    `INSERT INTO ey_messages (event_id, message_type, table_name, status, created_by, updated_by, created_at,
       updated_at, attempts, max_attempts, available_at)
     VALUES (?, 'RQ_B', 'request', 'COMPLETED', 'A', 'A', 1, 1, 1, 3, 1)`,
  );
  const payload = db.prepare<[string, string]>('INSERT INTO ey_payload (event_id, payload) VALUES (?, ?)');
  const body = JSON.stringify({ data: 'x'.repeat(990) });
  db.transaction(() => {
    for (let i = 0; i < events; i++) {
      const eventId = `${String(1e12 + i)}-event`;
      row.run(eventId);
      payload.run(eventId, body);
    }
  })();
  // Each version's step on its own: a file of any older version pays the steps above it.
  for (const { version } of MIGRATIONS.slice(1)) {
    const started = performance.now();
    migrate(
      db,
      'ey_',
      MIGRATIONS.filter((m) => m.version <= version),
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(`${events.toLocaleString('en')} events: migration to version ${version} took ${seconds.toFixed(2)} s`);
  }
} finally {
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
