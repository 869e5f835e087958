/**
 * Parked ordering keys (features.orderingKeys): a keyed row that ends FAILED parks its key
 * (the key's later rows wait, other keys flow) until an operator re-drives the head (claimed
 * first, then the rest in order) or skips it (`skipParkedHead`: the key continues). Parked
 * heads are listed by `listParkedKeys` and never purged.
 */
import assert from 'node:assert/strict';
import type { ConformanceCase } from '../types.js';
import type { ClaimedMessage, EventStore, NewMessage, ParkedKey } from '../../store/port.js';
import {
  claimNone,
  claimOne,
  claimRequest,
  getRow,
  leaseRefOf,
  newMessage,
  publishInOrder,
  sleep,
  TEST_TABLE,
  TEST_TYPE,
} from '../builders.js';

const complete = async (store: EventStore, claimed: ClaimedMessage): Promise<void> => {
  assert.deepEqual(await store.complete([{ ref: leaseRefOf(claimed), updatedBy: 'B', emits: [], workingData: [] }]), [
    'ok',
  ]);
};

const failFinally = async (store: EventStore, claimed: ClaimedMessage, error = 'boom'): Promise<void> => {
  assert.deepEqual(await store.fail([{ ref: leaseRefOf(claimed), updatedBy: 'B', error, retryDelayMs: null }]), ['ok']);
};

const keyed = (key: string, count: number, overrides: Partial<NewMessage> = {}): NewMessage[] =>
  Array.from({ length: count }, () => newMessage({ orderingKey: key, ...overrides }));

const skip = (store: EventStore, m: NewMessage, by = 'OPS'): Promise<boolean> =>
  store.skipParkedHead({ table: m.table, eventId: m.eventId, messageType: m.messageType, updatedBy: by });

const SKIPPED = /^EY_KEY_SKIPPED: skipped by OPS at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z; was: boom$/;

