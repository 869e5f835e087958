/** Ordering keys (features.orderingKeys): one row per key in progress, in publish order. */
import assert from 'node:assert/strict';
import type { ConformanceCase } from '../types.js';
import type { ClaimedMessage } from '../../store/port.js';
import { claimNone, claimOne, claimRequest, leaseRefOf, newMessage, publishInOrder, sleep } from '../builders.js';

export const orderingCases: readonly ConformanceCase[] = [
  {
    name: 'ordering keys: one row per key in progress, claimed in publish order',
    requires: 'orderingKeys',
    async run({ store }) {
      const k1 = Array.from({ length: 3 }, () => newMessage({ orderingKey: 'customer-1' }));
      const k2 = newMessage({ orderingKey: 'customer-2' });
      const free = newMessage();
      await publishInOrder(
        store,
        [k1[0], k2, k1[1], free, k1[2]].filter((m) => m !== undefined),
      );
      const first = await store.claim(claimRequest({ limit: 100 }));
      assert.deepEqual(first.map((c) => c.eventId).sort(), [k1[0]?.eventId, k2.eventId, free.eventId].sort());
      await claimNone(store);
      const head = first.find((c) => c.eventId === k1[0]?.eventId) as ClaimedMessage;
      assert.deepEqual(await store.complete([{ ref: leaseRefOf(head), updatedBy: 'B', emits: [], workingData: [] }]), [
        'ok',
      ]);
      const second = await claimOne(store);
      assert.equal(second.eventId, k1[1]?.eventId);
      assert.equal(second.orderingKey, 'customer-1');
      await claimNone(store);
    },
  },
  {
    name: 'ordering keys: an ERROR earlier row blocks later ones; a FAILED one parks the key',
    requires: 'orderingKeys',
    async run({ store }) {
      // Issue 18: FAILED parks its key. Branch redis-order builds that on Redis only; the park
      // branch brings the other stores (and its own version of this case) — until the merge,
      // a store without listParkedKeys still runs the old rule and is not asked this.
      const parks = await store.listParkedKeys({ limit: 1 }).then(
        () => true,
        (error: unknown) => (error as { code?: string }).code !== 'EY_UNSUPPORTED_FEATURE',
      );
      if (!parks) return;
      const [a, b, c] = Array.from({ length: 3 }, () => newMessage({ orderingKey: 'k' }));
      assert.ok(a && b && c);
      await publishInOrder(store, [a, b, c]);
      const claimedA = await claimOne(store);
      assert.equal(claimedA.eventId, a.eventId);
      await store.fail([{ ref: leaseRefOf(claimedA), updatedBy: 'B', error: 'retry me', retryDelayMs: 0 }]);
      await sleep(3);
      await claimNone(store);
      assert.equal(await store.promoteDueRetries(10, 'R'), 1);
      const retried = await claimOne(store);
      assert.equal(retried.eventId, a.eventId, 'a later row overtook an earlier ERROR row of its key');
      await store.fail([{ ref: leaseRefOf(retried), updatedBy: 'B', error: 'give up', retryDelayMs: null }]);
      await claimNone(store);
      assert.equal(await store.redrive({ eventId: a.eventId }, 'OP'), 1);
      const redriven = await claimOne(store);
      assert.equal(redriven.eventId, a.eventId, 'a re-driven head was not head again');
      assert.deepEqual(
        await store.complete([{ ref: leaseRefOf(redriven), updatedBy: 'B', emits: [], workingData: [] }]),
        ['ok'],
      );
      const claimedB = await claimOne(store);
      assert.equal(claimedB.eventId, b.eventId);
      await claimNone(store);
      await store.release([leaseRefOf(claimedB)], 'B');
      assert.equal((await claimOne(store)).eventId, b.eventId, 'a released row lost its place');
    },
  },
  {
    name: 'ordering keys: concurrent claimers never hold two rows of one key',
    requires: 'orderingKeys',
    async run({ store }) {
      const keys = 10;
      const perKey = 8;
      const messages = Array.from({ length: keys * perKey }, (_, i) => newMessage({ orderingKey: `key-${i % keys}` }));
      for (let i = 0; i < messages.length; i += keys) {
        await store.publish(messages.slice(i, i + keys));
        await sleep(3);
      }
      const order = new Map<string, string[]>();
      const held = new Set<string>();
      let rounds = 0;
      const worker = async (): Promise<void> => {
        for (let idle = 0; idle < 20;) {
          const claimed = await store.claim(claimRequest({ limit: 4 }));
          if (claimed.length === 0) {
            idle++;
            await sleep(5);
            continue;
          }
          idle = 0;
          rounds++;
          for (const c of claimed) {
            const key = c.orderingKey ?? '';
            assert.ok(!held.has(key), `two rows of ${key} in progress together`);
            held.add(key);
            order.set(key, [...(order.get(key) ?? []), c.eventId]);
          }
          await sleep(1);
          for (const c of claimed) held.delete(c.orderingKey ?? '');
          const outcomes = await store.complete(
            claimed.map((c) => ({ ref: leaseRefOf(c), updatedBy: 'B', emits: [], workingData: [] })),
          );
          assert.deepEqual(
            outcomes,
            claimed.map(() => 'ok'),
          );
        }
      };
      await Promise.all(Array.from({ length: 6 }, worker));
      assert.ok(rounds >= perKey);
      for (let k = 0; k < keys; k++) {
        const expected = messages.filter((_, i) => i % keys === k).map((m) => m.eventId);
        assert.deepEqual(order.get(`key-${k}`), expected, `key-${k} was not processed in publish order`);
      }
    },
  },
];
