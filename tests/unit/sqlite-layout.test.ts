/**
 * The SQLite store's physical layout: schema version 2 (payloads keyed by an id the rows
 * carry) against a file written in version 1's layout — the migration keeps every payload,
 * every row's status and what claim, getPayload and purge give back —, the migrations of
 * versions 3, 4 and 8 (the table built again with cheaper CHECK constraints: every row,
 * index and lease kept). WAL checkpoints: sqlite-checkpoints.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore, LATEST_SCHEMA_VERSION, type SqliteStore } from '../../src/stores/sqlite/index.js';
import { migrate, MIGRATIONS } from '../../src/stores/sqlite/migrations.js';
import type { ClaimedMessage, ClaimRequest } from '../../src/store/port.js';

let dir: string;
let file: string;
const opened: SqliteStore[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'eventyard-sqlite-migration-'));
  file = join(dir, 'store.db');
});

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Up to 10 request rows of RQ_B, for SERVICE_B, with the given group limits. */
const claimRqB = (store: SqliteStore, groups?: ClaimRequest['groups']): Promise<readonly ClaimedMessage[]> =>
  store.claim({
    table: 'request',
    messageTypes: ['RQ_B'],
    limit: 10,
    owner: 'SERVICE_B/1',
    updatedBy: 'SERVICE_B',
    leaseMs: 30_000,
    ...(groups && { groups }),
  });

/** A version-1 file as version-1 code left it: two events, one with two rows sharing its payload. */
function writeVersion1File(): void {
  const db = new Sqlite(file);
  expect(migrate(db, 'ey_', MIGRATIONS.slice(0, 1))).toBe(1);
  const row = db.prepare(
    `INSERT INTO ey_messages (event_id, message_type, table_name, status, created_by, updated_by, created_at,
       updated_at, attempts, max_attempts, available_at)
     VALUES (?, ?, ?, ?, 'SERVICE_A', 'SERVICE_A', 1000, 1000, 0, 3, 1000)`,
  );
  const payload = db.prepare('INSERT INTO ey_payload (event_id, payload) VALUES (?, ?)');
  row.run('e1', 'RQ_B', 'request', 'UNPROCESSED');
  row.run('e1', 'RQ_C', 'request', 'COMPLETED');
  payload.run('e1', '{"n":1}');
  row.run('e2', 'RQ_B', 'request', 'UNPROCESSED');
  payload.run('e2', '{"n":2}');
  row.run('e3', 'RQ_B', 'request', 'UNPROCESSED'); // no payload
  db.close();
}

describe('sqlite store: migration to schema version 2', () => {
  it('opens a version-1 file and keeps its payloads, statuses and claims', async () => {
    writeVersion1File();
    const store = createSqliteStore({ path: file });
    opened.push(store);
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(LATEST_SCHEMA_VERSION).toBe(8);
    expect(await store.getPayload('e1')).toBe('{"n":1}');
    expect(await store.getPayload('e2')).toBe('{"n":2}');
    expect(await store.getPayload('e3')).toBeNull();
    const counts = await store.countByStatus();
    expect(counts.find((c) => c.messageType === 'RQ_C')?.status).toBe('COMPLETED');

    const claimed = await claimRqB(store);
    expect(claimed.map((m) => [m.eventId, m.payload])).toEqual([
      ['e1', '{"n":1}'],
      ['e2', '{"n":2}'],
      ['e3', null],
    ]);

    // The same payload again is a duplicate, a different one a conflict: both against the migrated payload.
    const [again, other] = await store.publish([
      { eventId: 'e2', messageType: 'RQ_D', table: 'request', payload: '{"n":2}', maxAttempts: 3, createdBy: 'A' },
      { eventId: 'e2', messageType: 'RQ_E', table: 'request', payload: '{"n":9}', maxAttempts: 3, createdBy: 'A' },
    ]);
    expect(again).toMatchObject({ created: true, status: 'UNPROCESSED' });
    expect(other).toMatchObject({ created: false, status: null, conflict: 'payload' });

    const db = new Sqlite(file, { readonly: true });
    const columns = db.prepare("SELECT name FROM pragma_table_info('ey_payload') ORDER BY cid").pluck().all();
    expect(columns).toEqual(['id', 'payload']);
    const ids = db.prepare("SELECT DISTINCT payload_id FROM ey_messages WHERE event_id = 'e1'").pluck().all();
    expect(ids).toHaveLength(1);
    db.close();
  });

  it('deletes a migrated payload with the last row of its event, not before', async () => {
    writeVersion1File();
    const store = createSqliteStore({ path: file });
    opened.push(store);
    // e1's COMPLETED row goes, its UNPROCESSED row stays: the payload stays too.
    expect(await store.purge({ statuses: ['COMPLETED'], olderThanMs: 0, limit: 10 })).toBe(1);
    expect(await store.getPayload('e1')).toBe('{"n":1}');
    const db = new Sqlite(file, { readonly: true });
    expect(db.prepare('SELECT count(*) FROM ey_payload').pluck().get()).toBe(2);
    db.close();
  });
});

