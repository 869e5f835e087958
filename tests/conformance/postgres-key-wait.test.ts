/**
 * Rows waiting behind their ordering key on PostgreSQL (schema v6, key_wait): they leave the
 * claimable index, and the liveness rule holds: a key's first holding row (smallest seq,
 * not COMPLETED, key_skipped NULL) never waits. Checked through the store port and by
 * reading the messages table directly.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresStore, LATEST_SCHEMA_VERSION, type PostgresStore } from '../../src/stores/postgres/index.js';
import { migrate, MIGRATIONS } from '../../src/stores/postgres/migrations.js';
import type { ClaimedMessage, NewMessage } from '../../src/store/port.js';
import { POSTGRES_URL, dropSchema, randomSchema, storeInFreshSchema, withAdmin } from '../support/postgres.js';
import { headsWaiting, keyWaitCounts } from '../support/postgres-key-wait.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const TYPE = 'RQ_KEYED';
const message = (orderingKey: string, n = 0): NewMessage => ({
  eventId: randomUUID(),
  messageType: TYPE,
  table: 'request',
  payload: JSON.stringify({ n }),
  maxAttempts: 5,
  orderingKey,
  createdBy: 'A',
});
const claimOf = (limit: number) => ({
  table: 'request' as const,
  messageTypes: [TYPE],
  limit,
  owner: 'B/1',
  updatedBy: 'B',
  leaseMs: 60_000,
});
const refOf = (m: ClaimedMessage) => ({
  table: m.table,
  eventId: m.eventId,
  messageType: m.messageType,
  claimToken: m.claimToken,
  orderingKey: m.orderingKey,
});
const done = (m: ClaimedMessage) => ({ ref: refOf(m), updatedBy: 'B', emits: [], workingData: [] });

async function freshStore(): Promise<PostgresStore> {
  const store = await storeInFreshSchema({ notify: false }, 'kw');
  cleanups.push(() => store.close());
  return store;
}

describe('postgres store: rows waiting behind their ordering key', () => {
  it('one claim leaves only heads claimable behind a hot key, and the other keys are served', async () => {
    const store = await freshStore();
    const hot = Array.from({ length: 2000 }, (_, n) => message('hot', n));
    await store.publish(hot);
    const others = Array.from({ length: 20 }, (_, n) => message(`k${n}`, n));
    await store.publish(others);
    const first = await store.claim(claimOf(5));
    expect(first.map((m) => m.eventId)).toEqual([hot[0], ...others.slice(0, 4)].map((m) => m?.eventId));
    const counts = await keyWaitCounts(store.schema);
    // Claimable (UNPROCESSED or RETRY) and not waiting: the 16 other heads, nothing of 'hot'.
    expect(counts).toEqual({ claimableNotWaiting: 16, claimableNotWaitingHot: 0, waiting: 1999 });
    const rest = await store.claim(claimOf(100));
    expect(rest.map((m) => m.eventId)).toEqual(others.slice(4).map((m) => m.eventId));
    expect(await headsWaiting(store.schema)).toEqual([]);
  });

  it('a completion makes the next row of its key claimable at once', async () => {
    const store = await freshStore();
    const rows = [message('k', 0), message('k', 1), message('k', 2)];
    await store.publish(rows);
    const [head] = await store.claim(claimOf(10));
    expect(head?.eventId).toBe(rows[0]?.eventId);
    expect((await keyWaitCounts(store.schema)).waiting).toBe(2);
    expect(await store.complete([done(head as ClaimedMessage)])).toEqual(['ok']);
    expect(await headsWaiting(store.schema)).toEqual([]);
    const [second] = await store.claim(claimOf(10));
    expect(second?.eventId).toBe(rows[1]?.eventId);
    // In a handler transaction too.
    const tx = await store.beginTransaction();
    expect(await tx.complete(done(second as ClaimedMessage))).toBe('ok');
    expect((await store.claim(claimOf(10))).map((m) => m.eventId)).toEqual([rows[2]?.eventId]);
  });

  it('a completion whose reference does not name its key still promotes the next row', async () => {
    const store = await freshStore();
    const rows = [message('k', 0), message('k', 1)];
    await store.publish(rows);
    const [head] = await store.claim(claimOf(10));
    expect((await keyWaitCounts(store.schema)).waiting).toBe(1);
    const { orderingKey: _key, ...bare } = refOf(head as ClaimedMessage);
    expect(await store.complete([{ ref: bare, updatedBy: 'B', emits: [], workingData: [] }])).toEqual(['ok']);
    expect((await store.claim(claimOf(10))).map((m) => m.eventId)).toEqual([rows[1]?.eventId]);
  });

  it('skipping a parked head makes the next row claimable at once', async () => {
    const store = await freshStore();
    const rows = [message('k', 0), message('k', 1), message('k', 2)];
    await store.publish(rows);
    const [head] = await store.claim(claimOf(10));
    await store.fail([{ ref: refOf(head as ClaimedMessage), updatedBy: 'B', error: 'no', retryDelayMs: null }]);
    expect(await store.claim(claimOf(10))).toEqual([]);
    expect((await keyWaitCounts(store.schema)).waiting).toBe(2);
    const skip = { table: 'request' as const, eventId: rows[0]?.eventId ?? '', messageType: TYPE, updatedBy: 'op' };
    expect(await store.skipParkedHead(skip)).toBe(true);
    expect(await headsWaiting(store.schema)).toEqual([]);
    expect((await store.claim(claimOf(10))).map((m) => m.eventId)).toEqual([rows[1]?.eventId]);
  });

  it('a skipped row re-driven while a later head exists holds its key again, then hands it on', async () => {
    const store = await freshStore();
    const rows = [message('k', 0), message('k', 1), message('k', 2)];
    await store.publish(rows);
    const [a] = await store.claim(claimOf(10));
    await store.fail([{ ref: refOf(a as ClaimedMessage), updatedBy: 'B', error: 'no', retryDelayMs: null }]);
    expect(await store.claim(claimOf(10))).toEqual([]);
    await store.skipParkedHead({
      table: 'request',
      eventId: rows[0]?.eventId ?? '',
      messageType: TYPE,
      updatedBy: 'op',
    });
    // b is the head now (claimable); a is re-driven before b is claimed: a holds again.
    expect(await store.redrive({ eventId: rows[0]?.eventId ?? '' }, 'op')).toBe(1);
    expect(await headsWaiting(store.schema)).toEqual([]);
    const again = await store.claim(claimOf(10));
    expect(again.map((m) => m.eventId)).toEqual([rows[0]?.eventId]);
    await store.complete([done(again[0] as ClaimedMessage)]);
    const [b] = await store.claim(claimOf(10));
    expect(b?.eventId).toBe(rows[1]?.eventId);
    await store.complete([done(b as ClaimedMessage)]);
    expect((await store.claim(claimOf(10))).map((m) => m.eventId)).toEqual([rows[2]?.eventId]);
  });

  it('the retry pass heals keys whose head waits (a process died before promoting), a few keys per call', async () => {
    const store = await freshStore();
    // Two parked keys first in key order: their rows wait rightly, and the scan passes them.
    const parked = ['a0', 'a1'].flatMap((k) => [message(k, 0), message(k, 1)]);
    await store.publish(parked);
    const parkedHeads = await store.claim(claimOf(10));
    await store.fail(parkedHeads.map((m) => ({ ref: refOf(m), updatedBy: 'B', error: 'no', retryDelayMs: null })));
    const keys = ['h0', 'h1', 'h2', 'h3', 'h4'];
    const rows = keys.flatMap((k) => [message(k, 0), message(k, 1)]);
    await store.publish(rows);
    const heads = await store.claim(claimOf(10));
    expect(heads).toHaveLength(5);
    await store.complete(heads.map(done));
    // As if each completion's promotion had been lost: the new heads wait.
    await withAdmin((c) =>
      c.query(
        `UPDATE "${store.schema}".messages SET key_wait = true WHERE status = 'UNPROCESSED' AND ordering_key LIKE 'h%'`,
      ),
    );
    expect(await headsWaiting(store.schema)).toEqual(keys.map((k) => `request/${k}`));
    expect(await store.claim(claimOf(10))).toEqual([]);
    // Two keys per call: a0 a1 | h0 h1 | h2 h3 | h4.
    for (let pass = 0; pass < 4; pass++) await store.promoteDueRetries(2, 'op');
    expect(await headsWaiting(store.schema)).toEqual([]);
    const next = await store.claim(claimOf(10));
    expect(next.map((m) => m.eventId).sort()).toEqual(
      rows
        .filter((_, i) => i % 2 === 1)
        .map((m) => m.eventId)
        .sort(),
    );
    expect((await keyWaitCounts(store.schema)).waiting).toBe(2);
  });

  it('after close, a keyed completion and a skip fail with EY_CLOSED like every other call', async () => {
    const store = await freshStore();
    await store.publish([message('k', 0)]);
    const [head] = await store.claim(claimOf(1));
    await store.close();
    const code = (p: Promise<unknown>): Promise<unknown> =>
      p.then(
        () => 'resolved',
        (e: { code?: string }) => e.code,
      );
    expect(await code(store.complete([done(head as ClaimedMessage)]))).toBe('EY_CLOSED');
    const skip = { table: 'request' as const, eventId: head?.eventId ?? '', messageType: TYPE, updatedBy: 'op' };
    expect(await code(store.skipParkedHead(skip))).toBe('EY_CLOSED');
  });

  it('migrating a version-5 schema marks the waiting rows, and every key drains', async () => {
    const schema = randomSchema('kw5');
    cleanups.push(() => dropSchema(schema));
    const inserted: { key: string; status: string; id: string }[] = [];
    await withAdmin(async (c) => {
      expect(
        await migrate(
          c,
          schema,
          MIGRATIONS.filter((m) => m.version <= 5),
        ),
      ).toBe(5);
      const plan: [string, string][] = [
        ['a', 'UNPROCESSED'],
        ['a', 'UNPROCESSED'],
        ['a', 'RETRY'],
        ['p', 'FAILED'],
        ['p', 'UNPROCESSED'],
        ['p', 'UNPROCESSED'],
        ['c', 'COMPLETED'],
        ['c', 'UNPROCESSED'],
        ['c', 'UNPROCESSED'],
      ];
      for (const [key, status] of plan) {
        const id = randomUUID();
        inserted.push({ key, status, id });
        await c.query(
          `INSERT INTO "${schema}".messages (event_id, message_type, table_name, status, created_by, updated_by,
             created_at, updated_at, max_attempts, available_at, ordering_key)
           VALUES ($1, $2, 'request', $3, 'A', 'A', 1, 1, 3, 1, $4)`,
          [id, TYPE, status, key],
        );
      }
    });
    const store = await createPostgresStore({ connectionString: POSTGRES_URL, schema, poolSize: 2, notify: false });
    cleanups.push(() => store.close());
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    const waiting = await withAdmin((c) =>
      c.query<{ event_id: string }>(`SELECT event_id FROM "${schema}".messages WHERE key_wait ORDER BY seq`),
    );
    const ids = (n: number[]): string[] => n.map((i) => inserted[i]?.id ?? '');
    expect(waiting.rows.map((r) => r.event_id)).toEqual(ids([1, 2, 4, 5, 8]));
    expect(await headsWaiting(schema)).toEqual([]);
    const served: string[] = [];
    for (let round = 0; round < 20; round++) {
      const got = await store.claim(claimOf(10));
      served.push(...got.map((m) => m.eventId));
      if (got.length > 0) await store.complete(got.map(done));
      else if (round === 5) {
        await store.skipParkedHead({
          table: 'request',
          eventId: inserted[3]?.id ?? '',
          messageType: TYPE,
          updatedBy: 'op',
        });
      }
    }
    expect(served.sort()).toEqual(ids([0, 1, 2, 4, 5, 7, 8]).sort());
  });
});
