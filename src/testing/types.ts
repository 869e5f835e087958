/**
 * The shapes of the store conformance suite (Watermill's `TestPubSub(t, features, constructor)`
 * for the store port).
 *
 * Glossary
 * - **case**: one named conformance test, `{ name, requires?, run(ctx) }`. The suite is the
 *   list {@link ConformanceCase}[]; `runStoreConformance` registers it with your test framework.
 * - **feature**: what a store may lack (ordering keys, the `waitForMessages` wake-up hint).
 *   A case that needs a feature the store lacks is not registered at all (never skipped),
 *   and `conformanceCoverage` lists it.
 * - **timing**: real, short durations. Stores judge time by their own clock (`store.now()`,
 *   e.g. Redis `TIME`), so the suite sleeps instead of faking a clock.
 */
import type { EventStore, StoreFeatures } from '../store/port.js';

/** A test function of vitest, jest or node:test: the suite only calls it with (name, fn). */
export type TestFunction = (name: string, fn: () => Promise<void>) => unknown;
export type SuiteFunction = (name: string, fn: () => void) => unknown;
export type HookFunction = (fn: () => Promise<void>) => unknown;

/** The test framework's functions, passed in so the suite runs under vitest, jest or node:test. */
export interface TestApi {
  readonly describe: SuiteFunction;
  readonly it: TestFunction;
  readonly beforeEach: HookFunction;
  readonly afterEach: HookFunction;
  readonly beforeAll?: HookFunction | undefined;
  readonly afterAll?: HookFunction | undefined;
}

/** The store's declared features plus the optional members the suite checks. */
export interface ConformanceFeatures extends StoreFeatures {
  /** The store implements `waitForMessages`. */
  readonly waitForMessages: boolean;
  /** The store implements `takeTokens` and `returnTokens` (rate limits). */
  readonly rateTokens: boolean;
}

/** A feature a case needs. `multiProcess` is never needed here: the multi-process test lives elsewhere. */
export type ConformanceRequirement = 'orderingKeys' | 'waitForMessages' | 'rateTokens';

export interface ConformanceTiming {
  /**
   * Lease of claims whose expiry a case waits for.
   * @defaultValue 200
   */
  readonly leaseMs: number;
  /**
   * How long past a due time (lease expiry, AVAILABLE_AT) a case sleeps before it expects the
   * store to see it as due. Covers clock granularity and round trips to the store.
   * @defaultValue 150
   */
  readonly marginMs: number;
  /**
   * Tolerance when comparing a time the store computed (now + leaseMs) with the store's
   * clock read before and after the call.
   * @defaultValue 5
   */
  readonly clockToleranceMs: number;
  /**
   * Longest time `waitForMessages` may take to notice a publish or an abort.
   * @defaultValue 1000
   */
  readonly wakeUpMs: number;
  /**
   * The `priorityAgingStepMs` the stores under test were created with (the priority cases
   * wait 9 of these steps to see a low row overtake newer high ones). Create the stores with
   * this value: the stores' own default, 60 s, would make a case wait 9 minutes.
   * @defaultValue 100
   */
  readonly priorityAgingStepMs: number;
}

export const DEFAULT_TIMING: ConformanceTiming = Object.freeze({
  leaseMs: 200,
  marginMs: 150,
  clockToleranceMs: 5,
  wakeUpMs: 1000,
  priorityAgingStepMs: 100,
});

/** What each case receives: a fresh store, closed by the suite after the case. */
export interface ConformanceContext {
  readonly store: EventStore;
  readonly timing: ConformanceTiming;
  readonly features: ConformanceFeatures;
}

export interface ConformanceCase {
  /** Unique, `topic: behaviour`. */
  readonly name: string;
  /** The case is registered only when the store has this feature. */
  readonly requires?: ConformanceRequirement;
  run(ctx: ConformanceContext): Promise<void>;
}

export interface StoreConformanceOptions {
  /** Names the `describe` block, e.g. `sqlite (:memory:)`. */
  readonly name: string;
  /** A fresh, empty, isolated store per case (fresh file or `:memory:`, random key prefix). */
  readonly createStore: () => Promise<EventStore>;
  /**
   * What the store supports. Every feature defaults to supported, so a store opts out
   * explicitly; the case `features: the store declares the features it is tested with`
   * fails when the store's own `features` disagree.
   */
  readonly features?: Partial<ConformanceFeatures> | undefined;
  readonly timing?: Partial<ConformanceTiming> | undefined;
  readonly test: TestApi;
}
