/**
 * W7 group fairness (issue 18): one hot group of `hot` events published first, then
 * `groups` small groups of `perGroup` events each, drained at `concurrency` by one service
 * whose message type declares `group: { key: tenant, maxInFlight }`. Measured: the time from
 * starting the workers until each small group's last event is COMPLETED (the median and the
 * slowest small group), and until everything is. Then the same backlog again with the type
 * declared without a group (oldest first): the small groups wait behind the hot one.
 *
 * Eventyard only (the peers have no groups). It builds its own store per phase (a fresh
 * SQLite file, or a Redis key prefix of its own on the run's server). Exact check: every
 * event COMPLETED once.
 */
import { performance } from 'node:perf_hooks';
import { createEventyard, defineMessageType, silentLogger, type StandardSchemaV1 } from '../../src/index.js';
import { createRedisStore } from '../../src/stores/redis/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import type { EventStore } from '../../src/store/port.js';
import { isPgProfile, isRedisProfile, sqliteSynchronous } from '../harness/durability.js';
import { makePayloads, type BenchPayload } from '../harness/payloads.js';
import { param, type PhaseResult, type RunEnv } from './types.js';

type GroupPayload = BenchPayload & { readonly tenant: string };

const schema: StandardSchemaV1<unknown, GroupPayload> = {
  '~standard': {
    version: 1,
    vendor: 'eventyard-bench',
    validate: (value) =>
      typeof value === 'object' && value !== null && typeof (value as GroupPayload).tenant === 'string'
        ? { value: value as GroupPayload }
        : { issues: [{ message: 'not a group bench payload' }] },
  },
};

function storeFor(env: RunEnv, phase: string): EventStore {
  const { spec } = env;
  if (isRedisProfile(spec.profile)) {
    if (spec.redisPort === undefined) throw new Error('W7 on Redis needs a port');
    return createRedisStore({ host: '127.0.0.1', port: spec.redisPort, keyPrefix: `w7-${process.pid}-${phase}` });
  }
  if (spec.sqlitePath === undefined || isPgProfile(spec.profile)) throw new Error('W7 runs on SQLite or Redis');
  return createSqliteStore({ path: `${spec.sqlitePath}.${phase}`, synchronous: sqliteSynchronous(spec.profile) });
}

async function runPhase(env: RunEnv, grouped: boolean): Promise<PhaseResult> {
  const hot = param(env.spec.params, 'hot');
  const groups = param(env.spec.params, 'groups');
  const perGroup = param(env.spec.params, 'perGroup');
  const concurrency = param(env.spec.params, 'concurrency');
  const maxInFlight = param(env.spec.params, 'maxInFlight');
  const phase = grouped ? 'grouped' : 'ungrouped';
  const type = defineMessageType({
    name: 'IN_GROUP_BENCH',
    schema,
    retry: { maxAttempts: 5, backoff: 'fixed', delayMs: 0, jitter: false },
    ...(grouped ? { group: { key: (p: GroupPayload) => p.tenant, maxInFlight } } : {}),
  });
  const app = createEventyard({ store: storeFor(env, phase), messageTypes: [type], logger: silentLogger });
  try {
    const total = hot + groups * perGroup;
    const payloads = makePayloads(total).map((p, i): GroupPayload => ({
      ...p,
      tenant: i < hot ? 'hot' : `small-${String((i - hot) % groups).padStart(3, '0')}`,
    }));
    for (let i = 0; i < payloads.length; i += 1000) {
      await app.publishMany(payloads.slice(i, i + 1000).map((payload) => ({ type, payload })));
    }
    const left = new Map<string, number>();
    for (const p of payloads) left.set(p.tenant, (left.get(p.tenant) ?? 0) + 1);
    const finishedAt = new Map<string, number>();
    const seen = new Set<number>();
    let duplicates = 0;
    let done = 0;
    let resolveAll: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (resolveAll = resolve));
    const meter = env.createMeter();
    await meter.start();
    const started = performance.now();
    // Counted when the handler returns: the completion is written right after, batched.
    app
      .service({ name: 'BENCH', concurrency })
      .handle(type, (ctx) => {
        const { seq, tenant } = ctx.payload;
        if (seen.has(seq)) duplicates++;
        seen.add(seq);
        const n = (left.get(tenant) ?? 0) - 1;
        left.set(tenant, n);
        if (n === 0) finishedAt.set(tenant, (performance.now() - started) / 1000);
        if (++done === total) resolveAll();
      })
      .start();
    await all;
    const window = await meter.stop(total);
    await app.idle();
    const small = [...finishedAt]
      .filter(([t]) => t !== 'hot')
      .map(([, s]) => s)
      .sort((a, b) => a - b);
    const counts = await app.countByStatus({ messageType: type.name });
    const completed = counts.filter((c) => c.status === 'COMPLETED').reduce((s, c) => s + c.count, 0);
    const ok = completed === total && duplicates === 0 && small.length === groups;
    return {
      phase: grouped ? `grouped (maxInFlight ${maxInFlight})` : 'without groups (oldest first)',
      window,
      extra: {
        'small groups done, median s': small[Math.floor(small.length / 2)] ?? NaN,
        'small groups done, slowest s': small[small.length - 1] ?? NaN,
        'small groups done, first s': small[0] ?? NaN,
        'hot group done s': finishedAt.get('hot') ?? NaN,
      },
      check: {
        ok,
        detail: `${completed} of ${total} COMPLETED, ${duplicates} handled twice, ${small.length} of ${groups} small groups finished`,
      },
    };
  } finally {
    await app.close();
  }
}

export async function groupFairness(env: RunEnv): Promise<PhaseResult[]> {
  env.note({
    'W7 store': 'a fresh store per phase (SQLite file / Redis key prefix)',
    'W7 handler': 'no-op; a group finishes when its last event was handled',
  });
  return [await runPhase(env, true), await runPhase(env, false)];
}
