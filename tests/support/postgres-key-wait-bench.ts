/**
 * Claim cost of other keys' rows while rows wait behind one hot key, on PostgreSQL, between
 * two builds of Eventyard (A, B: checkouts with a dist/, e.g. bench/build-baseline.sh's
 * .cache/baseline and this checkout after `npx tsc -p tsconfig.build.json`), interleaved
 * claim by claim so both run under the same machine load. Per size N: each side gets a
 * fresh schema, N + 1 rows of key 'hot' (the head claimed and left IN_PROGRESS: a busy
 * key), then 1,000 rows of 1,000 other keys; then 100 (CLAIMS) claims of 10 per side, alternating,
 * each timed (the claimed rows are completed, untimed). Prints per N and side: the first
 * claim, the median of claims 11.. (past any one-time work), and the ratio B/A of the
 * medians.
 *
 *   node --import tsx tests/support/postgres-key-wait-bench.ts .cache/baseline . [sizes=0,10000,100000]
 *   CLAIMS=30 node --import tsx tests/support/postgres-key-wait-bench.ts .cache/baseline . 100000
 */
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import type { EventStore, NewMessage } from '../../src/store/port.js';
import { POSTGRES_URL } from './postgres.js';

const [dirA, dirB, sizesArg = '0,10000,100000'] = process.argv.slice(2);
if (dirA === undefined || dirB === undefined) {
  console.error('usage: postgres-key-wait-bench.ts <checkout A> <checkout B> [sizes]');
  process.exit(2);
}
const sizes = sizesArg.split(',').map(Number);
const TYPE = 'RQ_KW';
const CLAIMS = Number(process.env['CLAIMS'] ?? 100);

type Create = (o: object) => Promise<EventStore>;
async function loader(dir: string): Promise<Create> {
  const url = pathToFileURL(join(resolve(dir), 'dist', 'stores', 'postgres', 'index.js')).href;
  return ((await import(url)) as Record<string, Create>)['createPostgresStore'] as Create;
}

const admin = async (sql: string): Promise<void> => {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(sql);
  await client.end();
};
const row = (orderingKey: string): NewMessage => ({
  eventId: randomUUID(),
  messageType: TYPE,
  table: 'request',
  payload: '{}',
  maxAttempts: 3,
  orderingKey,
  createdBy: 'A',
});
const claimOf = (limit: number) => ({
  table: 'request' as const,
  messageTypes: [TYPE],
  limit,
  owner: 'o',
  updatedBy: 'B',
  leaseMs: 600_000,
});
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

async function prepare(create: Create, hot: number): Promise<{ store: EventStore; schema: string }> {
  const schema = `kwb_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const store = await create({ connectionString: POSTGRES_URL, schema, poolSize: 2, notify: false });
  for (let i = 0; i < hot + 1; i += 1000) {
    await store.publish(Array.from({ length: Math.min(1000, hot + 1 - i) }, () => row('hot')));
  }
  await store.claim(claimOf(1));
  for (let i = 0; i < 1000; i += 500) await store.publish(Array.from({ length: 500 }, (_, j) => row(`o${i + j}`)));
  await admin(`ANALYZE "${schema}".messages`);
  return { store, schema };
}

const [createA, createB] = [await loader(dirA), await loader(dirB)];
for (const n of sizes) {
  const sides = [await prepare(createA, n), await prepare(createB, n)];
  const ms: number[][] = [[], []];
  for (let c = 0; c < CLAIMS; c++) {
    for (const i of c % 2 === 0 ? [0, 1] : [1, 0]) {
      const { store } = sides[i] as (typeof sides)[number];
      const start = performance.now();
      const claimed = await store.claim(claimOf(10));
      (ms[i] as number[]).push(performance.now() - start);
      if (claimed.some((m) => m.orderingKey === 'hot')) throw new Error('a waiting hot row was claimed');
      await store.complete(claimed.map((ref) => ({ ref, updatedBy: 'B', emits: [], workingData: [] })));
    }
  }
  const [a, b] = ms.map((xs) => ({ first: xs[0] ?? NaN, steady: median(xs.slice(10)) })) as [
    { first: number; steady: number },
    { first: number; steady: number },
  ];
  console.log(
    `waiting=${n}  A first ${a.first.toFixed(1)} ms, median ${a.steady.toFixed(2)} ms  |  ` +
      `B first ${b.first.toFixed(1)} ms, median ${b.steady.toFixed(2)} ms  |  B/A ${(b.steady / a.steady).toFixed(3)}`,
  );
  for (const side of sides) {
    await side.store.close();
    await admin(`DROP SCHEMA "${side.schema}" CASCADE`);
  }
}
