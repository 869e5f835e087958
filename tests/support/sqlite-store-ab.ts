/**
 * A/B of the SQLite store's hot path between two builds of Eventyard, in one process, so
 * a change of a few percent shows through this machine's noise: each run publishes
 * `rows` events of 1 KB in batches of 100 (random UUIDv4 ids, tests/support/backlog.ts), then drains them by
 * claiming and completing 64 at a time, on a fresh WAL file; A and B alternate, and the
 * figures are medians over the pairs plus the median of the per-pair ratios B/A.
 *
 *   npm run build                          # B: this checkout's dist/
 *   git worktree add /tmp/base <commit> && (cd /tmp/base && ln -s "$PWD/../main/node_modules" . && npm run build)
 *   node --import tsx tests/support/sqlite-store-ab.ts /tmp/base . [pairs=10] [rows=50000]
 *
 * Times are µs per row: publish (whole batch calls), claim and complete (the store calls
 * alone), drain (wall time of the claim/complete loop), drainCpu (this process's CPU time
 * in that loop: less swayed than wall time by other work on a busy machine).
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EventStore } from '../../src/store/port.js';
import { publishBacklog } from './backlog.js';

type CreateStore = (options: { path: string }) => EventStore;
type Figures = Record<'publish' | 'claim' | 'complete' | 'drain' | 'drainCpu', number>;

const [dirA, dirB, pairsArg = '10', rowsArg = '50000'] = process.argv.slice(2);
if (dirA === undefined || dirB === undefined) {
  console.error('usage: sqlite-store-ab.ts <checkout A> <checkout B> [pairs] [rows]');
  process.exit(2);
}
const pairs = Number(pairsArg);
const rows = Number(rowsArg);
const BATCH = 64;

async function load(dir: string): Promise<CreateStore> {
  const url = pathToFileURL(join(resolve(dir), 'dist', 'stores', 'sqlite', 'index.js')).href;
  return ((await import(url)) as { createSqliteStore: CreateStore }).createSqliteStore;
}

async function once(createStore: CreateStore, label: string): Promise<Figures> {
  const path = join(tmpdir(), `eventyard-store-ab-${label}.db`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  const store = createStore({ path });
  const publishStart = performance.now();
  await publishBacklog(store, rows, { messageType: 'RQ_X', table: 'request', createdBy: 'A', batch: 100 });
  const publishMs = performance.now() - publishStart;
  let claimMs = 0;
  let completeMs = 0;
  const drainStart = performance.now();
  const drainCpuStart = process.cpuUsage();
  for (;;) {
    let start = performance.now();
    const claimed = await store.claim({
      table: 'request',
      messageTypes: ['RQ_X'],
      limit: BATCH,
      owner: 'o',
      updatedBy: 'B',
      leaseMs: 30_000,
    });
    claimMs += performance.now() - start;
    if (claimed.length === 0) break;
    start = performance.now();
    const outcomes = await store.complete(claimed.map((ref) => ({ ref, updatedBy: 'B', emits: [], workingData: [] })));
    completeMs += performance.now() - start;
    if (!outcomes.every((outcome) => outcome === 'ok')) throw new Error('a completion lost its lease');
  }
  const drainMs = performance.now() - drainStart;
  const cpu = process.cpuUsage(drainCpuStart);
  const drainCpuMs = (cpu.user + cpu.system) / 1000;
  await store.close();
  const perRow = (ms: number): number => (ms * 1000) / rows;
  return {
    publish: perRow(publishMs),
    claim: perRow(claimMs),
    complete: perRow(completeMs),
    drain: perRow(drainMs),
    drainCpu: perRow(drainCpuMs),
  };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[sorted.length >> 1] as number;
};

const [createA, createB] = [await load(dirA), await load(dirB)];
const results: { a: Figures; b: Figures }[] = [];
for (let pair = 0; pair < pairs; pair++) {
  // Alternate which build goes first, so a drift of the machine's speed favours neither.
  const first = pair % 2 === 0;
  const x = await once(first ? createA : createB, first ? 'a' : 'b');
  const y = await once(first ? createB : createA, first ? 'b' : 'a');
  results.push(first ? { a: x, b: y } : { a: y, b: x });
}
for (const key of ['publish', 'claim', 'complete', 'drain', 'drainCpu'] as const) {
  const a = median(results.map((r) => r.a[key]));
  const b = median(results.map((r) => r.b[key]));
  const ratio = median(results.map((r) => r.b[key] / r.a[key]));
  console.log(
    `${key.padEnd(8)} A ${a.toFixed(2)} µs/row  B ${b.toFixed(2)} µs/row  B/A per pair (median) ${ratio.toFixed(3)}`,
  );
}
