/**
 * The SQLite store beyond the conformance suite: migrations, schema-version refusal, query
 * plans on the partial indexes, options, the injected clock, fencing and the group commit.
 * Several connections on one file: sqlite-connections.test.ts.
 */
import { randomUUID } from 'node:crypto';
import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isEventyardError } from '../../src/core/errors.js';
import type { NewMessage } from '../../src/store/port.js';
import { createSqliteStore, LATEST_SCHEMA_VERSION } from '../../src/stores/sqlite/index.js';
import * as scripts from '../../src/stores/sqlite/generated/scripts.js';
import { migrate, MIGRATIONS } from '../../src/stores/sqlite/migrations.js';
import { claimRequest, errorOf, message, open, sqliteFile, useSqliteFile } from '../support/sqlite-unit.js';

useSqliteFile();

describe('sqlite store: migrations', () => {
  it('creates the schema once; reopening and migrating again change nothing', async () => {
    const first = open();
    expect(first.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    await first.publish([message()]);
    await first.close();
    const second = open();
    expect(second.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect((await second.list({ limit: 10 })).rows).toHaveLength(1);

    const db = new Sqlite(sqliteFile.path);
    expect(migrate(db, 'ey_')).toBe(LATEST_SCHEMA_VERSION);
    expect(db.prepare('SELECT version FROM ey_schema_version').all()).toEqual([{ version: LATEST_SCHEMA_VERSION }]);
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(['ey_messages', 'ey_payload', 'ey_rate_limits', 'ey_schema_version', 'ey_working_data']);
    db.close();
  });

  it('version 5 keeps FAILED keyed rows of an older file from parking their keys', async () => {
    const db = new Sqlite(sqliteFile.path);
    expect(
      migrate(
        db,
        'ey_',
        MIGRATIONS.filter((m) => m.version <= 2),
      ),
    ).toBe(2);
    const insert = db.prepare(
      `INSERT INTO ey_messages (event_id, message_type, table_name, status, created_by, updated_by, created_at,
         updated_at, max_attempts, available_at, ordering_key, last_error)
       VALUES (?, 'RQ_UNIT', 'request', ?, 'A', 'A', 1, 1, 3, 1, 'k', ?)`,
    );
    const [failed, waiting] = [randomUUID(), randomUUID()];
    insert.run(failed, 'FAILED', 'boom');
    insert.run(waiting, 'UNPROCESSED', null);
    db.close();
    const store = open();
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect((await store.listParkedKeys({ limit: 10 })).keys).toEqual([]);
    expect((await store.claim(claimRequest())).map((c) => c.eventId)).toEqual([waiting]);
    // A row that fails from now on parks its key.
    const [next, after] = [message({ orderingKey: 'j' }), message({ orderingKey: 'j' })];
    await store.publish([next]);
    await store.publish([after]);
    const [claimed] = await store.claim(claimRequest());
    expect(claimed?.eventId).toBe(next.eventId);
    const ref = {
      table: 'request' as const,
      eventId: next.eventId,
      messageType: 'RQ_UNIT',
      claimToken: claimed?.claimToken ?? '',
    };
    expect(await store.fail([{ ref, updatedBy: 'B', error: 'boom', retryDelayMs: null }])).toEqual(['ok']);
    expect(await store.claim(claimRequest())).toEqual([]);
    expect((await store.listParkedKeys({ limit: 10 })).keys.map((k) => [k.orderingKey, k.waiting])).toEqual([['j', 1]]);
  });

  it('refuses a file whose schema is newer, leaving it untouched', async () => {
    await open().close();
    const db = new Sqlite(sqliteFile.path);
    db.prepare('UPDATE ey_schema_version SET version = ?').run(LATEST_SCHEMA_VERSION + 1);
    db.close();
    const error = await errorOf(() => createSqliteStore({ path: sqliteFile.path }));
    expect(isEventyardError(error, 'EY_SCHEMA_VERSION')).toBe(true);
    const after = new Sqlite(sqliteFile.path);
    expect(after.prepare('SELECT version FROM ey_schema_version').pluck().get()).toBe(LATEST_SCHEMA_VERSION + 1);
    after.close();
  });

  it('keeps stores with different table prefixes in one file apart', async () => {
    const a = open({ tablePrefix: 'app_a_' });
    const b = open({ tablePrefix: 'app_b_' });
    await a.publish([message()]);
    expect(await b.claim(claimRequest())).toEqual([]);
    expect(await a.claim(claimRequest())).toHaveLength(1);
  });
});

describe('sqlite store: query plans', () => {
  const planOf = (db: Sqlite.Database, text: string): string => {
    const sql = text.replaceAll('{prefix}', 'ey_');
    const names = [...new Set([...sql.matchAll(/@(\w+)/g)].map((m) => m[1] as string))];
    const params = Object.fromEntries(names.map((name) => [name, 1]));
    const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[];
    return rows.map((r) => r.detail).join('\n');
  };

  it('claims, promotes, reaps, purges and re-drives through their partial indexes, never a scan', async () => {
    const store = open();
    // Statistics as a large, mostly COMPLETED table would have them must not change the plans.
    await store.publish(Array.from({ length: 200 }, () => message()));
    const db = new Sqlite(sqliteFile.path);
    db.exec('ANALYZE');
    const expected: [string, string][] = [
      // <expr>: the claim key, available_at − priority_lead (schema-v3.sql).
      [
        scripts.claimBatch,
        'USING INDEX ey_messages_claimable (table_name=? AND message_type=? AND group_key=? AND <expr><?)',
      ],
      [scripts.claimBatch, 'USING INDEX ey_messages_ordering (table_name=? AND ordering_key=? AND seq<?)'],
      [
        scripts.claimCandidates,
        'USING INDEX ey_messages_claimable (table_name=? AND message_type=? AND group_key=? AND <expr><?)',
      ],
      [
        scripts.setAsideCorruptClaimable,
        'USING INDEX ey_messages_claimable (table_name=? AND message_type=? AND group_key=? AND <expr>>?)',
      ],
      // Groups: the group's own range of the same index; the next group after the cursor.
      [
        scripts.claimGroup,
        'USING INDEX ey_messages_claimable (table_name=? AND message_type=? AND group_key=? AND <expr><?)',
      ],
      [scripts.groupNext, 'USING INDEX ey_messages_claimable (table_name=? AND message_type=? AND group_key>?)'],
      [scripts.promoteDueRetries, 'INDEX ey_messages_errors (available_at<?)'],
      [scripts.reapExpiredLeases, 'INDEX ey_messages_leases (lease_expires_at<?)'],
      [scripts.purgeRows, 'INDEX ey_messages_terminal (status=? AND updated_at<?)'],
      [scripts.redrive, 'SCAN ey_messages USING INDEX ey_messages_errors'],
      [scripts.redrive, 'USING INDEX ey_messages_terminal (status=?)'],
      // The fenced writes find the row by the seq its claim token names.
      [scripts.completeRow, 'SEARCH ey_messages USING INTEGER PRIMARY KEY (rowid=?)'],
      [scripts.failRow, 'SEARCH ey_messages USING INTEGER PRIMARY KEY (rowid=?)'],
      [scripts.heartbeatRow, 'SEARCH ey_messages USING INTEGER PRIMARY KEY (rowid=?)'],
      [scripts.releaseRow, 'SEARCH ey_messages USING INTEGER PRIMARY KEY (rowid=?)'],
      [scripts.listEventRows, 'USING INDEX sqlite_autoindex_ey_messages_1 (event_id=?)'],
      // Parked keys: the terminal index's FAILED rows, then the ordering index per head.
      [scripts.listParkedKeys, 'SEARCH h USING INDEX ey_messages_terminal (status=?)'],
      [scripts.listParkedKeys, 'USING INDEX ey_messages_ordering (table_name=? AND ordering_key=? AND seq<?)'],
      [scripts.listParkedKeys, 'USING INDEX ey_messages_ordering (table_name=? AND ordering_key=? AND seq>?)'],
      [scripts.skipParkedHead, 'USING INDEX sqlite_autoindex_ey_messages_1 (event_id=? AND message_type=?)'],
    ];
    for (const [text, fragment] of expected) {
      const plan = planOf(db, text);
      expect(plan, text.split('\n')[0]).toContain(fragment);
      // A scan of a whole table (not of a partial index) would grow with the COMPLETED rows.
      expect(plan).not.toMatch(/SCAN (ey_messages|m|earlier)$/m);
    }
    expect(planOf(db, scripts.claimBatch)).not.toContain('TEMP B-TREE');
    db.close();
  });

  it('binds no bare LIMIT parameter: SQLite would compile such a statement again on every call', () => {
    // SQLite compiles the value of a bound `LIMIT @p` into the statement as a constant and
    // marks it expired whenever @p is bound again (every better-sqlite3 call): 70-80 µs per
    // claim. `LIMIT +@p` is not compiled in (claim-batch.sql).
    const withLimit = Object.entries(scripts).filter(([, text]) => /\bLIMIT\b/i.test(text.replace(/--.*$/gm, '')));
    expect(withLimit.map(([name]) => name)).toContain('claimBatch');
    for (const [name, text] of withLimit) {
      expect(text.replace(/--.*$/gm, ''), name).not.toMatch(/\bLIMIT\s+[@:$?]/i);
    }
  });

  it('builds no temporary b-tree in a per-row write', async () => {
    // A constant IN list of more than two values is tested through a temporary b-tree, and
    // in a CHECK constraint SQLite builds it again for every row written (schema-v8.sql).
    const store = open();
    await store.publish([message()]);
    const db = new Sqlite(sqliteFile.path);
    const perRow = { completeRow: 0, failRow: 0, releaseRow: 0, heartbeatRow: 0, insertMessage: 0, insertPayload: 0 };
    for (const name of Object.keys(perRow)) {
      const sql = scripts[name as keyof typeof perRow].replaceAll('{prefix}', 'ey_');
      const names = [...new Set([...sql.replace(/--.*$/gm, '').matchAll(/@(\w+)/g)].map((m) => m[1] as string))];
      const program = db.prepare(`EXPLAIN ${sql}`).all(Object.fromEntries(names.map((n) => [n, 1]))) as {
        opcode: string;
      }[];
      expect(
        program.filter((op) => op.opcode === 'OpenEphemeral'),
        name,
      ).toEqual([]);
    }
    db.close();
  });
});

describe('sqlite store: behaviour', () => {
  it('judges leases by the injected clock and names the lost owner and expiry in LAST_ERROR', async () => {
    let now = Date.UTC(2030, 0, 2, 3, 4, 5, 6);
    const store = open({ path: ':memory:', clock: { now: () => now }, idGenerator: { next: () => `token-${now}` } });
    await store.publish([message({ maxAttempts: 2 })]);
    const [claimed] = await store.claim(claimRequest({ leaseMs: 1000 }));
    // The claim's new id, then the row's seq (the first row: 1).
    expect(claimed?.claimToken).toBe(`token-${now}.1`);
    expect(claimed?.leaseExpiresAt).toBe(now + 1000);
    now += 999;
    expect(await store.reapExpiredLeases({ limit: 10, retryDelayMs: 500, updatedBy: 'R' })).toBe(0);
    now += 1;
    expect(await store.reapExpiredLeases({ limit: 10, retryDelayMs: 500, updatedBy: 'R' })).toBe(1);
    const [row] = (await store.list({ limit: 1 })).rows;
    expect(row).toMatchObject({ status: 'ERROR', attempts: 1, availableAt: now + 500, updatedAt: now, updatedBy: 'R' });
    expect(row?.lastError).toBe('EY_LEASE_LOST: lease of SERVICE_B/unit/1 expired at 2030-01-02T03:04:06.006Z');
  });

  it('fences by the whole token: one naming another row, no row, or an earlier claim of the row writes nothing', async () => {
    const store = open({ path: ':memory:' });
    await store.publish([message(), message()]);
    const [a, b] = await store.claim(claimRequest());
    if (a === undefined || b === undefined) throw new Error('expected two claimed rows');
    const complete = (claimToken: string) =>
      store.complete([{ ref: { ...a, claimToken }, updatedBy: 'X', emits: [], workingData: [] }]);
    const [prefix] = a.claimToken.split('.');
    const forged = [b.claimToken, `${prefix}.`, `${prefix}.x1`, `${prefix}.99`, 'no-dot', '.1', `${prefix}.1e3`];
    for (const token of forged) expect(await complete(token), token).toEqual(['lease_lost']);
    expect(await store.heartbeat([{ ...a, claimToken: b.claimToken }], 1000)).toEqual(['lease_lost']);
    expect(await store.release([{ ...a, claimToken: b.claimToken }], 'X')).toEqual(['lease_lost']);
    // Released and claimed again: the new token differs, the old one fences nothing.
    expect(await store.release([a], 'X')).toEqual(['ok']);
    const [again] = await store.claim(claimRequest());
    expect(again?.eventId).toBe(a.eventId);
    expect(again?.claimToken).not.toBe(a.claimToken);
    expect(await complete(a.claimToken)).toEqual(['lease_lost']);
    expect(await complete(again?.claimToken as string)).toEqual(['ok']);
  });

  it('claims several message types oldest AVAILABLE_AT first under one limit', async () => {
    let now = 1_000_000;
    const store = open({ path: ':memory:', clock: { now: () => now } });
    const published: string[] = [];
    for (let i = 0; i < 9; i++) {
      const m = message({ messageType: ['RQ_X', 'RQ_Y', 'RQ_Z'][i % 3] as string });
      await store.publish([m]);
      published.push(m.eventId);
      now += 1;
    }
    const first = await store.claim(claimRequest({ messageTypes: ['RQ_Z', 'RQ_X', 'RQ_Y', 'RQ_X'], limit: 4 }));
    expect(first.map((c) => c.eventId)).toEqual(published.slice(0, 4));
    const rest = await store.claim(claimRequest({ messageTypes: ['RQ_Y', 'RQ_Z'], limit: 10 }));
    expect(rest.map((c) => c.eventId)).toEqual([published[4], published[5], published[7], published[8]]);
  });

  it('rejects bad options with EY_INVALID_OPTION and works after close only to say EY_CLOSED', async () => {
    expect(
      isEventyardError(
        await errorOf(() => createSqliteStore({ path: sqliteFile.path, tablePrefix: 'x-y' })),
        'EY_INVALID_OPTION',
      ),
    ).toBe(true);
    const unknown = { path: sqliteFile.path, journal: 'DELETE' } as unknown as Parameters<typeof createSqliteStore>[0];
    expect(isEventyardError(await errorOf(() => createSqliteStore(unknown)), 'EY_INVALID_OPTION')).toBe(true);
    const store = createSqliteStore({ path: ':memory:' });
    await store.close();
    await store.close();
    expect(isEventyardError(await errorOf(store.publish([message()])), 'EY_CLOSED')).toBe(true);
    expect(isEventyardError(await errorOf(store.claim(claimRequest())), 'EY_CLOSED')).toBe(true);
  });

  it('publishes called in one turn: the first at once, the rest in one transaction; each call gets its own results', async () => {
    let transactions = 0; // the store reads its clock once per write transaction
    const store = open({ path: ':memory:', clock: { now: () => (transactions++, 1_000) } });
    const calls = Array.from({ length: 20 }, (_, i) => [message(), message({ messageType: `RQ_T${i % 3}` })]);
    const again = (calls[3] as NewMessage[])[1] as NewMessage; // the same row, published by two calls
    calls.push([again, message()]);
    transactions = 0;
    const results = await Promise.all(calls.map((c) => store.publish(c)));
    expect(transactions).toBe(2);
    results.forEach((r, i) => {
      expect(r.map((x) => x.eventId)).toEqual(calls[i]?.map((m) => m.eventId));
    });
    expect(results[20]?.map((r) => r.created)).toEqual([false, true]);
    expect(results.flat().filter((r) => r.created)).toHaveLength(41);
    expect((await store.list({ limit: 100 })).rows).toHaveLength(41);

    transactions = 0;
    for (const c of calls.slice(0, 3)) await store.publish(c); // one after another: one each
    expect(transactions).toBe(3);
  });

  it('a call whose input SQLite refuses fails alone; the other calls of its turn are written', async () => {
    const store = open({ path: ':memory:' });
    const good = [message(), message()];
    const bad = message({ table: 'nowhere' as NewMessage['table'] }); // fails the table_name CHECK
    const [lead, first, second, third] = await Promise.allSettled([
      store.publish([message({ eventId: good[0]?.eventId as string, messageType: 'RQ_LEAD' })]), // written alone
      store.publish([good[0] as NewMessage]),
      store.publish([message(), bad]),
      store.publish([good[1] as NewMessage]),
    ]);
    expect(lead.status).toBe('fulfilled');
    expect(first.status).toBe('fulfilled');
    expect(third.status).toBe('fulfilled');
    expect(second.status).toBe('rejected');
    const rows = (await store.list({ limit: 10 })).rows;
    expect(rows.map((r) => `${r.eventId} ${r.messageType}`).sort()).toEqual(
      [`${good[0]?.eventId} RQ_LEAD`, ...good.map((m) => `${m.eventId} RQ_UNIT`)].sort(),
    );
  });

  it('close writes the publishes already called', async () => {
    const store = createSqliteStore({ path: sqliteFile.path });
    const [m1, m2] = [message(), message()];
    const published = [store.publish([m1]), store.publish([m2])]; // the second waits for the turn's end
    await store.close();
    expect((await Promise.all(published)).flat().map((r) => r.created)).toEqual([true, true]);
    const reopened = open();
    expect((await reopened.list({ limit: 10 })).rows.map((r) => r.eventId)).toEqual([m1.eventId, m2.eventId]);
  });

  it('refuses a malformed list cursor', async () => {
    const store = open({ path: ':memory:' });
    expect(isEventyardError(await errorOf(store.list({ limit: 1, after: 'abc' })), 'EY_INVALID_CURSOR')).toBe(true);
  });
});
