/**
 * The one shape every system under test takes, so each workload is written once: publish
 * (one, or a batch in one call), run workers with a handler at a concurrency, and count
 * from the store itself. Adapters configure their library the way its documentation
 * recommends for throughput and write every setting into `settings`.
 */
import type { PoolClient } from 'pg';
import type { BenchPayload } from '../harness/payloads.js';
import type { Profile } from '../harness/durability.js';

export const SystemName = {
  EVENTYARD_REDIS: 'eventyard-redis',
  EVENTYARD_SQLITE: 'eventyard-sqlite',
  /** Eventyard on SQLite with eventyard/metrics on (the metrics-cost case). */
  EVENTYARD_SQLITE_METRICS: 'eventyard-sqlite+metrics',
  EVENTYARD_POSTGRES: 'eventyard-postgres',
  BULLMQ: 'bullmq',
  PLAINJOB: 'plainjob',
  PGBOSS: 'pg-boss',
  GRAPHILE_WORKER: 'graphile-worker',
  /** The plainest correct SKIP LOCKED queue on PostgreSQL (bench/systems/pg-floor.ts). */
  PG_FLOOR: 'pg-floor',
  /** The plainest correct leased loop on each engine (floor-*.ts): what W2 reads against. */
  FLOOR_SQLITE: 'floor-sqlite',
  FLOOR_REDIS: 'floor-redis',
  /**
   * Eventyard built from an earlier commit (bench/build-baseline.sh into .cache/baseline/dist):
   * the old side of an old-against-new case.
   */
  EVENTYARD_SQLITE_BASE: 'eventyard-sqlite@base',
  EVENTYARD_REDIS_BASE: 'eventyard-redis@base',
  /**
   * Eventyard with every event published under an ORDERING_KEY (`seq mod keys`, the case's
   * `keys` parameter): the ordered-processing cases, read against the same store unkeyed.
   */
  EVENTYARD_REDIS_KEYED: 'eventyard-redis+keyed',
  EVENTYARD_SQLITE_KEYED: 'eventyard-sqlite+keyed',
} as const;
export type SystemName = (typeof SystemName)[keyof typeof SystemName];

/** The old build's systems read Eventyard from .cache/baseline/dist (harness/child.ts). */
export const isBaseline = (name: SystemName): boolean =>
  name === SystemName.EVENTYARD_REDIS_BASE || name === SystemName.EVENTYARD_SQLITE_BASE;

export interface WorkItem {
  readonly payload: BenchPayload;
  /** 1 for the first attempt. */
  readonly attempt: number;
}

export interface WorkerSpec {
  readonly concurrency: number;
  /** The handler; throwing fails the attempt (retried by the system's retry policy). */
  handle(item: WorkItem): void | Promise<void>;
  /** Called once the store has recorded the completion (not when the handler returns). */
  onCompleted?(payload: BenchPayload): void;
}

export interface StoreCounts {
  /** Waiting for an attempt (first or retry). */
  readonly pending: number;
  readonly active: number;
  readonly completed: number;
  /** Failed and waiting for a retry (Eventyard ERROR, BullMQ delayed). */
  readonly retrying: number;
  readonly failed: number;
}

export type Settings = Readonly<Record<string, string | number | boolean>>;

export interface SystemOptions {
  readonly profile: Profile;
  readonly redisPort?: number | undefined;
  readonly sqlitePath?: string | undefined;
  readonly pgUrl?: string | undefined;
  /** Attempts per event, the first included. */
  readonly maxAttempts: number;
  /** How long a worker holds a claimed event before another may take it. */
  readonly leaseMs: number;
  /** Eventyard processor options a case sets explicitly (e.g. prefetch); defaults otherwise. */
  readonly eventyardTuning?:
    | Readonly<{
        prefetch?: number | 'auto';
        batchSize?: number;
        uuidv4?: boolean;
        metrics?: boolean;
        /** Ordering keys to spread events over (`seq mod keys`); the keyed systems only. */
        orderingKeys?: number;
      }>
    | undefined;
}

export interface QueueSystem {
  readonly name: SystemName;
  readonly settings: Settings;
  publish(payload: BenchPayload): Promise<void>;
  /** Publishes in one call (one store request where the library offers it). */
  publishBatch(payloads: readonly BenchPayload[]): Promise<void>;
  /**
   * PostgreSQL systems: publishes inside the caller's own open transaction, on a
   * node-postgres client that has run BEGIN (the caller commits).
   */
  publishInTransaction?(client: PoolClient, payload: BenchPayload): Promise<void>;
  startWorkers(spec: WorkerSpec): Promise<void>;
  /** Graceful stop: in-flight work finishes and is written. */
  stopWorkers(): Promise<void>;
  /** Completions this process saw the store confirm; a cheap trigger for `counts()`. */
  completedSoFar(): number;
  /** Counts read from the store itself. */
  counts(): Promise<StoreCounts>;
  close(): Promise<void>;
}
