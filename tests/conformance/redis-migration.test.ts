/**
 * Moving a key prefix from the layout of earlier releases (a hash per row) to row texts: the
 * first process to open the store moves every row, in batches, and every row reads as it did
 * (all fields), counts stay exact, a lease held before the move still completes, and
 * processes opened at the same time wait for the move instead of racing it. An old row that
 * cannot be moved (a value of another type under its key) is kept and shown as corrupt.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventStore, Logger, MessageRow } from '../../src/index.js';
import { createRedisStore } from '../../src/stores/redis/index.js';
import { MIGRATION_BATCH, layoutValues } from '../../src/stores/redis/migration.js';
import { claimRequest, leaseRefOf, listAll, newMessage } from '../../src/testing/builders.js';
import { deletePrefix, randomPrefix, SINGLE_REDIS } from '../support/redis-keys.js';
import { downgradeToV1 } from '../support/redis-v1-layout.js';

const admin = new Redis({ ...SINGLE_REDIS, maxRetriesPerRequest: 1 });
const prefixes: string[] = [];
afterAll(async () => {
  for (const prefix of prefixes) await deletePrefix(admin, prefix);
  await admin.quit();
});

const byId = (rows: readonly MessageRow[]): MessageRow[] =>
  [...rows].sort((a, b) => `${a.messageType}:${a.eventId}`.localeCompare(`${b.messageType}:${b.eventId}`));

const counted = async (store: EventStore): Promise<string[]> =>
  (await store.countByStatus({})).map((c) => `${c.table} ${c.messageType} ${c.status} ${c.count}`).sort();

describe.each([1, 4])('redis layout migration (%i partitions)', (partitions) => {
  it('moves every row in every state; rows, counts, leases and claims carry on as before', async () => {
    const keyPrefix = randomPrefix('migrate');
    prefixes.push(keyPrefix);
    const first = createRedisStore({ ...SINGLE_REDIS, keyPrefix, partitions, retainCompletedMs: -1 });
    // More rows than one migration call moves, in every status, with every optional field.
    const plain = Array.from({ length: MIGRATION_BATCH + 150 }, () => newMessage());
    const special = [
      newMessage({
        orderingKey: 'key|with:odd "chars" ✓',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      }),
      newMessage({ orderingKey: 'key|with:odd "chars" ✓' }),
      newMessage({ groupKey: 'group ✓', priority: 7 }),
      newMessage({ priority: 3, delayMs: 60_000 }),
      newMessage({ failure: 'bad input:\nline two | ✓' }),
    ];
    let held;
    try {
      await first.publish([...plain, ...special]);
      const claimed = await first.claim(claimRequest({ limit: 40 }));
      const [keep, done, failed, retried, released] = [
        claimed.slice(0, 10),
        claimed.slice(10, 20),
        claimed.slice(20, 25),
        claimed.slice(25, 30),
        claimed.slice(30, 35),
      ];
      const ok = (c: (typeof claimed)[number]) => ({
        ref: leaseRefOf(c),
        updatedBy: 'MIGRATE_TEST',
        emits: [],
        workingData: [],
      });
      await first.complete(done.map(ok));
      await first.fail(
        failed.map((c) => ({ ref: leaseRefOf(c), updatedBy: 'MIGRATE_TEST', error: 'boom | ✓\n', retryDelayMs: null })),
      );
      await first.fail(
        retried.map((c) => ({ ref: leaseRefOf(c), updatedBy: 'MIGRATE_TEST', error: 'later', retryDelayMs: 0 })),
      );
      await first.release(released.map(leaseRefOf), 'MIGRATE_TEST');
      held = keep;
    } finally {
      await first.close();
    }
    const v2 = createRedisStore({ ...SINGLE_REDIS, keyPrefix, partitions, retainCompletedMs: -1 });
    const before = byId(await listAll(v2));
    const countsBefore = await counted(v2);
    await v2.close();
    expect(before).toHaveLength(plain.length + special.length);

    expect(await downgradeToV1(admin, keyPrefix, partitions)).toBe(before.length);
    // A row key of another type: kept aside, shown as corrupt, never blocking the rest.
    const victim = before.find((r) => r.status === 'UNPROCESSED' && r.orderingKey === null && r.groupKey === null);
    expect(victim).toBeDefined();
    const victimId = `${victim?.messageType}:${victim?.eventId}`;
    const victimKey = (await admin.keys(`{${keyPrefix}:*}:r:${victimId}`))[0] as string;
    await admin.del(victimKey);
    await admin.set(victimKey, 'garbage');

    // Three processes open the store at once: one moves the rows, the others wait for it.
    const logged: string[] = [];
    const logger: Logger = {
      debug: () => undefined,
      info: (_fields, message) => void logged.push(message),
      warn: (_fields, message) => void logged.push(message),
      error: (_fields, message) => void logged.push(message),
    };
    const stores = [1, 2, 3].map(() =>
      createRedisStore({ ...SINGLE_REDIS, keyPrefix, partitions, retainCompletedMs: -1, logger }),
    );
    try {
      const lists = await Promise.all(stores.map((s) => listAll(s)));
      expect(await admin.get(`{${keyPrefix}:layout}`)).toBe(layoutValues(partitions).now);
      expect(await admin.exists(`{${keyPrefix}:layout}:migration`)).toBe(0);
      expect(await admin.keys(`{${keyPrefix}:*}:r:*`)).toEqual([]);
      const store = stores[0] as EventStore;
      for (const rows of lists) {
        const after = byId(rows);
        expect(after).toHaveLength(before.length);
        const corrupt = after.find((r) => `${r.messageType}:${r.eventId}` === victimId);
        expect(corrupt?.lastError).toMatch(/^EY_ROW_CORRUPT: /);
        expect(after.filter((r) => r !== corrupt)).toEqual(
          before.filter((r) => `${r.messageType}:${r.eventId}` !== victimId),
        );
      }
      expect(await admin.get(victimKey.replace(':r:', ':c:'))).toBe('garbage');
      expect(await counted(store)).toEqual(countsBefore);

      // A lease taken before the move still holds; a stale token still does not.
      const outcomes = await store.complete(
        (held ?? []).map((c) => ({ ref: leaseRefOf(c), updatedBy: 'MIGRATE_TEST', emits: [], workingData: [] })),
      );
      expect(outcomes.every((o) => o === 'ok')).toBe(true);
      expect(await store.heartbeat([leaseRefOf((held ?? [])[0] as never)], 1000)).toEqual(['lease_lost']);

      // Everything claimable drains: each row once, the corrupt one set aside.
      const seen = new Set<string>();
      for (;;) {
        const batch = await store.claim(claimRequest({ limit: 200 }));
        if (batch.length === 0) break;
        for (const c of batch) {
          expect(seen.has(c.eventId)).toBe(false);
          seen.add(c.eventId);
        }
        await store.complete(
          batch.map((c) => ({ ref: leaseRefOf(c), updatedBy: 'MIGRATE_TEST', emits: [], workingData: [] })),
        );
      }
      const claimable = before.filter(
        (r) =>
          (r.status === 'UNPROCESSED' || r.status === 'RETRY') &&
          r.availableAt <= Date.now() &&
          `${r.messageType}:${r.eventId}` !== victimId,
      );
      // Keyed rows come one at a time per key: the second waits for the first, both drain.
      expect(seen.size).toBe(claimable.length);
      const final = await listAll(store);
      expect(final.find((r) => `${r.messageType}:${r.eventId}` === victimId)?.status).toBe('FAILED');
      // One store moved the rows; the planted value was set aside once.
      expect(logged.sort()).toEqual([
        'redis store: corrupt row set aside as FAILED (EY_ROW_CORRUPT)',
        'redis store: moving rows to the row-text layout',
        'redis store: rows moved to the row-text layout',
      ]);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  }, 60_000);
});

describe('redis layout check', () => {
  it('waits while another process holds the migration lock, and goes on when it is done', async () => {
    const keyPrefix = randomPrefix('migrate-wait');
    prefixes.push(keyPrefix);
    const values = layoutValues(1);
    await admin.set(`{${keyPrefix}:layout}`, values.moving);
    await admin.set(`{${keyPrefix}:layout}:migration`, 'someone-else', 'PX', 30_000);
    const store = createRedisStore({ ...SINGLE_REDIS, keyPrefix });
    try {
      let settled = false;
      const published = store.publish([newMessage()]).finally(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(settled).toBe(false);
      await admin.set(`{${keyPrefix}:layout}`, values.now);
      await admin.del(`{${keyPrefix}:layout}:migration`);
      expect((await published)[0]?.created).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('takes over a move whose process died (its lock lapsed)', async () => {
    const keyPrefix = randomPrefix('migrate-takeover');
    prefixes.push(keyPrefix);
    await admin.set(`{${keyPrefix}:layout}`, layoutValues(1).moving);
    const store = createRedisStore({ ...SINGLE_REDIS, keyPrefix });
    try {
      expect((await store.publish([newMessage()]))[0]?.created).toBe(true);
      expect(await admin.get(`{${keyPrefix}:layout}`)).toBe(layoutValues(1).now);
    } finally {
      await store.close();
    }
  });
});
