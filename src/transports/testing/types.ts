/**
 * The shapes of the broker conformance suite (Watermill's `TestPubSub(t, features,
 * constructor)` for the broker port).
 *
 * Glossary
 * - **case**: one named test, `{ name, requires?, run(ctx) }`; `runBrokerConformance`
 *   registers the list with your test framework. A case that needs a feature the broker
 *   lacks is not registered (never skipped), and `brokerConformanceCoverage` lists it.
 * - **sentinel**: a message published after the ones a case is about. Receiving it proves
 *   the new consumer is live (joined its group, bound to its queue), so "nothing else
 *   came" is an observation, not a consumer that had not started yet.
 * - **quiet period**: after the expected messages, how long a case keeps receiving to
 *   catch extra deliveries, which it then counts as failures.
 */
import type { Broker, BrokerFeatures } from '../port.js';

export type TestFunction = (name: string, fn: () => Promise<void>) => unknown;
export type SuiteFunction = (name: string, fn: () => void) => unknown;
export type HookFunction = (fn: () => Promise<void>) => unknown;

/** The test framework's functions, so the suite runs under vitest, jest or node:test. */
export interface TestApi {
  readonly describe: SuiteFunction;
  readonly it: TestFunction;
  readonly beforeEach: HookFunction;
  readonly afterEach: HookFunction;
}

export interface BrokerConformanceTiming {
  /**
   * `maxWaitMs` of each receive call.
   * @defaultValue 500
   */
  readonly receiveWaitMs: number;
  /**
   * How long a case keeps receiving after it has what it expects, to catch extras.
   * @defaultValue 1500
   */
  readonly quietMs: number;
  /**
   * Longest a case waits for the messages it expects (covers group joins and rebalances).
   * @defaultValue 45000
   */
  readonly deadlineMs: number;
}

export const DEFAULT_BROKER_TIMING: BrokerConformanceTiming = Object.freeze({
  receiveWaitMs: 500,
  quietMs: 1500,
  deadlineMs: 45_000,
});

export interface BrokerConformanceOptions {
  /** Shown in the describe block: `broker conformance: <name>`. */
  readonly name: string;
  /** A broker connected to a real server; a broker that cannot connect must throw (the case fails). */
  readonly createBroker: () => Promise<Broker>;
  /** What the broker is expected to declare; checked by the first case. */
  readonly features: BrokerFeatures;
  readonly test: TestApi;
  readonly timing?: Partial<BrokerConformanceTiming> | undefined;
}

export type BrokerRequirement =
  'orderingPerKey' | 'redelivery:per-message' | 'redelivery:from-first-unacked' | 'deliveryCount';

/** What each case receives: a fresh broker (closed after the case) and fresh names. */
export interface BrokerCaseContext {
  readonly broker: Broker;
  readonly features: BrokerFeatures;
  readonly timing: BrokerConformanceTiming;
  /** A topic name no other case or run uses. */
  readonly newTopic: () => string;
  /** A group name no other case or run uses. */
  readonly newGroup: () => string;
}

export interface BrokerConformanceCase {
  /** Unique, `topic: behaviour`. */
  readonly name: string;
  readonly requires?: BrokerRequirement | undefined;
  run(ctx: BrokerCaseContext): Promise<void>;
}
