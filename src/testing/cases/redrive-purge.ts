/** Operator re-drive and retention purge. */
import assert from 'node:assert/strict';
import type { ConformanceCase } from '../types.js';
import type { EventStore, NewMessage } from '../../store/port.js';
import type { Status } from '../../core/status.js';
import { claimOne, claimRequest, expectRow, leaseRefOf, listAll, newMessage, sleep } from '../builders.js';

const OPERATOR = 'OPERATOR';

/**
 * Publishes one message and drives it to `status` (through claim, complete or fail). Its
 * message type defaults to `RQ_MADE_<status>`, so the claim cannot pick an older claimable row.
 */
async function rowIn(store: EventStore, status: Status, overrides: Partial<NewMessage> = {}): Promise<NewMessage> {
  const message = newMessage({ messageType: `RQ_MADE_${status}`, ...overrides });
  await store.publish([message]);
  if (status === 'UNPROCESSED') return message;
  const claimed = await claimOne(store, { messageTypes: [message.messageType], table: message.table });
  assert.equal(claimed.eventId, message.eventId);
  const ref = leaseRefOf(claimed);
  if (status === 'COMPLETED') {
    assert.deepEqual(await store.complete([{ ref, updatedBy: 'B', emits: [], workingData: [] }]), ['ok']);
  } else if (status === 'FAILED' || status === 'ERROR') {
    const retryDelayMs = status === 'FAILED' ? null : 60_000;
    assert.deepEqual(await store.fail([{ ref, updatedBy: 'B', error: `made ${status}`, retryDelayMs }]), ['ok']);
  } else if (status === 'RETRY') {
    assert.deepEqual(await store.fail([{ ref, updatedBy: 'B', error: 'made RETRY', retryDelayMs: 0 }]), ['ok']);
    await sleep(2);
    assert.equal(await store.promoteDueRetries(1000, 'R'), 1);
  }
  await expectRow(store, message.eventId, { status, messageType: message.messageType });
  return message;
}

export { rowIn as publishRowInStatus };

