/**
 * The broker conformance suite: every adapter runs the same named cases against a real
 * broker. A case that needs a feature the broker lacks is not registered (never
 * skipped), and `brokerConformanceCoverage` lists it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ErrorCode, EventyardError } from '../../core/errors.js';
import type { Broker, BrokerFeatures } from '../port.js';
import { contentCases } from './cases/content.js';
import { publishCases } from './cases/publish.js';
import { redeliveryCases } from './cases/redelivery.js';
import {
  DEFAULT_BROKER_TIMING,
  type BrokerCaseContext,
  type BrokerConformanceCase,
  type BrokerConformanceOptions,
  type BrokerConformanceTiming,
  type BrokerRequirement,
} from './types.js';

export const BROKER_CONFORMANCE_CASES: readonly BrokerConformanceCase[] = Object.freeze([
  ...publishCases,
  ...redeliveryCases,
  ...contentCases,
]);

function meets(requirement: BrokerRequirement, features: BrokerFeatures): boolean {
  switch (requirement) {
    case 'orderingPerKey':
      return features.orderingPerKey;
    case 'deliveryCount':
      return features.deliveryCount;
    case 'redelivery:per-message':
      return features.redelivery === 'per-message';
    case 'redelivery:from-first-unacked':
      return features.redelivery === 'from-first-unacked';
  }
}

const applies = (c: BrokerConformanceCase, features: BrokerFeatures): boolean =>
  c.requires === undefined || meets(c.requires, features);

/** Names of the cases that do not apply to a broker with these features (not registered). */
export function brokerConformanceCoverage(features: BrokerFeatures): readonly string[] {
  return BROKER_CONFORMANCE_CASES.filter((c) => !applies(c, features)).map((c) => c.name);
}

function resolveTiming(timing: Partial<BrokerConformanceTiming> = {}): BrokerConformanceTiming {
  const resolved = { ...DEFAULT_BROKER_TIMING, ...timing };
  for (const [key, value] of Object.entries(resolved)) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new EventyardError(ErrorCode.INVALID_OPTION, `timing.${key} must be a positive number`);
    }
  }
  return Object.freeze(resolved);
}

function contextFor(broker: Broker, features: BrokerFeatures, timing: BrokerConformanceTiming): BrokerCaseContext {
  const run = randomUUID().slice(0, 8);
  let n = 0;
  return {
    broker,
    features,
    timing,
    newTopic: () => `ey-conf-${run}-t${++n}`,
    newGroup: () => `ey-conf-${run}-g${++n}`,
  };
}

/** Runs one case against a fresh broker, without a test framework. */
export async function runBrokerConformanceCase(
  testCase: BrokerConformanceCase,
  options: Pick<BrokerConformanceOptions, 'createBroker' | 'features' | 'timing'>,
): Promise<void> {
  const broker = await options.createBroker();
  try {
    await testCase.run(contextFor(broker, options.features, resolveTiming(options.timing)));
  } finally {
    await broker.close();
  }
}

/**
 * Registers the suite with your test framework:
 *
 * ```ts
 * import { describe, it, beforeEach, afterEach } from 'vitest';
 * runBrokerConformance({ name: 'kafka', createBroker, features, test: { describe, it, beforeEach, afterEach } });
 * ```
 */
export function runBrokerConformance(options: BrokerConformanceOptions): void {
  const timing = resolveTiming(options.timing);
  const { describe, it, beforeEach, afterEach } = options.test;
  const names = new Set<string>();
  for (const c of BROKER_CONFORMANCE_CASES) {
    if (names.has(c.name)) throw new EventyardError(ErrorCode.INVALID_OPTION, `duplicate broker case ${c.name}`);
    names.add(c.name);
  }
  describe(`broker conformance: ${options.name}`, () => {
    let broker: Broker | undefined;
    beforeEach(async () => {
      broker = await options.createBroker();
    });
    afterEach(async () => {
      const open = broker;
      broker = undefined;
      await open?.close();
    });
    for (const testCase of BROKER_CONFORMANCE_CASES) {
      if (!applies(testCase, options.features)) continue;
      it(testCase.name, async () => {
        assert.ok(broker !== undefined, 'createBroker did not run before the case');
        await testCase.run(contextFor(broker, options.features, timing));
      });
    }
  });
}
