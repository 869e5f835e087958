/**
 * Publishing inside the caller's own transaction: what the store accepts as "a transaction"
 * and the one-line adapters for the query builders people use with node-postgres.
 *
 * The store needs one thing from a transaction: to run one parameterised statement on the
 * connection that holds it. So a transaction is anything with node-postgres' `query(text,
 * values)`: a pg `Client` or `PoolClient` after `BEGIN`, or what the adapters below make
 * of a Drizzle or Kysely transaction. The store sends exactly one statement through it
 * (publish.sql); the rows, payloads and wake-up notification commit or roll back with the
 * caller's transaction.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode, EventyardError } from '../../core/errors.js';
import type pg from 'pg';
import type { CompleteRequest, StoreTransaction } from '../../store/port.js';
import type { PostgresConnection, Queryable } from './connection.js';

const hasQuery = (v: unknown): v is Queryable =>
  typeof v === 'object' && v !== null && typeof (v as { query?: unknown }).query === 'function';

/** The transaction as something that runs statements, or EY_INVALID_OPTION. */
export function asQueryable(transaction: unknown): Queryable {
  if (hasQuery(transaction)) return transaction;
  throw new EventyardError(
    ErrorCode.INVALID_OPTION,
    'postgres store: a transaction must be a pg Client or PoolClient after BEGIN, drizzleTransaction(tx) or kyselyTransaction(trx)',
  );
}

/** The part of a Drizzle node-postgres transaction the adapter reads: its session's client. */
interface DrizzleNodePgTransaction {
  readonly session?: { readonly client?: unknown };
}

/**
 * A Drizzle transaction (drizzle-orm/node-postgres) as a transaction the store accepts:
 * `app.publish(T, payload, { transaction: drizzleTransaction(tx) })` inside
 * `db.transaction(async (tx) => ...)`. It runs on the PoolClient holding the transaction.
 */
export function drizzleTransaction(tx: object): Queryable {
  const client = (tx as DrizzleNodePgTransaction).session?.client;
  if (hasQuery(client)) return client;
  throw new EventyardError(
    ErrorCode.INVALID_OPTION,
    'postgres store: drizzleTransaction() needs a transaction of drizzle-orm/node-postgres (tx.session.client)',
  );
}

/** The part of a Kysely transaction the adapter uses. */
interface KyselyTransactionLike {
  executeQuery(query: {
    readonly sql: string;
    readonly parameters: readonly unknown[];
    readonly query: unknown;
    readonly queryId: { readonly queryId: string };
  }): Promise<{ readonly rows: unknown[] }>;
}

/**
 * A Kysely transaction (PostgresDialect on pg) as a transaction the store accepts:
 * `app.publish(T, payload, { transaction: kyselyTransaction(trx) })` inside
 * `db.transaction().execute(async (trx) => ...)`. The statement goes through Kysely as a raw
 * compiled query (the shape of Kysely's `CompiledQuery.raw`), so Kysely's logging sees it.
 */
export function kyselyTransaction(trx: object): Queryable {
  if (typeof (trx as Partial<KyselyTransactionLike>).executeQuery !== 'function') {
    throw new EventyardError(
      ErrorCode.INVALID_OPTION,
      'postgres store: kyselyTransaction() needs a Kysely transaction',
    );
  }
  const kysely = trx as KyselyTransactionLike;
  return {
    async query(text, values = []) {
      const result = await kysely.executeQuery({
        sql: text,
        parameters: Object.freeze([...values]),
        query: { kind: 'RawNode', sqlFragments: [text], parameters: [] },
        queryId: { queryId: randomUUID() },
      });
      return { rows: [...result.rows] };
    },
  };
}

/**
 * A handler's transaction: a pool connection after BEGIN. `complete` runs complete.sql on it
 * (one statement: the fenced status change, the emits, the working data) and commits; a
 * stale token rolls back the handler's writes with it. `rollback` destroys the connection
 * instead of sending ROLLBACK: an aborted handler may still be using the client, and a
 * destroyed connection can never be handed to anyone else (the server rolls back when the
 * connection closes).
 */
export async function beginHandlerTransaction(
  conn: PostgresConnection,
  statement: (request: CompleteRequest) => [string, unknown[]],
): Promise<StoreTransaction> {
  let client: pg.PoolClient;
  try {
    client = await conn.pool.connect();
  } catch (error) {
    throw conn.translate(error, 'beginTransaction');
  }
  // A checked-out client whose connection breaks (server restart) emits 'error'; the pool
  // listens only to idle clients, and an unheard 'error' would crash the process. The call
  // in flight fails on its own and reports the error.
  const onError = (error: unknown): void => {
    conn.lastError = error;
  };
  client.on('error', onError);
  let ended = false;
  const end = (destroy: boolean): void => {
    if (ended) return;
    ended = true;
    if (!destroy) client.off('error', onError);
    client.release(destroy ? new Error('eventyard: handler transaction abandoned') : undefined);
  };
  try {
    await conn.begin(client);
  } catch (error) {
    end(true);
    throw conn.translate(error, 'beginTransaction');
  }
  return {
    client,
    async complete(request) {
      if (ended) throw conn.translate(new Error('the transaction has ended'), 'complete (in transaction)');
      try {
        const [text, values] = statement(request);
        const done = await client.query(text, values);
        if (done.rows.length === 0) {
          await client.query('ROLLBACK');
          end(false);
          return 'lease_lost';
        }
        await client.query('COMMIT');
        end(false);
        return 'ok';
      } catch (error) {
        end(true);
        throw conn.translate(error, 'complete (in transaction)');
      }
    },
    async rollback() {
      end(true);
    },
  };
}