describe('sqlite store: migration to schema version 3 (priorities) and on to the latest', () => {
  it("keeps a version-2 file's claimable rows, as priority 0, and their order under new prioritized rows", async () => {
    const db = new Sqlite(file);
    expect(migrate(db, 'ey_', MIGRATIONS.slice(0, 2))).toBe(2);
    const row = db.prepare(
      `INSERT INTO ey_messages (event_id, message_type, table_name, status, created_by, updated_by, created_at,
         updated_at, attempts, max_attempts, available_at)
       VALUES (?, 'RQ_B', 'request', 'UNPROCESSED', 'SERVICE_A', 'SERVICE_A', ?, ?, 0, 3, ?)`,
    );
    const now = Date.now();
    row.run('old1', now - 5000, now - 5000, now - 5000);
    row.run('old2', now - 4000, now - 4000, now - 4000);
    db.close();
    const store = createSqliteStore({ path: file, priorityAgingStepMs: 1000 });
    opened.push(store);
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    // Versions 4 (groups) and 7 (one claim index for grouped and ungrouped rows) rebuilt the
    // claim index after version 3: it keeps the claim key.
    const check = new Sqlite(file, { readonly: true });
    const index = check.prepare(`SELECT sql FROM sqlite_master WHERE name = 'ey_messages_claimable'`).get() as {
      sql: string;
    };
    check.close();
    expect(index.sql).toContain('available_at - priority_lead');
    expect(index.sql).toContain('group_key,');
    const message = { messageType: 'RQ_B', table: 'request', maxAttempts: 3, createdBy: 'A' } as const;
    // Lead 9 s: ahead of both old rows; lead 2 s: behind them (they became available 4-5 s ago).
    await store.publish([
      { ...message, eventId: 'p9', priority: 9 },
      { ...message, eventId: 'p2', priority: 2 },
    ]);
    const rows = await store.list({ limit: 10 });
    expect(rows.rows.map((r) => [r.eventId, r.priority])).toEqual([
      ['old1', 0],
      ['old2', 0],
      ['p9', 9],
      ['p2', 2],
    ]);
    const claimed = await claimRqB(store);
    expect(claimed.map((m) => m.eventId)).toEqual(['p9', 'old1', 'old2', 'p2']);
  });
});

