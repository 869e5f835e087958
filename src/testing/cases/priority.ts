/**
 * Message priorities (core/priority.ts): higher first within a type, equal priorities in
 * publish order, due-ness judged on AVAILABLE_AT, priority kept across retries, aging (a
 * low row waits at most 9 × the aging step behind newer high rows), bad values refused.
 * The stores under test must be created with `priorityAgingStepMs` = timing.priorityAgingStepMs.
 */
import assert from 'node:assert/strict';
import { ErrorCode, EventyardError } from '../../core/errors.js';
import { MAX_PRIORITY } from '../../core/priority.js';
import type { ClaimedMessage, EventStore, NewMessage } from '../../store/port.js';
import type { ConformanceCase } from '../types.js';
import {
  claimNone,
  claimOne,
  claimRequest,
  getRow,
  leaseRefOf,
  listAll,
  newMessage,
  publishInOrder,
  sleep,
  TEST_TYPE,
} from '../builders.js';

const OTHER_TYPE = 'RQ_CONFORMANCE_PRIORITY';

const ids = (claimed: readonly ClaimedMessage[]): string[] => claimed.map((c) => c.eventId);

async function expectInvalid(store: EventStore, messages: readonly NewMessage[], what: string): Promise<void> {
  await assert.rejects(
    store.publish(messages),
    (error: unknown) => error instanceof EventyardError && error.code === ErrorCode.INVALID_PRIORITY,
    `${what}: expected EY_INVALID_PRIORITY`,
  );
}

