/**
 * W2 on PostgreSQL between two builds (A, B: checkouts with a dist/), through the public API:
 * per round and side a fresh schema on one private server (tests/support/postgres-server.ts,
 * fsync on, synchronous_commit on, as bench/ runs it) gets `rows` events (published 500 at a
 * time, not timed), then one service with concurrency 32 and an empty handler drains them.
 * The sides alternate within each round (and which goes first alternates per round), so both
 * see the same machine load. Per side: drain wall time (events/s), this process's CPU per
 * event, the server's CPU per event (its processes' utime + stime in /proc), statements sent
 * per event, and WAL flushes (pg_stat_wal.wal_sync) per event. Prints medians and the median
 * of the per-round ratios B/A.
 *
 *   node --import tsx tests/support/postgres-drain-ab.ts .cache/baseline .cache/new [rounds=5] [rows=20000]
 *   PREFETCH=224 BATCH=256 node --import tsx tests/support/postgres-drain-ab.ts A B   # processor tuning
 *   PIPELINE=1 node --import tsx tests/support/postgres-drain-ab.ts A B 5 3000   # W5's shape, below
 *   ASYNC_CLAIMS_B=1 node --import tsx tests/support/postgres-drain-ab.ts A B   # B with asyncClaimCommit
 *   BATCH_B=512 node --import tsx tests/support/postgres-drain-ab.ts . .   # B's processors with batchSize 512
 *   TUNING_B='{"claimsInFlight":2,"prefetch":768}' ...   # any processor options for B's services
 *
 * Looking inside a drain: TRACE=1 prints, per side, 40 of the drain's store calls from its
 * middle, each as `claim|complete <sent ms> <answered ms> <rows>` (ms since the drain
 * started): whether claims and completions overlap, and how long each takes. AUTOVACUUM=off
 * runs the server without autovacuum. PERF_OUT=<file> records `perf record -a -g` for the
 * first 3 s of the first timed drain (all processes: the server's backends by pid).
 *
 * PIPELINE=1: W5's shape instead (no schemas, no working data): IN_PA → RQ_PB → RS_PC →
 * OUT_PD, one service per stage (concurrency 32 each) in one app, each handler emitting the
 * next stage; `rows` flows, timed until every OUT_PD completed; figures per flow.
 *
 * PUBLISH=<n>: W1's publishing instead, nothing drained: `rows` events published with
 * `app.publishMany` in batches of n, one batch at a time (PUBLISH=1: `app.publish`, one at a
 * time; INFLIGHT=64 with it: 64 callers at once); the publishing is what is timed.
 *   BODY=1000 PUBLISH=100 node --import tsx tests/support/postgres-drain-ab.ts A B 6 20000
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { createPostgresServer } from './postgres-server.js';

const [dirA, dirB, roundsArg = '5', rowsArg = '20000'] = process.argv.slice(2);
if (dirA === undefined || dirB === undefined) {
  console.error('usage: postgres-drain-ab.ts <checkout A> <checkout B> [rounds] [rows]');
  process.exit(2);
}
const rounds = Number(roundsArg);
const rows = Number(rowsArg);
const pipeline = process.env['PIPELINE'] === '1';
const publishBatch = process.env['PUBLISH'] === undefined ? undefined : Number(process.env['PUBLISH']);
const inFlight = Number(process.env['INFLIGHT'] ?? 1);
/** BODY=1000: payloads carry a `data` string of that many characters (the bench's are about 1 KB). */
const bodyChars = Number(process.env['BODY'] ?? 0);
const STAGES = ['IN_PA', 'RQ_PB', 'RS_PC', 'OUT_PD'];
const tuning = {
  ...(process.env['PREFETCH'] === undefined ? {} : { prefetch: Number(process.env['PREFETCH']) }),
  ...(process.env['BATCH'] === undefined ? {} : { batchSize: Number(process.env['BATCH']) }),
};

type Figures = Record<'perSecond' | 'nodeMs' | 'serverMs' | 'statements' | 'flushes', number>;
type Api = Record<string, (...args: never[]) => unknown>;

interface Side {
  api: Api;
  pgApi: Api;
  /** Store options of this side only (an older build refuses options it does not know). */
  storeOptions: object;
  /** Processor options of this side's services. */
  tuning: object;
}
const load = async (dir: string, storeOptions: object = {}, sideTuning: object = tuning): Promise<Side> => ({
  api: (await import(pathToFileURL(join(resolve(dir), 'dist', 'index.js')).href)) as Api,
  pgApi: (await import(pathToFileURL(join(resolve(dir), 'dist', 'stores', 'postgres', 'index.js')).href)) as Api,
  storeOptions,
  tuning: sideTuning,
});

// Every statement any pg client sends (both builds share this node_modules' pg).
let statements = 0;
const proto = pg.Client.prototype as unknown as Record<'query', (this: pg.Client, ...a: unknown[]) => unknown>;
const query = proto.query;
proto.query = function (this: pg.Client, ...args: unknown[]) {
  statements++;
  return query.apply(this, args);
};

