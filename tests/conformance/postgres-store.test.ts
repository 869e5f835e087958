/**
 * What the PostgreSQL store adds to the conformance suite: migrations (concurrent openers,
 * a newer schema refused), the operator views, a role that owns only its schema, deadlines
 * (lock timeout), wake-ups lost, credentials kept out of errors, payload limits. Statement
 * plans: postgres-plans.test.ts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEventyard, defineMessageType, isEventyardError, silentLogger } from '../../src/index.js';
import { createPostgresStore, LATEST_SCHEMA_VERSION } from '../../src/stores/postgres/index.js';
import { migrate, MIGRATIONS } from '../../src/stores/postgres/migrations.js';
import { redactSecrets } from '../../src/stores/postgres/redact.js';
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
