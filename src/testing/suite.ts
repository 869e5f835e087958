/**
 * The store conformance suite: every store runs the same named cases. A case that needs a
 * feature the store lacks is not registered (never skipped), and `conformanceCoverage`
 * lists it, so a CI run that forbids skips still shows what does not apply.
 */
import assert from 'node:assert/strict';
import { ErrorCode, EventyardError } from '../core/errors.js';
import type { EventStore } from '../store/port.js';
import { claimCases } from './cases/claim.js';
import { completeCases } from './cases/complete.js';
import { filterCases } from './cases/filters.js';
import { groupCases } from './cases/groups.js';
import { leaseCases } from './cases/lease.js';
import { orderingCases } from './cases/ordering.js';
import { parkedCases } from './cases/parked.js';
import { priorityCases } from './cases/priority.js';
import { publishCases } from './cases/publish.js';
import { rateTokenCases } from './cases/rate-tokens.js';
import { queryCases } from './cases/query.js';
import { redrivePurgeCases } from './cases/redrive-purge.js';
import { retryCases } from './cases/retry.js';
import { transitionCases } from './cases/transitions.js';
import { wakeUpCases } from './cases/wake-up.js';
import {
  DEFAULT_TIMING,
  type ConformanceCase,
  type ConformanceFeatures,
  type ConformanceTiming,
  type StoreConformanceOptions,
} from './types.js';

const featureCases: readonly ConformanceCase[] = [
  {
    name: 'features: the store declares the features it is tested with',
    async run({ store, features }) {
      assert.equal(store.features.orderingKeys, features.orderingKeys, 'features.orderingKeys');
      assert.equal(store.features.multiProcess, features.multiProcess, 'features.multiProcess');
      assert.equal(typeof store.waitForMessages === 'function', features.waitForMessages, 'waitForMessages');
      assert.equal(typeof store.takeTokens === 'function', features.rateTokens, 'takeTokens');
      assert.equal(typeof store.returnTokens === 'function', features.rateTokens, 'returnTokens');
    },
  },
];

/** Every case, in registration order. */
export const CONFORMANCE_CASES: readonly ConformanceCase[] = Object.freeze([
  ...featureCases,
  ...publishCases,
  ...claimCases,
  ...leaseCases,
  ...completeCases,
  ...retryCases,
  ...redrivePurgeCases,
  ...filterCases,
  ...queryCases,
  ...transitionCases,
  ...orderingCases,
  ...parkedCases,
  ...groupCases,
  ...priorityCases,
  ...wakeUpCases,
  ...rateTokenCases,
]);

/** Every feature supported, unless the store opts out. */
export function resolveFeatures(features: Partial<ConformanceFeatures> = {}): ConformanceFeatures {
  return Object.freeze({
    multiProcess: true,
    orderingKeys: true,
    waitForMessages: true,
    rateTokens: true,
    ...features,
  });
}

export function resolveTiming(timing: Partial<ConformanceTiming> = {}): ConformanceTiming {
  const resolved = { ...DEFAULT_TIMING, ...timing };
  for (const [key, value] of Object.entries(resolved)) {
    if (!Number.isFinite(value) || value < 0) {
      throw new EventyardError(ErrorCode.INVALID_OPTION, `timing.${key} must be a non-negative number`);
    }
  }
  return Object.freeze(resolved);
}

function applies(testCase: ConformanceCase, features: ConformanceFeatures): boolean {
  return testCase.requires === undefined || features[testCase.requires];
}

/** Names of the cases that do not apply to a store with these features (not registered). */
export function conformanceCoverage(features: Partial<ConformanceFeatures> = {}): readonly string[] {
  const resolved = resolveFeatures(features);
  return CONFORMANCE_CASES.filter((c) => !applies(c, resolved)).map((c) => c.name);
}

/**
 * Runs one case against a fresh store and closes it after, without a test framework:
 * for checking the suite itself, or a single case while developing a store.
 */
export async function runConformanceCase(
  testCase: ConformanceCase,
  options: Pick<StoreConformanceOptions, 'createStore' | 'features' | 'timing'>,
): Promise<void> {
  const store = await options.createStore();
  try {
    await testCase.run({ store, features: resolveFeatures(options.features), timing: resolveTiming(options.timing) });
  } finally {
    await store.close();
  }
}

/**
 * Registers the suite with your test framework:
 *
 * ```ts
 * import { describe, it, beforeEach, afterEach } from 'vitest';
 * runStoreConformance({ name: 'my store', createStore, test: { describe, it, beforeEach, afterEach } });
 * ```
 */
export function runStoreConformance(options: StoreConformanceOptions): void {
  const features = resolveFeatures(options.features);
  const timing = resolveTiming(options.timing);
  const { describe, it, beforeEach, afterEach } = options.test;
  const names = new Set<string>();
  for (const c of CONFORMANCE_CASES) {
    if (names.has(c.name)) throw new EventyardError(ErrorCode.INVALID_OPTION, `duplicate conformance case ${c.name}`);
    names.add(c.name);
  }
  describe(`store conformance: ${options.name}`, () => {
    let store: EventStore | undefined;
    beforeEach(async () => {
      store = await options.createStore();
    });
    afterEach(async () => {
      const open = store;
      store = undefined;
      await open?.close();
    });
    for (const testCase of CONFORMANCE_CASES) {
      if (!applies(testCase, features)) continue;
      it(testCase.name, async () => {
        assert.ok(store !== undefined, 'createStore did not run before the case');
        await testCase.run({ store, features, timing });
      });
    }
  });
}
