/**
 * SQLite schema version 8: an event's payload is written inline, in the message row that
 * brings it; later rows of the event share it, and a version-7 file's payloads stay in the
 * payload table. These tests read the file to check where payloads are (the layout itself);
 * what a payload read gives back is checked on every store by the conformance suite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClaimedMessage, NewMessage } from '../../src/store/port.js';
import type { Status } from '../../src/core/status.js';
import { createSqliteStore, LATEST_SCHEMA_VERSION, type SqliteStore } from '../../src/stores/sqlite/index.js';
import { migrate, MIGRATIONS } from '../../src/stores/sqlite/migrations.js';

let dir: string;
let file: string;
const opened: SqliteStore[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'eventyard-sqlite-inline-'));
  file = join(dir, 'store.db');
});

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

let now = 1_000_000;
const open = (): SqliteStore => {
  const store = createSqliteStore({ path: file, clock: { now: () => now } });
  opened.push(store);
  return store;
};

const message = (eventId: string, messageType: string, payload?: string): NewMessage => ({
  eventId,
  messageType,
  table: 'request',
  maxAttempts: 3,
  createdBy: 'A',
  ...(payload === undefined ? {} : { payload }),
});

const claimAll = (store: SqliteStore, type: string): Promise<readonly ClaimedMessage[]> =>
  store.claim({ table: 'request', messageTypes: [type], limit: 100, owner: 'B/1', updatedBy: 'B', leaseMs: 30_000 });

/** Each row's event, type, inline payload and payload id, in publish order. */
function layout(): { event: string; type: string; inline: string | null; id: number | null }[] {
  const db = new Sqlite(file, { readonly: true });
  try {
    return db
      .prepare(
        'SELECT event_id AS event, message_type AS type, payload AS inline, payload_id AS id FROM ey_messages ORDER BY seq',
      )
      .all() as { event: string; type: string; inline: string | null; id: number | null }[];
  } finally {
    db.close();
  }
}