describe('sqlite store: migration to schema version 4 (groups)', () => {
  it('opens a version-2 file: its rows stay claimable, grouped rows get their in-flight index', async () => {
    const db = new Sqlite(file);
    expect(
      migrate(
        db,
        'ey_',
        MIGRATIONS.filter((m) => m.version <= 2),
      ),
    ).toBe(2);
    db.prepare(
      `INSERT INTO ey_messages (event_id, message_type, table_name, status, created_by, updated_by, created_at,
         updated_at, attempts, max_attempts, available_at)
       VALUES ('old', 'RQ_B', 'request', 'UNPROCESSED', 'A', 'A', 1000, 1000, 0, 3, 1000)`,
    ).run();
    db.close();
    const store = createSqliteStore({ path: file });
    opened.push(store);
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    await store.publish([
      { eventId: 'g1', messageType: 'RQ_B', table: 'request', maxAttempts: 3, createdBy: 'A', groupKey: 't' },
      { eventId: 'g2', messageType: 'RQ_B', table: 'request', maxAttempts: 3, createdBy: 'A', groupKey: 't' },
    ]);
    const claimed = await claimRqB(store, { RQ_B: { maxInFlight: 1 } });
    expect(claimed.map((m) => [m.eventId, m.groupKey]).sort()).toEqual([
      ['g1', 't'],
      ['old', null],
    ]);
    const check = new Sqlite(file, { readonly: true });
    const indexes = check
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'ey_messages_group%' ORDER BY name`)
      .all();
    check.close();
    // Claimable grouped rows share the claim index since version 7 (a range per group).
    expect(indexes).toEqual([{ name: 'ey_messages_group_in_flight' }]);
  });
});

describe('sqlite store: migration to schema version 8 (CHECK constraints without temporary b-trees)', () => {
  /** Every index of the message table, as name → its SQL with whitespace folded. */
  const messageIndexes = (db: Sqlite.Database): Record<string, string> =>
    Object.fromEntries(
      (
        db
          .prepare(
            `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ey_messages' AND sql IS NOT NULL`,
          )
          .all() as { name: string; sql: string }[]
      ).map(({ name, sql }) => [name, sql.replace(/\s+/g, ' ')]),
    );

  it('keeps every row, column for column, and every index of a version-7 file', async () => {
    const db = new Sqlite(file);
    expect(
      migrate(
        db,
        'ey_',
        MIGRATIONS.filter((m) => m.version <= 7),
      ),
    ).toBe(7);
    const payloadId = Number(db.prepare(`INSERT INTO ey_payload (payload) VALUES ('{"n":1}')`).run().lastInsertRowid);
    const insert = db.prepare(
      `INSERT INTO ey_messages (seq, event_id, message_type, table_name, status, created_by, updated_by, created_at,
         updated_at, attempts, max_attempts, available_at, lease_owner, lease_expires_at, claim_token, last_error,
         ordering_key, traceparent, payload_id, priority, priority_lead, group_key, key_skipped, key_wait)
       VALUES (@seq, @eventId, 'RQ_B', @table, @status, 'A', 'B', 1000, 2000, @attempts, 3, 1000, @owner, @expires,
         @token, @error, @key, @traceparent, @payloadId, @priority, @lead, @group, @skipped, @wait)`,
    );
    const row = {
      table: 'request',
      attempts: 0,
      owner: null,
      expires: null,
      token: null,
      error: null,
      key: null,
      traceparent: null,
      payloadId: null,
      priority: 0,
      lead: 0,
      group: null,
      skipped: null,
      wait: null,
    };
    // Gaps in seq (purged rows) stay gaps.
    insert.run({ ...row, seq: 3, eventId: 'fresh', status: 'UNPROCESSED', payloadId });
    insert.run({ ...row, seq: 7, eventId: 'held', status: 'IN_PROGRESS', attempts: 1, owner: 'B/1' });
    db.prepare(`UPDATE ey_messages SET lease_expires_at = 9e12, claim_token = 'c1.7' WHERE seq = 7`).run();
    insert.run({ ...row, seq: 8, eventId: 'k1', status: 'FAILED', attempts: 3, error: 'boom', key: 'k' });
    insert.run({ ...row, seq: 9, eventId: 'k2', status: 'UNPROCESSED', key: 'k', wait: 1 });
    insert.run({ ...row, seq: 12, eventId: 'g', status: 'RETRY', attempts: 1, group: 't', traceparent: 'tp' });
    insert.run({ ...row, seq: 13, eventId: 'p', status: 'UNPROCESSED', priority: 9, lead: 9000, table: 'inbound' });
    insert.run({ ...row, seq: 14, eventId: 'done', status: 'COMPLETED', attempts: 1, skipped: 1 });
    const before = db.prepare('SELECT * FROM ey_messages ORDER BY seq').all();
    const indexesBefore = messageIndexes(db);
    db.close();

    const store = createSqliteStore({ path: file });
    opened.push(store);
    expect(store.schemaVersion).toBe(8);
    const check = new Sqlite(file);
    try {
      expect(check.prepare('SELECT * FROM ey_messages ORDER BY seq').all()).toEqual(before);
      expect(messageIndexes(check)).toEqual(indexesBefore);
      expect(Object.keys(indexesBefore).sort()).toEqual([
        'ey_messages_claimable',
        'ey_messages_errors',
        'ey_messages_group_in_flight',
        'ey_messages_leases',
        'ey_messages_ordering',
        'ey_messages_terminal',
      ]);
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
      // The constraints still hold, and their rule is tested by comparisons: no temporary b-tree.
      expect(() => check.prepare(`UPDATE ey_messages SET status = 'DONE' WHERE seq = 3`).run()).toThrow(/CHECK/);
      expect(() => check.prepare(`UPDATE ey_messages SET table_name = 'other' WHERE seq = 3`).run()).toThrow(/CHECK/);
      const plan = check.prepare(`EXPLAIN UPDATE ey_messages SET status = 'COMPLETED' WHERE seq = 7`).all() as {
        opcode: string;
      }[];
      expect(plan.map((op) => op.opcode)).not.toContain('OpenEphemeral');
    } finally {
      check.close();
    }

    // The lease taken before the upgrade still holds; the claim order and the payload are kept.
    const held = { table: 'request' as const, eventId: 'held', messageType: 'RQ_B', claimToken: 'c1.7' };
    expect(await store.complete([{ ref: held, updatedBy: 'B', emits: [], workingData: [] }])).toEqual(['ok']);
    const claimed = await claimRqB(store, { RQ_B: { maxInFlight: 1 } });
    expect(claimed.map((m) => [m.eventId, m.payload])).toEqual([
      ['fresh', '{"n":1}'],
      ['g', null],
    ]);
    // A new row is numbered after the largest seq.
    await store.publish([{ eventId: 'new', messageType: 'RQ_B', table: 'request', maxAttempts: 3, createdBy: 'A' }]);
    const rows = await store.list({ limit: 20 });
    expect(rows.rows.map((r) => r.eventId)).toEqual(['fresh', 'held', 'k1', 'k2', 'g', 'p', 'done', 'new']);
  });
});
