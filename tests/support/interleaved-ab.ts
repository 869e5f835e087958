/**
 * A/B of a store's publish + drain between two builds of Eventyard, interleaved call by call:
 * stores of build A and build B (SQLite: two WAL files; Redis: one private redis-server, two
 * key prefixes; PostgreSQL: two fresh schemas on EVENTYARD_POSTGRES_URL) are fed alternately, one publish batch of 100 (1 KB payloads) or one
 * claim + complete of 64 at a time, each call timed. Both builds thus run under the same
 * machine load within milliseconds of each other, which whole-run alternation
 * (sqlite-store-ab.ts) cannot give on a busy host: there an A/A run showed ratios of 1.2-1.9.
 * Figures per round are µs per row summed over the calls; the output is their median and
 * the median of the per-round ratios B/A. Work a call leaves for later (a group commit at the
 * end of the turn) may land in the other side's next call, so claim and complete alone can
 * trade time between the sides; read `drain` (claim + complete) and `publish`.
 *
 *   node --import tsx tests/support/interleaved-ab.ts sqlite|redis|postgres /tmp/base . [rounds=5] [rows=20000]
 *   PRIORITIES=1 node --import tsx tests/support/interleaved-ab.ts sqlite . .   # B's rows prioritized
 *   BATCH=1 node --import tsx tests/support/interleaved-ab.ts redis /tmp/base . 8 5000   # single publishes
 *   AOF=1 …   # Redis with the bench's append-only file (fsync every second)
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EventStore, NewMessage } from '../../src/store/port.js';
import pg from 'pg';
import { POSTGRES_URL } from './postgres.js';
import { createRedisServer, type RedisServerHandle } from './redis-server.js';

type Figures = Record<'publish' | 'claim' | 'complete' | 'drain', number>;
type Open = (label: string) => Promise<{ store: EventStore; done: () => Promise<void> | void }>;

const [kind, dirA, dirB, roundsArg = '5', rowsArg = '20000'] = process.argv.slice(2);
if ((kind !== 'sqlite' && kind !== 'redis' && kind !== 'postgres') || dirA === undefined || dirB === undefined) {
  console.error('usage: interleaved-ab.ts <sqlite|redis|postgres> <checkout A> <checkout B> [rounds] [rows]');
  process.exit(2);
}
const rounds = Number(roundsArg);
const rows = Number(rowsArg);
const payload = JSON.stringify({ body: 'x'.repeat(1000) });
let server: RedisServerHandle | undefined;

async function loader(dir: string): Promise<Open> {
  const url = pathToFileURL(join(resolve(dir), 'dist', 'stores', kind as string, 'index.js')).href;
  const module = (await import(url)) as Record<string, (options: object) => unknown>;
  if (kind === 'postgres') {
    const create = module['createPostgresStore'] as (o: object) => Promise<EventStore>;
    return async () => {
      const schema = `il_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
      const store = await create({ connectionString: POSTGRES_URL, schema, poolSize: 4 });
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
  if (kind === 'sqlite') {
    const create = module['createSqliteStore'] as (o: { path: string }) => EventStore;
    return async (label) => {
      const path = join(tmpdir(), `eventyard-interleaved-${label}.db`);
      const clean = (): void => {
        for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
      };
      clean();
      return { store: create({ path }), done: clean };
    };
  }
  const create = module['createRedisStore'] as (o: { port: number; keyPrefix: string }) => EventStore;
  return async (label) => {
    if (server === undefined) {
      // `AOF=1`: the bench's durability (appendonly, fsync every second).
      const aof =
        process.env['AOF'] === '1' ? ['--appendonly', 'yes', '--appendfsync', 'everysec'] : ['--appendonly', 'no'];
      const started = await createRedisServer(['--save', '', ...aof]);
      await started.start();
      server = started;
    }
    return { store: create({ port: server.port, keyPrefix: `il${label}` }), done: () => undefined };
  };
}

/** `PRIORITIES=1`: B's rows get random priorities 0..9 (the cost of using them). */
const priorities = process.env['PRIORITIES'] === '1';
/** `BATCH=n`: messages per publish call (100 unless given; 1 for single publishes). */
const batch = Number(process.env['BATCH'] ?? '100');
const messages = (prioritized: boolean): NewMessage[] =>
  Array.from({ length: rows }, () => ({
    eventId: randomUUID(),
    messageType: 'RQ_X',
    table: 'request',
    payload,
    maxAttempts: 3,
    createdBy: 'A',
    ...(prioritized ? { priority: Math.floor(Math.random() * 10) } : {}),
  }));

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, performance.now() - start];
}

