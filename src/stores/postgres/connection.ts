/**
 * Connections of the PostgreSQL store: a pg Pool for every statement, the settings that
 * give each statement a deadline, and the one function that runs a statement and turns
 * client errors into EventyardError.
 *
 * Deadlines: `statement_timeout` and `lock_timeout` are set on every connection at startup
 * (the server cancels a statement past them), `query_timeout` is the client's own deadline
 * for a server that stopped answering, `connectionTimeoutMillis` bounds a connect, TCP
 * keepalive notices a peer that vanished, and `idle_in_transaction_session_timeout` ends a
 * transaction a crashed caller left open.
 *
 * Plans: the store's hot statements (claim, complete, fail, publish, …: {@link GENERIC})
 * run with `plan_cache_mode = force_generic_plan`. With the default (`auto`) PostgreSQL
 * plans them anew on every call (a custom plan: with their parameters' values the cost
 * estimate always beats the generic plan's), and planning a claim or a completion costs
 * the server about as much as running it for a batch. Their generic plans are the same
 * index walks. A generic plan is made once, from the statistics of that moment, so these
 * connections also run with `enable_seqscan = off`: a plan made while a table was nearly
 * empty must not scan it whole once it holds a million rows, and every hot statement
 * reaches its rows through an index (docs/postgres.md, "Plans made on near-empty tables").
 * Every other statement (admin queries whose plans do depend on which filters are given,
 * the group and keyed claim transactions, a handler's own statements) runs with the
 * session's defaults: a connection is switched with one SET when it goes from one kind to
 * the other (rare: the hot statements are nearly all of the traffic), and a transaction
 * begins with both settings SET LOCAL TO DEFAULT on a connection in generic mode.
 *
 * Reconnects: a connection that breaks (server restart, network) is dropped from the pool
 * and the call fails with EY_STORE_UNAVAILABLE (transient); the next call opens a new one.
 * Processors log that, back off and poll again, and resume once the server answers. Every
 * write is one statement, so a call whose reply was lost either happened whole or not at
 * all: a retried publish reports `created: false`, a retried completion `lease_lost`.
 */
import pg from 'pg';
import { ErrorCode, EventyardError } from '../../core/errors.js';
import type { ResolvedPostgresStoreOptions } from './options.js';
import { passwordOf } from './redact.js';
import { translatePostgresError } from './translate-error.js';

/** The client settings shared by the pool and the wake-up listener. */
export function clientConfig(options: ResolvedPostgresStoreOptions): pg.ClientConfig {
  return {
    connectionString: options.connectionString,
    ...(options.ssl !== undefined && {
      ssl: options.ssl === true ? {} : options.ssl === false ? false : { ...options.ssl },
    }),
    statement_timeout: options.statementTimeoutMs,
    lock_timeout: options.lockTimeoutMs,
    query_timeout: options.queryTimeoutMs,
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs,
    connectionTimeoutMillis: options.connectTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: options.keepAliveInitialDelayMs,
    application_name: options.applicationName,
  };
}

/** Anything that runs a parameterised statement: a pg Pool, Client or PoolClient. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** The statements (names in generated/scripts.ts) that run with generic plans (see the header). */
export const GENERIC: ReadonlySet<string> = new Set([
  'claim',
  'claimKeyed',
  'keyDemote',
  'complete',
  'fail',
  'heartbeat',
  'release',
  'publish',
  'selectWorkingDataBatch',
  'selectPayload',
  'now',
]);

/** The settings of a connection running the hot statements, and the way back (see the header). */
const GENERIC_SETTINGS = 'SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off';
const DEFAULT_SETTINGS = 'RESET plan_cache_mode; RESET enable_seqscan';

export class PostgresConnection {
  readonly pool: pg.Pool;
  readonly secrets: readonly string[];
  #closed = false;
  /** The pool's connections switched to generic plans (see the header). */
  readonly #generic = new WeakSet<pg.PoolClient>();
  lastError: unknown;

  constructor(readonly options: ResolvedPostgresStoreOptions) {
    this.pool = new pg.Pool({ ...clientConfig(options), max: options.poolSize, idleTimeoutMillis: 30_000 });
    // An idle connection that breaks (server restart) is reported here; without a listener
    // the process would crash. The next call opens a new connection.
    this.pool.on('error', (error) => {
      this.lastError = error;
    });
    // Every connection gets a listener of its own as well: the pool listens only while a
    // connection is idle, and a checked-out one whose server goes away can emit more than
    // one 'error' (the FATAL 57P01 of a fast shutdown, then the closed socket); an unheard
    // one crashes the process. The call in flight fails and reports the error itself.
    this.pool.on('connect', (client) => {
      client.on('error', (error) => {
        this.lastError = error;
      });
    });
    const password = passwordOf(options.connectionString);
    this.secrets = password === undefined ? [] : [password];
  }

  get closed(): boolean {
    return this.#closed;
  }

  assertOpen(operation: string): void {
    if (this.#closed) throw new EventyardError(ErrorCode.CLOSED, `postgres store: ${operation} after close`);
  }

  /**
   * Runs one statement on the pool as a named prepared statement (parsed and planned once
   * per connection, with a generic plan when `generic`: see the header); errors become
   * EY_STORE_UNAVAILABLE. A connection whose statement failed is not reused (as pg's
   * `pool.query` does).
   */
  async query<R>(operation: string, name: string, text: string, values: unknown[], generic = false): Promise<R[]> {
    this.assertOpen(operation);
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.translate(error, operation);
    }
    let failed: Error | undefined;
    try {
      if (this.#generic.has(client) !== generic) {
        await client.query(generic ? GENERIC_SETTINGS : DEFAULT_SETTINGS);
        if (generic) this.#generic.add(client);
        else this.#generic.delete(client);
      }
      const result = await client.query({ name, text, values });
      return result.rows as R[];
    } catch (error) {
      failed = error instanceof Error ? error : new Error(String(error));
      throw this.translate(error, operation);
    } finally {
      client.release(failed);
    }
  }

  /**
   * BEGIN on a connection checked out of the pool: its statements run with the session's
   * default plan mode whatever the connection's last statement was (see the header).
   */
  async begin(client: pg.PoolClient): Promise<void> {
    await client.query(
      this.#generic.has(client)
        ? 'BEGIN; SET LOCAL plan_cache_mode TO DEFAULT; SET LOCAL enable_seqscan TO DEFAULT'
        : 'BEGIN',
    );
  }

  /**
   * Runs one statement on a caller's connection. On a node-postgres client it is a named
   * prepared statement too (`name`: pg keeps the plan per connection, so a pooled
   * connection parses and plans the publish once, not in every user transaction); through
   * an adapter (Kysely) it is sent as text.
   */
  async queryOn<R>(client: Queryable, operation: string, name: string, text: string, values: unknown[]): Promise<R[]> {
    this.assertOpen(operation);
    try {
      const result =
        client instanceof pg.Client ? await client.query({ name, text, values }) : await client.query(text, values);
      return result.rows as R[];
    } catch (error) {
      throw this.translate(error, operation);
    }
  }

  translate(error: unknown, operation: string): unknown {
    return translatePostgresError(error, operation, this.secrets);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.pool.end().catch(() => undefined);
  }
}
