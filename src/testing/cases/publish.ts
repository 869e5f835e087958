/** Publish: uniqueness of (eventId, messageType), idempotency, result order, delays, payload text. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ConformanceCase } from '../types.js';
import { claimNone, claimOne, claimRequest, expectRow, listAll, newMessage, sleep, TEST_SERVICE } from '../builders.js';

/** JSON texts a store must give back byte for byte. */
export function awkwardJsonTexts(): readonly string[] {
  return [
    JSON.stringify({ text: 'héllo wörld — 世界 🎉 👩‍👩‍👧 עברית ﷽ e\u0301' }),
    JSON.stringify({ quotes: `'"\`; DROP TABLE payload; --`, lua: '%s %d [[ ]] \\ \\\\', nul: '\u0000\u0001\u001f' }),
    JSON.stringify({ lines: 'a\nb\r\nc\td', template: '${x} {{y}} $1 %', html: '<script>&amp;</script>' }),
    JSON.stringify({ nested: { list: [1, -2.5e-7, true, false, null, {}, []] } }, null, 2),
    JSON.stringify({ big: 'x'.repeat(50_000) + 'ü'.repeat(25_000) }),
    ' [ 1 , "two" ] ',
    '"just a string"',
    '0',
  ];
}

export const publishCases: readonly ConformanceCase[] = [
  {
    name: 'publish: creates UNPROCESSED rows with the given fields',
    async run({ store }) {
      const before = await store.now();
      const message = newMessage({
        orderingKey: 'k-1',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      });
      const [result] = await store.publish([message]);
      const after = await store.now();
      assert.deepEqual(result, {
        eventId: message.eventId,
        messageType: message.messageType,
        created: true,
        status: 'UNPROCESSED',
      });
      const row = await expectRow(store, message.eventId, { status: 'UNPROCESSED', attempts: 0 });
      assert.equal(row.table, message.table);
      assert.equal(row.createdBy, TEST_SERVICE);
      assert.equal(row.updatedBy, TEST_SERVICE);
      assert.equal(row.maxAttempts, 3);
      assert.equal(row.orderingKey, 'k-1');
      assert.equal(row.traceparent, message.traceparent);
      assert.equal(row.leaseOwner, null);
      assert.equal(row.leaseExpiresAt, null);
      assert.equal(row.claimToken, null);
      assert.equal(row.lastError, null);
      assert.ok(row.createdAt >= before - 5 && row.createdAt <= after + 5, `createdAt ${row.createdAt}`);
      assert.ok(row.availableAt <= after + 5, `availableAt ${row.availableAt} is in the future`);
      assert.equal(await store.getPayload(message.eventId), message.payload);
    },
  },
  {
    name: 'publish: a second write of (eventId, messageType) is a no-op reporting the existing row',
    async run({ store }) {
      const first = newMessage({ payload: '{"version":1}' });
      await store.publish([first]);
      const claimed = await claimOne(store);
      const before = await listAll(store);
      const again = { ...first, payload: '{"version":2}', maxAttempts: 9, createdBy: 'SERVICE_OTHER' };
      const results = await store.publish([again, again]);
      assert.deepEqual(
        results.map((r) => [r.eventId, r.created, r.status]),
        [
          [first.eventId, false, 'IN_PROGRESS'],
          [first.eventId, false, 'IN_PROGRESS'],
        ],
        'a duplicate publish must report created: false and the existing status',
      );
      assert.deepEqual(await listAll(store), before, 'a duplicate publish changed a row');
      assert.equal(await store.getPayload(first.eventId), '{"version":1}', 'a duplicate publish replaced the payload');
      assert.equal(before[0]?.claimToken, claimed.claimToken);
    },
  },
  {
    name: 'publish: the same event id with another message type is a new row sharing the payload',
    async run({ store }) {
      const eventId = randomUUID();
      const results = await store.publish([
        newMessage({ eventId, payload: '{"first":true}' }),
        newMessage({ eventId, messageType: 'RQ_CONFORMANCE_OTHER', payload: '{"first":true}' }),
      ]);
      assert.deepEqual(
        results.map((r) => r.created),
        [true, true],
      );
      assert.equal((await listAll(store, { eventId })).length, 2);
      assert.equal(await store.getPayload(eventId), '{"first":true}', 'payloads are written once per event');
    },
  },
  {
    name: 'publish: results come in input order, duplicates within one call included',
    async run({ store }) {
      const existing = newMessage();
      await store.publish([existing]);
      const fresh = Array.from({ length: 30 }, (_, i) =>
        newMessage({ messageType: i % 2 === 0 ? 'RQ_CONFORMANCE' : 'RQ_CONFORMANCE_OTHER' }),
      );
      const input = [fresh[0], existing, ...fresh.slice(1), fresh[5]].filter((m) => m !== undefined);
      const results = await store.publish(input);
      assert.equal(results.length, 32);
      assert.deepEqual(
        results.map((r) => `${r.eventId}/${r.messageType}`),
        input.map((m) => `${m.eventId}/${m.messageType}`),
      );
      const created = results.map((r) => r.created);
      assert.deepEqual(created, [true, false, ...Array.from({ length: 29 }, () => true), false]);
      assert.equal((await listAll(store)).length, 31);
    },
  },
  {
    name: 'publish: a message without payload leaves the event without one',
    async run({ store }) {
      const message = newMessage({ payload: undefined });
      await store.publish([message]);
      assert.equal(await store.getPayload(message.eventId), null);
      assert.equal((await claimOne(store)).payload, null);
      assert.equal(await store.getPayload(randomUUID()), null, 'an unknown event has a payload');
    },
  },
  {
    name: 'publish: payload JSON text round trips unchanged (unicode, ~100 KB, special characters)',
    async run({ store }) {
      const texts = awkwardJsonTexts();
      const messages = texts.map((payload) => newMessage({ payload }));
      await store.publish(messages);
      for (const [i, message] of messages.entries()) {
        assert.equal(await store.getPayload(message.eventId), texts[i], `payload ${i} changed`);
      }
      const claimed = await store.claim(claimRequest({ limit: 100 }));
      assert.equal(claimed.length, texts.length);
      for (const c of claimed) {
        const i = messages.findIndex((m) => m.eventId === c.eventId);
        assert.equal(c.payload, texts[i], `claimed payload ${i} changed`);
      }
    },
  },
  {
    name: 'publish: a delayed message is not claimable until due (store clock)',
    async run({ store, timing }) {
      const delayMs = timing.leaseMs;
      const before = await store.now();
      const delayed = newMessage({ delayMs });
      await store.publish([delayed]);
      const after = await store.now();
      const row = await expectRow(store, delayed.eventId, { status: 'UNPROCESSED' });
      assert.ok(
        row.availableAt >= before + delayMs - timing.clockToleranceMs &&
          row.availableAt <= after + delayMs + timing.clockToleranceMs,
        `availableAt ${row.availableAt} is not now + ${delayMs}`,
      );
      await claimNone(store);
      await sleep(delayMs + timing.marginMs);
      const claimed = await claimOne(store);
      assert.equal(claimed.eventId, delayed.eventId);
    },
  },
  {
    name: 'publish: a new row of an existing event with a different payload is a payload conflict and writes nothing',
    async run({ store }) {
      const first = newMessage({ messageType: 'RQ_FIRST', payload: '{"amount":1}' });
      await store.publish([first]);
      const { eventId } = first;
      const results = await store.publish([
        newMessage({ eventId, messageType: 'RQ_OTHER', payload: '{"amount":2}' }),
        newMessage({ eventId, messageType: 'RQ_SAME', payload: '{"amount":1}' }),
        newMessage({ eventId, messageType: 'RQ_NONE', payload: undefined }),
        newMessage({ eventId, messageType: 'RQ_FIRST', payload: '{"amount":3}' }),
      ]);
      assert.deepEqual(
        results.map((r) => [r.messageType, r.created, r.status, r.conflict]),
        [
          ['RQ_OTHER', false, null, 'payload'],
          ['RQ_SAME', true, 'UNPROCESSED', undefined],
          ['RQ_NONE', true, 'UNPROCESSED', undefined],
          ['RQ_FIRST', false, 'UNPROCESSED', undefined],
        ],
      );
      const types = (await listAll(store, { eventId })).map((r) => r.messageType).sort();
      assert.deepEqual(types, ['RQ_FIRST', 'RQ_NONE', 'RQ_SAME']);
      assert.equal(await store.getPayload(eventId), '{"amount":1}');
    },
  },
];
