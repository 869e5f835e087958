/**
 * `eventyard/testing/brokers`: the broker conformance suite every adapter runs against a
 * real broker.
 */
export {
  BROKER_CONFORMANCE_CASES,
  brokerConformanceCoverage,
  runBrokerConformance,
  runBrokerConformanceCase,
} from './suite.js';
export { DEFAULT_BROKER_TIMING } from './types.js';
export type {
  BrokerCaseContext,
  BrokerConformanceCase,
  BrokerConformanceOptions,
  BrokerConformanceTiming,
  BrokerRequirement,
  TestApi,
} from './types.js';
