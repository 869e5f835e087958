/**
 * What the public API does with bad or awkward input, on every store of the factory list:
 * identifiers get one validation before any store sees them, an EVENT_ID is one event in
 * any letter case, a payload is validated as the handler will receive it (its JSON round
 * trip) and a value JSON cannot carry is refused with its path, and a second message of an
 * event with another payload is a typed error instead of a silent discard.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createEventyard,
  defineMessageType,
  ErrorCode,
  EventyardError,
  silentLogger,
  type Eventyard,
} from '../../src/index.js';
import { STORE_FACTORIES, type OpenedStore } from '../support/store-factories.js';

const IN_ANY = defineMessageType({ name: 'IN_ANY', schema: z.unknown() });
const RQ_ANY = defineMessageType({ name: 'RQ_ANY', schema: z.unknown() });
const IN_DATED = defineMessageType({ name: 'IN_DATED', schema: z.object({ when: z.date() }) });
const IN_MAPPED = defineMessageType({ name: 'IN_MAPPED', schema: z.object({ tags: z.map(z.string(), z.number()) }) });
const IN_ISO = defineMessageType({ name: 'IN_ISO', schema: z.object({ when: z.iso.datetime() }) });

const thrownBy = async (work: Promise<unknown>): Promise<EventyardError> => {
  try {
    await work;
  } catch (error) {
    if (error instanceof EventyardError) return error;
    throw new Error(`expected an EventyardError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected an error, the call succeeded');
};

for (const factory of STORE_FACTORIES) {
  describe(`public input (${factory.name})`, () => {
    let opened: OpenedStore;
    let app: Eventyard;
    beforeEach(async () => {
      opened = await factory.open();
      app = createEventyard({
        store: opened.store,
        messageTypes: [IN_ANY, RQ_ANY, IN_DATED, IN_MAPPED, IN_ISO],
        logger: silentLogger,
      });
    });
    afterEach(async () => {
      await app.close();
      await opened.dispose();
    });
    const rowCount = async (): Promise<number> => (await app.countByStatus()).reduce((sum, c) => sum + c.count, 0);

    it('identifiers: wrong types, empty, too long, lone surrogates and control characters are EY_INVALID_IDENTIFIER; nothing is written', async () => {
      const bad: Record<string, unknown>[] = [
        { createdBy: 123 },
        { createdBy: { toString: () => 'obj' } },
        { createdBy: null },
        { createdBy: '' },
        { createdBy: 'x'.repeat(201) },
        { createdBy: 'a\ud800b' },
        { createdBy: 'a\u0000b' },
        { orderingKey: 'key-\udc00' },
        { orderingKey: 7 },
        { orderingKey: '' },
        { traceparent: '00-\ud83d' },
        { eventId: 'NOT-A-UUID' },
        { eventId: 42 },
      ];
      for (const options of bad) {
        const error = await thrownBy(app.publish(IN_ANY, { n: 1 }, options));
        expect([error.code, options]).toEqual([ErrorCode.INVALID_IDENTIFIER, options]);
      }
      expect(await rowCount()).toBe(0);
    });

    it('identifiers: any other string round-trips exactly (astral characters, quotes, separators)', async () => {
      const createdBy = 'svc 👩‍👩‍👧 "quoted" : {tag} \\ ü';
      const orderingKey = 'key:with:colons 🎉 {x} \u2028';
      const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      // A store without ordering keys refuses one (EY_UNSUPPORTED_FEATURE): test the others there.
      const keyed = opened.store.features.orderingKeys;
      const options = { createdBy, traceparent, ...(keyed ? { orderingKey } : {}) };
      const { eventId } = await app.publish(IN_ANY, { n: 1 }, options);
      const [row] = (await app.list({ eventId, limit: 5 })).rows;
      expect(row).toMatchObject({
        createdBy,
        updatedBy: createdBy,
        orderingKey: keyed ? orderingKey : null,
        traceparent,
      });
    });

    it('event ids: one UUID in upper and lower case is one event (normalised to lower case)', async () => {
      const lower = '9b2f0c1e-3a4d-4e5f-8a6b-7c8d9e0f1a2b';
      const first = await app.publish(IN_ANY, { n: 1 }, { eventId: lower.toUpperCase() });
      const again = await app.publish(IN_ANY, { n: 1 }, { eventId: lower });
      expect([first.eventId, first.created, again.eventId, again.created]).toEqual([lower, true, lower, false]);
      expect(await rowCount()).toBe(1);
      expect((await app.list({ eventId: lower.toUpperCase(), limit: 5 })).rows.map((r) => r.eventId)).toEqual([lower]);
    });

    it('payloads: values JSON cannot carry are EY_PAYLOAD_MALFORMED with the path; nothing is written', async () => {
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      const sparse: unknown[] = [1];
      sparse[2] = 3;
      const withSymbol = { [Symbol('s')]: 1, ok: true };
      const cases: [unknown, string][] = [
        [{ a: Number.NaN }, '$.a'],
        [{ a: [1, Number.POSITIVE_INFINITY] }, '$.a[1]'],
        [{ when: new Date() }, '$.when'],
        [{ tags: new Map([['a', 1]]) }, '$.tags'],
        [{ tags: new Set([1]) }, '$.tags'],
        [{ f: () => 1 }, '$.f'],
        [{ u: undefined }, '$.u'],
        [{ 'odd key': { big: 10n } }, '$["odd key"].big'],
        [withSymbol, '$'],
        [{ sneaky: { toJSON: () => 'replaced' } }, '$.sneaky'],
        [{ list: sparse }, '$.list[1]'],
        [cyclic, '$.self'],
        [JSON.parse('{"__proto__":{"admin":true}}'), '$.__proto__'],
        [Symbol('top'), '$'],
      ];
      for (const [payload, path] of cases) {
        const error = await thrownBy(app.publish(IN_ANY, payload));
        expect([error.code, error.details?.path]).toEqual([ErrorCode.PAYLOAD_MALFORMED, path]);
      }
      expect(await rowCount()).toBe(0);
    });

    it('payloads: a schema is checked against what the handler receives, not the live object', async () => {
      expect((await thrownBy(app.publish(IN_DATED, { when: new Date() }))).code).toBe(ErrorCode.PAYLOAD_MALFORMED);
      expect((await thrownBy(app.publish(IN_MAPPED, { tags: new Map([['a', 1]]) }))).code).toBe(
        ErrorCode.PAYLOAD_MALFORMED,
      );
      // A date as an ISO string passes, and is what the store keeps.
      const when = new Date(0).toISOString();
      const { eventId } = await app.publish(IN_ISO, { when });
      expect(await app.store.getPayload(eventId)).toBe(JSON.stringify({ when }));
      expect(await rowCount()).toBe(1);
    });

    it('payloads: a second message type of an event with another payload is EY_PAYLOAD_CONFLICT; the same payload is fine', async () => {
      const { eventId } = await app.publish(IN_ANY, { amount: 1 });
      const error = await thrownBy(app.publish(RQ_ANY, { amount: 2 }, { eventId }));
      expect([error.code, error.details]).toEqual([ErrorCode.PAYLOAD_CONFLICT, { eventId, messageType: 'RQ_ANY' }]);
      expect(await rowCount()).toBe(1);
      const same = await app.publish(RQ_ANY, { amount: 1 }, { eventId });
      expect(same.created).toBe(true);
      const many = await app.publishMany([
        { type: 'IN_ISO', payload: { when: new Date(0).toISOString() }, options: { eventId } },
        { type: IN_ANY, payload: { amount: 1 } },
      ]);
      expect(many.map((r) => [r.created, r.conflict])).toEqual([
        [false, 'payload'],
        [true, undefined],
      ]);
      expect(await app.store.getPayload(eventId)).toBe('{"amount":1}');
    });
  });
}
