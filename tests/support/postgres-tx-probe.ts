/**
 * What publishing inside the user's transaction costs that transaction: alternating runs of
 * `BEGIN; INSERT a business row; COMMIT` with and without `app.publish(..., { transaction })`
 * before the COMMIT, one at a time on one connection. Prints the median time per
 * transaction of each and the statements sent (docs/postgres.md).
 *
 *   npx tsx tests/support/postgres-tx-probe.ts [rounds]
 */
import pg from 'pg';
import { z } from 'zod';
import { createEventyard, defineMessageType, silentLogger } from '../../src/index.js';
import { createPostgresStore } from '../../src/stores/postgres/index.js';
import { dropSchema, POSTGRES_URL, randomSchema } from './postgres.js';

const rounds = Number(process.argv[2] ?? 6);
const perRound = 300;
const IN_ORDER = defineMessageType({ name: 'IN_ORDER', schema: z.object({ id: z.string(), total: z.number() }) });
const schema = randomSchema('probe');
const store = await createPostgresStore({ connectionString: POSTGRES_URL, schema });
const app = createEventyard({ store, messageTypes: [IN_ORDER], logger: silentLogger });
const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 1 });
await pool.query(`CREATE TABLE "${schema}".orders (id text PRIMARY KEY, total numeric NOT NULL)`);
const client = await pool.connect();
let statements = 0;
client.on('error', () => undefined);
const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
// Counts what goes through the connection while it stays a pg Client (named statements work).
(client as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = (...args: unknown[]) => {
  statements++;
  return query(...args);
};

let n = 0;
let published = 0;
async function run(withPublish: boolean): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < perRound; i++) {
    const id = `o-${n++}`;
    const t0 = performance.now();
    await client.query('BEGIN');
    await client.query(`INSERT INTO "${schema}".orders (id, total) VALUES ($1, $2)`, [id, 42]);
    if (withPublish) {
      const before = statements;
      await app.publish(IN_ORDER, { id, total: 42 }, { transaction: client });
      published += statements - before;
    }
    await client.query('COMMIT');
    times.push(performance.now() - t0);
  }
  return times;
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const plain: number[] = [];
const outbox: number[] = [];
for (let r = 0; r < rounds; r++) {
  plain.push(median(await run(false)));
  outbox.push(median(await run(true)));
}
console.log(
  `per transaction, median of ${rounds} alternating rounds of ${perRound}: ` +
    `business row alone ${median(plain).toFixed(3)} ms, with the publish ${median(outbox).toFixed(3)} ms ` +
    `(+${(median(outbox) - median(plain)).toFixed(3)} ms); statements sent by the publish: ${published / (rounds * perRound)} per call`,
);
client.release();
await pool.end();
await app.close();
await dropSchema(schema);
