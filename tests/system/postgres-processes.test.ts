/**
 * Several OS processes sharing one PostgreSQL server (EVENTYARD_POSTGRES_URL, a fresh schema
 * per test; tests/support/processes-scenario.ts).
 */
import { createPostgresStore } from '../../src/stores/postgres/index.js';
import { describeProcessesScenario } from '../support/processes-scenario.js';
import { dropSchema, POSTGRES_URL, randomSchema } from '../support/postgres.js';

const schemaOf = (location: string): string => (JSON.parse(location) as { schema: string }).schema;

describeProcessesScenario({
  title: 'PostgreSQL',
  store: 'postgres',
  events: 50_000,
  concurrency: 32,
  fresh: () => JSON.stringify({ connectionString: POSTGRES_URL, schema: randomSchema('sys') }),
  open: (location) => createPostgresStore(JSON.parse(location) as { connectionString: string; schema: string }),
  cleanup: (location) => dropSchema(schemaOf(location)),
});
