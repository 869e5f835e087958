/**
 * `eventyard/testing`: the store conformance suite every store runs, its builders, and an
 * in-memory reference store.
 */
export { CONFORMANCE_CASES, conformanceCoverage, runConformanceCase, runStoreConformance } from './suite.js';
export { DEFAULT_TIMING } from './types.js';
export type {
  ConformanceCase,
  ConformanceContext,
  ConformanceFeatures,
  ConformanceRequirement,
  ConformanceTiming,
  HookFunction,
  StoreConformanceOptions,
  SuiteFunction,
  TestApi,
  TestFunction,
} from './types.js';
export {
  TEST_SERVICE,
  TEST_TABLE,
  TEST_TYPE,
  assertBetween,
  claimNone,
  claimOne,
  claimRequest,
  expectRow,
  findRow,
  getRow,
  leaseRefOf,
  listAll,
  newMessage,
  publishInOrder,
  sleep,
} from './builders.js';
export { createMemoryStore, type MemoryStoreOptions } from './memory-store.js';
