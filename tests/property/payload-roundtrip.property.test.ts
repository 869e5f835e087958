/**
 * Arbitrary JSON payloads round-trip exactly through publish, the store and claim, on every
 * store of the factory list: what the handler would receive equals what was published.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEventyard, defineMessageType, ErrorCode, EventyardError, silentLogger } from '../../src/index.js';
import { parseJson } from '../../src/core/payload.js';
import { STORE_FACTORIES, type OpenedStore } from '../support/store-factories.js';
import { parameters, PROPERTY_TIMEOUT_MS } from './settings.js';

const RQ_ANY = defineMessageType({ name: 'RQ_ANY', schema: z.unknown() });

/** JSON values without -0 (JSON has none: it is written as 0, and `-0 === 0`). */
const json = fc
  .jsonValue({ maxDepth: 6 })
  .map((v) => JSON.parse(JSON.stringify(v)) as unknown)
  .filter((v) => v !== undefined);

for (const factory of STORE_FACTORIES) {
  describe(`payload round trip (${factory.name})`, () => {
    let opened: OpenedStore;
    beforeAll(async () => {
      opened = await factory.open();
    });
    afterAll(async () => opened.dispose());

    it(
      'publish → store → claim gives back an equal value, or a typed refusal',
      async () => {
        const app = createEventyard({ store: opened.store, messageTypes: [RQ_ANY], logger: silentLogger });
        await fc.assert(
          fc.asyncProperty(json, async (payload) => {
            let eventId: string;
            try {
              ({ eventId } = await app.publish(RQ_ANY, payload));
            } catch (error) {
              // The only refusal a JSON value may meet: a "__proto__" key, which parsing drops.
              expect(error).toBeInstanceOf(EventyardError);
              expect((error as EventyardError).code).toBe(ErrorCode.PAYLOAD_MALFORMED);
              expect(String((error as EventyardError).details?.path)).toContain('__proto__');
              return;
            }
            const stored = await opened.store.getPayload(eventId);
            expect(parseJson(stored ?? 'null')).toEqual(payload);
            const claimed = await opened.store.claim({
              table: 'request',
              messageTypes: ['RQ_ANY'],
              limit: 1,
              owner: 'PROPERTY',
              updatedBy: 'PROPERTY',
              leaseMs: 60_000,
            });
            expect(claimed.map((c) => c.eventId)).toEqual([eventId]);
            expect(parseJson(claimed[0]?.payload ?? 'null')).toEqual(payload);
            const ref = claimed[0];
            if (ref !== undefined) {
              await opened.store.complete([{ ref, updatedBy: 'PROPERTY', emits: [], workingData: [] }]);
            }
          }),
          parameters(40),
        );
      },
      PROPERTY_TIMEOUT_MS,
    );
  });
}