// STATEMENTS=1: pg_stat_statements on, and after the rounds the statements that took the
// server's time (execution + planning, both sides together), per event or flow.
const perStatement = process.env['STATEMENTS'] === '1';
const server = await createPostgresServer({
  synchronous_commit: 'on',
  shared_buffers: '256MB',
  ...(process.env['AUTOVACUUM'] === 'off' ? { autovacuum: 'off' } : {}),
  ...(perStatement
    ? { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track_planning': 'on' }
    : {}),
});
const allPids = (): number[] =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
const statOf = (pid: number): string[] | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
};
const postmaster = allPids().find((pid) => {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmd.startsWith('/usr/lib/postgresql') && cmd.includes(`${server.port}`);
  } catch {
    return false;
  }
});
const pids = (): number[] => allPids().filter((pid) => Number(statOf(pid)?.[1]) === postmaster);
const serverCpuMs = (): number =>
  [postmaster ?? 0, ...pids()].reduce((sum, pid) => {
    const f = statOf(pid);
    return f === undefined ? sum : sum + (Number(f[11]) + Number(f[12])) * 10;
  }, 0);
const admin = new pg.Client({ connectionString: server.url });
await admin.connect();
const walSyncs = async (): Promise<number> =>
  Number((await admin.query<{ n: string }>('SELECT wal_sync::text AS n FROM pg_stat_wal')).rows[0]?.n);

