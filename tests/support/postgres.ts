/**
 * The PostgreSQL server the tests use (EVENTYARD_POSTGRES_URL, default the local server's
 * `test` database), fresh schemas per test, and dropping them after.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPostgresStore, type PostgresStore, type PostgresStoreOptions } from '../../src/stores/postgres/index.js';

export const POSTGRES_URL = process.env.EVENTYARD_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema name no other test uses. */
export const randomSchema = (tag = 't'): string => `ey_${tag}_${randomBytes(5).toString('hex')}`;

/** Runs `work` on a one-off admin connection. */
export async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await withAdmin((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

/** A store in a fresh schema; closing it drops the schema. */
export async function storeInFreshSchema(
  options: Omit<PostgresStoreOptions, 'schema' | 'connectionString'> = {},
  tag = 't',
): Promise<PostgresStore> {
  const schema = randomSchema(tag);
  const store = await createPostgresStore({ connectionString: POSTGRES_URL, schema, poolSize: 4, ...options });
  const close = async (): Promise<void> => {
    await store.close();
    await dropSchema(schema);
  };
  return new Proxy(store, {
    get(target, property) {
      if (property === 'close') return close;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
