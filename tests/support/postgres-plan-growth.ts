/**
 * Whether a PostgreSQL store statement gets slower as its tables grow while their
 * statistics stay those of an empty table (a new schema before autovacuum's first ANALYZE;
 * the generic plans the store's hot statements use are made at a connection's first call
 * and kept until statistics change). One store connection, autovacuum off on the schema's
 * tables; rounds of: publish 10 batches of 100 events (1 KB), claim them in batches of 64,
 * complete each batch with one emit per row. Prints the median milliseconds per call of
 * each statement, by table size.
 *
 *   node --import tsx tests/support/postgres-plan-growth.ts [rounds=100] [build=src]
 *
 * `build`: the modules to load, `src` (this checkout) or a compiled build such as
 * `.cache/baseline/dist` (bench/build-baseline.sh <commit>), to compare two versions.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import type * as PostgresModule from '../../src/stores/postgres/index.js';
import type * as TestingModule from '../../src/testing/index.js';
import { makePayloads } from '../../bench/harness/payloads.js';
import { POSTGRES_URL } from './postgres.js';

const rounds = Number(process.argv[2] ?? 100);
const build = resolve(process.argv[3] ?? 'src');
const load = async <M>(path: string): Promise<M> => (await import(pathToFileURL(resolve(build, path)).href)) as M;
const { createPostgresStore } = await load<typeof PostgresModule>('stores/postgres/index.js');
const { claimRequest, leaseRefOf, newMessage } = await load<typeof TestingModule>('testing/index.js');
const schema = `ey_growth_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: POSTGRES_URL });
await admin.connect();
const store = await createPostgresStore({ connectionString: POSTGRES_URL, schema, poolSize: 1 });
for (const table of ['messages', 'payload', 'working_data']) {
  await admin.query(`ALTER TABLE "${schema}".${table} SET (autovacuum_enabled = false)`);
}
type Op = 'publish' | 'claim' | 'complete';
const times: Record<Op, number[][]> = { publish: [], claim: [], complete: [] };
const timed = async <T>(op: Op, round: number, work: () => Promise<T>): Promise<T> => {
  const started = performance.now();
  const result = await work();
  (times[op][round] ??= []).push(performance.now() - started);
  return result;
};
let seq = 0;
try {
  for (let round = 0; round < rounds; round++) {
    for (let b = 0; b < 10; b++) {
      const messages = makePayloads(100, seq).map((p) => newMessage({ payload: JSON.stringify(p) }));
      seq += 100;
      await timed('publish', round, () => store.publish(messages));
    }
    for (;;) {
      const claimed = await timed('claim', round, () => store.claim(claimRequest({ limit: 64 })));
      if (claimed.length === 0) break;
      await timed('complete', round, () =>
        store.complete(
          claimed.map((c) => ({
            ref: leaseRefOf(c),
            updatedBy: 'GROWTH',
            emits: [newMessage({ eventId: c.eventId, messageType: 'RS_GROWTH', table: 'response' })],
            workingData: [],
          })),
        ),
      );
    }
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
  const step = Math.max(1, Math.floor(rounds / 5));
  for (let from = 0; from < rounds; from += step) {
    const cells = (['publish', 'claim', 'complete'] as const).map(
      (op) => `${op} ${median(times[op].slice(from, from + step).flat()).toFixed(2)} ms`,
    );
    console.log(`messages ${(from * 2000).toLocaleString('en')}+ rows: ${cells.join(', ')}`);
  }
} finally {
  await store.close();
  await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
  await admin.end();
}
