/**
 * What `npm run bench` runs: each case is one workload with one set of parameters, run
 * on Eventyard and on its peer over the same kind of server with the same durability,
 * alternating A B A B after a warm-up pair. The quick variant (`--quick`) uses smaller
 * counts and fewer repetitions, and should finish in about two minutes.
 */
import { PgProfile, RedisProfile, SqliteProfile, type Profile } from './harness/durability.js';
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
  /** Case ids read `W<n>-<key>-…` (bench/harness/resolve-rates.ts reads the key back): no '-'. */
  readonly key: 'redis' | 'sqlite' | 'pgboss' | 'graphile' | 'pgfloor';
  readonly profile: Profile;
  readonly systems: readonly [SystemName, SystemName];
}

/** SQLite and Redis also have an engine floor of their own and an old-against-new pair. */
interface EngineBackend extends Backend {
  /** The engine's floor (bench/systems/floor-*.ts) and Eventyard's old build. */
  readonly floor: SystemName;
  readonly baseline: SystemName;
}

const REDIS: EngineBackend = {
  key: 'redis',
  profile: RedisProfile.EVERYSEC,
  systems: [SystemName.EVENTYARD_REDIS, SystemName.BULLMQ],
  floor: SystemName.FLOOR_REDIS,
  baseline: SystemName.EVENTYARD_REDIS_BASE,
};
const SQLITE: EngineBackend = {
  key: 'sqlite',
  profile: SqliteProfile.NORMAL,
  systems: [SystemName.EVENTYARD_SQLITE, SystemName.PLAINJOB],
  floor: SystemName.FLOOR_SQLITE,
  baseline: SystemName.EVENTYARD_SQLITE_BASE,
};

