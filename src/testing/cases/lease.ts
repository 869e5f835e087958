/** Leases: expiry and the reaper, heartbeat, and fencing of stale holders. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ConformanceCase } from '../types.js';
import type { ClaimedMessage, EventStore, LeaseRef } from '../../store/port.js';
import {
  assertBetween,
  claimOne,
  expectRow,
  getRow,
  leaseRefOf,
  listAll,
  newMessage,
  sleep,
  TEST_TYPE,
} from '../builders.js';

const REAPER = 'SERVICE_REAPER';

/** Claims with a short lease, lets it expire, reaps it (due at once) and re-claims it. */
async function expireAndReclaim(
  store: EventStore,
  leaseMs: number,
  marginMs: number,
): Promise<{ stale: ClaimedMessage; current: ClaimedMessage }> {
  const stale = await claimOne(store, { owner: 'SERVICE_B/stale', leaseMs });
  await sleep(leaseMs + marginMs);
  assert.equal(await store.reapExpiredLeases({ limit: 100, retryDelayMs: 0, updatedBy: REAPER }), 1);
  await sleep(2);
  assert.equal(await store.promoteDueRetries(100, REAPER), 1);
  const current = await claimOne(store, { owner: 'SERVICE_B/current', leaseMs: 30_000 });
  assert.equal(current.eventId, stale.eventId);
  assert.notEqual(current.claimToken, stale.claimToken, 'the re-claim reused the token');
  return { stale, current };
}