async function drain(side: Side): Promise<Figures> {
  const { api, pgApi } = side;
  const schema = `da_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const store = (await (pgApi['createPostgresStore'] as (o: object) => Promise<object>)({
    connectionString: server.url,
    schema,
    ...side.storeOptions,
  })) as { complete: (r: unknown[]) => Promise<string[]> };
  let completed = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((r) => (done = r));
  const last = pipeline ? STAGES.length - 1 : 0;
  const complete = store.complete.bind(store);
  const trace = process.env['TRACE'] === '1' ? traced(store as unknown as Traced) : undefined;
  store.complete = async (requests) => {
    const sentAt = performance.now();
    const outcomes = await complete(requests);
    trace?.log('complete', sentAt, requests.length);
    const counted = pipeline
      ? outcomes.filter(
          (o, i) => o === 'ok' && (requests[i] as { ref: { messageType: string } }).ref.messageType === STAGES[last],
        )
      : outcomes.filter((o) => o === 'ok');
    completed += counted.length;
    if (completed >= rows) {
      trace?.print();
      done();
    }
    return outcomes;
  };
  const anything = { '~standard': { version: 1, vendor: 'x', validate: (value: unknown) => ({ value }) } };
  const define = api['defineMessageType'] as (o: object) => unknown;
  const types = (pipeline ? STAGES : ['IN_DRAIN']).map((name) => define({ name, schema: anything }));
  const app = (api['createEventyard'] as (o: object) => Record<string, (...a: unknown[]) => unknown>)({
    store,
    messageTypes: types,
    logger: api['silentLogger'],
  });
  const type = types[0];
  const body = 'x'.repeat(bodyChars);
  const payload = (seq: number): object => (bodyChars === 0 ? { seq } : { seq, sentAt: 0, data: body });
  if (publishBatch !== undefined) {
    const figures = await measured(async () => {
      if (publishBatch > 1) {
        for (let i = 0; i < rows; i += publishBatch) {
          const n = Math.min(publishBatch, rows - i);
          await app['publishMany']?.(Array.from({ length: n }, (_, j) => ({ type, payload: payload(i + j) })));
        }
        return;
      }
      let next = 0;
      const caller = async (): Promise<void> => {
        while (next < rows) await app['publish']?.(type, payload(next++));
      };
      await Promise.all(Array.from({ length: inFlight }, caller));
    });
    await app['close']?.();
    await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    return figures;
  }
  for (let i = 0; i < rows; i += 500) {
    await app['publishMany']?.(
      Array.from({ length: Math.min(500, rows - i) }, (_, j) => ({
        type,
        payload: payload(i + j),
      })),
    );
  }
  const services = types.slice(0, pipeline ? types.length : 1).map((t, stage) => {
    const service = (app['service'] as (o: object) => Record<string, (...a: unknown[]) => unknown>)({
      name: `S${stage}`,
      concurrency: 32,
      ...side.tuning,
    });
    const next = pipeline ? STAGES[stage + 1] : undefined;
    service['handle']?.(t, (ctx: { emit: (type: string) => void }) => {
      if (next !== undefined) ctx.emit(next);
    });
    return service;
  });
  const figures = await measured(async () => {
    for (const service of services) service['start']?.();
    await finished;
  });
  for (const service of services) await service['stop']?.();
  await app['close']?.();
  await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
  return figures;
}

interface Traced {
  claim: (request: { limit: number }) => Promise<readonly unknown[]>;
}

/** TRACE=1: records the store's claims (and, through `log`, completions) with their times. */
function traced(store: Traced): { log: (what: string, sentAt: number, n: number) => void; print: () => void } {
  const lines: string[] = [];
  let start = Number.NaN;
  const log = (what: string, sentAt: number, n: number): void => {
    if (Number.isNaN(start)) start = sentAt;
    lines.push(`${what} ${(sentAt - start).toFixed(1)} ${(performance.now() - start).toFixed(1)} ${n}`);
  };
  const claim = store.claim.bind(store);
  store.claim = async (request) => {
    const sentAt = performance.now();
    const rows = await claim(request);
    log('claim', sentAt, rows.length);
    return rows;
  };
  const print = (): void => {
    const from = Math.max(0, Math.floor(lines.length / 2) - 20);
    console.log(`${lines.length} store calls; 40 from the middle (what, sent ms, answered ms, rows):`);
    console.log(lines.slice(from, from + 40).join('\n'));
  };
  return { log, print };
}

let perfRecorded = false;

/** Runs `work` and returns its figures: wall time, this process's and the server's CPU, statements, WAL flushes. */
async function measured(work: () => Promise<void>): Promise<Figures> {
  const [s0, f0, c0, t0] = [statements, await walSyncs(), process.cpuUsage(), performance.now()];
  const sv0 = serverCpuMs();
  const perfOut = process.env['PERF_OUT'];
  if (perfOut !== undefined && !perfRecorded) {
    perfRecorded = true;
    spawn('perf', ['record', '-a', '-g', '-F', '1500', '-o', perfOut, '--', 'sleep', '3'], { stdio: 'ignore' });
  }
  await work();
  const ms = performance.now() - t0;
  const sv1 = serverCpuMs();
  const cpu = process.cpuUsage(c0);
  const [s1, f1] = [statements, await walSyncs()];
  return {
    perSecond: (rows * 1000) / ms,
    nodeMs: (cpu.user + cpu.system) / 1000 / rows,
    serverMs: (sv1 - sv0) / rows,
    statements: (s1 - s0) / rows,
    flushes: (f1 - f0 - 1) / rows,
  };
}

const sides = [
  await load(dirA),
  await load(dirB, process.env['ASYNC_CLAIMS_B'] === '1' ? { asyncClaimCommit: true } : {}, {
    ...tuning,
    ...(process.env['BATCH_B'] === undefined ? {} : { batchSize: Number(process.env['BATCH_B']) }),
    ...(JSON.parse(process.env['TUNING_B'] ?? '{}') as object),
  }),
];
const results: Figures[][] = [];
try {
  await drain(sides[0] as (typeof sides)[number]); // warm-up
  if (perStatement) {
    await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await admin.query('SELECT pg_stat_statements_reset()');
  }
  for (let n = 0; n < rounds; n++) {
    const order = n % 2 === 0 ? [0, 1] : [1, 0];
    const got: Figures[] = [];
    for (const i of order) got[i] = await drain(sides[i] as (typeof sides)[number]);
    results.push(got);
    const [a, b] = got as [Figures, Figures];
    console.log(`round ${n + 1}: A ${a.perSecond.toFixed(0)}/s  B ${b.perSecond.toFixed(0)}/s`);
  }
  if (perStatement) await printStatements();
} finally {
  await admin.end();
  await server.destroy();
}
async function printStatements(): Promise<void> {
  const drained = rounds * 2 * rows;
  const { rows: top } = await admin.query<{ calls: string; exec: number; plan: number; rows: string; query: string }>(
    `SELECT calls::text, total_exec_time AS exec, total_plan_time AS plan, rows::text,
            regexp_replace(query, '\\s+', ' ', 'g') AS query
       FROM pg_stat_statements ORDER BY total_exec_time + total_plan_time DESC LIMIT 15`,
  );
  console.log(
    `server time per statement, µs per ${pipeline ? 'flow' : 'event'} (execution + planning), calls per 1,000:`,
  );
  for (const s of top) {
    const us = (ms: number): string => ((ms * 1000) / drained).toFixed(1).padStart(6);
    const per1000 = ((Number(s.calls) * 1000) / drained).toFixed(1).padStart(6);
    console.log(`${us(s.exec)} + ${us(s.plan)}  ${per1000}  ${s.query.slice(0, 110)}`);
  }
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[sorted.length >> 1] as number;
};
console.log(
  publishBatch === undefined
    ? `postgres ${pipeline ? 'W5-shaped pipeline' : 'W2 drain'}, ${rows} ${pipeline ? 'flows' : 'events'}, concurrency 32 ${JSON.stringify(tuning)}, ${rounds} rounds (medians)`
    : `postgres W1 publish, ${rows} events, ${publishBatch > 1 ? `batches of ${publishBatch}` : `${inFlight} in flight`}, ${rounds} rounds (medians)`,
);
for (const key of ['perSecond', 'nodeMs', 'serverMs', 'statements', 'flushes'] as const) {
  const a = median(results.map((r) => (r[0] as Figures)[key]));
  const b = median(results.map((r) => (r[1] as Figures)[key]));
  const ratio = median(results.map((r) => (r[1] as Figures)[key] / (r[0] as Figures)[key]));
  console.log(`${key.padEnd(10)} A ${a.toPrecision(4)}  B ${b.toPrecision(4)}  B/A ${ratio.toFixed(3)}`);
}
