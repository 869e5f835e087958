/**
 * What the PostgreSQL store adds to the conformance suite: migrations (concurrent openers,
 * a newer schema refused), the operator views, a role that owns only its schema, deadlines
 * (lock timeout), wake-ups lost, credentials kept out of errors, payload limits.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEventyard, defineMessageType, isEventyardError, silentLogger } from '../../src/index.js';
import { createPostgresStore, LATEST_SCHEMA_VERSION } from '../../src/stores/postgres/index.js';
import { migrate, MIGRATIONS } from '../../src/stores/postgres/migrations.js';
import { redactSecrets } from '../../src/stores/postgres/redact.js';
import { publishValues } from '../../src/stores/postgres/rows.js';
import { claimRequest, newMessage } from '../../src/testing/index.js';
import type { ClaimedMessage, CompleteRequest } from '../../src/store/port.js';
import { POSTGRES_URL, dropSchema, randomSchema, storeInFreshSchema, withAdmin } from '../support/postgres.js';

const IN_ORDER = defineMessageType({ name: 'IN_ORDER', schema: z.object({ id: z.string() }) });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('postgres store: schema and migrations', () => {
  it('ten stores opening one new schema at once migrate it once', async () => {
    const schema = randomSchema('mig');
    cleanups.push(() => dropSchema(schema));
    const stores = await Promise.all(
      Array.from({ length: 10 }, () => createPostgresStore({ connectionString: POSTGRES_URL, schema, poolSize: 1 })),
    );
    expect(stores.map((s) => s.schemaVersion)).toEqual(Array(10).fill(LATEST_SCHEMA_VERSION));
    const versions = await withAdmin((c) => c.query(`SELECT version FROM "${schema}".schema_version`));
    expect(versions.rows).toEqual([{ version: LATEST_SCHEMA_VERSION }]);
    await Promise.all(stores.map((s) => s.close()));
  });

  it('version 4 keeps FAILED keyed rows of an older schema from parking their keys', async () => {
    const schema = randomSchema('park');
    cleanups.push(() => dropSchema(schema));
    const [failed, waiting] = [randomUUID(), randomUUID()];
    await withAdmin(async (c) => {
      expect(
        await migrate(
          c,
          schema,
          MIGRATIONS.filter((m) => m.version <= 1),
        ),
      ).toBe(1);
      for (const [eventId, status] of [
        [failed, 'FAILED'],
        [waiting, 'UNPROCESSED'],
      ] as const) {
        await c.query(
          `INSERT INTO "${schema}".messages (event_id, message_type, table_name, status, created_by, updated_by,
             created_at, updated_at, max_attempts, available_at, ordering_key)
           VALUES ($1, 'RQ_UNIT', 'request', $2, 'A', 'A', 1, 1, 3, 1, 'k')`,
          [eventId, status],
        );
      }
    });
    const store = await createPostgresStore({ connectionString: POSTGRES_URL, schema, poolSize: 1 });
    cleanups.push(() => store.close());
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect((await store.listParkedKeys({ limit: 10 })).keys).toEqual([]);
    const claim = {
      table: 'request' as const,
      messageTypes: ['RQ_UNIT'],
      limit: 10,
      owner: 'B/1',
      updatedBy: 'B',
      leaseMs: 30_000,
    };
    expect((await store.claim(claim)).map((m) => m.eventId)).toEqual([waiting]);
  });

  it('a version-1 schema with rows migrates to groups (v3): old rows stay claimable, grouped rows are limited', async () => {
    const schema = randomSchema('v1');
    cleanups.push(() => dropSchema(schema));
    await withAdmin(async (c) => {
      expect(await migrate(c, schema, MIGRATIONS.slice(0, 1))).toBe(1);
      await c.query(
        `INSERT INTO "${schema}".messages (event_id, message_type, table_name, status, created_by, updated_by,
           created_at, updated_at, attempts, max_attempts, available_at)
         VALUES ('old', 'RQ_B', 'request', 'UNPROCESSED', 'A', 'A', 1000, 1000, 0, 3, 1000)`,
      );
    });
    const store = await createPostgresStore({ connectionString: POSTGRES_URL, schema });
    cleanups.push(() => store.close());
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    await store.publish(
      ['g1', 'g2'].map((eventId) => ({
        eventId,
        messageType: 'RQ_B',
        table: 'request' as const,
        maxAttempts: 3,
        createdBy: 'A',
        groupKey: 't',
      })),
    );
    const claimed = await store.claim({
      table: 'request',
      messageTypes: ['RQ_B'],
      limit: 10,
      owner: 'SERVICE_B/1',
      updatedBy: 'SERVICE_B',
      leaseMs: 30_000,
      groups: { RQ_B: { maxInFlight: 1 } },
    });
    expect(claimed.map((m) => [m.eventId, m.groupKey]).sort()).toEqual([
      ['g1', 't'],
      ['old', null],
    ]);
    const view = await withAdmin((c) =>
      c.query(`SELECT "EVENT_ID", "GROUP_KEY" FROM "${schema}".all_messages ORDER BY "SEQ"`),
    );
    expect(view.rows).toEqual([
      { EVENT_ID: 'old', GROUP_KEY: null },
      { EVENT_ID: 'g1', GROUP_KEY: 't' },
      { EVENT_ID: 'g2', GROUP_KEY: 't' },
    ]);
  });

  it('a schema newer than the code is refused with EY_SCHEMA_VERSION and left untouched', async () => {
    const store = await storeInFreshSchema({}, 'new');
    cleanups.push(() => store.close());
    await withAdmin((c) => c.query(`UPDATE "${store.schema}".schema_version SET version = 999`));
    await expect(createPostgresStore({ connectionString: POSTGRES_URL, schema: store.schema })).rejects.toMatchObject({
      code: 'EY_SCHEMA_VERSION',
    });
    const versions = await withAdmin((c) => c.query(`SELECT version FROM "${store.schema}".schema_version`));
    expect(versions.rows).toEqual([{ version: 999 }]);
  });

  it('refuses schema names that are not plain identifiers', async () => {
    for (const schema of ['Eventyard', 'a;drop', 'x"y', '1abc', '', 'a'.repeat(41)]) {
      await expect(createPostgresStore({ connectionString: POSTGRES_URL, schema })).rejects.toMatchObject({
        code: 'EY_INVALID_OPTION',
      });
    }
  });

  it('the views show the seed columns per event table', async () => {
    const store = await storeInFreshSchema({}, 'view');
    cleanups.push(() => store.close());
    const app = createEventyard({ store, messageTypes: [IN_ORDER], logger: silentLogger });
    const published = await app.publish(IN_ORDER, { id: 'v' }, { createdBy: 'SERVICE_X' });
    const view = await withAdmin((c) => c.query(`SELECT * FROM "${store.schema}".inbound`));
    expect(view.fields.map((f) => f.name).slice(0, 7)).toEqual([
      'EVENT_ID',
      'MESSAGE_TYPE',
      'STATUS',
      'CREATED_BY',
      'CREATED_DTTM',
      'UPDATED_BY',
      'UPDATED_DTTM',
    ]);
    expect(view.rows).toHaveLength(1);
    expect(view.rows[0]).toMatchObject({
      EVENT_ID: published.eventId,
      MESSAGE_TYPE: 'IN_ORDER',
      STATUS: 'UNPROCESSED',
      CREATED_BY: 'SERVICE_X',
    });
    const created = (view.rows[0] as { CREATED_DTTM: Date }).CREATED_DTTM;
    expect(Math.abs(created.getTime() - (await store.now()))).toBeLessThan(5000);
    const other = await withAdmin((c) => c.query(`SELECT count(*)::int AS n FROM "${store.schema}".request`));
    expect(other.rows).toEqual([{ n: 0 }]);
  });
});

describe('postgres store: security', () => {
  // PostgreSQL 15 grants PUBLIC no CREATE on a database or on schema public: a new role can
  // create nothing but what its own schema allows.
  it('runs with a role that owns only its schema (no CREATE on the database)', async () => {
    const role = `ey_role_${randomBytes(4).toString('hex')}`;
    const schema = randomSchema('role');
    await withAdmin(async (c) => {
      await c.query(`CREATE ROLE ${role} LOGIN`);
      await c.query(`CREATE SCHEMA ${schema} AUTHORIZATION ${role}`);
    });
    cleanups.push(() =>
      withAdmin(async (c) => {
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.query(`DROP ROLE IF EXISTS ${role}`);
      }),
    );
    const url = new URL(POSTGRES_URL);
    url.username = role;
    // The role cannot create a schema of its own:
    await expect(
      createPostgresStore({ connectionString: url.toString(), schema: randomSchema('nope') }),
    ).rejects.toMatchObject({ code: 'EY_STORE_UNAVAILABLE' });
    const store = await createPostgresStore({ connectionString: url.toString(), schema });
    cleanups.unshift(() => store.close());
    const app = createEventyard({ store, messageTypes: [IN_ORDER], logger: silentLogger });
    await app.publish(IN_ORDER, { id: 'r' });
    const done: string[] = [];
    const service = app
      .service({ name: 'SERVICE_R' })
      .handle(IN_ORDER, (ctx) => void done.push(ctx.payload.id))
      .start();
    const deadline = Date.now() + 10_000;
    while (done.length === 0 && Date.now() < deadline) await sleep(20);
    await service.stop();
    expect(done).toEqual(['r']);
    expect(await store.purge({ statuses: ['COMPLETED'], olderThanMs: 0, limit: 10 })).toBe(1);
  });

  it('a password in the connection string never appears in errors', async () => {
    const sentinel = `S3ntinel-${randomBytes(6).toString('hex')}`;
    // Nothing listens on port 1: the connect fails.
    const connectionString = `postgres://someone:${sentinel}@127.0.0.1:1/test`;
    const error: unknown = await createPostgresStore({ connectionString, connectTimeoutMs: 2000 }).catch(
      (e: unknown) => e,
    );
    expect(isEventyardError(error, 'EY_STORE_UNAVAILABLE')).toBe(true);
    const shown = [
      String(error),
      (error as Error).stack ?? '',
      JSON.stringify(error),
      JSON.stringify((error as Error & { details?: unknown }).details),
    ];
    for (const text of shown) expect(text).not.toContain(sentinel);
    // Options validation does not quote the connection string either.
    const invalid: unknown = await createPostgresStore({ connectionString: `mysql://u:${sentinel}@h/db` }).catch(
      (e: unknown) => e,
    );
    expect(isEventyardError(invalid, 'EY_INVALID_OPTION')).toBe(true);
    expect(String(invalid)).not.toContain(sentinel);
    // The local redaction itself.
    expect(redactSecrets(`connect postgres://u:${sentinel}@h:5432/db failed`)).toBe(
      'connect postgres://u:***@h:5432/db failed',
    );
    expect(redactSecrets(`password ${sentinel} rejected`, [sentinel])).toBe('password *** rejected');
  });

  it('payload limits apply as on the other stores, before anything is written', async () => {
    const store = await storeInFreshSchema({}, 'lim');
    cleanups.push(() => store.close());
    const app = createEventyard({ store, messageTypes: [IN_ORDER], logger: silentLogger, maxPayloadBytes: 1024 });
    await expect(app.publish(IN_ORDER, { id: 'x'.repeat(2000) })).rejects.toMatchObject({
      code: 'EY_PAYLOAD_TOO_LARGE',
    });
    const deep = JSON.parse('{"id":"d","n":' + '['.repeat(100) + ']'.repeat(100) + '}') as { id: string };
    await expect(app.publish(IN_ORDER, deep)).rejects.toMatchObject({ code: 'EY_PAYLOAD_MALFORMED' });
    expect((await app.list({ limit: 10 })).rows).toEqual([]);
  });
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

describe('postgres store: statement plans', () => {
  it('a publish of new rows reads no message row, whatever the planner thinks of the table', async () => {
    // A join against the table, planned while it was small (a plan a connection caches, or
    // statistics not yet refreshed), scanned all of it: each publish slower as it grew.
    const schema = randomSchema('plan');
    cleanups.push(() => dropSchema(schema));
    const store = await createPostgresStore({ connectionString: POSTGRES_URL, schema, poolSize: 1 });
    cleanups.push(() => store.close());
    for (let i = 0; i < 30; i++) await store.publish(Array.from({ length: 100 }, () => newMessage()));
    // The statement publish_batch() runs (schema-v7.sql), as installed.
    const source = await withAdmin((c) =>
      c.query<{ prosrc: string; proconfig: string[] }>(
        `SELECT p.prosrc, p.proconfig FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
         WHERE n.nspname = $1 AND p.proname = 'publish_batch'`,
        [schema],
      ),
    );
    // Planned once per session, on the pool and on a caller's connection alike.
    expect(source.rows[0]?.proconfig).toEqual(['plan_cache_mode=force_generic_plan']);
    const text = /RETURN QUERY([\s\S]*);\s*END\s*$/.exec(source.rows[0]?.prosrc ?? '')?.[1] ?? 'no statement found';
    const values = (): unknown[] =>
      publishValues(
        Array.from({ length: 100 }, () => newMessage({ payload: '{"a":1}' })),
        null,
        100,
      );
    const plan = await withAdmin(async (c) => {
      const explained = await c.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `EXPLAIN (ANALYZE, FORMAT JSON) ${text}`,
        values(),
      );
      return explained.rows[0]?.['QUERY PLAN'][0].Plan;
    });
    const reads: PlanNode[] = [];
    const walk = (node: PlanNode): void => {
      if (node['Relation Name'] === 'messages' && node['Node Type'] !== 'ModifyTable') reads.push(node);
      node.Plans?.forEach(walk);
    };
    if (plan !== undefined) walk(plan);
    expect(reads.length).toBeGreaterThan(0);
    for (const read of reads) {
      // A seek on the unique key, gated so that it never runs for a row the statement created.
      expect(read['Node Type']).toBe('Index Scan');
      expect(read['Actual Loops']).toBe(0);
    }
  });
});

describe('postgres store: plans made on near-empty tables', () => {
  it('plans made while the tables were small still reach rows through their indexes as the tables grow', async () => {
    // Generic plans are made at a statement's first call on a connection, from the table's
    // statistics of that moment. Made on a near-empty working_data table, the working-data
    // read scanned the whole table for every batch; made from statistics that saw no row in
    // progress, a completion walked every row in progress for each row it completed.
    const schema = randomSchema('plans');
    cleanups.push(() => dropSchema(schema));
    const store = await createPostgresStore({ connectionString: POSTGRES_URL, schema, poolSize: 1 });
    cleanups.push(() => store.close());
    const drain = async (events: number, complete = true): Promise<ClaimedMessage[]> => {
      const claimedAll: ClaimedMessage[] = [];
      for (let left = events; left > 0; left -= 500) {
        const published = Array.from({ length: Math.min(500, left) }, () => newMessage());
        await store.publish(published);
        const claimed = await store.claim(claimRequest({ limit: published.length }));
        claimedAll.push(...claimed);
        if (!complete) continue;
        const outcomes = await store.complete(claimed.map((m) => completion(m)));
        expect(outcomes.every((o) => o === 'ok')).toBe(true);
      }
      return claimedAll;
    };
    const heapBlocks = (relname: string): Promise<number> =>
      withAdmin(async (c) => {
        const r = await c.query<{ n: string }>(
          `SELECT coalesce(heap_blks_hit, 0) + coalesce(heap_blks_read, 0) AS n
           FROM pg_statio_user_tables WHERE schemaname = $1 AND relname = $2`,
          [schema, relname],
        );
        return Number(r.rows[0]?.n);
      });
    const [first] = await drain(10);
    // The working-data read's plan is made now, on a table of 10 rows never analyzed.
    await store.getWorkingData((first as ClaimedMessage).eventId);
    const done = await drain(6000);
    const workingDataBefore = await settled(() => heapBlocks('working_data'));
    const lastDone = done[done.length - 1] as ClaimedMessage;
    expect((await store.getWorkingData(lastDone.eventId)).get('step')).toBe('1');
    // One event's working data: a few heap pages, not the whole table (about 2,000).
    const workingData = (await changed(() => heapBlocks('working_data'), workingDataBefore)) - workingDataBefore;
    expect(workingData).toBeGreaterThan(0); // the read was counted: the bound below is not vacuous
    expect(workingData).toBeLessThan(20);
    // Analyzed while no row is in progress, as autovacuum might: the completion's plan is made
    // again from these statistics at its next call.
    await withAdmin((c) => c.query(`ANALYZE "${schema}".messages`));
    const held = await drain(4000, false); // in progress: what a walk of messages_leases visits
    const messagesBefore = await settled(() => heapBlocks('messages'));
    const five = held.slice(0, 5).map((m) => completion(m));
    expect(await store.complete(five)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    // Five rows completed by primary key: a few heap pages, not a visit of the 4,000 in progress.
    const messages = (await changed(() => heapBlocks('messages'), messagesBefore)) - messagesBefore;
    expect(messages).toBeGreaterThan(0);
    expect(messages).toBeLessThan(50);
  });
});

const completion = (m: ClaimedMessage): CompleteRequest => ({
  ref: m,
  updatedBy: 'TEST_SERVICE',
  emits: [],
  workingData: [{ eventId: m.eventId, name: 'step', value: '1' }],
});

/** A statistics counter once the store's backend has flushed it (at most once a second). */
async function settled(read: () => Promise<number>): Promise<number> {
  let before = await read();
  for (;;) {
    await sleep(1200);
    const now = await read();
    if (now === before) return now;
    before = now;
  }
}

