/**
 * What keyed rows pay on PostgreSQL between two builds (A, B: checkouts with a dist/, as in
 * postgres-key-wait-bench.ts): each side gets a fresh schema and `rows` keyed rows, one per
 * key (every row a head, nothing waits), published 100 at a time, then drained by claims
 * of 64 + completion, the sides alternating call by call. Prints µs per row of publish,
 * claim and complete per side, and B/A.
 *
 *   node --import tsx tests/support/postgres-keyed-drain-ab.ts .cache/baseline . [rows=10000]
 */
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import type { EventStore, NewMessage } from '../../src/store/port.js';
import { POSTGRES_URL } from './postgres.js';

const [dirA, dirB, rowsArg = '10000'] = process.argv.slice(2);
if (dirA === undefined || dirB === undefined) {
  console.error('usage: postgres-keyed-drain-ab.ts <checkout A> <checkout B> [rows]');
  process.exit(2);
}
const rows = Number(rowsArg);
type Create = (o: object) => Promise<EventStore>;
const load = async (dir: string): Promise<Create> =>
  (
    (await import(pathToFileURL(join(resolve(dir), 'dist', 'stores', 'postgres', 'index.js')).href)) as Record<
      string,
      Create
    >
  )['createPostgresStore'] as Create;

const sides = await Promise.all(
  [dirA, dirB].map(async (dir) => {
    const schema = `kda_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const store = await (await load(dir))({ connectionString: POSTGRES_URL, schema, poolSize: 4, notify: false });
    const messages: NewMessage[] = Array.from({ length: rows }, (_, i) => ({
      eventId: randomUUID(),
      messageType: 'RQ_KD',
      table: 'request',
      payload: '{}',
      maxAttempts: 3,
      orderingKey: `k${i}`,
      createdBy: 'A',
    }));
    return { schema, store, messages, ms: { publish: 0, claim: 0, complete: 0 }, empty: false };
  }),
);
const timed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
  const start = performance.now();
  const result = await work();
  return [result, performance.now() - start];
};
for (let i = 0; i < rows; i += 100) {
  for (const side of (i / 100) % 2 === 0 ? sides : [...sides].reverse()) {
    side.ms.publish += (await timed(() => side.store.publish(side.messages.slice(i, i + 100))))[1];
  }
}
for (let step = 0; sides.some((s) => !s.empty); step++) {
  for (const side of step % 2 === 0 ? sides : [...sides].reverse()) {
    if (side.empty) continue;
    const claim = {
      table: 'request' as const,
      messageTypes: ['RQ_KD'],
      limit: 64,
      owner: 'o',
      updatedBy: 'B',
      leaseMs: 60_000,
    };
    const [claimed, claimMs] = await timed(() => side.store.claim(claim));
    side.ms.claim += claimMs;
    if (claimed.length === 0) {
      side.empty = true;
      continue;
    }
    const requests = claimed.map((ref) => ({ ref, updatedBy: 'B', emits: [], workingData: [] }));
    side.ms.complete += (await timed(() => side.store.complete(requests)))[1];
  }
}
const [a, b] = sides as [(typeof sides)[number], (typeof sides)[number]];
for (const k of ['publish', 'claim', 'complete'] as const) {
  const [ua, ub] = [(a.ms[k] * 1000) / rows, (b.ms[k] * 1000) / rows];
  console.log(`${k.padEnd(9)} A ${ua.toFixed(1)}  B ${ub.toFixed(1)} µs/row  B/A ${(ub / ua).toFixed(3)}`);
}
const admin = new pg.Client({ connectionString: POSTGRES_URL });
await admin.connect();
for (const side of sides) {
  await side.store.close();
  await admin.query(`DROP SCHEMA "${side.schema}" CASCADE`);
}
await admin.end();
