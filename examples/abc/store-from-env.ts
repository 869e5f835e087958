/**
 * Picks the example's store from EVENTYARD_STORE:
 * - `sqlite` (the default): embedded, no server; the file given by --db;
 * - `redis`: EVENTYARD_REDIS_URL (default redis://127.0.0.1:6379), keys under
 *   EVENTYARD_REDIS_PREFIX (default: a new `eyabc-<random>` per run, set in the environment
 *   so that child processes of the run share it);
 * - `postgres`: EVENTYARD_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test),
 *   tables in the schema EVENTYARD_POSTGRES_SCHEMA (default: a new `eyabc_<random>` per run,
 *   shared with child processes the same way, and dropped at the end of the run).
 */
import { randomUUID } from 'node:crypto';
import type { EventStore } from '../../src/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';

export function storeKindFromEnv(): string {
  return process.env.EVENTYARD_STORE ?? 'sqlite';
}

const postgresUrl = (): string => process.env.EVENTYARD_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Set when this run made up its own schema (and so drops it at the end). */
let ownSchema: string | undefined;

/**
 * Deletes every row, payload and working data of the run (Redis is shared; a temp SQLite
 * file is simply removed; a PostgreSQL schema made up for the run is dropped).
 */
export async function purgeRun(store: EventStore): Promise<void> {
  const kind = storeKindFromEnv();
  if (kind !== 'redis' && kind !== 'postgres') return;
  const request = { statuses: ['COMPLETED', 'FAILED'] as const, olderThanMs: 0, limit: 10_000 };
  while ((await store.purge({ ...request, statuses: [...request.statuses] })) === request.limit);
  if (kind === 'postgres' && ownSchema !== undefined) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: postgresUrl() });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${ownSchema}" CASCADE`);
    await client.end();
  }
}

export async function storeFromEnv(sqlitePath: string): Promise<EventStore> {
  const kind = storeKindFromEnv();
  if (kind === 'sqlite') return createSqliteStore({ path: sqlitePath });
  if (kind === 'redis') {
    const { createRedisStore } = await import('../../src/stores/redis/index.js');
    return createRedisStore({
      url: process.env.EVENTYARD_REDIS_URL ?? 'redis://127.0.0.1:6379',
      keyPrefix: (process.env.EVENTYARD_REDIS_PREFIX ??= `eyabc-${randomUUID().slice(0, 8)}`),
    });
  }
  if (kind === 'postgres') {
    const { createPostgresStore } = await import('../../src/stores/postgres/index.js');
    if (process.env.EVENTYARD_POSTGRES_SCHEMA === undefined) {
      ownSchema = `eyabc_${randomUUID().slice(0, 8)}`;
      process.env.EVENTYARD_POSTGRES_SCHEMA = ownSchema;
    }
    return createPostgresStore({ connectionString: postgresUrl(), schema: process.env.EVENTYARD_POSTGRES_SCHEMA });
  }
  throw new Error(`EVENTYARD_STORE=${kind}: unknown store (known: sqlite, redis, postgres)`);
}
