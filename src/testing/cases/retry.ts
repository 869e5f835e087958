/** Fail, the retry mechanism (promoteDueRetries), attempts exhaustion and release. */
import assert from 'node:assert/strict';
import type { ConformanceCase } from '../types.js';
import type { EventStore, LeaseRef } from '../../store/port.js';
import { assertBetween, claimNone, claimOne, expectRow, leaseRefOf, listAll, newMessage, sleep } from '../builders.js';

const RETRIER = 'SERVICE_RETRY';

async function failOne(store: EventStore, ref: LeaseRef, retryDelayMs: number | null, error = 'boom'): Promise<void> {
  assert.deepEqual(await store.fail([{ ref, updatedBy: 'SERVICE_B', error, retryDelayMs }]), ['ok']);
}

export const retryCases: readonly ConformanceCase[] = [
  {
    name: 'fail: with a delay → ERROR, not promoted before due, promoted after, then claimable as RETRY',
    async run({ store, timing }) {
      const message = newMessage();
      await store.publish([message]);
      const claimed = await claimOne(store);
      const delayMs = timing.leaseMs;
      const before = await store.now();
      await failOne(store, leaseRefOf(claimed), delayMs, 'EY_X: it broke\n  at handler (b.ts:1:1)');
      const after = await store.now();
      const row = await expectRow(store, message.eventId, { status: 'ERROR', attempts: 1 });
      assert.equal(row.lastError, 'EY_X: it broke\n  at handler (b.ts:1:1)');
      assert.equal(row.updatedBy, 'SERVICE_B');
      assertBetween(row.availableAt, before + delayMs, after + delayMs, timing.clockToleranceMs, 'availableAt');
      assert.equal(await store.promoteDueRetries(100, RETRIER), 0, 'promoted an ERROR row before its AVAILABLE_AT');
      await claimNone(store);
      await expectRow(store, message.eventId, { status: 'ERROR' });
      await sleep(delayMs + timing.marginMs);
      await claimNone(store);
      assert.equal(await store.promoteDueRetries(100, RETRIER), 1);
      const promoted = await expectRow(store, message.eventId, { status: 'RETRY', attempts: 1 });
      assert.equal(promoted.updatedBy, RETRIER);
      assert.equal(promoted.lastError, row.lastError, 'promotion lost LAST_ERROR');
      assert.equal(await store.promoteDueRetries(100, RETRIER), 0);
      const again = await claimOne(store);
      assert.equal(again.attempts, 2);
      assert.equal(again.payload, message.payload);
    },
  },
  {
    name: 'fail: with null → FAILED, never promoted or claimed',
    async run({ store }) {
      const message = newMessage();
      await store.publish([message]);
      await failOne(store, leaseRefOf(await claimOne(store)), null, 'not retryable');
      const row = await expectRow(store, message.eventId, { status: 'FAILED', attempts: 1 });
      assert.equal(row.lastError, 'not retryable');
      await sleep(5);
      assert.equal(await store.promoteDueRetries(100, RETRIER), 0);
      await claimNone(store);
    },
  },
  {
    name: 'retry: promoteDueRetries promotes only due ERROR rows, up to its limit',
    async run({ store }) {
      await store.publish(Array.from({ length: 6 }, () => newMessage()));
      const claimed = await store.claim({
        table: 'request',
        messageTypes: ['RQ_CONFORMANCE'],
        limit: 6,
        owner: 'B',
        updatedBy: 'B',
        leaseMs: 30_000,
      });
      assert.equal(claimed.length, 6);
      for (const [i, c] of claimed.entries()) await failOne(store, leaseRefOf(c), i < 5 ? 0 : 60_000);
      await sleep(5);
      assert.equal(await store.promoteDueRetries(2, RETRIER), 2);
      assert.equal(await store.promoteDueRetries(10, RETRIER), 3);
      assert.equal(await store.promoteDueRetries(10, RETRIER), 0);
      assert.equal((await listAll(store, { statuses: ['RETRY'] })).length, 5);
      assert.equal((await listAll(store, { statuses: ['ERROR'] })).length, 1);
    },
  },
  {
    name: 'retry: repeated claim and fail counts every attempt and ends FAILED at maxAttempts',
    async run({ store }) {
      const message = newMessage({ maxAttempts: 4 });
      await store.publish([message]);
      const seen: number[] = [];
      for (let i = 0; i < 10; i++) {
        const claimed = await store.claim({
          table: 'request',
          messageTypes: ['RQ_CONFORMANCE'],
          limit: 1,
          owner: 'B',
          updatedBy: 'B',
          leaseMs: 30_000,
        });
        const [c] = claimed;
        if (c === undefined) break;
        seen.push(c.attempts);
        // What a processor does: a retryable failure while attempts are left, terminal otherwise.
        await failOne(store, leaseRefOf(c), c.attempts >= c.maxAttempts ? null : 0, `attempt ${c.attempts}`);
        await sleep(2);
        await store.promoteDueRetries(100, RETRIER);
      }
      assert.deepEqual(seen, [1, 2, 3, 4]);
      const row = await expectRow(store, message.eventId, { status: 'FAILED', attempts: 4 });
      assert.equal(row.lastError, 'attempt 4');
    },
  },
  {
    name: 'release: a first attempt goes back to UNPROCESSED, the attempt not counted, claimable at once',
    async run({ store }) {
      const message = newMessage();
      await store.publish([message]);
      const claimed = await claimOne(store);
      assert.deepEqual(await store.release([leaseRefOf(claimed)], 'SERVICE_B'), ['ok']);
      const row = await expectRow(store, message.eventId, { status: 'UNPROCESSED', attempts: 0 });
      assert.equal(row.leaseOwner, null);
      assert.equal(row.leaseExpiresAt, null);
      assert.equal(row.claimToken, null);
      assert.ok(row.availableAt <= (await store.now()), 'a released row is not claimable at once');
      const again = await claimOne(store);
      assert.equal(again.attempts, 1);
      assert.notEqual(again.claimToken, claimed.claimToken);
      assert.deepEqual(
        await store.release([leaseRefOf(claimed)], 'SERVICE_B'),
        ['lease_lost'],
        'release is not fenced',
      );
      await expectRow(store, message.eventId, { status: 'IN_PROGRESS', attempts: 1 });
    },
  },
  {
    name: 'release: a later attempt goes back to RETRY with its attempt uncounted',
    async run({ store }) {
      const message = newMessage();
      await store.publish([message]);
      await failOne(store, leaseRefOf(await claimOne(store)), 0);
      await sleep(2);
      assert.equal(await store.promoteDueRetries(10, RETRIER), 1);
      const second = await claimOne(store);
      assert.equal(second.attempts, 2);
      assert.deepEqual(await store.release([leaseRefOf(second)], 'SERVICE_B'), ['ok']);
      const row = await expectRow(store, message.eventId, { status: 'RETRY', attempts: 1 });
      assert.equal(row.claimToken, null);
      assert.equal((await claimOne(store)).attempts, 2);
    },
  },
];
