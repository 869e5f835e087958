/**
 * A/B of the Redis or PostgreSQL store's hot path between two builds of Eventyard, as
 * sqlite-store-ab.ts does for SQLite: each run publishes `rows` events of 1 KB in batches of
 * 100 (tests/support/backlog.ts), then drains them by claiming and completing 64 at a time;
 * A and B alternate, and the figures are medians over the pairs plus the median of the
 * per-pair ratios B/A. Redis: a private redis-server (no persistence) per run; PostgreSQL:
 * a fresh schema on EVENTYARD_POSTGRES_URL per run, dropped after.
 * `PRIORITIES=1` gives every row of B a random priority 0..9 (the cost of using them).
 *
 *   npm run build                          # B: this checkout's dist/
 *   git archive <commit> | tar -x -C /tmp/base && (cd /tmp/base && ln -s <node_modules> . && npm run build)
 *   node --import tsx tests/support/store-ab.ts redis|postgres /tmp/base . [pairs=6] [rows=20000]
 *
 * Times are µs per row: publish (whole batch calls), drain (wall time of the claim/complete
 * loop), and CPU time of publish + drain: clientCpu (this process) and for Redis serverCpu
 * (INFO cpu of the private server). CPU time is less exposed than wall time to a busy
 * machine, where the process waits for a core.
 */
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { EventStore, NewMessage } from '../../src/store/port.js';
import { POSTGRES_URL } from './postgres.js';
import { createRedisServer } from './redis-server.js';

type Figures = Record<'publish' | 'drain' | 'clientCpu' | 'serverCpu', number>;
/** `serverUs`: Redis only, the server's CPU time so far in µs (INFO cpu, user + sys). */
type Open = () => Promise<{ store: EventStore; done: () => Promise<void>; serverUs?: () => Promise<number> }>;

const [kind, dirA, dirB, pairsArg = '6', rowsArg = '20000'] = process.argv.slice(2);
if ((kind !== 'redis' && kind !== 'postgres') || dirA === undefined || dirB === undefined) {
  console.error('usage: store-ab.ts <redis|postgres> <checkout A> <checkout B> [pairs] [rows]');
  process.exit(2);
}
const pairs = Number(pairsArg);
const rows = Number(rowsArg);
const BATCH = 64;
const payload = JSON.stringify({ body: 'x'.repeat(1000) });

async function loader(dir: string): Promise<Open> {
  const base = join(resolve(dir), 'dist', 'stores');
  if (kind === 'redis') {
    const { createRedisStore } = (await import(pathToFileURL(join(base, 'redis', 'index.js')).href)) as {
      createRedisStore: (o: { port: number }) => EventStore;
    };
    return async () => {
      const server = await createRedisServer(['--save', '', '--appendonly', 'no']);
      await server.start();
      const store = createRedisStore({ port: server.port });
      const admin = new Redis({ port: server.port });
      const serverUs = async (): Promise<number> => {
        const text = await admin.info('cpu');
        const seconds = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(text)?.[1] ?? 0);
        return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6;
      };
      return {
        store,
        serverUs,
        done: async () => {
          admin.disconnect();
          await server.destroy();
        },
      };
    };
  }
  const { createPostgresStore } = (await import(pathToFileURL(join(base, 'postgres', 'index.js')).href)) as {
    createPostgresStore: (o: { connectionString: string; schema: string; poolSize: number }) => Promise<EventStore>;
  };
  return async () => {
    const schema = `ab_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const store = await createPostgresStore({ connectionString: POSTGRES_URL, schema, poolSize: 4 });
    return {
      store,
      done: async () => {
        const admin = new pg.Client({ connectionString: POSTGRES_URL });
        await admin.connect();
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
        await admin.end();
      },
    };
  };
}

async function once(open: Open, withPriorities: boolean): Promise<Figures> {
  const { store, done, serverUs } = await open();
  const messages: NewMessage[] = Array.from({ length: rows }, () => ({
    eventId: randomUUID(),
    messageType: 'RQ_X',
    table: 'request',
    payload,
    maxAttempts: 3,
    createdBy: 'A',
    ...(withPriorities ? { priority: Math.floor(Math.random() * 10) } : {}),
  }));
  const serverStart = (await serverUs?.()) ?? 0;
  const cpuStart = process.cpuUsage();
  const publishStart = performance.now();
  for (let i = 0; i < messages.length; i += 100) await store.publish(messages.slice(i, i + 100));
  const publishMs = performance.now() - publishStart;
  const drainStart = performance.now();
  let drained = 0;
  for (;;) {
    const claimed = await store.claim({
      table: 'request',
      messageTypes: ['RQ_X'],
      limit: BATCH,
      owner: 'o',
      updatedBy: 'B',
      leaseMs: 30_000,
    });
    if (claimed.length === 0) break;
    drained += claimed.length;
    const outcomes = await store.complete(claimed.map((ref) => ({ ref, updatedBy: 'B', emits: [], workingData: [] })));
    if (!outcomes.every((outcome) => outcome === 'ok')) throw new Error('a completion lost its lease');
  }
  const drainMs = performance.now() - drainStart;
  const cpu = process.cpuUsage(cpuStart);
  const serverCpuUs = ((await serverUs?.()) ?? 0) - serverStart;
  await store.close();
  await done();
  if (drained !== rows) throw new Error(`drained ${drained} of ${rows} rows`);
  const perRow = (ms: number): number => (ms * 1000) / rows;
  return {
    publish: perRow(publishMs),
    drain: perRow(drainMs),
    clientCpu: (cpu.user + cpu.system) / rows,
    serverCpu: serverCpuUs / rows,
  };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[sorted.length >> 1] as number;
};

const priorities = process.env['PRIORITIES'] === '1';
const [openA, openB] = [await loader(dirA), await loader(dirB)];
const results: { a: Figures; b: Figures }[] = [];
for (let pair = 0; pair < pairs; pair++) {
  // Alternate which build goes first, so a drift of the machine's speed favours neither.
  const first = pair % 2 === 0;
  const x = first ? await once(openA, false) : await once(openB, priorities);
  const y = first ? await once(openB, priorities) : await once(openA, false);
  results.push(first ? { a: x, b: y } : { a: y, b: x });
}
console.log(`${kind}, ${rows} rows, ${pairs} pairs${priorities ? ', B with random priorities 0..9' : ''}`);
const keys = ['publish', 'drain', 'clientCpu', ...(kind === 'redis' ? (['serverCpu'] as const) : [])] as const;
for (const key of keys) {
  const a = median(results.map((r) => r.a[key]));
  const b = median(results.map((r) => r.b[key]));
  const ratio = median(results.map((r) => r.b[key] / r.a[key]));
  console.log(
    `${key.padEnd(8)} A ${a.toFixed(2)} µs/row  B ${b.toFixed(2)} µs/row  B/A per pair (median) ${ratio.toFixed(3)}`,
  );
}
