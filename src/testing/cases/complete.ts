/** Complete with emits and working data, as one atomic, fenced write. */
import assert from 'node:assert/strict';
import type { ConformanceCase } from '../types.js';
import { awkwardJsonTexts } from './publish.js';
import type { LeaseRef, NewMessage } from '../../store/port.js';
import {
  claimOne,
  claimRequest,
  expectRow,
  getRow,
  leaseRefOf,
  listAll,
  newMessage,
  TEST_SERVICE,
  TEST_TYPE,
} from '../builders.js';

export const completeCases: readonly ConformanceCase[] = [
  {
    name: 'complete: a batch of plain and fuller requests of two types answers in input order',
    async run({ store }) {
      // A store may write plain completions (no emits, no working data) apart from the
      // others, or group them by type: the outcomes still come back in the order asked.
      const other = 'RQ_CONFORMANCE_OTHER';
      const [a, b, c, d] = [newMessage(), newMessage({ messageType: other }), newMessage(), newMessage()];
      await store.publish([a, b, c, d]);
      const claimed = await store.claim(claimRequest({ messageTypes: [TEST_TYPE, other] }));
      assert.equal(claimed.length, 4);
      const refOf = (m: NewMessage): LeaseRef => {
        const row = claimed.find((x) => x.eventId === m.eventId);
        assert.ok(row, `${m.eventId} was not claimed`);
        return leaseRefOf(row);
      };
      const plain = (m: NewMessage): { ref: LeaseRef; updatedBy: string; emits: []; workingData: [] } => ({
        ref: refOf(m),
        updatedBy: TEST_SERVICE,
        emits: [],
        workingData: [],
      });
      assert.deepEqual(await store.complete([plain(c)]), ['ok']);
      const outcomes = await store.complete([
        { ...plain(d), workingData: [{ eventId: d.eventId, name: 'seen', value: '1' }] },
        plain(c), // completed already: its token no longer holds
        plain(b),
        plain(a),
      ]);
      assert.deepEqual(outcomes, ['ok', 'lease_lost', 'ok', 'ok']);
      for (const m of [a, b, c, d])
        await expectRow(store, m.eventId, { status: 'COMPLETED', messageType: m.messageType });
    },
  },
  {
    name: 'complete: the row becomes COMPLETED and its emits appear UNPROCESSED with createdBy',
    async run({ store }) {
      const message = newMessage({ payload: '{"order":1}' });
      await store.publish([message]);
      const claimed = await claimOne(store);
      const sameEvent = newMessage({
        eventId: message.eventId,
        messageType: 'RS_CONFORMANCE',
        table: 'response',
        payload: '{"ignored":true}',
        createdBy: 'SERVICE_B',
      });
      const newEvent = newMessage({
        messageType: 'OUT_CONFORMANCE',
        table: 'outbound',
        payload: '{"new":"é🎉"}',
        createdBy: 'SERVICE_B',
        traceparent: '00-1-2-01',
      });
      const delayed = newMessage({
        eventId: message.eventId,
        messageType: 'RQ_LATER',
        delayMs: 60_000,
        createdBy: 'SERVICE_B',
      });
      const outcome = await store.complete([
        { ref: leaseRefOf(claimed), updatedBy: 'SERVICE_B', emits: [sameEvent, newEvent, delayed], workingData: [] },
      ]);
      assert.deepEqual(outcome, ['ok']);
      const row = await expectRow(store, message.eventId, { status: 'COMPLETED', attempts: 1 });
      assert.equal(row.updatedBy, 'SERVICE_B');
      const emitted = [
        await getRow(store, message.eventId, 'RS_CONFORMANCE'),
        await getRow(store, newEvent.eventId, 'OUT_CONFORMANCE'),
        await getRow(store, message.eventId, 'RQ_LATER'),
      ];
      for (const e of emitted) {
        assert.equal(e.status, 'UNPROCESSED');
        assert.equal(e.attempts, 0);
        assert.equal(e.createdBy, 'SERVICE_B');
        assert.equal(e.maxAttempts, 3);
      }
      assert.equal(emitted[0]?.table, 'response');
      assert.equal(emitted[1]?.table, 'outbound');
      assert.equal(emitted[1]?.traceparent, '00-1-2-01');
      assert.ok((emitted[2]?.availableAt ?? 0) > (await store.now()) + 50_000, 'the emit delay was ignored');
      assert.equal(await store.getPayload(message.eventId), '{"order":1}', 'an emit replaced the event payload');
      assert.equal(await store.getPayload(newEvent.eventId), '{"new":"é🎉"}');
      assert.equal((await listAll(store)).length, 4);
      const response = await store.claim({
        table: 'response',
        messageTypes: ['RS_CONFORMANCE'],
        limit: 5,
        owner: 'C',
        updatedBy: 'C',
        leaseMs: 10_000,
      });
      assert.deepEqual(
        response.map((r) => [r.eventId, r.payload]),
        [[message.eventId, '{"order":1}']],
      );
    },
  },
  {
    name: 'complete: emitting an existing (eventId, messageType) is a no-op',
    async run({ store }) {
      const existing = newMessage({ messageType: 'RQ_EXISTING', payload: '{"keep":1}', maxAttempts: 7 });
      const message = newMessage();
      await store.publish([existing, message]);
      const before = await getRow(store, existing.eventId, 'RQ_EXISTING');
      const claimed = await claimOne(store);
      const duplicate = { ...existing, payload: '{"keep":2}', maxAttempts: 1, createdBy: 'SERVICE_DUP' };
      const twice = newMessage({ eventId: message.eventId, messageType: 'RQ_TWICE' });
      // A follow-up without a payload (the usual emit of a pipeline stage), twice.
      const bare = newMessage({ eventId: message.eventId, messageType: 'RQ_BARE', payload: undefined });
      assert.deepEqual(
        await store.complete([
          {
            ref: leaseRefOf(claimed),
            updatedBy: 'SERVICE_B',
            emits: [duplicate, twice, twice, bare, { ...bare, maxAttempts: 9 }],
            workingData: [],
          },
        ]),
        ['ok'],
      );
      assert.deepEqual(await getRow(store, existing.eventId, 'RQ_EXISTING'), before);
      assert.equal(await store.getPayload(existing.eventId), '{"keep":1}');
      assert.equal((await listAll(store, { messageType: 'RQ_TWICE' })).length, 1);
      assert.equal(
        (await getRow(store, message.eventId, 'RQ_BARE')).maxAttempts,
        3,
        'the first of the two emits is kept',
      );
      assert.equal((await listAll(store)).length, 4);
    },
  },
  {
    name: 'complete: working data is upserted with the completion and round trips unchanged',
    async run({ store }) {
      const eventId = newMessage().eventId;
      await store.publish([newMessage({ eventId }), newMessage({ eventId, messageType: 'RQ_SECOND' })]);
      const first = await claimOne(store);
      const texts = awkwardJsonTexts();
      assert.deepEqual(
        await store.complete([
          {
            ref: leaseRefOf(first),
            updatedBy: 'B',
            emits: [],
            workingData: [
              { eventId, name: 'kept', value: '{"v":1}' },
              { eventId, name: 'replaced', value: '{"v":1}' },
              ...texts.map((value, i) => ({ eventId, name: `text-${i}`, value })),
            ],
          },
        ]),
        ['ok'],
      );
      const second = await claimOne(store, { messageTypes: ['RQ_SECOND'] });
      const otherEvent = newMessage().eventId;
      await store.complete([
        {
          ref: leaseRefOf(second),
          updatedBy: 'C',
          emits: [],
          workingData: [
            { eventId, name: 'replaced', value: '{"v":2}' },
            { eventId: otherEvent, name: 'ünï/cödé name', value: '[]' },
          ],
        },
      ]);
      const data = await store.getWorkingData(eventId);
      assert.equal(data.size, 2 + texts.length);
      assert.equal(data.get('kept'), '{"v":1}');
      assert.equal(data.get('replaced'), '{"v":2}');
      texts.forEach((text, i) => assert.equal(data.get(`text-${i}`), text, `working data text-${i} changed`));
      assert.deepEqual([...(await store.getWorkingData(otherEvent))], [['ünï/cödé name', '[]']]);
      assert.equal((await store.getWorkingData(newMessage().eventId)).size, 0);
    },
  },
  {
    // Handlers running side by side read at once, so a store may have many reads on the wire
    // (or serve them in one call): each reader must still get its own event's data.
    name: 'complete: working data read by 41 callers at once gives each its own event',
    async run({ store }) {
      const messages = Array.from({ length: 40 }, () => newMessage());
      await store.publish(messages);
      const claimed = await store.claim(claimRequest({ limit: 40 }));
      assert.equal(claimed.length, 40);
      const outcomes = await store.complete(
        claimed.map((c) => ({
          ref: leaseRefOf(c),
          updatedBy: 'B',
          emits: [],
          workingData: [
            { eventId: c.eventId, name: 'id', value: JSON.stringify(c.eventId) },
            { eventId: c.eventId, name: 'w:odd name', value: '1' },
          ],
        })),
      );
      assert.ok(
        outcomes.every((o) => o === 'ok'),
        `outcomes: ${outcomes.join(', ')}`,
      );
      const ids = [...messages.map((m) => m.eventId), newMessage().eventId];
      for (let round = 0; round < 3; round++) {
        const read = await Promise.all(ids.map((id) => store.getWorkingData(id)));
        read.forEach((data, i) => {
          const expected = i === 40 ? {} : { id: JSON.stringify(ids[i]), 'w:odd name': '1' };
          assert.deepEqual(Object.fromEntries(data), expected, `working data of event ${i}`);
        });
      }
    },
  },
  {
    name: 'complete: one call of mixed requests writes each on its own, a lost lease none of its emits or data',
    async run({ store }) {
      const [a, b, lost, d] = [newMessage(), newMessage(), newMessage(), newMessage({ payload: '{"d":1}' })];
      await store.publish([a, b, lost, d]);
      const claimed = await store.claim(claimRequest({ limit: 4 }));
      assert.equal(claimed.length, 4);
      const refOf = (m: NewMessage): LeaseRef => {
        const row = claimed.find((c) => c.eventId === m.eventId);
        assert.ok(row, `row ${m.eventId} was not claimed`);
        return leaseRefOf(row);
      };
      // The lost row is completed first: in the mixed call its token no longer holds.
      assert.deepEqual(await store.complete([{ ref: refOf(lost), updatedBy: 'FIRST', emits: [], workingData: [] }]), [
        'ok',
      ]);
      const notWritten = newMessage({ messageType: 'OUT_NOT_WRITTEN', table: 'outbound', payload: '{"no":1}' });
      const traced = newMessage({ messageType: 'OUT_TRACED', table: 'outbound', traceparent: '00-1-2-01' });
      const followUp = newMessage({ eventId: d.eventId, messageType: 'RQ_FOLLOW_UP', payload: undefined });
      const outcomes = await store.complete([
        { ref: refOf(a), updatedBy: 'SERVICE_B', emits: [], workingData: [] },
        {
          ref: refOf(lost),
          updatedBy: 'SERVICE_B',
          emits: [notWritten],
          workingData: [{ eventId: lost.eventId, name: 'lost', value: '1' }],
        },
        { ref: refOf(b), updatedBy: 'SERVICE_X', emits: [], workingData: [] },
        {
          ref: refOf(d),
          updatedBy: 'SERVICE_B',
          emits: [traced, followUp],
          workingData: [{ eventId: d.eventId, name: 'kept', value: '{"v":1}' }],
        },
      ]);
      assert.deepEqual(outcomes, ['ok', 'lease_lost', 'ok', 'ok']);
      assert.equal((await expectRow(store, a.eventId, { status: 'COMPLETED' })).updatedBy, 'SERVICE_B');
      assert.equal((await expectRow(store, b.eventId, { status: 'COMPLETED' })).updatedBy, 'SERVICE_X');
      assert.equal((await expectRow(store, lost.eventId, { status: 'COMPLETED' })).updatedBy, 'FIRST');
      assert.equal((await expectRow(store, d.eventId, { status: 'COMPLETED' })).updatedBy, 'SERVICE_B');
      assert.equal((await getRow(store, traced.eventId, 'OUT_TRACED')).traceparent, '00-1-2-01');
      const follow = await getRow(store, d.eventId, 'RQ_FOLLOW_UP');
      assert.equal(follow.status, 'UNPROCESSED');
      assert.equal(follow.createdBy, TEST_SERVICE);
      assert.equal(await store.getPayload(d.eventId), '{"d":1}');
      assert.deepEqual([...(await store.getWorkingData(d.eventId))], [['kept', '{"v":1}']]);
      assert.equal((await store.getWorkingData(lost.eventId)).size, 0, 'a lost lease wrote working data');
      assert.equal(await store.getPayload(notWritten.eventId), null, 'a lost lease wrote its emit');
      assert.equal((await listAll(store)).length, 6);
    },
  },
  {
    name: 'complete: a COMPLETED row cannot be completed, failed, heartbeated or released again',
    async run({ store }) {
      const message = newMessage();
      await store.publish([message]);
      const claimed = await claimOne(store);
      const ref = leaseRefOf(claimed);
      assert.deepEqual(await store.complete([{ ref, updatedBy: 'B', emits: [], workingData: [] }]), ['ok']);
      const before = await listAll(store);
      assert.deepEqual(
        await store.complete([
          {
            ref,
            updatedBy: 'X',
            emits: [newMessage()],
            workingData: [{ eventId: message.eventId, name: 'n', value: '1' }],
          },
        ]),
        ['lease_lost'],
      );
      assert.deepEqual(await store.fail([{ ref, updatedBy: 'X', error: 'late', retryDelayMs: 0 }]), ['lease_lost']);
      assert.deepEqual(await store.heartbeat([ref], 60_000), ['lease_lost']);
      assert.deepEqual(await store.release([ref], 'X'), ['lease_lost']);
      assert.deepEqual(await listAll(store), before);
      assert.equal((await store.getWorkingData(message.eventId)).size, 0);
    },
  },
];