async function round(openA: Open, openB: Open, n: number): Promise<{ a: Figures; b: Figures }> {
  const sides = [];
  for (const [i, open] of [openA, openB].entries()) {
    const { store, done } = await open(`${n}${i === 0 ? 'a' : 'b'}`);
    await store.now();
    sides.push({
      store,
      done,
      rows: messages(priorities && i === 1),
      ms: { publish: 0, claim: 0, complete: 0 },
      drained: 0,
      empty: false,
    });
  }
  // Alternate which side goes first in each step of a round, and per round.
  for (let i = 0; i < rows; i += batch) {
    for (const side of (i / batch + n) % 2 === 0 ? sides : [...sides].reverse()) {
      const [, ms] = await timed(() => side.store.publish(side.rows.slice(i, i + batch)));
      side.ms.publish += ms;
    }
  }
  for (let step = 0; sides.some((s) => !s.empty); step++) {
    for (const side of (step + n) % 2 === 0 ? sides : [...sides].reverse()) {
      if (side.empty) continue;
      const [claimed, claimMs] = await timed(() =>
        side.store.claim({
          table: 'request',
          messageTypes: ['RQ_X'],
          limit: 64,
          owner: 'o',
          updatedBy: 'B',
          leaseMs: 60_000,
        }),
      );
      side.ms.claim += claimMs;
      if (claimed.length === 0) {
        side.empty = true;
        continue;
      }
      side.drained += claimed.length;
      const [outcomes, completeMs] = await timed(() =>
        side.store.complete(claimed.map((ref) => ({ ref, updatedBy: 'B', emits: [], workingData: [] }))),
      );
      side.ms.complete += completeMs;
      if (!outcomes.every((o) => o === 'ok')) throw new Error('a completion lost its lease');
    }
  }
  const figures = sides.map((side): Figures => {
    if (side.drained !== rows) throw new Error(`drained ${side.drained} of ${rows}`);
    const perRow = (ms: number): number => (ms * 1000) / rows;
    return {
      publish: perRow(side.ms.publish),
      claim: perRow(side.ms.claim),
      complete: perRow(side.ms.complete),
      drain: perRow(side.ms.claim + side.ms.complete),
    };
  });
  for (const side of sides) {
    await side.store.close();
    await side.done();
  }
  return { a: figures[0] as Figures, b: figures[1] as Figures };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[sorted.length >> 1] as number;
};

const [openA, openB] = [await loader(dirA), await loader(dirB)];
const results: { a: Figures; b: Figures }[] = [];
for (let n = 0; n < rounds; n++) results.push(await round(openA, openB, n));
console.log(
  `${kind}, interleaved, ${rows} rows in publishes of ${batch}, ${rounds} rounds${priorities ? ', B with random priorities 0..9' : ''}: µs per row`,
);
for (const key of ['publish', 'claim', 'complete', 'drain'] as const) {
  const a = median(results.map((r) => r.a[key]));
  const b = median(results.map((r) => r.b[key]));
  const ratio = median(results.map((r) => r.b[key] / r.a[key]));
  console.log(`${key.padEnd(9)} A ${a.toFixed(2)}  B ${b.toFixed(2)}  B/A per round (median) ${ratio.toFixed(3)}`);
}
await server?.destroy();
