/**
 * Publishing inside the user's own transaction (pg PoolClient, Drizzle, Kysely) and a
 * handler's transaction that commits with COMPLETED: rolled back → no row, no payload, no
 * notification; committed → processed exactly once. Each test in a fresh schema.
 */
import { drizzle } from 'drizzle-orm/node-postgres';
import { sql } from 'drizzle-orm';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEventyard, defineMessageType, silentLogger, type Eventyard } from '../../src/index.js';
import {
  drizzleTransaction,
  handlerClient,
  kyselyTransaction,
  type PostgresStore,
} from '../../src/stores/postgres/index.js';
import { POSTGRES_URL, storeInFreshSchema } from '../support/postgres.js';

const IN_ORDER = defineMessageType({ name: 'IN_ORDER', schema: z.object({ orderId: z.string() }) });
const RQ_SHIP = defineMessageType({ name: 'RQ_SHIP', schema: z.object({ orderId: z.string() }) });

let store: PostgresStore;
let app: Eventyard;
let pool: pg.Pool;
let schema: string;
let listener: pg.Client;
let notifications: string[];

beforeEach(async () => {
  store = await storeInFreshSchema({}, 'tx');
  schema = store.schema;
  app = createEventyard({ store, messageTypes: [IN_ORDER, RQ_SHIP], logger: silentLogger });
  pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 4 });
  await pool.query(`CREATE TABLE "${schema}".orders (id text PRIMARY KEY)`);
  listener = new pg.Client({ connectionString: POSTGRES_URL });
  await listener.connect();
  notifications = [];
  listener.on('notification', (n) => notifications.push(n.payload ?? ''));
  await listener.query(`LISTEN "${schema}_wake"`);
});

