/**
 * The transaction capabilities are optional store members: on a store without them (SQLite
 * here) a publish naming a transaction, and a handler asking for one, fail with
 * EY_TRANSACTION_UNSUPPORTED; nothing is written and the handler's attempt fails.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEventyard, defineMessageType, silentLogger } from '../../src/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';

const IN_ORDER = defineMessageType({
  name: 'IN_ORDER',
  schema: z.object({ id: z.string() }),
  retry: { maxAttempts: 1 },
});

describe('transaction capability on a store without it', () => {
  it('publish with a transaction is refused and writes nothing', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    expect('publishInTransaction' in store).toBe(false);
    expect('beginTransaction' in store).toBe(false);
    const app = createEventyard({ store, messageTypes: [IN_ORDER], logger: silentLogger });
    await expect(app.publish(IN_ORDER, { id: 'a' }, { transaction: {} })).rejects.toMatchObject({
      code: 'EY_TRANSACTION_UNSUPPORTED',
    });
    await expect(
      app.publishMany([{ type: IN_ORDER, payload: { id: 'b' } }], { transaction: {} }),
    ).rejects.toMatchObject({
      code: 'EY_TRANSACTION_UNSUPPORTED',
    });
    expect((await app.list({ limit: 10 })).rows).toEqual([]);
    await app.close();
  });

  it('ctx.transaction() fails the attempt with EY_TRANSACTION_UNSUPPORTED', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    const app = createEventyard({ store, messageTypes: [IN_ORDER], logger: silentLogger });
    await app.publish(IN_ORDER, { id: 'a' });
    const service = app.service({ name: 'SERVICE_A' }).handle(IN_ORDER, async (ctx) => {
      await ctx.transaction();
    });
    service.start();
    const deadline = Date.now() + 10_000;
    let row = (await app.list({ limit: 1 })).rows[0];
    while (row?.status !== 'FAILED' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      row = (await app.list({ limit: 1 })).rows[0];
    }
    await app.close();
    expect(row?.status).toBe('FAILED');
    expect(row?.lastError).toMatch(/^EY_TRANSACTION_UNSUPPORTED: /);
  });
});
