/**
 * Model-based: random sequences of publish / claim / complete / fail / promote / redrive /
 * purge run on the in-memory reference store (the model) and on each other store in
 * lockstep; every result and the final rows must agree. Rows are named by their index in a
 * small pool of events and types, so different claim tokens and clocks do not matter.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventStore, LeaseRef, MessageRow } from '../../src/store/index.js';
import { listAll } from '../../src/testing/builders.js';
import { MEMORY_FACTORY, STORE_FACTORIES } from '../support/store-factories.js';
import { parameters, PROPERTY_TIMEOUT_MS } from './settings.js';

const EVENTS = [
  '0a000000-0000-4000-8000-000000000001',
  '0a000000-0000-4000-8000-000000000002',
  '0a000000-0000-4000-8000-000000000003',
] as const;
const TYPES = ['RQ_M_ONE', 'RQ_M_TWO'] as const;

type Op =
  | { kind: 'publish'; event: number; type: number; payload: number }
  | { kind: 'claim'; type: number }
  | { kind: 'complete'; event: number; type: number; emit: number | null }
  | { kind: 'fail'; event: number; type: number; retry: boolean }
  | { kind: 'promote' }
  | { kind: 'redrive'; event: number | null; type: number | null }
  | { kind: 'purge'; failed: boolean };

const index = (n: number): fc.Arbitrary<number> => fc.integer({ min: 0, max: n - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('publish' as const), event: index(3), type: index(2), payload: index(2) }),
  fc.record({ kind: fc.constant('claim' as const), type: index(2) }),
  fc.record({ kind: fc.constant('complete' as const), event: index(3), type: index(2), emit: fc.option(index(2)) }),
  fc.record({ kind: fc.constant('fail' as const), event: index(3), type: index(2), retry: fc.boolean() }),
  fc.constant({ kind: 'promote' as const }),
  fc.record({ kind: fc.constant('redrive' as const), event: fc.option(index(3)), type: fc.option(index(2)) }),
  fc.record({ kind: fc.constant('purge' as const), failed: fc.boolean() }),
);

/** One store under the sequence, with the claim tokens it handed out. */
class Runner {
  readonly tokens = new Map<string, string>();
  constructor(readonly store: EventStore) {}

  ref(event: number, type: number): LeaseRef {
    const key = `${event}/${type}`;
    return {
      table: 'request',
      eventId: EVENTS[event] as string,
      messageType: TYPES[type] as string,
      claimToken: this.tokens.get(key) ?? 'never-issued',
    };
  }

  async apply(o: Op): Promise<unknown> {
    const s = this.store;
    switch (o.kind) {
      case 'publish': {
        const [r] = await s.publish([
          {
            eventId: EVENTS[o.event] as string,
            messageType: TYPES[o.type] as string,
            table: 'request',
            payload: JSON.stringify({ p: o.payload }),
            maxAttempts: 2,
            createdBy: 'MODEL',
          },
        ]);
        return r;
      }
      case 'claim': {
        const claimed = await s.claim({
          table: 'request',
          messageTypes: [TYPES[o.type] as string],
          limit: 10,
          owner: 'MODEL',
          updatedBy: 'MODEL',
          leaseMs: 600_000,
        });
        for (const c of claimed) this.tokens.set(`${EVENTS.indexOf(c.eventId as never)}/${o.type}`, c.claimToken);
        return claimed.map((c) => [c.eventId, c.attempts, c.payload]).sort();
      }
      case 'complete': {
        const emits =
          o.emit === null
            ? []
            : [
                {
                  eventId: EVENTS[o.event] as string,
                  messageType: TYPES[o.emit] as string,
                  table: 'request' as const,
                  maxAttempts: 2,
                  createdBy: 'MODEL',
                },
              ];
        return s.complete([{ ref: this.ref(o.event, o.type), updatedBy: 'MODEL', emits, workingData: [] }]);
      }
      case 'fail':
        return s.fail([
          { ref: this.ref(o.event, o.type), updatedBy: 'MODEL', error: 'boom', retryDelayMs: o.retry ? 0 : null },
        ]);
      case 'promote':
        await sleep(2);
        return s.promoteDueRetries(100, 'MODEL');
      case 'redrive': {
        const filter = {
          ...(o.event !== null && { eventId: EVENTS[o.event] }),
          ...(o.type !== null && { messageType: TYPES[o.type] }),
        };
        return s.redrive(Object.keys(filter).length === 0 ? { all: true } : filter, 'OPERATOR');
      }
      case 'purge':
        await sleep(2);
        return s.purge({ statuses: o.failed ? ['FAILED'] : ['COMPLETED'], olderThanMs: 0, limit: 100 });
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const view = (rows: readonly MessageRow[]): string[] =>
  rows.map((r) => `${r.eventId} ${r.messageType} ${r.status} ${r.attempts} ${r.lastError === null ? '-' : 'E'}`).sort();

for (const factory of STORE_FACTORIES.filter((f) => f !== MEMORY_FACTORY)) {
  describe(`store model (${factory.name} vs memory)`, () => {
    it(
      'random operation sequences give the same results and rows as the model',
      async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
            const [model, real] = [await MEMORY_FACTORY.open(), await factory.open()];
            try {
              const runners = [new Runner(model.store), new Runner(real.store)];
              for (const [i, o] of ops.entries()) {
                const expected = await runners[0]?.apply(o);
                const actual = await runners[1]?.apply(o);
                expect([i, o, actual]).toEqual([i, o, expected]);
              }
              expect(view(await listAll(real.store))).toEqual(view(await listAll(model.store)));
              for (const eventId of EVENTS) {
                expect(await real.store.getPayload(eventId)).toBe(await model.store.getPayload(eventId));
              }
            } finally {
              await model.dispose();
              await real.dispose();
            }
          }),
          parameters(15),
        );
      },
      PROPERTY_TIMEOUT_MS,
    );
  });
}
