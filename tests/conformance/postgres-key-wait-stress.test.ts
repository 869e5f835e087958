/**
 * Rows waiting behind their ordering key on PostgreSQL under concurrency: publishers on a
 * few keys, claimers/completers on two stores (two pools: as two processes) that complete,
 * retry or fail rows at random, and an operator that promotes retries, skips or re-drives
 * parked heads and now and then re-drives a skipped row. Throughout, no committed state has
 * a key whose head waits (key_wait set); per key, a row is claimed only after every earlier
 * row of its key was completed or skipped; at the end every key drains (none stuck).
 */
import { randomUUID } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { createPostgresStore, type PostgresStore } from '../../src/stores/postgres/index.js';
import type { ClaimedMessage } from '../../src/store/port.js';
import { POSTGRES_URL, storeInFreshSchema } from '../support/postgres.js';
import { headsWaiting, keyWaitCounts } from '../support/postgres-key-wait.js';

const TYPE = 'RQ_KEYED';
const KEYS = ['k0', 'k1', 'k2', 'k3'];
const PER_KEY = 150;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type State = 'held' | 'completing' | 'skipped';

it('concurrent publish, claim, complete, fail, skip and re-drive on a few keys: order held, no key stuck', async () => {
  const first = await storeInFreshSchema({ notify: false, poolSize: 6 }, 'kws');
  cleanups.push(() => first.close());
  const second = await createPostgresStore({
    connectionString: POSTGRES_URL,
    schema: first.schema,
    poolSize: 6,
    notify: false,
  });
  cleanups.push(() => second.close());

  const rows = new Map<string, { key: string; n: number }>();
  const byKey = new Map<string, string[]>(KEYS.map((k) => [k, []]));
  const state = new Map<string, State>();
  const problems: string[] = [];
  let chaos = true;
  let publishing = true;

  const publisher = async (key: string): Promise<void> => {
    for (let n = 0; n < PER_KEY; n++) {
      const eventId = randomUUID();
      rows.set(eventId, { key, n });
      byKey.get(key)?.push(eventId);
      state.set(eventId, 'held');
      await first.publish([
        {
          eventId,
          messageType: TYPE,
          table: 'request',
          payload: '{}',
          maxAttempts: 100,
          orderingKey: key,
          createdBy: 'A',
        },
      ]);
      if (Math.random() < 0.3) await sleep(Math.random() * 5);
    }
  };

  const checkOrder = (m: ClaimedMessage): void => {
    const row = rows.get(m.eventId);
    if (row === undefined) return;
    const ids = byKey.get(row.key) ?? [];
    for (const earlier of ids.slice(0, row.n)) {
      if (state.get(earlier) === 'held')
        problems.push(`${row.key}#${row.n} claimed while #${rows.get(earlier)?.n} held`);
    }
  };

  const worker = async (store: PostgresStore, stop: () => boolean): Promise<void> => {
    while (!stop()) {
      const claimed = await store.claim({
        table: 'request',
        messageTypes: [TYPE],
        limit: 3,
        owner: `W/${randomUUID()}`,
        updatedBy: 'W',
        leaseMs: 60_000,
      });
      if (claimed.length === 0) {
        await sleep(2);
        continue;
      }
      for (const m of claimed) {
        checkOrder(m);
        const ref = {
          table: m.table,
          eventId: m.eventId,
          messageType: m.messageType,
          claimToken: m.claimToken,
          orderingKey: m.orderingKey,
        };
        const roll = Math.random();
        if (chaos && roll < 0.12) {
          await store.fail([{ ref, updatedBy: 'W', error: 'again', retryDelayMs: 0 }]);
        } else if (chaos && roll < 0.2) {
          await store.fail([{ ref, updatedBy: 'W', error: 'parked', retryDelayMs: null }]);
        } else {
          state.set(m.eventId, 'completing');
          const [outcome] = await store.complete([{ ref, updatedBy: 'W', emits: [], workingData: [] }]);
          if (outcome !== 'ok') problems.push(`complete of ${m.eventId}: ${outcome}`);
        }
      }
    }
  };

  const skippedOnce: string[] = [];
  let maxWaiting = 0;
  const operator = async (stop: () => boolean): Promise<void> => {
    while (!stop()) {
      await first.promoteDueRetries(100, 'op');
      const { keys } = await first.listParkedKeys({ limit: 100 });
      for (const parked of keys) {
        const { eventId, messageType, table } = parked.head;
        if (chaos && Math.random() < 0.5) {
          await first.redrive({ eventId }, 'op');
        } else {
          state.set(eventId, 'skipped');
          if (!(await first.skipParkedHead({ table, eventId, messageType, updatedBy: 'op' })))
            state.set(eventId, 'held');
          else skippedOnce.push(eventId);
        }
      }
      // Now and then a skipped row comes back (its key may have a later head by now).
      if (chaos && skippedOnce.length > 0 && Math.random() < 0.2) {
        const eventId = skippedOnce.shift() as string;
        await first.redrive({ eventId }, 'op');
      }
      const waiting = await headsWaiting(first.schema);
      if (waiting.length > 0) problems.push(`heads waiting: ${waiting.join(', ')}`);
      maxWaiting = Math.max(maxWaiting, (await keyWaitCounts(first.schema)).waiting);
      await sleep(5);
    }
  };

  const drained = async (): Promise<boolean> => {
    const counts = await first.countByStatus({});
    const open = counts.filter((c) => c.status !== 'COMPLETED' && c.status !== 'FAILED');
    if (open.length > 0 || publishing) return false;
    return (await first.listParkedKeys({ limit: 1 })).keys.length === 0;
  };

  let finished = false;
  const stop = (): boolean => finished;
  const loops = [worker(first, stop), worker(first, stop), worker(second, stop), worker(second, stop), operator(stop)];
  await Promise.all(KEYS.map(publisher));
  publishing = false;
  chaos = false;
  const deadline = Date.now() + 40_000;
  while (!(await drained()) && Date.now() < deadline) await sleep(50);
  finished = true;
  await Promise.all(loops);

  const counts = await first.countByStatus({});
  expect({ problems, heads: await headsWaiting(first.schema) }).toEqual({ problems: [], heads: [] });
  expect(counts.filter((c) => c.status !== 'COMPLETED' && c.status !== 'FAILED')).toEqual([]);
  expect((await first.listParkedKeys({ limit: 10 })).keys).toEqual([]);
  const completed = counts.find((c) => c.status === 'COMPLETED')?.count ?? 0;
  const failed = counts.find((c) => c.status === 'FAILED')?.count ?? 0;
  expect(completed + failed).toBe(KEYS.length * PER_KEY);
  // The run did exercise demotion: rows waited behind their keys at some point.
  expect(maxWaiting).toBeGreaterThan(10);
}, 90_000);
