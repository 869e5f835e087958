/**
 * A network pause between two workers and PostgreSQL (through our TCP proxy, never the
 * shared server itself), longer than the lease; a third worker reaches PostgreSQL directly.
 * Every attempt works in a fresh schema of its own (a retry must not count the rows of the
 * attempt before it), dropped at the end. See tests/support/store-pause-scenario.ts for
 * what is checked.
 */
import { afterAll, expect, it } from 'vitest';
import { createPostgresStore } from '../../src/stores/postgres/index.js';
import { dropSchema, POSTGRES_URL, randomSchema, withAdmin } from '../support/postgres.js';
import { runStorePauseScenario } from '../support/store-pause-scenario.js';

const schemas: string[] = [];
const server = new URL(POSTGRES_URL);
const target = { host: server.hostname, port: Number(server.port || 5432) };

/** The server's URL with its host and port replaced by `endpoint` (the proxy's, or its own). */
function urlFor(endpoint: { host: string; port: number }): string {
  const url = new URL(POSTGRES_URL);
  url.hostname = endpoint.host;
  url.port = String(endpoint.port);
  return url.toString();
}

afterAll(async () => {
  for (const schema of schemas) await dropSchema(schema);
});

it('a PostgreSQL pause longer than the lease: no overlapping runs, health and one warning, stop() on time, recovery at normal concurrency, exact accounting', async () => {
  await withAdmin((client) => client.query('SELECT 1'));
  const schema = randomSchema('pause');
  schemas.push(schema);
  const report = await runStorePauseScenario({
    target,
    openStore: (endpoint) => createPostgresStore({ connectionString: urlFor(endpoint), schema }),
  });
  console.log('postgres pause:', JSON.stringify(report));
  expect(report.abortedRuns).toBeGreaterThan(0);
});
