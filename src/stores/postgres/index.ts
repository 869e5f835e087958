/**
 * `eventyard/postgres`: the PostgreSQL store on node-postgres (`pg`, an optional peer
 * dependency), with publishing inside the caller's own transaction.
 *
 * ```ts
 * import { createPostgresStore } from 'eventyard/postgres';
 * const store = await createPostgresStore({ connectionString: process.env.DATABASE_URL });
 * ```
 */
import type pg from 'pg';
import type { HandlerContext } from '../../processing/handler-context.js';
import { PostgresConnection } from './connection.js';
import { clientConfig } from './connection.js';
import { wakeChannel } from './identifiers.js';
import { migrate } from './migrations.js';
import { resolvePostgresStoreOptions, type PostgresStoreOptions } from './options.js';
import { createStoreOnConnection, type PostgresStore } from './store.js';
import { WakeListener } from './wake-ups.js';

export type { PostgresStoreOptions, ResolvedPostgresStoreOptions, PostgresTls } from './options.js';
export type { PostgresStore, PostgresStoreInfo } from './store.js';
export type { Queryable } from './connection.js';
export { POSTGRES_FEATURES } from './features.js';
export { LATEST_SCHEMA_VERSION } from './migrations.js';
export { drizzleTransaction, kyselyTransaction } from './transaction.js';

/**
 * The handler's transaction connection, typed for node-postgres:
 * `const client = await handlerClient(ctx); await client.query('INSERT ...', [...])`.
 * It commits with the completion (see HandlerContext.transaction).
 */
export async function handlerClient(context: Pick<HandlerContext, 'transaction'>): Promise<pg.PoolClient> {
  return (await context.transaction()) as pg.PoolClient;
}

/**
 * Connects, creates the schema when missing, applies pending migrations (under an advisory
 * lock, so many processes may start at once) and returns the store. Throws
 * EY_INVALID_OPTION for bad options, EY_SCHEMA_VERSION when the schema is newer than this
 * code, EY_STORE_UNAVAILABLE when the server cannot be reached.
 */
export async function createPostgresStore(options?: PostgresStoreOptions): Promise<PostgresStore> {
  const resolved = resolvePostgresStoreOptions(options);
  const conn = new PostgresConnection(resolved);
  let schemaVersion: number;
  try {
    const client = await conn.pool.connect();
    const onError = (): void => undefined; // the migration call in flight reports it
    client.on('error', onError);
    try {
      schemaVersion = await migrate(client, resolved.schema);
    } finally {
      client.off('error', onError);
      client.release();
    }
  } catch (error) {
    await conn.close();
    throw conn.translate(error, 'open');
  }
  let wakes: WakeListener | undefined;
  if (resolved.notify) {
    wakes = new WakeListener(clientConfig(resolved), wakeChannel(resolved.schema));
    await wakes.start();
  }
  return createStoreOnConnection(conn, wakes, resolved, schemaVersion);
}
