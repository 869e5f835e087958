/** Claim: filters, limit, order, lease fields, and at most one holder per row under concurrency. */
import assert from 'node:assert/strict';
import type { ConformanceCase } from '../types.js';
import {
  assertBetween,
  claimNone,
  claimOne,
  claimRequest,
  expectRow,
  leaseRefOf,
  listAll,
  newMessage,
  publishInOrder,
  sleep,
  TEST_TYPE,
} from '../builders.js';

const CONCURRENT_ROWS = 2000;
const CLAIMERS = 20;
const CLAIM_BATCH = 25;

export const claimCases: readonly ConformanceCase[] = [
  {
    name: 'claim: sets IN_PROGRESS, attempts + 1, owner, lease = now + leaseMs (store clock), a new token',
    async run({ store, timing }) {
      const message = newMessage();
      await store.publish([message]);
      const before = await store.now();
      const claimed = await claimOne(store, { owner: 'SERVICE_B/host/1/a', updatedBy: 'SERVICE_B', leaseMs: 5000 });
      const after = await store.now();
      assert.equal(claimed.status, 'IN_PROGRESS');
      assert.equal(claimed.attempts, 1);
      assert.equal(claimed.leaseOwner, 'SERVICE_B/host/1/a');
      assert.equal(claimed.payload, message.payload);
      assert.equal(typeof claimed.claimToken, 'string');
      assert.ok(claimed.claimToken.length > 0, 'empty claim token');
      assertBetween(claimed.leaseExpiresAt, before + 5000, after + 5000, timing.clockToleranceMs, 'leaseExpiresAt');
      const row = await expectRow(store, message.eventId, { status: 'IN_PROGRESS', attempts: 1 });
      assert.equal(row.claimToken, claimed.claimToken);
      assert.equal(row.leaseOwner, 'SERVICE_B/host/1/a');
      assert.equal(row.leaseExpiresAt, claimed.leaseExpiresAt);
      assert.equal(row.updatedBy, 'SERVICE_B');
      assert.equal(row.createdBy, message.createdBy);
      // The claimed message is the stored row, field for field, plus the payload.
      const { payload, ...claimedRow } = claimed;
      assert.deepEqual(claimedRow, row);
      assert.equal(payload, message.payload);
      await claimNone(store);
    },
  },
  {
    name: 'claim: every claim issues a new token and counts an attempt',
    async run({ store }) {
      const message = newMessage({ maxAttempts: 10 });
      await store.publish([message]);
      const tokens = new Set<string>();
      for (let attempt = 1; attempt <= 4; attempt++) {
        const claimed = await claimOne(store);
        assert.equal(claimed.attempts, attempt);
        tokens.add(claimed.claimToken);
        const [outcome] = await store.fail([
          {
            ref: leaseRefOf(claimed),
            updatedBy: 'SERVICE_B',
            error: `attempt ${attempt}`,
            retryDelayMs: 0,
          },
        ]);
        assert.equal(outcome, 'ok');
        await sleep(2);
        assert.equal(await store.promoteDueRetries(100, 'SERVICE_B'), 1);
      }
      assert.equal(tokens.size, 4, 'a claim token was reused');
    },
  },
  {
    name: 'claim: respects the table and messageTypes filter',
    async run({ store }) {
      await store.publish([
        newMessage({ messageType: 'RQ_WANTED' }),
        newMessage({ messageType: 'RQ_WANTED_TOO' }),
        newMessage({ messageType: 'RQ_UNWANTED' }),
        newMessage({ messageType: 'RS_WANTED', table: 'response' }),
        newMessage({ messageType: 'RQ_WANTED', table: 'outbound' }),
      ]);
      const claimed = await store.claim(claimRequest({ limit: 100, messageTypes: ['RQ_WANTED', 'RQ_WANTED_TOO'] }));
      assert.deepEqual(claimed.map((c) => `${c.table}/${c.messageType}`).sort(), [
        'request/RQ_WANTED',
        'request/RQ_WANTED_TOO',
      ]);
      const response = await store.claim(claimRequest({ table: 'response', messageTypes: ['RS_WANTED', 'RQ_WANTED'] }));
      assert.deepEqual(
        response.map((c) => `${c.table}/${c.messageType}`),
        ['response/RS_WANTED'],
      );
      assert.equal((await listAll(store, { statuses: ['UNPROCESSED'] })).length, 2);
    },
  },
  {
    name: 'claim: takes at most limit rows, oldest AVAILABLE_AT first',
    async run({ store }) {
      const messages = Array.from({ length: 7 }, () => newMessage());
      await publishInOrder(store, messages);
      const first = await store.claim(claimRequest({ limit: 3 }));
      assert.deepEqual(
        first.map((c) => c.eventId),
        messages.slice(0, 3).map((m) => m.eventId),
      );
      const second = await store.claim(claimRequest({ limit: 3 }));
      assert.deepEqual(
        second.map((c) => c.eventId),
        messages.slice(3, 6).map((m) => m.eventId),
      );
      const third = await store.claim(claimRequest({ limit: 3 }));
      assert.deepEqual(
        third.map((c) => c.eventId),
        [messages[6]?.eventId],
      );
      await claimNone(store);
    },
  },
  {
    name: 'claim: orders by AVAILABLE_AT, not by publish time',
    async run({ store, timing }) {
      const late = newMessage({ delayMs: 60 });
      const early = newMessage();
      await publishInOrder(store, [late, early]);
      await sleep(60 + timing.marginMs);
      assert.equal((await claimOne(store)).eventId, early.eventId);
      assert.equal((await claimOne(store)).eventId, late.eventId);
    },
  },
  {
    name: 'claim: never takes ERROR, FAILED, COMPLETED or IN_PROGRESS rows',
    async run({ store }) {
      const [inProgress, completed, failed, errored] = [newMessage(), newMessage(), newMessage(), newMessage()];
      await publishInOrder(store, [inProgress, completed, failed, errored]);
      const [a, b, c, d] = await store.claim(claimRequest({ limit: 4 }));
      assert.ok(a && b && c && d, 'expected 4 claimed rows');
      const ref = leaseRefOf;
      assert.deepEqual(await store.complete([{ ref: ref(b), updatedBy: 'B', emits: [], workingData: [] }]), ['ok']);
      assert.deepEqual(await store.fail([{ ref: ref(c), updatedBy: 'B', error: 'no', retryDelayMs: null }]), ['ok']);
      assert.deepEqual(await store.fail([{ ref: ref(d), updatedBy: 'B', error: 'again', retryDelayMs: 0 }]), ['ok']);
      await sleep(5);
      await claimNone(store);
      await expectRow(store, errored.eventId, { status: 'ERROR', attempts: 1 });
      await expectRow(store, a.eventId, { status: 'IN_PROGRESS', attempts: 1 });
    },
  },
  {
    name: `claim: ${CLAIMERS} concurrent claimers over ${CONCURRENT_ROWS} rows claim every row exactly once`,
    async run({ store }) {
      const messages = Array.from({ length: CONCURRENT_ROWS }, () => newMessage({ payload: undefined }));
      for (let i = 0; i < messages.length; i += 200) {
        const results = await store.publish(messages.slice(i, i + 200));
        assert.equal(results.filter((r) => r.created).length, 200);
      }
      const claimsBy: string[][] = Array.from({ length: CLAIMERS }, () => []);
      const tokens = new Set<string>();
      await Promise.all(
        claimsBy.map(async (mine, worker) => {
          for (;;) {
            const claimed = await store.claim(
              claimRequest({ limit: CLAIM_BATCH, owner: `SERVICE_B/conformance/${worker}` }),
            );
            if (claimed.length === 0) return;
            assert.ok(claimed.length <= CLAIM_BATCH, `claim returned ${claimed.length} > limit`);
            for (const c of claimed) {
              assert.equal(c.leaseOwner, `SERVICE_B/conformance/${worker}`);
              mine.push(c.eventId);
              tokens.add(c.claimToken);
            }
          }
        }),
      );
      const all = claimsBy.flat();
      const distinct = new Set(all);
      assert.equal(all.length - distinct.size, 0, `${all.length - distinct.size} rows were claimed twice`);
      assert.equal(distinct.size, CONCURRENT_ROWS, 'rows were never claimed');
      assert.equal(tokens.size, CONCURRENT_ROWS, 'claim tokens repeat');
      assert.deepEqual(await store.countByStatus(), [
        { table: 'request', messageType: TEST_TYPE, status: 'IN_PROGRESS', count: CONCURRENT_ROWS },
      ]);
    },
  },
];
