/**
 * Group concurrency (`ClaimRequest.groups`, `NewMessage.groupKey`, `NewMessage.failure`):
 * at most maxInFlight rows of one (table, type, group) IN_PROGRESS across concurrent
 * claimers, groups served round-robin so a hot group's backlog does not starve small ones,
 * every way out of IN_PROGRESS frees the slot, and a row written with `failure` is FAILED at
 * once. docs/flow-control.md, "Group concurrency", is the policy these pin.
 */
import assert from 'node:assert/strict';
import type { ClaimedMessage, ClaimRequest, EventStore, NewMessage } from '../../store/port.js';
import type { ConformanceCase } from '../types.js';
import { claimRequest, getRow, leaseRefOf, listAll, newMessage, sleep, TEST_TYPE } from '../builders.js';

const grouped = (maxInFlight: number, overrides: Partial<ClaimRequest> = {}): ClaimRequest =>
  claimRequest({ groups: { [TEST_TYPE]: { maxInFlight } }, ...overrides });

const inGroup = (groupKey: string, overrides: Partial<NewMessage> = {}): NewMessage =>
  newMessage({ groupKey, ...overrides });

async function publishAll(store: EventStore, messages: readonly NewMessage[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 500) {
    const results = await store.publish(messages.slice(i, i + 500));
    assert.ok(results.every((r) => r.created));
  }
}

async function completeAll(store: EventStore, claimed: readonly ClaimedMessage[]): Promise<void> {
  if (claimed.length === 0) return;
  const outcomes = await store.complete(
    claimed.map((c) => ({ ref: leaseRefOf(c), updatedBy: 'B', emits: [], workingData: [] })),
  );
  assert.ok(outcomes.every((o) => o === 'ok'));
}

function countByGroup(claimed: readonly ClaimedMessage[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of claimed) counts[c.groupKey ?? '(none)'] = (counts[c.groupKey ?? '(none)'] ?? 0) + 1;
  return counts;
}