export const priorityCases: readonly ConformanceCase[] = [
  {
    name: "priority: a keyed row that becomes its key's head is claimed by its priority",
    requires: 'orderingKeys',
    async run({ store }) {
      const orderingKey = `prio-${Math.random().toString(36).slice(2)}`;
      const first = newMessage({ orderingKey });
      const plain = newMessage();
      const second = newMessage({ orderingKey, priority: 9 });
      await publishInOrder(store, [first, plain, second]);
      const head = await claimOne(store);
      assert.equal(head.eventId, first.eventId);
      assert.deepEqual(
        await store.complete([{ ref: leaseRefOf(head), updatedBy: 'SERVICE_B', emits: [], workingData: [] }]),
        ['ok'],
      );
      // Head now, scored by its claim key (AVAILABLE_AT − lead): ahead of the older unkeyed row.
      const next = await store.claim(claimRequest({ limit: 1 }));
      assert.deepEqual(ids(next), [second.eventId], 'a new head lost its priority');
      assert.equal(next[0]?.priority, 9);
      assert.equal(next[0]?.orderingKey, orderingKey);
    },
  },
  {
    name: 'priority: grouped rows keep their priority and group; a delayed one waits for its AVAILABLE_AT',
    async run({ store, timing }) {
      const groups = { [TEST_TYPE]: { maxInFlight: 10 } };
      const delayMs = Math.max(1, Math.floor((timing.priorityAgingStepMs * MAX_PRIORITY) / 2));
      const delayed = newMessage({ groupKey: 'g-prio', priority: MAX_PRIORITY, delayMs });
      const low = newMessage({ groupKey: 'g-prio' });
      await publishInOrder(store, [delayed, low]);
      const first = await store.claim(claimRequest({ limit: 1, groups }));
      assert.deepEqual(ids(first), [low.eventId], 'claimed a delayed grouped row before its AVAILABLE_AT');
      assert.equal(first[0]?.groupKey, 'g-prio');
      assert.equal(first[0]?.priority, 0);
      assert.deepEqual(await store.claim(claimRequest({ limit: 1, groups })), []);
      const row = await getRow(store, delayed.eventId);
      assert.equal(row.status, 'UNPROCESSED');
      assert.equal(row.groupKey, 'g-prio');
      await sleep(Math.max(0, row.availableAt - (await store.now())) + timing.marginMs);
      const later = await store.claim(claimRequest({ limit: 1, groups }));
      assert.deepEqual(ids(later), [delayed.eventId]);
      assert.equal(later[0]?.groupKey, 'g-prio');
      assert.equal(later[0]?.priority, MAX_PRIORITY);
    },
  },
  {
    name: 'priority: higher claimed first within the type, equal priorities in publish order',
    async run({ store }) {
      const priorities = [0, 5, 9, 5, 0, 9, 1];
      const messages = priorities.map((priority) => newMessage(priority === 0 ? {} : { priority }));
      // In one publish: one AVAILABLE_AT for all, so only the priority and publish order decide.
      await store.publish(messages.slice(0, 4));
      await publishInOrder(store, messages.slice(4));
      for (const [i, m] of messages.entries()) assert.equal((await getRow(store, m.eventId)).priority, priorities[i]);
      const expected = [2, 5, 1, 3, 6, 0, 4].map((i) => messages[i]?.eventId);
      const first = await store.claim(claimRequest({ limit: 3 }));
      assert.deepEqual(ids(first), expected.slice(0, 3));
      assert.deepEqual(
        first.map((c) => c.priority),
        [9, 9, 5],
      );
      assert.deepEqual(ids(await store.claim(claimRequest({ limit: 10 }))), expected.slice(3));
    },
  },
  {
    name: 'priority: a claim over several types takes the highest priorities across them',
    async run({ store }) {
      const lowA = [newMessage(), newMessage(), newMessage()];
      const highB = [1, 2, 3].map(() => newMessage({ messageType: OTHER_TYPE, priority: 9 }));
      const midA = newMessage({ priority: 5 });
      await publishInOrder(store, [...lowA, ...highB, midA]);
      const types = [TEST_TYPE, OTHER_TYPE];
      const first = await store.claim(claimRequest({ messageTypes: types, limit: 4 }));
      assert.deepEqual(
        ids(first),
        [...highB, midA].map((m) => m.eventId),
      );
      const second = await store.claim(claimRequest({ messageTypes: types, limit: 2 }));
      assert.deepEqual(
        ids(second),
        lowA.slice(0, 2).map((m) => m.eventId),
      );
      assert.deepEqual(ids(await store.claim(claimRequest({ messageTypes: types, limit: 5 }))), [lowA[2]?.eventId]);
    },
  },
  {
    name: 'priority: a delayed high-priority row is not claimed before its AVAILABLE_AT',
    async run({ store, timing }) {
      // Delayed by less than its lead (9 steps): its effective time is already past, its
      // AVAILABLE_AT is not.
      const delayMs = Math.max(1, Math.floor((timing.priorityAgingStepMs * MAX_PRIORITY) / 2));
      const high = newMessage({ priority: MAX_PRIORITY, delayMs });
      const low = newMessage();
      await publishInOrder(store, [high, low]);
      // Limit 1: the delayed row comes first in claim order and must be stepped over.
      const claimed = await store.claim(claimRequest({ limit: 1 }));
      assert.deepEqual(ids(claimed), [low.eventId], 'claimed a delayed row before its AVAILABLE_AT');
      await claimNone(store);
      const row = await getRow(store, high.eventId);
      assert.equal(row.status, 'UNPROCESSED');
      const wait = row.availableAt - (await store.now());
      await sleep(Math.max(0, wait) + timing.marginMs);
      assert.equal((await claimOne(store)).eventId, high.eventId);
    },
  },
  {
    name: 'priority: kept across retry, release and re-drive',
    async run({ store }) {
      const high = newMessage({ priority: 7 });
      const low = newMessage();
      await publishInOrder(store, [low, high]);
      // Release: claimable again at once, still ahead of the older low row.
      const first = await claimOne(store);
      assert.equal(first.eventId, high.eventId);
      assert.deepEqual(await store.release([leaseRefOf(first)], 'SERVICE_B'), ['ok']);
      const again = await claimOne(store);
      assert.equal(again.eventId, high.eventId, 'a released row lost its priority');
      // Fail with a retry, promote: RETRY ahead of the low row published before it.
      assert.deepEqual(
        await store.fail([{ ref: leaseRefOf(again), updatedBy: 'SERVICE_B', error: 'x', retryDelayMs: 0 }]),
        ['ok'],
      );
      await sleep(5);
      assert.equal(await store.promoteDueRetries(10, 'SERVICE_RETRY'), 1);
      const retried = await claimOne(store);
      assert.equal(retried.eventId, high.eventId, 'a retried row lost its priority');
      assert.equal(retried.priority, 7);
      assert.equal(retried.attempts, 2);
      // FAILED, re-driven: RETRY ahead of the low row.
      assert.deepEqual(
        await store.fail([{ ref: leaseRefOf(retried), updatedBy: 'SERVICE_B', error: 'y', retryDelayMs: null }]),
        ['ok'],
      );
      assert.equal(await store.redrive({ eventId: high.eventId }, 'OPERATOR'), 1);
      const redriven = await claimOne(store);
      assert.equal(redriven.eventId, high.eventId, 'a re-driven row lost its priority');
      assert.equal((await getRow(store, high.eventId)).priority, 7);
      assert.equal((await claimOne(store)).eventId, low.eventId);
    },
  },
  {
    name: "priority: a completion's emits keep their priority (same event and a new one)",
    async run({ store }) {
      const parent = newMessage();
      const low = newMessage();
      await publishInOrder(store, [parent, low]);
      const claimed = await claimOne(store);
      assert.equal(claimed.eventId, parent.eventId);
      const sameEvent = newMessage({
        eventId: parent.eventId,
        messageType: OTHER_TYPE,
        payload: undefined,
        priority: 8,
      });
      const newEvent = newMessage({ priority: 4 });
      assert.deepEqual(
        await store.complete([
          { ref: leaseRefOf(claimed), updatedBy: 'SERVICE_B', emits: [sameEvent, newEvent], workingData: [] },
        ]),
        ['ok'],
      );
      assert.equal((await getRow(store, parent.eventId, OTHER_TYPE)).priority, 8);
      assert.equal((await getRow(store, newEvent.eventId)).priority, 4);
      const types = [TEST_TYPE, OTHER_TYPE];
      assert.deepEqual(ids(await store.claim(claimRequest({ messageTypes: types, limit: 10 }))), [
        parent.eventId,
        newEvent.eventId,
        low.eventId,
      ]);
    },
  },
  {
    name: 'priority: aging, a low row is claimed ahead of newer high rows within 9 aging steps',
    async run({ store, timing }) {
      const step = timing.priorityAgingStepMs;
      const low = newMessage();
      await store.publish([low]);
      const lowAt = (await getRow(store, low.eventId)).availableAt;
      const bound = lowAt + MAX_PRIORITY * step;
      let highsFirst = 0;
      for (let round = 0; ; round++) {
        const high = newMessage({ priority: MAX_PRIORITY });
        await store.publish([high]);
        const claimed = await claimOne(store);
        const at = await store.now();
        if (claimed.eventId === low.eventId) {
          assert.ok(
            at >= bound - timing.clockToleranceMs,
            `the low row was claimed at ${at - lowAt} ms, before its 9 steps (${bound - lowAt} ms) were up`,
          );
          assert.ok(highsFirst > 0, 'no high row was claimed ahead of the older low row');
          break;
        }
        assert.equal(claimed.eventId, high.eventId);
        assert.ok(
          at <= bound + timing.marginMs,
          `the low row still waits ${at - lowAt} ms after publish, past 9 steps (${bound - lowAt} ms)`,
        );
        highsFirst++;
        await sleep(Math.max(1, Math.floor(step / 10)));
        assert.ok(round < 100_000, 'runaway loop');
      }
    },
  },
  {
    name: 'priority: not an integer in [0, 9] is EY_INVALID_PRIORITY and nothing is written',
    async run({ store }) {
      for (const priority of [10, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '3' as unknown as number]) {
        await expectInvalid(store, [newMessage({ priority })], `priority ${String(priority)}`);
      }
      await expectInvalid(store, [newMessage({ priority: 3 }), newMessage({ priority: 12 })], 'a batch with one bad');
      assert.deepEqual(await listAll(store), []);
      const zero = newMessage({ priority: 0 });
      const none = newMessage();
      await store.publish([zero, none]);
      assert.equal((await getRow(store, zero.eventId)).priority, 0);
      assert.equal((await getRow(store, none.eventId)).priority, 0);
      await claimOne(store);
      await claimOne(store);
      await claimNone(store);
    },
  },
];