export const redrivePurgeCases: readonly ConformanceCase[] = [
  {
    name: 'redrive: ERROR and FAILED → RETRY, attempts 0, LAST_ERROR kept, claimable at once; others untouched',
    async run({ store }) {
      const errored = await rowIn(store, 'ERROR');
      const failed = await rowIn(store, 'FAILED');
      const others = [
        await rowIn(store, 'COMPLETED'),
        await rowIn(store, 'IN_PROGRESS'),
        await rowIn(store, 'RETRY'),
        await rowIn(store, 'UNPROCESSED'),
      ];
      const othersBefore = await Promise.all(others.map((m) => listAll(store, { eventId: m.eventId })));
      assert.equal(await store.redrive({ all: true }, OPERATOR), 2);
      for (const [message, error] of [
        [errored, 'made ERROR'],
        [failed, 'made FAILED'],
      ] as const) {
        const row = await expectRow(store, message.eventId, {
          status: 'RETRY',
          attempts: 0,
          messageType: message.messageType,
        });
        assert.equal(row.lastError, error);
        assert.equal(row.updatedBy, OPERATOR);
        assert.ok(row.availableAt <= (await store.now()), 're-driven row is not claimable at once');
      }
      for (const [i, m] of others.entries()) {
        assert.deepEqual(
          await listAll(store, { eventId: m.eventId }),
          othersBefore[i],
          're-drive touched a row not in ERROR or FAILED',
        );
      }
      const madeTypes = ['ERROR', 'FAILED', 'UNPROCESSED', 'COMPLETED', 'RETRY', 'IN_PROGRESS'].map(
        (t) => `RQ_MADE_${t}`,
      );
      const claimed = await store.claim(claimRequest({ limit: 10, messageTypes: madeTypes }));
      assert.deepEqual(
        claimed.map((c) => c.eventId).sort(),
        [errored.eventId, failed.eventId, others[2]?.eventId, others[3]?.eventId].sort(),
      );
      assert.deepEqual(
        claimed.filter((c) => c.eventId === errored.eventId || c.eventId === failed.eventId).map((c) => c.attempts),
        [1, 1],
      );
    },
  },
  {
    name: 'redrive: filters by table, message type, event and status',
    async run({ store }) {
      const a = await rowIn(store, 'FAILED', { messageType: 'RQ_A' });
      const b = await rowIn(store, 'FAILED', { messageType: 'RQ_B' });
      const c = await rowIn(store, 'ERROR', { messageType: 'RQ_B' });
      const d = await rowIn(store, 'FAILED', { messageType: 'RS_D', table: 'response' });
      const e = await rowIn(store, 'FAILED', { messageType: 'RQ_B' });
      assert.equal(await store.redrive({ messageType: 'RQ_A' }, OPERATOR), 1);
      await expectRow(store, a.eventId, { status: 'RETRY', messageType: 'RQ_A' });
      assert.equal(await store.redrive({ table: 'response' }, OPERATOR), 1);
      await expectRow(store, d.eventId, { status: 'RETRY', messageType: 'RS_D' });
      assert.equal(await store.redrive({ eventId: e.eventId }, OPERATOR), 1);
      await expectRow(store, e.eventId, { status: 'RETRY', messageType: 'RQ_B' });
      assert.equal(await store.redrive({ messageType: 'RQ_B', statuses: ['ERROR'] }, OPERATOR), 1);
      await expectRow(store, c.eventId, { status: 'RETRY', messageType: 'RQ_B' });
      await expectRow(store, b.eventId, { status: 'FAILED', messageType: 'RQ_B' });
      assert.equal(await store.redrive({ statuses: ['FAILED'] }, OPERATOR), 1);
      assert.equal(await store.redrive({ all: true }, OPERATOR), 0);
    },
  },
  {
    name: 'redrive: COMPLETED rows are never re-driven, even when asked for',
    async run({ store }) {
      const done = await rowIn(store, 'COMPLETED');
      const before = await listAll(store);
      let count = 0;
      try {
        count = await store.redrive({ statuses: ['COMPLETED'] }, OPERATOR);
      } catch {
        // Refusing the request is as good as ignoring it.
      }
      assert.equal(count, 0);
      await expectRow(store, done.eventId, { status: 'COMPLETED', attempts: 1, messageType: done.messageType });
      assert.deepEqual(await listAll(store), before);
    },
  },
  {
    name: 'purge: deletes only terminal rows older than the cutoff, within the limit',
    async run({ store, timing }) {
      const old = [
        await rowIn(store, 'COMPLETED'),
        await rowIn(store, 'COMPLETED'),
        await rowIn(store, 'COMPLETED'),
        await rowIn(store, 'FAILED'),
      ];
      const ageMs = timing.marginMs;
      await sleep(ageMs * 2 + timing.clockToleranceMs);
      const live = [
        await rowIn(store, 'IN_PROGRESS'),
        await rowIn(store, 'ERROR'),
        await rowIn(store, 'RETRY'),
        await rowIn(store, 'UNPROCESSED'),
      ];
      const young = [await rowIn(store, 'COMPLETED'), await rowIn(store, 'FAILED')];
      assert.equal(await store.purge({ statuses: ['FAILED'], olderThanMs: ageMs, limit: 100 }), 1);
      assert.equal(await store.purge({ statuses: ['COMPLETED', 'FAILED'], olderThanMs: ageMs, limit: 2 }), 2);
      assert.equal(await store.purge({ statuses: ['COMPLETED', 'FAILED'], olderThanMs: ageMs, limit: 2 }), 1);
      assert.equal(await store.purge({ statuses: ['COMPLETED', 'FAILED'], olderThanMs: ageMs, limit: 2 }), 0);
      for (const m of old)
        assert.equal((await listAll(store, { eventId: m.eventId })).length, 0, 'an old terminal row survived');
      const left = await listAll(store);
      assert.deepEqual(left.map((r) => r.status).sort(), [
        'COMPLETED',
        'ERROR',
        'FAILED',
        'IN_PROGRESS',
        'RETRY',
        'UNPROCESSED',
      ]);
      for (const m of young) assert.equal((await listAll(store, { eventId: m.eventId })).length, 1);
      // Now the live rows are old too: only their status protects them.
      await sleep(ageMs * 2 + timing.clockToleranceMs);
      assert.equal(await store.purge({ statuses: ['COMPLETED', 'FAILED'], olderThanMs: ageMs, limit: 100 }), 2);
      for (const m of live)
        assert.equal((await listAll(store, { eventId: m.eventId })).length, 1, 'purge deleted a live row');
      assert.deepEqual((await listAll(store)).map((r) => r.status).sort(), [
        'ERROR',
        'IN_PROGRESS',
        'RETRY',
        'UNPROCESSED',
      ]);
    },
  },
  {
    name: 'purge: removes payload and working data only of events with no row left',
    async run({ store, timing }) {
      const gone = newMessage({ payload: '{"gone":1}' });
      const kept = newMessage({ payload: '{"kept":1}' });
      const keptSibling = newMessage({ eventId: kept.eventId, messageType: 'RQ_SIBLING', payload: undefined });
      await store.publish([gone, kept, keptSibling]);
      for (const m of [gone, kept]) {
        const claimed = await claimOne(store);
        assert.equal(claimed.eventId, m.eventId);
        const workingData = [{ eventId: m.eventId, name: 'step', value: '{"done":true}' }];
        assert.deepEqual(await store.complete([{ ref: leaseRefOf(claimed), updatedBy: 'B', emits: [], workingData }]), [
          'ok',
        ]);
      }
      await sleep(timing.marginMs * 2);
      assert.equal(await store.purge({ statuses: ['COMPLETED'], olderThanMs: timing.marginMs, limit: 100 }), 2);
      assert.equal(await store.getPayload(gone.eventId), null, 'payload of a purged event is left');
      assert.equal((await store.getWorkingData(gone.eventId)).size, 0, 'working data of a purged event is left');
      assert.equal(await store.getPayload(kept.eventId), '{"kept":1}');
      assert.equal((await store.getWorkingData(kept.eventId)).get('step'), '{"done":true}');
      await expectRow(store, kept.eventId, { status: 'UNPROCESSED', messageType: 'RQ_SIBLING' });
    },
  },
];
