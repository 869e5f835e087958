/**
 * Parked ordering keys through the application: a handler's final failure parks its key
 * (later messages of the key wait, other keys are handled), app.parkedKeys() shows it, and
 * app.skipParkedHead() / app.redrive() let the key continue. The store-level rules are the
 * conformance cases in src/testing/cases/parked.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createEventyard,
  defineMessageType,
  NonRetryableError,
  silentLogger,
  type Eventyard,
} from '../../src/index.js';
import { createMemoryStore } from '../../src/testing/index.js';
import { waitUntil } from '../support/rows.js';

const Step = z.object({ account: z.string(), n: z.number().int() });
const IN_STEP = defineMessageType({ name: 'IN_STEP', schema: Step, retry: { maxAttempts: 1 } });
const fast = { idleMinMs: 1, idleMaxMs: 20, retryMechanism: { intervalMs: 20, reapRetryDelayMs: 0 } };

let app: Eventyard;
let handled: string[];
let failing: Set<string>;

beforeEach(() => {
  app = createEventyard({ store: createMemoryStore(), messageTypes: [IN_STEP], logger: silentLogger });
  handled = [];
  failing = new Set();
  app
    .service({ name: 'LEDGER', ...fast })
    .handle(IN_STEP, (ctx) => {
      const name = `${ctx.payload.account}:${ctx.payload.n}`;
      if (failing.has(name)) throw new NonRetryableError(`cannot book ${name}`);
      handled.push(name);
    })
    .start();
});
afterEach(() => app.close());

const publishSteps = async (account: string, count: number): Promise<string[]> => {
  const ids: string[] = [];
  for (let n = 1; n <= count; n++) {
    ids.push((await app.publish(IN_STEP, { account, n }, { orderingKey: account })).eventId);
  }
  return ids;
};

describe('parked ordering keys (app)', () => {
  it('a FAILED head parks its key; skipping it lets the key continue in order', async () => {
    failing.add('a:1');
    const [head] = await publishSteps('a', 3);
    await publishSteps('b', 2);
    await waitUntil('b is handled', async () => handled.filter((h) => h.startsWith('b:')).length === 2, 10_000);
    const page = await app.parkedKeys();
    expect(page.next).toBeNull();
    expect(page.keys.map((k) => [k.table, k.orderingKey, k.head.eventId, k.head.status, k.waiting])).toEqual([
      ['inbound', 'a', head, 'FAILED', 2],
    ]);
    expect(page.keys[0]?.head.lastError).toMatch(/^EY_NON_RETRYABLE: cannot book a:1\n/);
    expect(handled.filter((h) => h.startsWith('a:'))).toEqual([]);

    expect(await app.skipParkedHead({ table: 'inbound', messageType: 'IN_STEP', eventId: head ?? '' }, 'alice')).toBe(
      true,
    );
    await app.idle({ timeoutMs: 10_000 });
    expect(handled.filter((h) => h.startsWith('a:'))).toEqual(['a:2', 'a:3']);
    expect((await app.parkedKeys()).keys).toEqual([]);
    const [row] = (await app.list({ eventId: head, limit: 1 })).rows;
    expect(row?.status).toBe('FAILED');
    expect(row?.lastError).toMatch(
      /^EY_KEY_SKIPPED: skipped by alice at .+Z; was: EY_NON_RETRYABLE: cannot book a:1\n/,
    );
    expect(await app.skipParkedHead({ table: 'inbound', messageType: 'IN_STEP', eventId: head ?? '' })).toBe(false);
  });

  it('a re-driven head is handled first, then the rest of its key', async () => {
    failing.add('a:1');
    const [head] = await publishSteps('a', 3);
    await waitUntil('a:1 parks its key', async () => (await app.parkedKeys()).keys.length === 1, 10_000);
    failing.clear();
    expect(await app.redrive({ eventId: head, messageType: 'IN_STEP' })).toBe(1);
    await app.idle({ timeoutMs: 10_000 });
    expect(handled).toEqual(['a:1', 'a:2', 'a:3']);
  });

  it('refuses a bad operator name or request with a code', async () => {
    await expect(app.parkedKeys({ limit: 0 })).rejects.toMatchObject({ code: 'EY_INVALID_FILTER' });
    await expect(
      app.skipParkedHead({ table: 'inbound', messageType: 'IN_STEP', eventId: 'not-a-uuid' }),
    ).rejects.toMatchObject({ code: 'EY_INVALID_FILTER' });
    await expect(
      app.skipParkedHead({ table: 'inbound', messageType: 'IN_STEP', eventId: crypto.randomUUID() }, ''),
    ).rejects.toMatchObject({ code: 'EY_INVALID_IDENTIFIER' });
  });
});
