// The conformance suite can fail: deliberately broken variants of the reference store are
// caught by the case that guards the broken contract, while the correct store passes it.
import { describe, expect, it } from 'vitest';
import type { EventStore } from '../../src/store/port.js';
import {
  CONFORMANCE_CASES,
  createMemoryStore,
  runConformanceCase,
  runStoreConformance,
  type ConformanceCase,
} from '../../src/testing/index.js';

function caseNamed(prefix: string): ConformanceCase {
  const found = CONFORMANCE_CASES.filter((c) => c.name.startsWith(prefix));
  expect(found).toHaveLength(1);
  return found[0] as ConformanceCase;
}

/** The reference store with some methods replaced by broken ones built on the correct ones. */
function brokenStore(breakIt: (base: EventStore) => Partial<EventStore>): () => Promise<EventStore> {
  return async () => {
    const base = createMemoryStore();
    return { ...base, ...breakIt(base) };
  };
}

const variants: readonly {
  readonly bug: string;
  readonly caseName: string;
  readonly createStore: () => Promise<EventStore>;
  readonly failure: RegExp;
}[] = [
  {
    bug: 'complete ignores the claim token',
    caseName: 'fencing: after expiry, reap and re-claim',
    failure: /a stale holder completed a re-claimed row/,
    createStore: brokenStore((base) => ({
      async complete(requests) {
        const current = await Promise.all(
          requests.map(
            async (r) =>
              (await base.list({ eventId: r.ref.eventId, messageType: r.ref.messageType, limit: 1 })).rows[0],
          ),
        );
        return base.complete(
          requests.map((r, i) => ({ ...r, ref: { ...r.ref, claimToken: current[i]?.claimToken ?? r.ref.claimToken } })),
        );
      },
    })),
  },
  {
    bug: 'claim sometimes hands the previous batch out again',
    caseName: 'claim: 20 concurrent claimers',
    failure: /claimed twice/,
    createStore: brokenStore((base) => {
      let previous: Awaited<ReturnType<EventStore['claim']>> = [];
      let calls = 0;
      return {
        async claim(request) {
          const claimed = await base.claim(request);
          const stale = calls++ % 7 === 6 ? previous[0] : undefined;
          // Within the limit: the last row of the batch is swapped for one handed out before.
          const handedOut =
            stale === undefined || claimed.length === 0
              ? claimed
              : [...claimed.slice(0, -1), { ...stale, leaseOwner: request.owner }];
          previous = claimed;
          return handedOut;
        },
      };
    }),
  },
  {
    bug: 'promoteDueRetries promotes ERROR rows before they are due',
    caseName: 'fail: with a delay',
    failure: /promoted an ERROR row before its AVAILABLE_AT/,
    createStore: brokenStore((base) => ({
      promoteDueRetries: async (_limit, updatedBy) => base.redrive({ statuses: ['ERROR'] }, updatedBy),
    })),
  },
  {
    bug: 'publish reports every write as created',
    caseName: 'publish: a second write of (eventId, messageType)',
    failure: /a duplicate publish must report created: false/,
    createStore: brokenStore((base) => ({
      publish: async (messages) =>
        (await base.publish(messages)).map((r) => (r.conflict === undefined ? { ...r, created: true } : r)),
    })),
  },
  {
    bug: 'release counts the attempt',
    caseName: 'release: a later attempt goes back to RETRY',
    failure: /status of [0-9a-f-]+\n[\s\S]*'ERROR'/,
    createStore: brokenStore((base) => ({
      async release(refs, updatedBy) {
        return base.fail(refs.map((ref) => ({ ref, updatedBy, error: 'released', retryDelayMs: 0 })));
      },
    })),
  },
  {
    bug: 'publish drops the priority',
    caseName: 'priority: higher claimed first',
    failure: /0 !== 5/,
    createStore: brokenStore((base) => ({
      publish: (messages) => base.publish(messages.map(({ priority: _priority, ...message }) => message)),
    })),
  },
  {
    bug: 'strict priority, no aging (a step of a day where the suite expects 100 ms)',
    caseName: 'priority: aging',
    failure: /the low row still waits/,
    createStore: async () => createMemoryStore({ priorityAgingStepMs: 86_400_000 }),
  },
];

describe('conformance suite catches broken stores', () => {
  for (const variant of variants) {
    it(`${variant.bug}: "${variant.caseName}" fails`, async () => {
      const testCase = caseNamed(variant.caseName);
      const error: unknown = await runConformanceCase(testCase, { createStore: variant.createStore }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(variant.failure);
    });

    it(`${variant.bug}: the correct store passes "${variant.caseName}"`, async () => {
      await runConformanceCase(caseNamed(variant.caseName), {
        createStore: async () => createMemoryStore({ priorityAgingStepMs: 100 }),
      });
    });
  }
});

describe('runStoreConformance registration', () => {
  it('registers every applicable case once, skips none, and opens and closes a store per case', async () => {
    const registered: { name: string; fn: () => Promise<void> }[] = [];
    const hooks: { before: (() => Promise<void>)[]; after: (() => Promise<void>)[] } = { before: [], after: [] };
    let opened = 0;
    let closed = 0;
    runStoreConformance({
      name: 'memory without ordering keys',
      features: { multiProcess: false, orderingKeys: false, waitForMessages: false, rateTokens: false },
      createStore: async () => {
        opened++;
        const store = createMemoryStore();
        return { ...store, close: async () => void closed++ };
      },
      test: {
        describe: (_name, fn) => fn(),
        it: (name, fn) => registered.push({ name, fn }),
        beforeEach: (fn) => hooks.before.push(fn),
        afterEach: (fn) => hooks.after.push(fn),
      },
    });
    const expected = CONFORMANCE_CASES.filter((c) => c.requires === undefined).map((c) => c.name);
    expect(registered.map((r) => r.name)).toEqual(expected);
    expect(hooks.before).toHaveLength(1);
    expect(hooks.after).toHaveLength(1);
    // The features case fails: the reference store does honour ordering keys and wake-ups.
    const featuresCase = registered.find((r) => r.name.startsWith('features:'));
    await hooks.before[0]?.();
    await expect(featuresCase?.fn()).rejects.toThrow(/orderingKeys/);
    await hooks.after[0]?.();
    expect([opened, closed]).toEqual([1, 1]);
  });
});