export const groupCases: readonly ConformanceCase[] = [
  {
    name: 'groups: the group key is kept on the row; ungrouped rows have none',
    async run({ store }) {
      const a = inGroup('tenant-a');
      const plain = newMessage();
      await store.publish([a, plain]);
      assert.equal((await getRow(store, a.eventId)).groupKey, 'tenant-a');
      assert.equal((await getRow(store, plain.eventId)).groupKey, null);
      const claimed = await store.claim(grouped(5));
      assert.deepEqual(
        claimed.map((c) => [c.eventId, c.groupKey]).sort(),
        [
          [a.eventId, 'tenant-a'],
          [plain.eventId, null],
        ].sort(),
      );
    },
  },
  {
    name: 'groups: concurrent claimers never hold more than maxInFlight rows of a group',
    async run({ store }) {
      const groups = ['g-a', 'g-b', 'g-c'];
      const perGroup = 9;
      const maxInFlight = 2;
      const messages: NewMessage[] = [];
      for (let i = 0; i < perGroup; i++) for (const g of groups) messages.push(inGroup(g));
      await publishAll(store, messages);
      const seen = new Set<string>();
      for (let round = 0; seen.size < messages.length; round++) {
        assert.ok(round < 40, `not drained after ${round} rounds (${seen.size} of ${messages.length})`);
        // Eight claimers at once, nothing completed in between: at most maxInFlight per group
        // (a store may leave a group to a later claim while another claimer holds it), and
        // one more claim while they are all held tops every group up to exactly maxInFlight.
        const batches = await Promise.all(
          Array.from({ length: 8 }, () => store.claim(grouped(maxInFlight, { limit: 4 }))),
        );
        batches.push(await store.claim(grouped(maxInFlight, { limit: 10 })));
        const claimed = batches.flat();
        const counts = countByGroup(claimed);
        // ... and after that claim every group is full (or drained): exactly maxInFlight.
        const waiting = (g: string): number => messages.filter((m) => m.groupKey === g && !seen.has(m.eventId)).length;
        for (const g of groups) {
          assert.equal(
            counts[g] ?? 0,
            Math.min(maxInFlight, waiting(g)),
            `rows of group ${g} in progress in round ${round}`,
          );
        }
        for (const c of claimed) {
          assert.ok(!seen.has(c.eventId), `row ${c.eventId} claimed twice`);
          seen.add(c.eventId);
        }
        await completeAll(store, claimed);
      }
      assert.equal(seen.size, groups.length * perGroup);
    },
  },
  {
    name: 'groups: a group with a large backlog does not starve small groups (round-robin)',
    async run({ store }) {
      const hot = Array.from({ length: 2_000 }, () => inGroup('hot'));
      await publishAll(store, hot);
      const small = Array.from({ length: 10 }, (_, g) =>
        Array.from({ length: 5 }, () => inGroup(`small-${String(g).padStart(2, '0')}`)),
      ).flat();
      await publishAll(store, small);
      const smallIds = new Set(small.map((m) => m.eventId));
      let smallClaimed = 0;
      let hotClaimed = 0;
      let claims = 0;
      while (smallClaimed < small.length) {
        claims++;
        assert.ok(claims <= 8, `only ${smallClaimed} of ${small.length} small-group rows after ${claims - 1} claims`);
        const claimed = await store.claim(grouped(5, { limit: 10 }));
        assert.ok(claimed.length > 0, 'a claim came back empty with rows waiting');
        for (const c of claimed) {
          if (smallIds.has(c.eventId)) smallClaimed++;
          else hotClaimed++;
        }
        await completeAll(store, claimed);
      }
      assert.ok(hotClaimed >= 5, `the hot group made no progress (${hotClaimed})`);
      assert.ok(hotClaimed <= 5 * claims, `the hot group got ${hotClaimed} rows in ${claims} claims`);
    },
  },
  {
    name: 'groups: complete, fail, release and an expired lease each free the slot',
    async run({ store, timing }) {
      const rows = Array.from({ length: 6 }, () => inGroup('only-one'));
      await publishAll(store, rows);
      const claimOneOf = async (leaseMs = 30_000): Promise<ClaimedMessage> => {
        const claimed = await store.claim(grouped(1, { limit: 10, leaseMs }));
        assert.equal(claimed.length, 1, `expected one row of the group, got ${claimed.length}`);
        return claimed[0] as ClaimedMessage;
      };
      const none = async (why: string): Promise<void> => {
        assert.equal((await store.claim(grouped(1, { limit: 10 }))).length, 0, why);
      };
      const first = await claimOneOf();
      await none('the group is full');
      await completeAll(store, [first]);
      const second = await claimOneOf();
      await none('full again after complete');
      assert.deepEqual(await store.release([leaseRefOf(second)], 'B'), ['ok']);
      const third = await claimOneOf();
      await none('full again after release');
      assert.deepEqual(
        await store.fail([{ ref: leaseRefOf(third), updatedBy: 'B', error: 'x', retryDelayMs: 60_000 }]),
        ['ok'],
      );
      const fourth = await claimOneOf();
      assert.notEqual(fourth.eventId, third.eventId);
      assert.deepEqual(
        await store.fail([{ ref: leaseRefOf(fourth), updatedBy: 'B', error: 'x', retryDelayMs: null }]),
        ['ok'],
      );
      const fifth = await claimOneOf(timing.leaseMs);
      await none('full again after fail');
      await sleep(timing.leaseMs + timing.marginMs);
      assert.equal(await store.reapExpiredLeases({ limit: 10, retryDelayMs: 60_000, updatedBy: 'R' }), 1);
      const sixth = await claimOneOf();
      assert.notEqual(sixth.eventId, fifth.eventId);
      await none('full again after the reaper');
    },
  },
  {
    name: 'groups: limits are per group and per type; other groups and ungrouped rows flow',
    async run({ store }) {
      const a = Array.from({ length: 4 }, () => inGroup('a'));
      const b = Array.from({ length: 4 }, () => inGroup('b'));
      const plain = Array.from({ length: 3 }, () => newMessage());
      const other = Array.from({ length: 2 }, () => inGroup('a', { messageType: 'RQ_CONFORMANCE_OTHER' }));
      await publishAll(store, [...a, ...b, ...plain, ...other]);
      const claimed = await store.claim(grouped(1, { limit: 100, messageTypes: [TEST_TYPE, 'RQ_CONFORMANCE_OTHER'] }));
      const byType = (t: string): ClaimedMessage[] => claimed.filter((c) => c.messageType === t);
      assert.deepEqual(countByGroup(byType(TEST_TYPE)), { a: 1, b: 1, '(none)': 3 });
      // RQ_CONFORMANCE_OTHER is not named in groups: its grouped rows have no limit.
      assert.deepEqual(countByGroup(byType('RQ_CONFORMANCE_OTHER')), { a: 2 });
    },
  },
  {
    name: 'groups: a message written with a failure is FAILED at once, never claimed, and holds nothing up',
    async run({ store }) {
      const bad = newMessage({ failure: 'EY_INVALID_GROUP_KEY: group key of RQ_CONFORMANCE: boom' });
      const good = inGroup('g');
      const results = await store.publish([bad, good]);
      assert.deepEqual(
        results.map((r) => [r.created, r.status]),
        [
          [true, 'FAILED'],
          [true, 'UNPROCESSED'],
        ],
      );
      const row = await getRow(store, bad.eventId);
      assert.equal(row.status, 'FAILED');
      assert.equal(row.lastError, 'EY_INVALID_GROUP_KEY: group key of RQ_CONFORMANCE: boom');
      assert.equal(row.attempts, 0);
      assert.equal(row.groupKey, null);
      const claimed = await store.claim(grouped(1, { limit: 10 }));
      assert.deepEqual(
        claimed.map((c) => c.eventId),
        [good.eventId],
      );
      const failed = await listAll(store, { statuses: ['FAILED'] });
      assert.deepEqual(
        failed.map((r) => r.eventId),
        [bad.eventId],
      );
      // Publishing it again is idempotent and reports the stored status.
      const again = await store.publish([bad]);
      assert.deepEqual(
        again.map((r) => [r.created, r.status]),
        [[false, 'FAILED']],
      );
      // Re-driven, it is an ordinary row without a group.
      assert.equal(await store.redrive({ eventId: bad.eventId }, 'OPS'), 1);
      const redriven = await store.claim(grouped(1, { limit: 10 }));
      assert.deepEqual(
        redriven.map((c) => [c.eventId, c.groupKey]),
        [[bad.eventId, null]],
      );
    },
  },
];