afterEach(async () => {
  await listener.end();
  await pool.end();
  await app.close();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function counts(): Promise<{ orders: number; rows: number; payloads: number }> {
  const q = async (table: string): Promise<number> =>
    Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".${table}`)).rows[0]?.n);
  return { orders: await q('orders'), rows: await q('messages'), payloads: await q('payload') };
}

/** Counts the statements a client runs (the publish's round trips inside the user's transaction). */
function counting(client: pg.PoolClient): { client: pg.PoolClient; queries: () => number } {
  let n = 0;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const wrapped = new Proxy(client, {
    get(target, property) {
      if (property === 'query') {
        return (...args: unknown[]) => {
          n++;
          return query(...args);
        };
      }
      return Reflect.get(target, property, target) as unknown;
    },
  });
  return { client: wrapped, queries: () => n };
}

describe('postgres: publish inside the user transaction', () => {
  it('pg PoolClient: rollback leaves no row, payload or notification; commit is processed once', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`INSERT INTO "${schema}".orders (id) VALUES ('o-1')`);
      const counted = counting(client);
      const [a] = await app.publishMany(
        [
          { type: IN_ORDER, payload: { orderId: 'o-1' } },
          { type: IN_ORDER, payload: { orderId: 'o-1b' } },
        ],
        { transaction: counted.client },
      );
      expect(a?.created).toBe(true);
      expect(counted.queries()).toBe(1); // the whole publish is one statement in the user's transaction
      await client.query('ROLLBACK');
      await sleep(200);
      expect(await counts()).toEqual({ orders: 0, rows: 0, payloads: 0 });
      expect(notifications).toEqual([]);

      await client.query('BEGIN');
      await client.query(`INSERT INTO "${schema}".orders (id) VALUES ('o-2')`);
      const result = await app.publish(IN_ORDER, { orderId: 'o-2' }, { transaction: client });
      expect(result.created).toBe(true);
      // Not visible to anyone before the commit.
      expect((await counts()).rows).toBe(0);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect(await counts()).toEqual({ orders: 1, rows: 1, payloads: 1 });
    await sleep(100);
    expect(notifications).toEqual(['inbound']);

    const seen: string[] = [];
    const service = app.service({ name: 'SERVICE_A' }).handle(IN_ORDER, (ctx) => {
      seen.push(ctx.payload.orderId);
    });
    service.start();
    const deadline = Date.now() + 10_000;
    while (seen.length < 1 && Date.now() < deadline) await sleep(20);
    await sleep(300);
    await service.stop();
    expect(seen).toEqual(['o-2']);
    const rows = await app.list({ limit: 10 });
    expect(rows.rows.map((r) => r.status)).toEqual(['COMPLETED']);
  });

  it('Drizzle (node-postgres): drizzleTransaction(tx) commits and rolls back with the transaction', async () => {
    const db = drizzle(pool);
    await db.transaction(async (tx) => {
      await tx.execute(sql.raw(`INSERT INTO "${schema}".orders (id) VALUES ('d-1')`));
      await app.publish(IN_ORDER, { orderId: 'd-1' }, { transaction: drizzleTransaction(tx) });
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.execute(sql.raw(`INSERT INTO "${schema}".orders (id) VALUES ('d-2')`));
        await app.publish(IN_ORDER, { orderId: 'd-2' }, { transaction: drizzleTransaction(tx) });
        throw new Error('business rule says no');
      }),
    ).rejects.toThrow('business rule says no');
    expect(await counts()).toEqual({ orders: 1, rows: 1, payloads: 1 });
    expect(JSON.parse((await store.getPayload((await app.list({ limit: 1 })).rows[0]!.eventId)) ?? '')).toEqual({
      orderId: 'd-1',
    });
  });

  it('Kysely: kyselyTransaction(trx) commits and rolls back with the transaction', async () => {
    const db = new Kysely<Record<string, never>>({ dialect: new PostgresDialect({ pool }) });
    await db.transaction().execute(async (trx) => {
      await app.publish(IN_ORDER, { orderId: 'k-1' }, { transaction: kyselyTransaction(trx) });
    });
    await expect(
      db.transaction().execute(async (trx) => {
        await app.publish(IN_ORDER, { orderId: 'k-2' }, { transaction: kyselyTransaction(trx) });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect((await counts()).rows).toBe(1);
    expect((await counts()).payloads).toBe(1);
  });

  it('refuses something that is not a transaction, and a payload failing its schema writes nothing', async () => {
    await expect(app.publish(IN_ORDER, { orderId: 'x' }, { transaction: {} })).rejects.toMatchObject({
      code: 'EY_INVALID_OPTION',
    });
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await expect(app.publish(IN_ORDER, { orderId: 42 } as never, { transaction: client })).rejects.toMatchObject({
        code: 'EY_PAYLOAD_INVALID',
      });
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect((await counts()).rows).toBe(0);
  });
});

describe('postgres: a handler transaction commits with COMPLETED', () => {
  it('the handler SQL, COMPLETED and the emits commit together; a failed attempt rolls its SQL back', async () => {
    await app.publish(IN_ORDER, { orderId: 'h-1' });
    let attempts = 0;
    const service = app.service({ name: 'SERVICE_A' }).handle(IN_ORDER, async (ctx) => {
      attempts++;
      const client = await handlerClient(ctx);
      await client.query(`INSERT INTO "${schema}".orders (id) VALUES ($1)`, [`${ctx.payload.orderId}-${attempts}`]);
      ctx.emit(RQ_SHIP.name);
      if (attempts === 1) throw new Error('first attempt fails after writing');
    });
    service.start();
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const page = await app.list({ limit: 10, messageType: 'IN_ORDER' });
      if (page.rows[0]?.status === 'COMPLETED') break;
      await sleep(50);
    }
    await service.stop();
    expect(attempts).toBe(2);
    const orders = await pool.query<{ id: string }>(`SELECT id FROM "${schema}".orders ORDER BY id`);
    expect(orders.rows.map((r) => r.id)).toEqual(['h-1-2']); // the failed attempt's insert rolled back
    const all = await app.list({ limit: 10 });
    expect(all.rows.map((r) => [r.messageType, r.status])).toEqual([
      ['IN_ORDER', 'COMPLETED'],
      ['RQ_SHIP', 'UNPROCESSED'],
    ]);
  });

  it('a lost lease rolls the handler SQL back with the completion', async () => {
    await app.publish(IN_ORDER, { orderId: 'l-1' });
    const [claimed] = await store.claim({
      table: 'inbound',
      messageTypes: ['IN_ORDER'],
      limit: 1,
      owner: 'test',
      updatedBy: 'TEST',
      leaseMs: 60_000,
    });
    const tx = await store.beginTransaction();
    await (tx.client as pg.PoolClient).query(`INSERT INTO "${schema}".orders (id) VALUES ('l-1')`);
    const stale = { ...claimed!, claimToken: `${claimed!.claimToken}0` };
    expect(await tx.complete({ ref: stale, updatedBy: 'TEST', emits: [], workingData: [] })).toBe('lease_lost');
    expect((await counts()).orders).toBe(0);
    const tx2 = await store.beginTransaction();
    await (tx2.client as pg.PoolClient).query(`INSERT INTO "${schema}".orders (id) VALUES ('l-1')`);
    expect(await tx2.complete({ ref: claimed!, updatedBy: 'TEST', emits: [], workingData: [] })).toBe('ok');
    expect((await counts()).orders).toBe(1);
  });
});

describe('postgres: plan modes (connection.ts)', () => {
  it('hot statements run with generic plans; a handler transaction and admin statements with the default', async () => {
    const one = await storeInFreshSchema({ poolSize: 1 }, 'plan');
    try {
      const messages = Array.from({ length: 8 }, (_, i) => ({
        eventId: `p-${i}`,
        messageType: 'IN_ORDER',
        table: 'inbound' as const,
        payload: '{"orderId":"p"}',
        maxAttempts: 3,
        createdBy: 'TEST',
      }));
      await one.publish(messages);
      const claim = {
        table: 'inbound' as const,
        messageTypes: ['IN_ORDER'],
        limit: 1,
        owner: 'test',
        updatedBy: 'TEST',
        leaseMs: 60_000,
      };
      // More calls than PostgreSQL's five custom plans before it weighs a generic one.
      for (let i = 0; i < 7; i++) {
        const [claimed] = await one.claim(claim);
        expect(await one.complete([{ ref: claimed!, updatedBy: 'TEST', emits: [], workingData: [] }])).toEqual(['ok']);
      }
      // An admin statement after hot ones runs with the session default (a RESET first).
      expect((await one.list({ limit: 100 })).rows).toHaveLength(8);
      // One connection: the transaction runs where the statements above ran.
      const tx = await one.beginTransaction();
      const client = tx.client as pg.PoolClient;
      expect((await client.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode')).rows[0]?.plan_cache_mode).toBe(
        'auto',
      );
      const plans = await client.query<{ name: string; generic_plans: string; custom_plans: string }>(
        `SELECT name, generic_plans::text, custom_plans::text FROM pg_prepared_statements WHERE name LIKE $1`,
        [`ey:${one.schema}:%`],
      );
      const byName = new Map(plans.rows.map((r) => [r.name.split(':').pop(), r]));
      for (const name of ['claim', 'complete']) {
        expect(byName.get(name)?.custom_plans, name).toBe('0');
        expect(Number(byName.get(name)?.generic_plans), name).toBeGreaterThan(0);
      }
      expect(byName.get('listRows')).toMatchObject({ generic_plans: '0', custom_plans: '1' });
      await tx.rollback();
      const [left] = await one.claim(claim);
      expect(left?.eventId).toBe('p-7');
    } finally {
      await one.close();
    }
  });
});