export const parkedCases: readonly ConformanceCase[] = [
  {
    name: 'parked keys: a FAILED head parks its key; its later rows wait, other keys flow',
    requires: 'orderingKeys',
    async run({ store }) {
      const [a, b] = keyed('k', 2);
      const [c, d] = keyed('other', 2);
      const free = newMessage();
      assert.ok(a && b && c && d);
      await publishInOrder(store, [a, b, c, d, free]);
      const first = await store.claim(claimRequest({ limit: 100 }));
      assert.deepEqual(first.map((m) => m.eventId).sort(), [a.eventId, c.eventId, free.eventId].sort());
      const byId = new Map(first.map((m) => [m.eventId, m]));
      await failFinally(store, byId.get(a.eventId) as ClaimedMessage);
      await complete(store, byId.get(c.eventId) as ClaimedMessage);
      await complete(store, byId.get(free.eventId) as ClaimedMessage);
      const next = await claimOne(store, { limit: 100 });
      assert.equal(next.eventId, d.eventId, 'the other key did not continue');
      await complete(store, next);
      await claimNone(store);
      assert.equal((await getRow(store, b.eventId)).status, 'UNPROCESSED');
      const page = await store.listParkedKeys({ limit: 10 });
      assert.equal(page.next, null);
      assert.deepEqual(
        page.keys.map((k) => [k.table, k.orderingKey, k.head.eventId, k.head.status, k.head.lastError, k.waiting]),
        [[TEST_TABLE, 'k', a.eventId, 'FAILED', 'boom', 1]],
      );
    },
  },
  {
    name: 'parked keys: skipping the head lets its key continue with the next row',
    requires: 'orderingKeys',
    async run({ store }) {
      const [a, b, c] = keyed('k', 3);
      assert.ok(a && b && c);
      await publishInOrder(store, [a, b, c]);
      await failFinally(store, await claimOne(store));
      await claimNone(store);
      assert.equal(await skip(store, a), true);
      const head = await getRow(store, a.eventId);
      assert.equal(head.status, 'FAILED');
      assert.equal(head.updatedBy, 'OPS');
      assert.match(head.lastError ?? '', SKIPPED);
      assert.deepEqual((await store.listParkedKeys({ limit: 10 })).keys, []);
      const claimedB = await claimOne(store, { limit: 100 });
      assert.equal(claimedB.eventId, b.eventId);
      await claimNone(store);
      await complete(store, claimedB);
      assert.equal((await claimOne(store, { limit: 100 })).eventId, c.eventId);
    },
  },
  {
    name: 'parked keys: a re-driven head is claimed first, then the rest of its key in order',
    requires: 'orderingKeys',
    async run({ store }) {
      const [a, b, c] = keyed('k', 3);
      assert.ok(a && b && c);
      await publishInOrder(store, [a, b, c]);
      await failFinally(store, await claimOne(store));
      assert.equal(await store.redrive({ eventId: a.eventId, messageType: TEST_TYPE }, 'OPS'), 1);
      assert.deepEqual((await store.listParkedKeys({ limit: 10 })).keys, []);
      for (const expected of [a, b, c]) {
        const claimed = await store.claim(claimRequest({ limit: 100 }));
        assert.deepEqual(
          claimed.map((m) => m.eventId),
          [expected.eventId],
        );
        await complete(store, claimed[0] as ClaimedMessage);
      }
      await claimNone(store);
    },
  },
  {
    name: 'parked keys: a re-driven skipped head holds its key again until it ends',
    requires: 'orderingKeys',
    async run({ store }) {
      const [a, b] = keyed('k', 2);
      assert.ok(a && b);
      await publishInOrder(store, [a, b]);
      await failFinally(store, await claimOne(store));
      assert.equal(await skip(store, a), true);
      assert.equal(await store.redrive({ eventId: a.eventId, messageType: TEST_TYPE }, 'OPS'), 1);
      const again = await claimOne(store, { limit: 100 });
      assert.equal(again.eventId, a.eventId, 'the re-driven head was not claimed first');
      await claimNone(store);
      await failFinally(store, again);
      await claimNone(store);
      const [parked] = (await store.listParkedKeys({ limit: 10 })).keys;
      assert.equal(parked?.head.eventId, a.eventId, 'the head failed again but its key is not parked');
      assert.equal(parked.waiting, 1);
    },
  },
  {
    name: 'parked keys: listParkedKeys pages through every parked key once, counts waiting rows, filters by table',
    requires: 'orderingKeys',
    async run({ store }) {
      const heads: NewMessage[] = [];
      for (let i = 0; i < 3; i++) {
        const [head, ...rest] = keyed(`key-${i}`, i + 2);
        assert.ok(head);
        heads.push(head);
        await publishInOrder(store, [head, ...rest]);
      }
      const inbound = newMessage({ orderingKey: 'key-0', table: 'inbound', messageType: 'IN_CONFORMANCE' });
      await publishInOrder(store, [inbound]);
      const claimed = await store.claim(claimRequest({ limit: 100 }));
      assert.deepEqual(claimed.map((m) => m.eventId).sort(), heads.map((h) => h.eventId).sort());
      for (const m of claimed) await failFinally(store, m);
      await failFinally(store, await claimOne(store, { table: 'inbound', messageTypes: ['IN_CONFORMANCE'] }));
      // The order of keys is the store's (SQLite, PostgreSQL: the head's publish order; Redis:
      // table, then key): pages must cover every parked key once, in pages of `limit`.
      const first = await store.listParkedKeys({ limit: 2 });
      assert.equal(first.keys.length, 2);
      assert.ok(first.next !== null, 'a first page of 2 out of 4 keys has no next');
      const second = await store.listParkedKeys({ limit: 2, after: first.next });
      assert.equal(second.keys.length, 2);
      assert.equal(second.next, null);
      const describe = (k: ParkedKey): string => [k.table, k.orderingKey, k.head.eventId, k.waiting].join(' ');
      assert.deepEqual(
        [...first.keys, ...second.keys].map(describe).sort(),
        [
          ['request', 'key-0', heads[0]?.eventId, 1],
          ['request', 'key-1', heads[1]?.eventId, 2],
          ['request', 'key-2', heads[2]?.eventId, 3],
          ['inbound', 'key-0', inbound.eventId, 0],
        ]
          .map((k) => k.join(' '))
          .sort(),
      );
      const inboundOnly = await store.listParkedKeys({ table: 'inbound', limit: 10 });
      assert.deepEqual(
        inboundOnly.keys.map((k) => k.head.eventId),
        [inbound.eventId],
      );
      await assert.rejects(store.listParkedKeys({ limit: 0 }), { code: 'EY_INVALID_FILTER' });
    },
  },
  {
    name: 'parked keys: purge never deletes a parked head, but deletes a skipped one',
    requires: 'orderingKeys',
    async run({ store }) {
      const [parked, waiting] = keyed('k', 2);
      const [skipped] = keyed('j', 1);
      const free = newMessage();
      assert.ok(parked && waiting && skipped);
      await publishInOrder(store, [parked, waiting, skipped, free]);
      const claimed = await store.claim(claimRequest({ limit: 100 }));
      assert.equal(claimed.length, 3);
      for (const m of claimed) await failFinally(store, m);
      assert.equal(await skip(store, skipped), true);
      await sleep(5);
      assert.equal(await store.purge({ statuses: ['COMPLETED', 'FAILED'], olderThanMs: 0, limit: 100 }), 2);
      assert.equal((await getRow(store, parked.eventId)).status, 'FAILED');
      assert.equal((await getRow(store, waiting.eventId)).status, 'UNPROCESSED');
      assert.equal(await store.getPayload(parked.eventId), JSON.stringify({ amount: 1 }));
      assert.deepEqual(
        (await store.listParkedKeys({ limit: 10 })).keys.map((k) => [k.head.eventId, k.waiting]),
        [[parked.eventId, 1]],
      );
      await claimNone(store);
    },
  },
  {
    name: 'parked keys: skip changes nothing but a FAILED, keyed, not yet skipped row',
    requires: 'orderingKeys',
    async run({ store }) {
      const free = newMessage();
      const [errored] = keyed('e', 1);
      const [head, later] = keyed('k', 2);
      assert.ok(errored && head && later);
      await publishInOrder(store, [free, errored, head, later]);
      const claimed = new Map((await store.claim(claimRequest({ limit: 100 }))).map((m) => [m.eventId, m]));
      assert.equal(claimed.size, 3);
      await failFinally(store, claimed.get(free.eventId) as ClaimedMessage);
      const erroredClaim = claimed.get(errored.eventId) as ClaimedMessage;
      await store.fail([{ ref: leaseRefOf(erroredClaim), updatedBy: 'B', error: 'later', retryDelayMs: 60_000 }]);
      await failFinally(store, claimed.get(head.eventId) as ClaimedMessage);
      assert.equal(await skip(store, free), false, 'an unkeyed FAILED row was skipped');
      assert.equal(await skip(store, errored), false, 'an ERROR row was skipped');
      assert.equal(await skip(store, later), false, 'an UNPROCESSED row was skipped');
      assert.equal(await skip(store, { ...head, table: 'inbound' }), false, 'a row was skipped in another table');
      assert.equal(await skip(store, newMessage({ orderingKey: 'k' })), false, 'a missing row was skipped');
      assert.equal((await getRow(store, free.eventId)).lastError, 'boom');
      assert.equal((await getRow(store, errored.eventId)).status, 'ERROR');
      assert.equal(await skip(store, head), true);
      const once = await getRow(store, head.eventId);
      assert.equal(await skip(store, head, 'OTHER'), false, 'a skipped row was skipped again');
      assert.deepEqual(await getRow(store, head.eventId), once);
      assert.match(once.lastError ?? '', SKIPPED);
    },
  },
  {
    name: 'ordering keys: one hot key with many waiting rows does not hold up the heads of other keys',
    requires: 'orderingKeys',
    async run({ store }) {
      const hot = keyed('hot', 300);
      for (let i = 0; i < hot.length; i += 100) await store.publish(hot.slice(i, i + 100));
      await sleep(3);
      const cold = Array.from({ length: 10 }, (_, i) => newMessage({ orderingKey: `cold-${i}` }));
      await store.publish(cold);
      const claimed = await store.claim(claimRequest({ limit: 11 }));
      const hotClaimed = claimed.filter((m) => m.orderingKey === 'hot');
      assert.equal(hotClaimed.length, 1, 'more or less than one row of the hot key');
      assert.deepEqual(
        claimed
          .filter((m) => m.orderingKey !== 'hot')
          .map((m) => m.eventId)
          .sort(),
        cold.map((m) => m.eventId).sort(),
        'a claim did not reach the heads of the other keys',
      );
      for (const m of claimed) await complete(store, m);
      const next = await store.claim(claimRequest({ limit: 11 }));
      assert.deepEqual(
        next.map((m) => m.orderingKey),
        ['hot'],
      );
    },
  },
  {
    // A row made head, then not head (a skipped row re-driven ahead of it), then head again
    // may be made claimable twice; it is still claimed once.
    name: 'parked keys: a row made head twice over a re-driven skipped head is claimed once',
    requires: 'orderingKeys',
    async run({ store }) {
      const other = 'RQ_CONFORMANCE_OTHER';
      const a = newMessage({ orderingKey: 'twice', messageType: other });
      const b = newMessage({ orderingKey: 'twice' });
      await publishInOrder(store, [a, b]);
      await failFinally(store, await claimOne(store, { messageTypes: [other] }));
      assert.equal(await skip(store, a), true);
      // The skip made b head; re-driving a puts a ahead of it again.
      assert.equal(await store.redrive({ eventId: a.eventId, messageType: other }, 'OPS'), 1);
      await complete(store, await claimOne(store, { messageTypes: [other] }));
      // a is done: b is head once more.
      const claimed = await store.claim(claimRequest({ limit: 10 }));
      assert.deepEqual(
        claimed.map((m) => m.eventId),
        [b.eventId],
      );
      await complete(store, claimed[0] as ClaimedMessage);
      await claimNone(store);
      await claimNone(store, { messageTypes: [other] });
    },
  },
];