async function changed(read: () => Promise<number>, from: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const now = await read();
    if (now !== from || Date.now() > deadline) return now;
    await sleep(100);
  }
}

describe('postgres store: deadlines and wake-ups', () => {
  it('a row lock held elsewhere fails a completion after lockTimeoutMs instead of hanging', async () => {
    const store = await storeInFreshSchema({ lockTimeoutMs: 300 }, 'lock');
    cleanups.push(() => store.close());
    const app = createEventyard({ store, messageTypes: [IN_ORDER], logger: silentLogger });
    await app.publish(IN_ORDER, { id: 'l' });
    const [claimed] = await store.claim({
      table: 'inbound',
      messageTypes: ['IN_ORDER'],
      limit: 1,
      owner: 'o',
      updatedBy: 'T',
      leaseMs: 60_000,
    });
    const blocker = new pg.Client({ connectionString: POSTGRES_URL });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM "${store.schema}".messages FOR UPDATE`);
      const started = Date.now();
      const error: unknown = await store
        .complete([{ ref: claimed!, updatedBy: 'T', emits: [], workingData: [] }])
        .catch((e: unknown) => e);
      const took = Date.now() - started;
      expect(isEventyardError(error, 'EY_STORE_UNAVAILABLE')).toBe(true);
      expect((error as { details?: { sqlState?: string; transient?: boolean } }).details).toMatchObject({
        sqlState: '55P03',
        transient: true,
      });
      expect(took).toBeGreaterThanOrEqual(250);
      expect(took).toBeLessThan(5000);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    expect(await store.complete([{ ref: claimed!, updatedBy: 'T', emits: [], workingData: [] }])).toEqual(['ok']);
  });

  it('with every notification lost, processors still find new rows by polling', async () => {
    // The consumer listens; the publisher sends no notifications at all (notify: false), and
    // the consumer's listener connection is terminated as well: only polling is left.
    const consumerStore = await storeInFreshSchema({}, 'drop');
    cleanups.push(() => consumerStore.close());
    const publisherStore = await createPostgresStore({
      connectionString: POSTGRES_URL,
      schema: consumerStore.schema,
      notify: false,
    });
    cleanups.unshift(() => publisherStore.close());
    const pid = consumerStore.listenerPid();
    expect(pid).toBeTypeOf('number');
    await withAdmin((c) => c.query('SELECT pg_terminate_backend($1)', [pid]));
    const consumer = createEventyard({ store: consumerStore, messageTypes: [IN_ORDER], logger: silentLogger });
    const publisher = createEventyard({ store: publisherStore, messageTypes: [IN_ORDER], logger: silentLogger });
    const seen = new Set<string>();
    const service = consumer
      .service({ name: 'SERVICE_P', idleMaxMs: 200 })
      .handle(IN_ORDER, (ctx) => void seen.add(ctx.payload.id))
      .start();
    for (let i = 0; i < 50; i++) await publisher.publish(IN_ORDER, { id: `p${i}` });
    const deadline = Date.now() + 20_000;
    while (seen.size < 50 && Date.now() < deadline) await sleep(50);
    await service.stop();
    expect(seen.size).toBe(50);
    const counts = await consumerStore.countByStatus();
    expect(counts).toEqual([{ table: 'inbound', messageType: 'IN_ORDER', status: 'COMPLETED', count: 50 }]);
  });
});