describe('sqlite store: schema version 8 (inline payloads)', () => {
  it('writes a new event inline, shares it with the later rows of the event, and keeps it when its row is purged', async () => {
    const store = open();
    await store.publish([message('e1', 'RQ_A', '{"n":1}')]);
    await store.publish([message('e1', 'RQ_B', '{"n":1}'), message('e2', 'RQ_B')]);
    expect(await store.publish([message('e2', 'RQ_A', '{"n":2}')])).toEqual([
      { eventId: 'e2', messageType: 'RQ_A', created: true, status: 'UNPROCESSED' },
    ]);
    expect(layout()).toEqual([
      { event: 'e1', type: 'RQ_A', inline: '{"n":1}', id: null },
      { event: 'e1', type: 'RQ_B', inline: null, id: null },
      // e2's first row had no payload: the payload brought later is kept on the event's first row.
      { event: 'e2', type: 'RQ_B', inline: '{"n":2}', id: null },
      { event: 'e2', type: 'RQ_A', inline: null, id: null },
    ]);
    expect((await claimAll(store, 'RQ_B')).map((m) => [m.eventId, m.payload])).toEqual([
      ['e1', '{"n":1}'],
      ['e2', '{"n":2}'],
    ]);
    // The carrier of e1's payload completes and is purged: the payload moves to e1's other row.
    const [carrier] = await claimAll(store, 'RQ_A');
    expect(carrier?.eventId).toBe('e1');
    const ref = {
      table: 'request' as const,
      eventId: 'e1',
      messageType: 'RQ_A',
      claimToken: carrier?.claimToken ?? '',
    };
    expect(await store.complete([{ ref, updatedBy: 'B', emits: [], workingData: [] }])).toEqual(['ok']);
    now += 10;
    expect(await store.purge({ statuses: ['COMPLETED'], olderThanMs: 5, limit: 10 })).toBe(1);
    expect(layout().filter((r) => r.event === 'e1')).toEqual([
      { event: 'e1', type: 'RQ_B', inline: '{"n":1}', id: null },
    ]);
    expect(await store.getPayload('e1')).toBe('{"n":1}');
    expect(await store.publish([message('e1', 'RQ_C', '{"n":9}')])).toEqual([
      { eventId: 'e1', messageType: 'RQ_C', created: false, status: null, conflict: 'payload' },
    ]);
  });

  it('opens a version-7 file with rows in every status and keeps their payloads in the payload table', async () => {
    const db = new Sqlite(file);
    expect(
      migrate(
        db,
        'ey_',
        MIGRATIONS.filter((m) => m.version <= 7),
      ),
    ).toBe(7);
    const statuses: Status[] = ['UNPROCESSED', 'IN_PROGRESS', 'COMPLETED', 'ERROR', 'RETRY', 'FAILED'];
    const payload = db.prepare('INSERT INTO ey_payload (payload) VALUES (?)');
    const row = db.prepare(
      `INSERT INTO ey_messages (event_id, message_type, table_name, status, created_by, updated_by, created_at,
         updated_at, attempts, max_attempts, available_at, payload_id, claim_token, lease_expires_at)
       VALUES (?, ?, 'request', ?, 'A', 'A', 1000, 1000, 0, 3, 1000, ?, ?, ?)`,
    );
    for (const status of statuses) {
      const id = Number(payload.run(`{"status":"${status}"}`).lastInsertRowid);
      const held = status === 'IN_PROGRESS';
      row.run(`old-${status}`, 'RQ_A', status, id, held ? 'old.1' : null, held ? 1 : null);
    }
    // An event with two rows sharing one payload, one of them without the id (a v7 follow-up).
    const shared = Number(payload.run('{"shared":true}').lastInsertRowid);
    row.run('old-shared', 'RQ_A', 'COMPLETED', shared, null, null);
    row.run('old-shared', 'RQ_B', 'UNPROCESSED', null, null, null);
    db.close();

    const store = open();
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(LATEST_SCHEMA_VERSION).toBe(8);
    for (const status of statuses) expect(await store.getPayload(`old-${status}`)).toBe(`{"status":"${status}"}`);
    expect(await store.countByStatus()).toHaveLength(statuses.length + 1);
    // The same payload again shares the old one; another is a conflict; nothing moves inline.
    expect(await store.publish([message('old-UNPROCESSED', 'RQ_C', '{"status":"UNPROCESSED"}')])).toEqual([
      { eventId: 'old-UNPROCESSED', messageType: 'RQ_C', created: true, status: 'UNPROCESSED' },
    ]);
    expect((await store.publish([message('old-RETRY', 'RQ_C', '{"other":1}')]))[0]).toMatchObject({
      conflict: 'payload',
    });
    expect(layout().every((r) => r.inline === null)).toBe(true);
    // Old and new rows claim with their payloads, a new event's too.
    await store.publish([message('new', 'RQ_C', '{"new":1}')]);
    const claimed = await claimAll(store, 'RQ_C');
    expect(claimed.map((m) => [m.eventId, m.payload])).toEqual([
      ['old-UNPROCESSED', '{"status":"UNPROCESSED"}'],
      ['new', '{"new":1}'],
    ]);
    expect((await claimAll(store, 'RQ_B')).map((m) => [m.eventId, m.payload])).toEqual([
      ['old-shared', '{"shared":true}'],
    ]);
    // Purging the old rows: a payload stays while a row of its event does.
    expect(await store.purge({ statuses: ['COMPLETED', 'FAILED'], olderThanMs: 0, limit: 100 })).toBe(3);
    expect(await store.getPayload('old-shared')).toBe('{"shared":true}');
    expect(await store.getPayload('old-COMPLETED')).toBeNull();
    const check = new Sqlite(file, { readonly: true });
    const left = check.prepare('SELECT payload FROM ey_payload ORDER BY id').pluck().all();
    check.close();
    expect(left).toEqual([
      '{"status":"UNPROCESSED"}',
      '{"status":"IN_PROGRESS"}',
      '{"status":"ERROR"}',
      '{"status":"RETRY"}',
      '{"shared":true}',
    ]);
  });
});