export const leaseCases: readonly ConformanceCase[] = [
  {
    name: 'lease: an expired lease is reaped to ERROR, the attempt counted, LAST_ERROR naming the lease and owner',
    async run({ store, timing }) {
      const message = newMessage({ maxAttempts: 3 });
      const live = newMessage();
      await store.publish([message]);
      const claimed = await claimOne(store, { owner: 'SERVICE_B/host/42/lost', leaseMs: timing.leaseMs });
      await store.publish([live]);
      await claimOne(store, { leaseMs: 60_000 });
      assert.equal(await store.reapExpiredLeases({ limit: 100, retryDelayMs: 0, updatedBy: REAPER }), 0);
      await sleep(timing.leaseMs + timing.marginMs);
      const before = await store.now();
      assert.equal(await store.reapExpiredLeases({ limit: 100, retryDelayMs: 5000, updatedBy: REAPER }), 1);
      const after = await store.now();
      const row = await expectRow(store, claimed.eventId, { status: 'ERROR', attempts: 1 });
      assertBetween(row.availableAt, before + 5000, after + 5000, timing.clockToleranceMs, 'availableAt');
      assert.match(row.lastError ?? '', /^EY_LEASE_LOST: /);
      assert.ok(
        row.lastError?.includes('SERVICE_B/host/42/lost'),
        `LAST_ERROR does not name the owner: ${row.lastError}`,
      );
      assert.equal(row.updatedBy, REAPER);
      await expectRow(store, live.eventId, { status: 'IN_PROGRESS', attempts: 1 });
      assert.equal(await store.reapExpiredLeases({ limit: 100, retryDelayMs: 0, updatedBy: REAPER }), 0);
      assert.equal(await store.promoteDueRetries(100, REAPER), 0, 'a reaped row was promoted before its retry delay');
    },
  },
  {
    name: 'lease: a second expiry in a row under another owner is marked "again"; the same owner twice, or a failure between, is not',
    async run({ store, timing }) {
      // Expires the one claimable row's lease under `owner`, reaps it and makes it claimable again.
      const expireUnder = async (owner: string): Promise<string> => {
        await claimOne(store, { owner, leaseMs: timing.leaseMs });
        await sleep(timing.leaseMs + timing.marginMs);
        assert.equal(await store.reapExpiredLeases({ limit: 100, retryDelayMs: 0, updatedBy: REAPER }), 1);
        const [row] = await listAll(store, { statuses: ['ERROR'] });
        await sleep(2);
        assert.equal(await store.promoteDueRetries(100, REAPER), 1);
        return row?.lastError ?? '';
      };
      const message = newMessage({ maxAttempts: 20 });
      await store.publish([message]);
      // A dead or paused owner: every row it held shows one expiry.
      assert.match(await expireUnder('SVC/a/1'), /^EY_LEASE_LOST: lease of SVC\/a\/1 expired at \d{4}-/);
      // The same owner again (paused twice): still not a sign the row kills its worker.
      assert.match(await expireUnder('SVC/a/1'), /^EY_LEASE_LOST: lease of SVC\/a\/1 expired at /);
      // Another owner lost it too: the row may kill whoever runs it.
      assert.match(await expireUnder('SVC/b/2'), /^EY_LEASE_LOST: again: lease of SVC\/b\/2 expired at /);
      // And stays marked while owners keep dying on it.
      assert.match(await expireUnder('SVC/c/3'), /^EY_LEASE_LOST: again: lease of SVC\/c\/3 expired at /);
      // A handler failure in between ends the streak.
      const claimed = await claimOne(store, { owner: 'SVC/d/4', leaseMs: 60_000 });
      assert.deepEqual(
        await store.fail([{ ref: leaseRefOf(claimed), updatedBy: 'SVC', error: 'EY_X: boom', retryDelayMs: 0 }]),
        ['ok'],
      );
      await sleep(2);
      assert.equal(await store.promoteDueRetries(100, REAPER), 1);
      assert.match(await expireUnder('SVC/e/5'), /^EY_LEASE_LOST: lease of SVC\/e\/5 expired at /);
      await expectRow(store, message.eventId, { status: 'RETRY', attempts: 6 });
    },
  },
  {
    name: 'lease: an expired lease on the last attempt is reaped to FAILED',
    async run({ store, timing }) {
      const message = newMessage({ maxAttempts: 1 });
      await store.publish([message]);
      await claimOne(store, { leaseMs: timing.leaseMs });
      await sleep(timing.leaseMs + timing.marginMs);
      assert.equal(await store.reapExpiredLeases({ limit: 100, retryDelayMs: 0, updatedBy: REAPER }), 1);
      const row = await expectRow(store, message.eventId, { status: 'FAILED', attempts: 1 });
      assert.match(row.lastError ?? '', /lease/i);
      await sleep(2);
      assert.equal(await store.promoteDueRetries(100, REAPER), 0, 'a FAILED row was promoted');
    },
  },
  {
    name: 'lease: reapExpiredLeases respects its limit',
    async run({ store, timing }) {
      await store.publish(Array.from({ length: 5 }, () => newMessage()));
      assert.equal(
        (
          await store.claim({
            table: 'request',
            messageTypes: [TEST_TYPE],
            limit: 5,
            owner: 'B',
            updatedBy: 'B',
            leaseMs: timing.leaseMs,
          })
        ).length,
        5,
      );
      await sleep(timing.leaseMs + timing.marginMs);
      assert.equal(await store.reapExpiredLeases({ limit: 2, retryDelayMs: 0, updatedBy: REAPER }), 2);
      assert.equal((await listAll(store, { statuses: ['IN_PROGRESS'] })).length, 3);
      assert.equal(await store.reapExpiredLeases({ limit: 10, retryDelayMs: 0, updatedBy: REAPER }), 3);
      assert.equal((await listAll(store, { statuses: ['ERROR'] })).length, 5);
    },
  },
  {
    name: 'lease: heartbeat extends the lease, so the row outlives its first expiry',
    async run({ store, timing }) {
      const message = newMessage();
      await store.publish([message]);
      const claimed = await claimOne(store, { leaseMs: timing.leaseMs });
      await sleep(timing.leaseMs / 2);
      const before = await store.now();
      const extendedMs = timing.leaseMs * 3 + timing.marginMs * 2;
      assert.deepEqual(await store.heartbeat([leaseRefOf(claimed)], extendedMs), ['ok']);
      const after = await store.now();
      const row = await getRow(store, message.eventId);
      assertBetween(
        row.leaseExpiresAt,
        before + extendedMs,
        after + extendedMs,
        timing.clockToleranceMs,
        'leaseExpiresAt',
      );
      assert.equal(row.claimToken, claimed.claimToken, 'heartbeat changed the token');
      await sleep(timing.leaseMs / 2 + timing.marginMs);
      assert.equal(await store.reapExpiredLeases({ limit: 100, retryDelayMs: 0, updatedBy: REAPER }), 0);
      await expectRow(store, message.eventId, { status: 'IN_PROGRESS', attempts: 1 });
      assert.deepEqual(
        await store.complete([{ ref: leaseRefOf(claimed), updatedBy: 'B', emits: [], workingData: [] }]),
        ['ok'],
      );
    },
  },
  {
    name: 'fencing: a wrong token is refused by complete, fail, heartbeat and release, writing nothing',
    async run({ store }) {
      const message = newMessage();
      await store.publish([message]);
      const claimed = await claimOne(store);
      const forged: LeaseRef = { ...leaseRefOf(claimed), claimToken: randomUUID() };
      const missing: LeaseRef = { ...leaseRefOf(claimed), eventId: randomUUID() };
      const before = await listAll(store);
      for (const ref of [forged, missing]) {
        assert.deepEqual(await store.complete([{ ref, updatedBy: 'X', emits: [newMessage()], workingData: [] }]), [
          'lease_lost',
        ]);
        assert.deepEqual(await store.fail([{ ref, updatedBy: 'X', error: 'x', retryDelayMs: null }]), ['lease_lost']);
        assert.deepEqual(await store.heartbeat([ref], 60_000), ['lease_lost']);
        assert.deepEqual(await store.release([ref], 'X'), ['lease_lost']);
      }
      assert.deepEqual(await listAll(store), before);
    },
  },
  {
    name: 'fencing: after expiry, reap and re-claim, the stale holder writes nothing',
    async run({ store, timing }) {
      const message = newMessage();
      await store.publish([message]);
      const { stale, current } = await expireAndReclaim(store, timing.leaseMs, timing.marginMs);
      const before = await listAll(store);
      const newEvent = newMessage({ payload: '{"from":"stale"}', messageType: 'RQ_EMITTED' });
      const sameEvent = newMessage({ eventId: message.eventId, messageType: 'RS_EMITTED', table: 'response' });
      const outcome = await store.complete([
        {
          ref: leaseRefOf(stale),
          updatedBy: 'SERVICE_STALE',
          emits: [sameEvent, newEvent],
          workingData: [{ eventId: message.eventId, name: 'stale', value: '{"x":1}' }],
        },
      ]);
      assert.deepEqual(outcome, ['lease_lost'], 'a stale holder completed a re-claimed row');
      assert.deepEqual(
        await store.fail([{ ref: leaseRefOf(stale), updatedBy: 'SERVICE_STALE', error: 'stale', retryDelayMs: null }]),
        ['lease_lost'],
      );
      assert.deepEqual(await store.heartbeat([leaseRefOf(stale)], 60_000), ['lease_lost']);
      assert.deepEqual(await store.release([leaseRefOf(stale)], 'SERVICE_STALE'), ['lease_lost']);
      assert.deepEqual(await listAll(store), before, 'a stale holder changed rows');
      assert.equal((await listAll(store, { eventId: newEvent.eventId })).length, 0);
      assert.equal(await store.getPayload(newEvent.eventId), null, 'a stale emit wrote a payload');
      assert.equal((await store.getWorkingData(message.eventId)).size, 0, 'a stale complete wrote working data');
      const row = await expectRow(store, message.eventId, { status: 'IN_PROGRESS', attempts: 2 });
      assert.equal(row.claimToken, current.claimToken);
      assert.equal(row.leaseOwner, 'SERVICE_B/current');
      assert.deepEqual(
        await store.complete([{ ref: leaseRefOf(current), updatedBy: 'B', emits: [], workingData: [] }]),
        ['ok'],
      );
    },
  },
  {
    name: 'fencing: results come per request, in input order, in a mixed batch',
    async run({ store, timing }) {
      const [a, b] = [newMessage(), newMessage()];
      await store.publish([a]);
      const { stale } = await expireAndReclaim(store, timing.leaseMs, timing.marginMs);
      await store.publish([b]);
      const fresh = await claimOne(store);
      assert.equal(fresh.eventId, b.eventId);
      const outcomes = await store.complete([
        { ref: leaseRefOf(stale), updatedBy: 'X', emits: [], workingData: [] },
        { ref: leaseRefOf(fresh), updatedBy: 'X', emits: [], workingData: [] },
      ]);
      assert.deepEqual(outcomes, ['lease_lost', 'ok']);
      await expectRow(store, a.eventId, { status: 'IN_PROGRESS', attempts: 2 });
      await expectRow(store, b.eventId, { status: 'COMPLETED', attempts: 1 });
    },
  },
];
