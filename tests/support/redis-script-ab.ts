/**
 * A/B of the Redis store's scripts between two builds of Eventyard, on one private
 * redis-server (no persistence): the server's own time per row in the publish, claim and
 * complete scripts (INFO commandstats usec of EVALSHA/EVAL, reset before each phase), and the
 * Redis commands they ran per row. The two builds take turns on the same server, each round
 * on a fresh key prefix, so a drift of the machine's speed favours neither; the figures are
 * medians over the rounds plus the median of the per-round ratios B/A. Server time is less
 * exposed than wall time to a busy machine (the client's scheduling is not in it).
 *
 *   node --import tsx tests/support/redis-script-ab.ts /tmp/base . [rounds=10] [rows=5000]
 * RETAIN_MS=0 in the environment sets both stores' retainCompletedMs, so that each completion
 * also purges up to two earlier completed rows (the steady state of a store running longer
 * than its retention): the complete figures then include the purge.
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import type { EventStore } from '../../src/store/port.js';
import { claimAll, publishBacklog } from './backlog.js';
import { createRedisServer } from './redis-server.js';

type CreateStore = (options: { port: number; keyPrefix: string; retainCompletedMs?: number }) => EventStore;
type Phase = 'publish' | 'claim' | 'complete';
type Figures = Record<Phase | 'commands', number>;

const [dirA, dirB, roundsArg = '10', rowsArg = '5000'] = process.argv.slice(2);
if (dirA === undefined || dirB === undefined) {
  console.error('usage: redis-script-ab.ts <checkout A> <checkout B> [rounds] [rows]');
  process.exit(2);
}
const rounds = Number(roundsArg);
const rows = Number(rowsArg);
const BATCH = 64;
const retain = process.env['RETAIN_MS'] === undefined ? {} : { retainCompletedMs: Number(process.env['RETAIN_MS']) };

async function load(dir: string): Promise<CreateStore> {
  const url = pathToFileURL(join(resolve(dir), 'dist', 'stores', 'redis', 'index.js')).href;
  return ((await import(url)) as { createRedisStore: CreateStore }).createRedisStore;
}

const server = await createRedisServer(['--save', '', '--appendonly', 'no']);
await server.start();
const admin = new Redis({ port: server.port });

/** Microseconds in scripts and commands run, since the last RESETSTAT. */
async function scriptTime(): Promise<{ usec: number; commands: number }> {
  const text = await admin.info('commandstats');
  let usec = 0;
  let commands = 0;
  for (const [, name, calls, us] of text.matchAll(/cmdstat_(\w+):calls=(\d+),usec=(\d+)/g)) {
    if (name === 'evalsha' || name === 'eval') usec += Number(us);
    else if (name !== 'info' && name !== 'config' && name !== 'script') commands += Number(calls);
  }
  return { usec, commands };
}

async function once(createStore: CreateStore, round: number, label: string): Promise<Figures> {
  const store = createStore({ port: server.port, keyPrefix: `ab${round}${label}`, ...retain });
  await store.now(); // connects and loads the scripts before the clock starts
  await admin.config('RESETSTAT');
  await publishBacklog(store, rows, { messageType: 'RQ_X', table: 'request', createdBy: 'A', batch: 100 });
  const publish = await scriptTime();
  await admin.config('RESETSTAT');
  const claimed = await claimAll(store, {
    table: 'request',
    messageTypes: ['RQ_X'],
    limit: BATCH,
    owner: 'o',
    updatedBy: 'B',
    leaseMs: 60_000,
  });
  const claim = await scriptTime();
  await admin.config('RESETSTAT');
  for (let i = 0; i < claimed.length; i += BATCH) {
    const outcomes = await store.complete(
      claimed.slice(i, i + BATCH).map((ref) => ({ ref, updatedBy: 'B', emits: [], workingData: [] })),
    );
    if (!outcomes.every((o) => o === 'ok')) throw new Error('a completion lost its lease');
  }
  const complete = await scriptTime();
  await store.close();
  if (claimed.length !== rows) throw new Error(`claimed ${claimed.length} of ${rows}`);
  return {
    publish: publish.usec / rows,
    claim: claim.usec / rows,
    complete: complete.usec / rows,
    commands: (publish.commands + claim.commands + complete.commands) / rows,
  };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[sorted.length >> 1] as number;
};

const [createA, createB] = [await load(dirA), await load(dirB)];
const results: { a: Figures; b: Figures }[] = [];
for (let round = 0; round < rounds; round++) {
  const first = round % 2 === 0;
  const x = await once(first ? createA : createB, round, first ? 'a' : 'b');
  const y = await once(first ? createB : createA, round, first ? 'b' : 'a');
  results.push(first ? { a: x, b: y } : { a: y, b: x });
}
console.log(`redis scripts, ${rows} rows, ${rounds} rounds: server µs per row (commands: per row)`);
for (const key of ['publish', 'claim', 'complete', 'commands'] as const) {
  const a = median(results.map((r) => r.a[key]));
  const b = median(results.map((r) => r.b[key]));
  const ratio = median(results.map((r) => r.b[key] / r.a[key]));
  console.log(`${key.padEnd(9)} A ${a.toFixed(2)}  B ${b.toFixed(2)}  B/A per round (median) ${ratio.toFixed(3)}`);
}
admin.disconnect();
await server.destroy();
