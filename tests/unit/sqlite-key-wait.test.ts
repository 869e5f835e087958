/**
 * SQLite schema version 7: a keyed row waiting behind its key's head is kept out of the
 * claim indexes (key_wait), so a claim walks heads only. These tests read the file to check
 * the layout itself — which rows the claim index holds — since its effect (claims of other
 * keys not slowed by a hot key's backlog) is a speed and is measured, not asserted; the
 * conformance suite checks the order and park/skip/re-drive behaviour on every store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Sqlite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClaimedMessage, NewMessage } from '../../src/store/port.js';
import { createSqliteStore, LATEST_SCHEMA_VERSION, type SqliteStore } from '../../src/stores/sqlite/index.js';
import { migrate, MIGRATIONS } from '../../src/stores/sqlite/migrations.js';

let dir: string;
let file: string;
const opened: SqliteStore[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'eventyard-sqlite-key-wait-'));
  file = join(dir, 'store.db');
});

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const open = (): SqliteStore => {
  const store = createSqliteStore({ path: file });
  opened.push(store);
  return store;
};

const keyed = (orderingKey: string): NewMessage => ({
  eventId: randomUUID(),
  messageType: 'RQ_B',
  table: 'request',
  maxAttempts: 1,
  createdBy: 'A',
  orderingKey,
});

const claim = (store: SqliteStore, limit: number): Promise<readonly ClaimedMessage[]> =>
  store.claim({ table: 'request', messageTypes: ['RQ_B'], limit, owner: 'B/1', updatedBy: 'B', leaseMs: 30_000 });

const complete = async (store: SqliteStore, rows: readonly ClaimedMessage[]): Promise<void> => {
  const requests = rows.map((m) => ({
    ref: { table: m.table, eventId: m.eventId, messageType: m.messageType, claimToken: m.claimToken },
    updatedBy: 'B',
    emits: [],
    workingData: [],
  }));
  expect(await store.complete(requests)).toEqual(rows.map(() => 'ok'));
};

/** The event ids the claim index holds (the rows a claim walks), read with the index itself. */
function claimIndex(): string[] {
  const db = new Sqlite(file, { readonly: true });
  try {
    return (
      db
        .prepare(
          `SELECT event_id AS eventId FROM ey_messages INDEXED BY ey_messages_claimable
           WHERE table_name = 'request' AND message_type = 'RQ_B' AND status IN ('UNPROCESSED', 'RETRY')
             AND key_wait IS NULL`,
        )
        .all() as { eventId: string }[]
    )
      .map((r) => r.eventId)
      .sort();
  } finally {
    db.close();
  }
}

describe('sqlite store: waiting keyed rows stay out of the claim index (schema version 7)', () => {
  it("holds only each key's head, whatever one hot key's backlog", async () => {
    const store = open();
    const hot = Array.from({ length: 2000 }, () => keyed('hot'));
    for (let i = 0; i < hot.length; i += 500) await store.publish(hot.slice(i, i + 500));
    const cold = Array.from({ length: 20 }, (_, i) => keyed(`cold-${i}`));
    await store.publish(cold);
    const heads = [hot[0], ...cold].map((m) => m?.eventId ?? '').sort();
    expect(claimIndex()).toEqual(heads);

    const claimed = await claim(store, 100);
    expect(claimed.map((m) => m.eventId).sort()).toEqual(heads);
    expect(claimIndex()).toEqual([]);
    await complete(store, claimed);
    // Each completed head let exactly its key's next row in: the hot key's second row.
    expect(claimIndex()).toEqual([hot[1]?.eventId]);
  });

  it("lets the key's next row in when its parked head is skipped; a re-driven head goes first again", async () => {
    const store = open();
    const [a, b, c] = [keyed('k'), keyed('k'), keyed('k')];
    await store.publish([a, b, c]);
    const [head] = await claim(store, 10);
    expect(head?.eventId).toBe(a.eventId);
    // maxAttempts 1: this failure is final, the key is parked.
    await store.fail([
      {
        ref: { table: 'request', eventId: a.eventId, messageType: 'RQ_B', claimToken: head?.claimToken ?? '' },
        updatedBy: 'B',
        error: 'boom',
        retryDelayMs: null,
      },
    ]);
    expect(claimIndex()).toEqual([]);
    expect(
      await store.skipParkedHead({ table: 'request', eventId: a.eventId, messageType: 'RQ_B', updatedBy: 'OPS' }),
    ).toBe(true);
    expect(claimIndex()).toEqual([b.eventId]);
    // Re-driven, the skipped row holds its key again and is its head: b waits behind it.
    expect(await store.redrive({ eventId: a.eventId }, 'OPS')).toBe(1);
    expect((await claim(store, 10)).map((m) => m.eventId)).toEqual([a.eventId]);
  });

  it('marks the waiting rows of an older file when it upgrades, and the keys drain in order', async () => {
    const db = new Sqlite(file);
    expect(
      migrate(
        db,
        'ey_',
        MIGRATIONS.filter((m) => m.version <= 6),
      ),
    ).toBe(6);
    const insert = db.prepare(
      `INSERT INTO ey_messages (event_id, message_type, table_name, status, created_by, updated_by, created_at,
         updated_at, attempts, max_attempts, available_at, ordering_key)
       VALUES (?, 'RQ_B', 'request', ?, 'A', 'A', 1000, 1000, 0, 3, 1000, ?)`,
    );
    insert.run('h1', 'IN_PROGRESS', 'h');
    db.prepare(`UPDATE ey_messages SET claim_token = 'old.5', lease_expires_at = 9e12 WHERE event_id = 'h1'`).run();
    insert.run('h2', 'UNPROCESSED', 'h');
    insert.run('k1', 'COMPLETED', 'k');
    insert.run('k2', 'UNPROCESSED', 'k');
    insert.run('k3', 'UNPROCESSED', 'k');
    insert.run('k4', 'RETRY', 'k');
    insert.run('j1', 'UNPROCESSED', 'j');
    insert.run('free', 'UNPROCESSED', null);
    db.close();

    const store = open();
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(LATEST_SCHEMA_VERSION).toBe(8);
    expect(claimIndex()).toEqual(['free', 'j1', 'k2']);
    // A keyed row in flight across the upgrade: its old token (no 'k') is fenced, so its
    // completion, which would not promote h2, is refused; the row runs again later.
    const old = { table: 'request' as const, eventId: 'h1', messageType: 'RQ_B', claimToken: 'old.5' };
    expect(await store.complete([{ ref: old, updatedBy: 'B', emits: [], workingData: [] }])).toEqual(['lease_lost']);
    const order: string[] = [];
    for (;;) {
      const claimed = await claim(store, 10);
      if (claimed.length === 0) break;
      order.push(...claimed.map((m) => m.eventId).filter((id) => id.startsWith('k')));
      await complete(store, claimed);
    }
    expect(order).toEqual(['k2', 'k3', 'k4']);
  });
});