/** PostgreSQL: Eventyard against each peer, and against the floor (bench/systems/pg-floor.ts). */
const PGBOSS: Backend = {
  key: 'pgboss',
  profile: PgProfile.SYNC_ON,
  systems: [SystemName.EVENTYARD_POSTGRES, SystemName.PGBOSS],
};
const GRAPHILE: Backend = {
  key: 'graphile',
  profile: PgProfile.SYNC_ON,
  systems: [SystemName.EVENTYARD_POSTGRES, SystemName.GRAPHILE_WORKER],
};
const PGFLOOR: Backend = {
  key: 'pgfloor',
  profile: PgProfile.SYNC_ON,
  systems: [SystemName.EVENTYARD_POSTGRES, SystemName.PG_FLOOR],
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

/**
 * W2 with the engine's floor as the peer: the plainest correct leased loop on that engine
 * (bench/systems/floor-*.ts). The ratio is Eventyard's share of the floor, and the report
 * reads every W2 figure of the same engine, profile and concurrency against it.
 */
function floorCase(b: EngineBackend, events: number, concurrency: number, reps: number): Case {
  const base = drainCase(b, events, concurrency, reps);
  return {
    ...base,
    id: `${base.id}-floor`,
    systems: [b.systems[0], b.floor],
    title: `${base.title}, Eventyard against the engine floor`,
  };
}

/**
 * Old against new: Eventyard as built now against Eventyard built from an earlier commit
 * (bench/build-baseline.sh <commit> first), alternating like any pair; the ratio is new/old.
 */
export function abCases(): Case[] {
  const cases: Case[] = [];
  for (const b of [REDIS, SQLITE]) {
    const w1 = publishCase(b, 100_000, 20_000, 2);
    cases.push({ ...w1, id: `AB-${w1.id}`, systems: [b.systems[0], b.baseline], title: `${w1.title}, new/old` });
    const w2 = drainCase(b, 100_000, 32, 2);
    cases.push({ ...w2, id: `AB-${w2.id}`, systems: [b.systems[0], b.baseline], title: `${w2.title}, new/old` });
    // The highest flat rate (one pair: the search and its 60 s hold take minutes per system).
    const w3 = steadyCase(b, 10_000, 8, 60);
    cases.push({ ...w3, id: `AB-${w3.id}`, systems: [b.systems[0], b.baseline], title: `${w3.title}, new/old` });
    // A fixed arrival rate near W3's, publishing and processing in one process: per-event
    // CPU when batches are small (the trickle a request handler makes), and the latencies.
    // The pipeline, smaller than W5's own case (the working data reads and emits of 4 stages).
    const w5 = pipelineCase(b, 20_000, 2);
    cases.push({ ...w5, id: `AB-${w5.id}`, systems: [b.systems[0], b.baseline], title: `${w5.title}, new/old` });
    const rate = b.key === 'redis' ? 4_500 : 6_000;
    cases.push({
      ...latencyCase(b, 0, 15, 2),
      id: `AB-W4-${b.key}`,
      systems: [b.systems[0], b.baseline],
      params: { rate, seconds: 15 },
      title: `W4 latency at ${rate.toLocaleString('en')} events/s, 15 s, new/old`,
    });
  }
  return cases;
}

/**
 * Ordered processing: W2 with every event under one of `keys` ordering keys (`keys` ×
 * events/keys messages; the keyed system checks per-key start order), against the same
 * store and concurrency unkeyed. The ratio is what ordering costs.
 */
function orderedCase(b: EngineBackend, keys: number, perKey: number, reps: number): Case {
  const base = drainCase(b, keys * perKey, 32, reps);
  const keyed = b.key === 'redis' ? SystemName.EVENTYARD_REDIS_KEYED : SystemName.EVENTYARD_SQLITE_KEYED;
  return {
    ...base,
    id: `${base.id}-keyed`,
    systems: [keyed, b.systems[0]],
    params: { ...base.params, keys },
    title: `W2 ordered: ${keys.toLocaleString('en')} keys × ${perKey} messages, concurrency 32, keyed vs unkeyed`,
  };
}

function publishCase(
  b: Backend,
  events: number,
  eventsSerial: number,
  reps: number,
  profile = b.profile,
  eventsTx?: number,
  eventsBatch?: number,
): Case {
  const suffix = profile === b.profile ? '' : `-${profile}`;
  const tx = eventsTx === undefined ? '' : `; in a user transaction: ${eventsTx.toLocaleString('en')}`;
  const batched = eventsBatch === undefined ? '' : `; in batches: ${eventsBatch.toLocaleString('en')}`;
  return {
    id: `W1-${b.key}${suffix}`,
    workload: WorkloadId.W1,
    title: `W1 publish ${events.toLocaleString('en')} events (1 in flight: ${eventsSerial.toLocaleString('en')}${batched}${tx})`,
    profile,
    systems: b.systems,
    params: {
      events,
      eventsSerial,
      ...(eventsBatch === undefined ? {} : { eventsBatch }),
      ...(eventsTx === undefined ? {} : { eventsTx }),
    },
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

function steadyCase(b: Backend, startRate: number, probeSeconds: number, confirmSeconds: number): Case {
  return {
    id: `W3-${b.key}`,
    workload: WorkloadId.W3,
    title: `W3 steady state: highest flat arrival rate, held ${confirmSeconds} s`,
    profile: b.profile,
    systems: b.systems,
    params: { startRate, probeSeconds, confirmSeconds, steps: 5, maxEvents: 20_000_000 },
    warmup: 0,
    reps: 1,
    unit: 'events',
  };
}

/**
 * W4 at `fraction` of the highest steady rate: resolved when the case runs, from this
 * run's W3 (or, when W3 is not run, W2 at concurrency 32) — the lower of the two systems'
 * figures, so both face the same arrivals.
 */
function latencyCase(b: Backend, fraction: number, seconds: number, reps: number): Case {
  return {
    id: `W4-${b.key}-${Math.round(fraction * 100)}pct`,
    workload: WorkloadId.W4,
    title: `W4 latency at ${Math.round(fraction * 100)}% of the highest steady rate, ${seconds} s`,
    profile: b.profile,
    systems: b.systems,
    params: { fraction, seconds, fallbackRate: 2000 },
    warmup: 1,
    reps,
    unit: 'events',
  };
}

function failureCase(b: Backend, events: number, reps: number): Case {
  return {
    id: `W6-${b.key}`,
    workload: WorkloadId.W6,
    title: `W6 failures: ${events.toLocaleString('en')} events with 10% failing once; SIGKILL of a worker holding 64`,
    profile: b.profile,
    systems: b.systems,
    params: { events, killEvents: 64, leaseMs: 5000 },
    warmup: 0,
    reps,
    unit: 'events',
  };
}

/**
 * W7 group fairness, Eventyard alone: a hot group of `hot` events queued first and 20 small
 * groups of 100; how soon each small group finishes, grouped against oldest first.
 */
function groupCase(b: Backend, hot: number): Case {
  return {
    id: `W7-${b.key}`,
    workload: WorkloadId.W7,
    title: `W7 group fairness: hot group of ${hot.toLocaleString('en')} + 20 groups of 100, concurrency 32, maxInFlight 16`,
    profile: b.profile,
    systems: [b.systems[0], undefined],
    params: { hot, groups: 20, perGroup: 100, concurrency: 32, maxInFlight: 16 },
    warmup: 0,
    reps: 1,
    unit: 'events',
  };
}

/**
 * W2 on SQLite, Eventyard with eventyard/metrics (scraped every 5 s) as the first
 * system and Eventyard without as the peer: the ratio is what the metrics leave.
 */
function metricsCase(events: number, reps: number): Case {
  return {
    ...drainCase(SQLITE, events, 32, reps),
    id: 'W2-sqlite-c32-metrics',
    systems: [SystemName.EVENTYARD_SQLITE_METRICS, SystemName.EVENTYARD_SQLITE],
    title: `W2 drain ${events.toLocaleString('en')} events, concurrency 32, Eventyard with metrics vs without`,
  };
}

/**
 * PostgreSQL against pg-boss and graphile-worker, at sizes a shared 2-core machine runs in
 * about half an hour (every run starts its own cluster with initdb), plus W2 against the
 * floor and W2 with synchronous_commit off.
 */
export function postgresPlan(): Case[] {
  const cases: Case[] = [];
  for (const b of [PGBOSS, GRAPHILE, PGFLOOR]) cases.push(drainCase(b, 20_000, 32, 3));
  // Batches get 20,000 events and two pairs: 5,000 were 50 batches, about half a second,
  // and the one pair's ratio moved between 0.67x and 0.96x from run to run.
  for (const b of [PGBOSS, GRAPHILE]) cases.push(publishCase(b, 5_000, 1_000, 2, b.profile, 1_000, 20_000));
  // 20,000 flows, two pairs: at 3,000 flows and one pair a run lasted about a second, less
  // than the stages take to fill, and one noisy pair decided the ratio.
  for (const b of [PGBOSS, GRAPHILE]) cases.push(pipelineCase(b, 20_000, 2));
  for (const b of [PGBOSS, GRAPHILE]) {
    for (const f of [0.1, 0.5, 0.8]) cases.push(latencyCase(b, f, 5, 2));
  }
  for (const b of [PGBOSS, GRAPHILE]) cases.push(failureCase(b, 3_000, 1));
  for (const b of [PGBOSS, GRAPHILE, PGFLOOR]) cases.push(drainCase(b, 20_000, 32, 3, PgProfile.SYNC_OFF));
  // Eventyard with a local queue, as graphile-worker runs with one of 500: claims and
  // completion batches of up to 256 rows (prefetch 224 beyond the 32 slots).
  for (const b of [PGBOSS, GRAPHILE]) {
    cases.push({
      ...drainCase(b, 20_000, 32, 3),
      id: `W2-${b.key}-c32-prefetch224`,
      params: { events: 20_000, concurrency: 32, prefetch: 224, batchSize: 256 },
      title: 'W2 drain 20,000 events, concurrency 32, Eventyard prefetch 224 and batchSize 256',
    });
    // The store's default batch is 256 on PostgreSQL: the processors' general default beside it.
    cases.push({
      ...drainCase(b, 20_000, 32, 3),
      id: `W2-${b.key}-c32-batch64`,
      params: { events: 20_000, concurrency: 32, batchSize: 64 },
      title: 'W2 drain 20,000 events, concurrency 32, Eventyard batchSize 64',
    });
  }
  return cases;
}

export function quickPlan(): Case[] {
  return [
    drainCase(REDIS, 20_000, 32, 2),
    drainCase(SQLITE, 20_000, 32, 2),
    publishCase(REDIS, 5_000, 1_000, 1),
    publishCase(SQLITE, 5_000, 1_000, 1),
    pipelineCase(REDIS, 3_000, 1),
    pipelineCase(SQLITE, 3_000, 1),
    latencyCase(REDIS, 0.5, 3, 1),
    latencyCase(SQLITE, 0.5, 3, 1),
    failureCase(REDIS, 3_000, 1),
    groupCase(SQLITE, 5_000),
    ...postgresPlan(),
    floorCase(REDIS, 20_000, 32, 1),
    floorCase(SQLITE, 20_000, 32, 1),
    orderedCase(REDIS, 1000, 20, 1),
    orderedCase(SQLITE, 1000, 20, 1),
  ];
}

/** The sizes, most important cases first (results are written after every case). */
export function fullPlan(): Case[] {
  const cases: Case[] = [drainCase(REDIS, 100_000, 32, 3), drainCase(SQLITE, 100_000, 32, 3)];
  // The floor of each engine at the W2 concurrencies: what every W2 figure reads against.
  for (const b of [REDIS, SQLITE]) {
    for (const c of [32, 1, 8, 128]) cases.push(floorCase(b, 100_000, c, 3));
  }
  for (const b of [REDIS, SQLITE]) cases.push(publishCase(b, 100_000, 100_000, 2));
  for (const b of [REDIS, SQLITE]) cases.push(pipelineCase(b, 50_000, 3));
  for (const b of [REDIS, SQLITE]) cases.push(steadyCase(b, 10_000, 8, 60));
  for (const b of [REDIS, SQLITE]) {
    for (const f of [0.1, 0.5, 0.8]) cases.push(latencyCase(b, f, 15, 2));
  }
  for (const b of [REDIS, SQLITE]) cases.push(failureCase(b, 20_000, 2));
  for (const b of [REDIS, SQLITE]) cases.push(groupCase(b, 50_000));
  for (const b of [REDIS, SQLITE]) {
    for (const c of [1, 8, 128]) cases.push(drainCase(b, 100_000, c, 3));
  }
  // What one processor setting buys: claim the next batch while the current one completes.
  for (const b of [REDIS, SQLITE]) {
    cases.push({
      ...drainCase(b, 100_000, 32, 3),
      id: `W2-${b.key}-c32-prefetch32`,
      params: { events: 100_000, concurrency: 32, prefetch: 32 },
      title: 'W2 drain 100,000 events, concurrency 32, Eventyard prefetch 32',
    });
    // Whether the batch PostgreSQL defaults to (256) would pay here too (docs/postgres.md, "Batch size").
    cases.push({
      ...drainCase(b, 100_000, 32, 3),
      id: `W2-${b.key}-c32-batch256`,
      params: { events: 100_000, concurrency: 32, batchSize: 256 },
      title: 'W2 drain 100,000 events, concurrency 32, Eventyard batchSize 256',
    });
  }
  // What eventyard/metrics costs (the target: under 3 % of W2): Eventyard with metrics
  // against Eventyard without, both on SQLite, alternating like any other pair.
  cases.push(metricsCase(100_000, 3));
  // Ordered processing (issue 18): 1,000 keys × 100 messages, keyed against unkeyed.
  for (const b of [REDIS, SQLITE]) cases.push(orderedCase(b, 1000, 100, 3));
  // What the default time-ordered event ids (UUIDv7) save the SQLite store over random UUIDv4s,
  // which scatter index inserts over random pages.
  cases.push({
    ...publishCase(SQLITE, 100_000, 20_000, 2),
    id: 'W1-sqlite-uuidv4',
    params: { events: 100_000, eventsSerial: 20_000, uuidv4: 1 },
    title: 'W1 publish 100,000 events (1 in flight: 20,000), Eventyard with random UUIDv4 event ids',
  });
  cases.push(drainCase(REDIS, 100_000, 32, 3, RedisProfile.ALWAYS));
  cases.push(drainCase(SQLITE, 100_000, 32, 3, SqliteProfile.FULL));
  cases.push(publishCase(REDIS, 100_000, 20_000, 2, RedisProfile.ALWAYS));
  cases.push(...postgresPlan());
  return cases;
}
