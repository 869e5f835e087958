/**
 * Redis-specific ordering-key cases (docs/redis.md, "Ordering keys"), run on one server and on
 * the private Redis Cluster: parked keys (list, page, skip, re-drive, purge), many concurrent
 * claimers with errors and releases, and one hot key not taking other keys' claim slots.
 * Counts are exact; nothing here asserts a speed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import type { ClaimedMessage, EventStore, NewMessage } from '../../src/store/port.js';
import {
  claimNone,
  claimOne,
  claimRequest,
  getRow,
  leaseRefOf,
  newMessage,
  sleep,
  TEST_TABLE,
} from '../../src/testing/builders.js';

const done = (c: ClaimedMessage) => ({ ref: leaseRefOf(c), updatedBy: 'B', emits: [], workingData: [] });

async function failFor(
  store: EventStore,
  c: ClaimedMessage,
  error: string,
  retryDelayMs: number | null,
): Promise<void> {
  assert.deepEqual(await store.fail([{ ref: leaseRefOf(c), updatedBy: 'B', error, retryDelayMs }]), ['ok']);
}

export function describeRedisOrdering(title: string, open: () => Promise<EventStore>): void {
  describe(`redis ordering keys: ${title}`, () => {
    it('a FAILED head parks its key: listed, kept by purge, re-driven head first, skipped to let the key go on', async () => {
      const store = await open();
      try {
        const [a, b, c] = Array.from({ length: 3 }, () => newMessage({ orderingKey: 'park-me' }));
        const other = newMessage({ orderingKey: 'other' });
        assert.ok(a && b && c);
        await store.publish([a, b, c, other]);
        const first = await store.claim(claimRequest({ limit: 10 }));
        assert.deepEqual(first.map((m) => m.eventId).sort(), [a.eventId, other.eventId].sort());
        await failFor(store, first.find((m) => m.eventId === a.eventId) as ClaimedMessage, 'boom', null);
        await claimNone(store);
        assert.deepEqual(
          await store.complete([done(first.find((m) => m.eventId === other.eventId) as ClaimedMessage)]),
          ['ok'],
        );

        const parked = await store.listParkedKeys({ limit: 10 });
        assert.equal(parked.next, null);
        assert.equal(parked.keys.length, 1);
        assert.equal(parked.keys[0]?.table, TEST_TABLE);
        assert.equal(parked.keys[0]?.orderingKey, 'park-me');
        assert.equal(parked.keys[0]?.head.eventId, a.eventId);
        assert.equal(parked.keys[0]?.head.status, 'FAILED');
        assert.equal(parked.keys[0]?.waiting, 2);
        assert.deepEqual((await store.listParkedKeys({ limit: 10, table: 'inbound' })).keys, []);

        await sleep(3);
        assert.equal(
          await store.purge({ statuses: ['FAILED'], olderThanMs: 0, limit: 100 }),
          0,
          'purge deleted a parked head',
        );

        // Re-drive: the head is claimed again, before b.
        assert.equal(await store.redrive({ eventId: a.eventId }, 'OP'), 1);
        assert.deepEqual((await store.listParkedKeys({ limit: 10 })).keys, []);
        const again = await claimOne(store);
        assert.equal(again.eventId, a.eventId);
        await claimNone(store);
        await failFor(store, again, 'boom again', null);
        assert.equal((await store.listParkedKeys({ limit: 10 })).keys.length, 1);

        // Skip: only the parked head, once; then b is claimable.
        assert.equal(
          await store.skipParkedHead({
            table: TEST_TABLE,
            eventId: b.eventId,
            messageType: b.messageType,
            updatedBy: 'OP',
          }),
          false,
        );
        assert.equal(
          await store.skipParkedHead({
            table: 'inbound',
            eventId: a.eventId,
            messageType: a.messageType,
            updatedBy: 'OP',
          }),
          false,
        );
        assert.equal(
          await store.skipParkedHead({
            table: TEST_TABLE,
            eventId: a.eventId,
            messageType: a.messageType,
            updatedBy: 'OP',
          }),
          true,
        );
        assert.equal(
          await store.skipParkedHead({
            table: TEST_TABLE,
            eventId: a.eventId,
            messageType: a.messageType,
            updatedBy: 'OP',
          }),
          false,
        );
        const skipped = await getRow(store, a.eventId);
        assert.equal(skipped.status, 'FAILED');
        assert.match(
          skipped.lastError ?? '',
          /^EY_KEY_SKIPPED: skipped by OP at \d{4}-\d\d-\d\dT[\d:.]+Z; was: boom again$/,
        );
        assert.deepEqual((await store.listParkedKeys({ limit: 10 })).keys, []);
        const claimedB = await claimOne(store);
        assert.equal(claimedB.eventId, b.eventId);
        await claimNone(store);
        // A skipped row no longer blocks: purge may delete it.
        await sleep(3);
        assert.equal(await store.purge({ statuses: ['FAILED'], olderThanMs: 0, limit: 100 }), 1);
        assert.deepEqual(await store.complete([done(claimedB)]), ['ok']);
        assert.equal((await claimOne(store)).eventId, c.eventId);
        assert.equal(await store.getPayload(c.eventId), c.payload);
      } finally {
        await store.close();
      }
    });

    it('listParkedKeys pages through parked keys in (table, key) order', async () => {
      const store = await open();
      try {
        const keys = ['k-c', 'k-a', 'k-e', 'k-b', 'k-d'];
        const messages = keys.map((k) => newMessage({ orderingKey: k, maxAttempts: 1 }));
        await store.publish([...messages, ...keys.map((k) => newMessage({ orderingKey: k }))]);
        const claimed = await store.claim(claimRequest({ limit: 100 }));
        assert.equal(claimed.length, keys.length);
        for (const c of claimed) await failFor(store, c, 'x', null);
        const seen: string[] = [];
        let after: string | undefined;
        for (let pages = 0; pages < 10; pages++) {
          const page = await store.listParkedKeys({ limit: 2, after });
          seen.push(...page.keys.map((k) => k.orderingKey));
          for (const k of page.keys) assert.equal(k.waiting, 1);
          if (page.next === null) break;
          after = page.next;
        }
        assert.deepEqual(seen, ['k-a', 'k-b', 'k-c', 'k-d', 'k-e']);
      } finally {
        await store.close();
      }
    });

    it('a lease that expires keeps the row at its key head; release keeps its place', async () => {
      const store = await open();
      try {
        const [a, b] = Array.from({ length: 2 }, () => newMessage({ orderingKey: 'lease' }));
        assert.ok(a && b);
        await store.publish([a, b]);
        const claimed = await claimOne(store, { leaseMs: 1 });
        assert.equal(claimed.eventId, a.eventId);
        await sleep(5);
        assert.equal(await store.reapExpiredLeases({ limit: 10, retryDelayMs: 0, updatedBy: 'R' }), 1);
        await claimNone(store);
        await sleep(2);
        assert.equal(await store.promoteDueRetries(10, 'R'), 1);
        const retried = await claimOne(store);
        assert.equal(retried.eventId, a.eventId);
        assert.deepEqual(await store.release([leaseRefOf(retried)], 'B'), ['ok']);
        const afterRelease = await claimOne(store);
        assert.equal(afterRelease.eventId, a.eventId);
        assert.deepEqual(await store.complete([done(afterRelease)]), ['ok']);
        assert.equal((await claimOne(store)).eventId, b.eventId);
      } finally {
        await store.close();
      }
    });

    it('12 concurrent claimers with errors and releases keep every key in publish order', async () => {
      const store = await open();
      try {
        const keys = 16;
        const perKey = 12;
        const messages: NewMessage[] = [];
        for (let i = 0; i < keys * perKey; i++)
          messages.push(newMessage({ orderingKey: `key-${i % keys}`, maxAttempts: 100 }));
        // Four publishMany calls in input order, plus unkeyed rows between them.
        for (let i = 0; i < messages.length; i += messages.length / 4) {
          await store.publish([...messages.slice(i, i + messages.length / 4), newMessage()]);
        }
        const completedOrder = new Map<string, string[]>();
        const held = new Set<string>();
        let unkeyed = 0;
        let turn = 0;
        const worker = async (): Promise<void> => {
          for (let idle = 0; idle < 30;) {
            const claimed = await store.claim(claimRequest({ limit: 5 }));
            if (claimed.length === 0) {
              idle++;
              await store.promoteDueRetries(100, 'R');
              await sleep(3);
              continue;
            }
            idle = 0;
            for (const c of claimed) {
              if (c.orderingKey === null) continue;
              assert.ok(!held.has(c.orderingKey), `two rows of ${c.orderingKey} in progress together`);
              held.add(c.orderingKey);
            }
            await sleep(1);
            for (const c of claimed) {
              turn++;
              if (turn % 7 === 0) await failFor(store, c, 'transient', 0);
              else if (turn % 11 === 0) assert.deepEqual(await store.release([leaseRefOf(c)], 'B'), ['ok']);
              else {
                assert.deepEqual(await store.complete([done(c)]), ['ok']);
                if (c.orderingKey === null) unkeyed++;
                else completedOrder.set(c.orderingKey, [...(completedOrder.get(c.orderingKey) ?? []), c.eventId]);
              }
              if (c.orderingKey !== null) held.delete(c.orderingKey);
            }
          }
        };
        await Promise.all(Array.from({ length: 12 }, worker));
        assert.equal(unkeyed, 4);
        for (let k = 0; k < keys; k++) {
          const expected = messages.filter((_, i) => i % keys === k).map((m) => m.eventId);
          assert.deepEqual(completedOrder.get(`key-${k}`), expected, `key-${k} out of publish order`);
        }
        const counts = await store.countByStatus();
        assert.deepEqual(
          counts.map((c) => [c.status, c.count]),
          [['COMPLETED', keys * perKey + 4]],
        );
      } finally {
        await store.close();
      }
    });

    it("a keyed follow-up without a payload gets its event's payload (published or emitted)", async () => {
      const store = await open();
      try {
        const first = newMessage();
        await store.publish([first]);
        const handled = await claimOne(store);
        const follow = { ...newMessage({ eventId: first.eventId, messageType: 'RQ_FOLLOW', orderingKey: 'f-1' }) };
        delete (follow as { payload?: string }).payload;
        const emitted = { ...follow, orderingKey: 'f-2', messageType: 'RQ_FOLLOW_2' };
        assert.deepEqual(await store.complete([{ ...done(handled), emits: [emitted] }]), ['ok']);
        assert.equal((await store.publish([follow]))[0]?.created, true);
        const claimed = await store.claim(claimRequest({ messageTypes: ['RQ_FOLLOW', 'RQ_FOLLOW_2'], limit: 10 }));
        assert.deepEqual(claimed.map((c) => [c.messageType, c.payload]).sort(), [
          ['RQ_FOLLOW', first.payload],
          ['RQ_FOLLOW_2', first.payload],
        ]);
      } finally {
        await store.close();
      }
    });

    it("a hot key's backlog takes one claim slot: 20 other keys finish in 10 claims", async () => {
      const store = await open();
      try {
        const hot = Array.from({ length: 2000 }, () => newMessage({ orderingKey: 'hot' }));
        for (let i = 0; i < hot.length; i += 500) await store.publish(hot.slice(i, i + 500));
        const cold = Array.from({ length: 200 }, (_, i) => newMessage({ orderingKey: `cold-${i % 20}` }));
        await store.publish(cold);
        const coldLeft = new Set(cold.map((m) => m.eventId));
        let hotDone = 0;
        for (let round = 1; round <= 10; round++) {
          const claimed = await store.claim(claimRequest({ limit: 50 }));
          assert.equal(claimed.length, 21, `round ${round}: one hot row and one row per cold key`);
          assert.equal(claimed.filter((c) => c.orderingKey === 'hot').length, 1);
          assert.equal(claimed.filter((c) => c.orderingKey === 'hot')[0]?.eventId, hot[hotDone]?.eventId);
          assert.deepEqual(
            await store.complete(claimed.map(done)),
            claimed.map(() => 'ok'),
          );
          for (const c of claimed) coldLeft.delete(c.eventId);
          hotDone++;
        }
        assert.equal(coldLeft.size, 0);
        assert.equal((await store.claim(claimRequest({ limit: 50 }))).length, 1);
      } finally {
        await store.close();
      }
    });
  });
}
