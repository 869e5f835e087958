/**
 * What a run is (one system, one workload, one set of parameters, in its own process) and
 * what it returns: one or more measured phases, each with its figures and its exact check.
 */
import type { Profile } from '../harness/durability.js';
import type { Meter, WindowFigures } from '../harness/meter.js';
import type { PipelineSystem } from '../systems/pipeline-types.js';
import type { QueueSystem, Settings, SystemName, SystemOptions } from '../systems/types.js';

export const WorkloadId = {
  W1: 'W1',
  W2: 'W2',
  W3: 'W3',
  W4: 'W4',
  W5: 'W5',
  W6: 'W6',
  /** Group fairness (Eventyard only): bench/workloads/w7-groups.ts. */
  W7: 'W7',
} as const;
export type WorkloadId = (typeof WorkloadId)[keyof typeof WorkloadId];

export type Params = Readonly<Record<string, number>>;

export interface RunSpec {
  readonly system: SystemName;
  readonly workload: WorkloadId;
  readonly params: Params;
  readonly profile: Profile;
  readonly redisPort?: number | undefined;
  readonly sqlitePath?: string | undefined;
  /** The run's database on its private PostgreSQL server. */
  readonly pgUrl?: string | undefined;
  /** Write a CPU profile of each measured window into this directory. */
  readonly profileDir?: string | undefined;
}

/** The exact count after a phase: nothing lost, every duplicate accounted for. */
export interface ExactCheck {
  readonly ok: boolean;
  readonly detail: string;
}

/** Figures of one phase; `window` holds the common ones, `extra` the workload's own. */
export interface PhaseResult {
  readonly phase: string;
  readonly window: WindowFigures;
  readonly extra: Readonly<Record<string, number>>;
  readonly check: ExactCheck;
}

export interface RunResult {
  readonly spec: RunSpec;
  readonly settings: Settings;
  readonly phases: readonly PhaseResult[];
}

export interface RunEnv {
  readonly spec: RunSpec;
  readonly systemOptions: SystemOptions;
  createSystem(): Promise<QueueSystem>;
  /** W5's four-stage pipeline on the same system. */
  createPipeline(): Promise<PipelineSystem>;
  createMeter(): Meter;
  /** Settings the workload adds (e.g. what it configured on top of the system's). */
  note(settings: Settings): void;
}

export type Workload = (env: RunEnv) => Promise<PhaseResult[]>;

export function param(params: Params, name: string): number {
  const value = params[name];
  if (value === undefined) throw new Error(`missing workload parameter ${name}`);
  return value;
}
