/**
 * Arbitrary strings (lone surrogates, NUL, astral characters, separators) as identifiers,
 * filters and options: on every store they either round-trip exactly or raise a typed error,
 * and every store gives the answer the in-memory reference store gives.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEventyard, defineMessageType, EventyardError, silentLogger, type Eventyard } from '../../src/index.js';
import { MEMORY_FACTORY, STORE_FACTORIES, type OpenedStore } from '../support/store-factories.js';
import { parameters, PROPERTY_TIMEOUT_MS } from './settings.js';

const RQ_ANY = defineMessageType({ name: 'RQ_ANY', schema: z.unknown() });

/** Strings that stress identifiers: any UTF-16 units (lone surrogates too), short and long. */
const awkward = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('a', ':', '{', '}', '\u0000', '\ud800', '\udc00', 'é', '🎉'), maxLength: 8 }),
  fc.string({ minLength: 190, maxLength: 270 }),
  fc.constantFrom('', ' ', 'RQ_ANY', 'request', 'IN_', '9B2F0C1E-3A4D-4E5F-8A6B-7C8D9E0F1A2B'),
);
const anyValue = fc.oneof(awkward, fc.integer(), fc.double(), fc.constant(null), fc.boolean());

type Outcome = { ok: unknown } | { code: string };

async function outcomeOf(work: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: await work() };
  } catch (error) {
    if (error instanceof EventyardError) return { code: error.code };
    throw error;
  }
}

/** Publishes with the given options and reads the row back: its identifier fields, or the error. */
async function publishOutcome(app: Eventyard, options: Record<string, unknown>): Promise<Outcome> {
  return outcomeOf(async () => {
    const { eventId } = await app.publish(RQ_ANY, { n: 1 }, options);
    const [row] = (await app.list({ eventId, limit: 5 })).rows;
    return { createdBy: row?.createdBy, orderingKey: row?.orderingKey, traceparent: row?.traceparent };
  });
}

async function filterOutcome(app: Eventyard, filter: Record<string, unknown>): Promise<Outcome> {
  return outcomeOf(async () => {
    const listed = (await app.list({ ...filter, limit: 100 })).rows.length;
    const counted = (await app.countByStatus(filter as never)).reduce((sum, c) => sum + c.count, 0);
    const redriven = await app.redrive(filter);
    return { listed, counted, redriven };
  });
}

for (const factory of STORE_FACTORIES.filter((f) => f !== MEMORY_FACTORY)) {
  describe(`identifiers, filters and options (${factory.name} vs memory)`, () => {
    let model: OpenedStore;
    let real: OpenedStore;
    let apps: [Eventyard, Eventyard];
    beforeAll(async () => {
      [model, real] = [await MEMORY_FACTORY.open(), await factory.open()];
      apps = [model, real].map((o) =>
        createEventyard({ store: o.store, messageTypes: [RQ_ANY], logger: silentLogger }),
      ) as [Eventyard, Eventyard];
    });
    afterAll(async () => {
      await model.dispose();
      await real.dispose();
    });

    it(
      'identifiers as publish options: exact round trip or the same typed error',
      async () => {
        const options = fc.record(
          {
            createdBy: anyValue,
            // A store without ordering keys refuses every one (EY_UNSUPPORTED_FEATURE, its own
            // test); the model has them, so they are compared only where the store does too.
            ...(real.store.features.orderingKeys ? { orderingKey: anyValue } : {}),
            traceparent: anyValue,
            delayMs: fc.oneof(fc.integer(), fc.double()),
          },
          { requiredKeys: [] },
        );
        await fc.assert(
          fc.asyncProperty(options, async (given) => {
            const [expected, actual] = [await publishOutcome(apps[0], given), await publishOutcome(apps[1], given)];
            expect(actual).toEqual(expected);
            if ('ok' in actual) {
              const sent = { createdBy: 'EXTERNAL', orderingKey: null, traceparent: null, ...given };
              expect(actual.ok).toEqual({
                createdBy: sent.createdBy,
                orderingKey: sent.orderingKey,
                traceparent: sent.traceparent,
              });
            }
          }),
          parameters(60),
        );
      },
      PROPERTY_TIMEOUT_MS,
    );

    it(
      'arbitrary filters: the same counts or the same typed error as the model',
      async () => {
        const filter = fc.record(
          { messageType: awkward, eventId: awkward, table: awkward, statuses: fc.array(awkward, { maxLength: 2 }) },
          { requiredKeys: [] },
        );
        await fc.assert(
          fc.asyncProperty(filter, async (given) => {
            expect(await filterOutcome(apps[1], given)).toEqual(await filterOutcome(apps[0], given));
          }),
          parameters(60),
        );
      },
      PROPERTY_TIMEOUT_MS,
    );
  });
}
