/**
 * Model-based: random sequences of publish / claim / complete / fail / promote / redrive /
 * purge / skip run on the in-memory reference store (the model) and on each other store in
 * lockstep; every result and the final rows must agree. Rows are named by their index in a
 * small pool of events and types, so different claim tokens and clocks do not matter.
 * Two of the three events share an ordering key (a row's key follows its event, so one
 * (event, type) is never published with two keys): their rows go one at a time in publish
 * order, a FAILED one parks the key until it is re-driven or skipped.
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
/** The ordering key of each event's rows: mixed, or all on one key (the keyed property). */
type Keys = readonly (string | undefined)[];
const MIXED_KEYS: Keys = [undefined, 'k', 'k'];
const ONE_KEY: Keys = ['k', 'k', 'k'];

type Op =
  | { kind: 'publish'; event: number; type: number; payload: number }
  | { kind: 'claim'; type: number }
  | { kind: 'complete'; event: number; type: number; emit: number | null }
  | { kind: 'fail'; event: number; type: number; retry: boolean }
  | { kind: 'promote' }
  | { kind: 'redrive'; event: number | null; type: number | null }
  | { kind: 'purge'; failed: boolean }
  | { kind: 'skip'; event: number; type: number };

const index = (n: number): fc.Arbitrary<number> => fc.integer({ min: 0, max: n - 1 });
// Weighted towards the writes that move rows (publish, claim, complete, fail), so short
// sequences reach the interesting states: a key's second row behind its head, a parked head.
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('publish' as const), event: index(3), type: index(2), payload: index(2) }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('claim' as const), type: index(2) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('complete' as const),
      event: index(3),
      type: index(2),
      emit: fc.option(index(2)),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('fail' as const), event: index(3), type: index(2), retry: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'promote' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('redrive' as const),
      event: fc.option(index(3)),
      type: fc.option(index(2)),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('purge' as const), failed: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('skip' as const), event: index(3), type: index(2) }) },
);

/** One store under the sequence, with the claim tokens it handed out. */
class Runner {
  readonly tokens = new Map<string, string>();
  constructor(
    readonly store: EventStore,
    readonly keys: Keys,
  ) {}

  keyOf(event: number): { orderingKey?: string } {
    const orderingKey = this.keys[event];
    return orderingKey === undefined ? {} : { orderingKey };
  }

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
            ...this.keyOf(o.event),
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
                  ...this.keyOf(o.event),
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
      case 'skip':
        return s.skipParkedHead({
          table: 'request',
          eventId: EVENTS[o.event] as string,
          messageType: TYPES[o.type] as string,
          updatedBy: 'OPERATOR',
        });
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const view = (rows: readonly MessageRow[]): string[] =>
  rows.map((r) => `${r.eventId} ${r.messageType} ${r.status} ${r.attempts} ${r.lastError === null ? '-' : 'E'}`).sort();

/** Every event's rows on one ordering key: the moves that pass a key from row to row. */
const keyedOp: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('publish' as const),
      event: index(2),
      type: fc.constant(0),
      payload: index(2),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('claim' as const), type: fc.constant(0) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('complete' as const),
      event: index(2),
      type: fc.constant(0),
      emit: fc.option(fc.constant(1)),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('fail' as const),
      event: index(2),
      type: fc.constant(0),
      retry: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('skip' as const), event: index(2), type: fc.constant(0) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('redrive' as const),
      event: fc.option(index(2)),
      type: fc.constant(null),
    }),
  },
);

const properties = [
  {
    name: 'random operation sequences give the same results and rows as the model',
    ops: op,
    keys: MIXED_KEYS,
    runs: 15,
    minLength: 1,
  },
  {
    name: 'on one ordering key: the same heads, parks, skips and re-drives as the model',
    ops: keyedOp,
    keys: ONE_KEY,
    runs: 40,
    minLength: 10,
  },
];

for (const factory of STORE_FACTORIES.filter((f) => f !== MEMORY_FACTORY)) {
  describe(`store model (${factory.name} vs memory)`, () => {
    for (const property of properties) {
      it(
        property.name,
        async () => {
          await fc.assert(
            fc.asyncProperty(fc.array(property.ops, { minLength: property.minLength, maxLength: 25 }), async (ops) => {
              const [model, real] = [await MEMORY_FACTORY.open(), await factory.open()];
              try {
                const runners = [new Runner(model.store, property.keys), new Runner(real.store, property.keys)];
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
            parameters(property.runs),
          );
        },
        PROPERTY_TIMEOUT_MS,
      );
    }
  });
}
