// The in-memory reference store passes the whole conformance suite: the suite is satisfiable.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CONFORMANCE_CASES,
  conformanceCoverage,
  createMemoryStore,
  runStoreConformance,
} from '../../src/testing/index.js';

runStoreConformance({
  name: 'memory (reference)',
  createStore: async () => createMemoryStore({ priorityAgingStepMs: 100 }),
  features: { multiProcess: false },
  test: { describe, it, beforeEach, afterEach },
});

describe('conformanceCoverage', () => {
  it('lists no case for a store with every feature', () => {
    expect(conformanceCoverage({})).toEqual([]);
  });

  it('lists exactly the cases of the missing features, and the suite has them', () => {
    const missing = conformanceCoverage({ orderingKeys: false, waitForMessages: false, rateTokens: false });
    const expected = CONFORMANCE_CASES.filter((c) => c.requires !== undefined).map((c) => c.name);
    expect(missing).toEqual(expected);
    expect(missing.filter((n) => n.startsWith('ordering keys:'))).toHaveLength(4);
    expect(missing.filter((n) => n.startsWith('parked keys:'))).toHaveLength(8);
    expect(missing.filter((n) => n.startsWith('waitForMessages:'))).toHaveLength(3);
    expect(missing.filter((n) => n.startsWith('rate tokens:'))).toHaveLength(6);
  });

  it('names every case once', () => {
    const names = CONFORMANCE_CASES.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
