/**
 * What `npm run bench` runs: each case is one workload with one set of parameters, run
 * on Eventyard and on its peer over the same kind of server with the same durability,
 * alternating A B A B after a warm-up pair. The quick variant (`--quick`) uses smaller
 * counts and fewer repetitions, and should finish in about two minutes.
 */
import { RedisProfile, SqliteProfile, type Profile } from './harness/durability.js';
import { SystemName } from './systems/types.js';
import { WorkloadId, type Params } from './workloads/types.js';

export interface Case {
  readonly id: string;
  readonly workload: WorkloadId;
  readonly title: string;
  readonly profile: Profile;
  /** [Eventyard, peer]; a case with no peer runs Eventyard alone. */
  readonly systems: readonly [SystemName, SystemName | undefined];
  readonly params: Params;
  readonly warmup: number;
  readonly reps: number;
  /** What the per-second figure counts. */
  readonly unit: 'events' | 'flows';
}

interface Backend {
  readonly key: 'redis' | 'sqlite';
  readonly profile: Profile;
  readonly systems: readonly [SystemName, SystemName];
}

const REDIS: Backend = {
  key: 'redis',
  profile: RedisProfile.EVERYSEC,
  systems: [SystemName.EVENTYARD_REDIS, SystemName.BULLMQ],
};
const SQLITE: Backend = {
  key: 'sqlite',
  profile: SqliteProfile.NORMAL,
  systems: [SystemName.EVENTYARD_SQLITE, SystemName.PLAINJOB],
};

function drainCase(b: Backend, events: number, concurrency: number, reps: number, profile = b.profile): Case {
  const suffix = profile === b.profile ? '' : `-${profile}`;
  return {
    id: `W2-${b.key}-c${concurrency}${suffix}`,
    workload: WorkloadId.W2,
    title: `W2 drain ${events.toLocaleString('en')} events, concurrency ${concurrency}`,
    profile,
    systems: b.systems,
    params: { events, concurrency },
    warmup: 1,
    reps,
    unit: 'events',
  };
}

function publishCase(b: Backend, events: number, eventsSerial: number, reps: number, profile = b.profile): Case {
  const suffix = profile === b.profile ? '' : `-${profile}`;
  return {
    id: `W1-${b.key}${suffix}`,
    workload: WorkloadId.W1,
    title: `W1 publish ${events.toLocaleString('en')} events (1 in flight: ${eventsSerial.toLocaleString('en')})`,
    profile,
    systems: b.systems,
    params: { events, eventsSerial },
    warmup: 1,
    reps,
    unit: 'events',
  };
}

function pipelineCase(b: Backend, flows: number, reps: number): Case {
  return {
    id: `W5-${b.key}`,
    workload: WorkloadId.W5,
    title: `W5 A → B → C → outbound, ${flows.toLocaleString('en')} flows, concurrency 32 per stage`,
    profile: b.profile,
    systems: b.systems,
    params: { flows, concurrency: 32 },
    warmup: 1,
    reps,
    unit: 'flows',
  };
}

export function quickPlan(): Case[] {
  return [
    drainCase(REDIS, 20_000, 32, 2),
    drainCase(SQLITE, 20_000, 32, 2),
    publishCase(REDIS, 10_000, 2_000, 2),
    publishCase(SQLITE, 10_000, 2_000, 2),
    pipelineCase(REDIS, 5_000, 2),
    pipelineCase(SQLITE, 5_000, 2),
  ];
}

export function fullPlan(): Case[] {
  const cases: Case[] = [];
  for (const b of [REDIS, SQLITE]) {
    for (const c of [32, 1, 8, 128]) cases.push(drainCase(b, 100_000, c, 3));
  }
  cases.push(drainCase(REDIS, 100_000, 32, 3, RedisProfile.ALWAYS));
  cases.push(drainCase(SQLITE, 100_000, 32, 3, SqliteProfile.FULL));
  for (const b of [REDIS, SQLITE]) cases.push(publishCase(b, 100_000, 100_000, 3));
  cases.push(publishCase(REDIS, 100_000, 20_000, 3, RedisProfile.ALWAYS));
  for (const b of [REDIS, SQLITE]) cases.push(pipelineCase(b, 50_000, 3));
  return cases;
}
