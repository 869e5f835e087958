/**
 * Rows waiting behind their ordering key (schema-v6.sql, key_wait): the store's side of
 * demotion and promotion. Only keyed rows pay anything here: an unkeyed claim, completion
 * or publish runs the one statement it ran before.
 *
 * - A claim whose walk met keyed rows its probe refused (claim-keyed.sql's `blocked`)
 *   demotes them right after, in a statement of its own on the pool (key_demote: locks the
 *   keys, re-checks on a fresh snapshot). A failed demotion is only a lost optimisation:
 *   the rows stay claimable and the probe keeps them back, so its error is not the claim's.
 *   The search costs a claim about 0.5 ms (a claim of 64 unkeyed rows: 15%), so
 *   {@link KeyedSearch} runs claim-keyed.sql only while searches keep finding rows to
 *   demote, and once a second otherwise: rows that queue up behind a key are walked for at
 *   most a second before a search demotes them.
 * - A completion or a skip that released a key promotes the key's next holding row
 *   (key_promote) in the same transaction, before COMMIT: the key lock is held until the
 *   release is committed, so a demotion waiting for it sees the release. A completion whose
 *   references named no ordering key (a caller building its own LeaseRef) but that turned
 *   out keyed promotes right after its commit instead; that order is race-free too (the
 *   promotion's snapshot follows the commit), only a crash in between leaves the head
 *   waiting, for the retry pass to heal (promote-due-retries.sql).
 */
import type pg from 'pg';
import type { PostgresConnection } from './connection.js';
import type * as sql from './generated/scripts.js';

type SqlName = keyof typeof sql;

/** A row that released (or may have released) its key: its table and ORDERING_KEY. */
export interface KeyRelease {
  table_name: string | null;
  ordering_key: string | null;
}

export type StatementOn = <R>(name: SqlName, values: unknown[]) => Promise<R[]>;

/** The (table, key) pairs of `rows` that carry a key, as key-promote.sql's two arrays, or undefined. */
export function promotionArrays(rows: readonly KeyRelease[]): [string[], string[]] | undefined {
  const keyed = rows.filter((r) => r.ordering_key !== null && r.table_name !== null);
  if (keyed.length === 0) return undefined;
  return [keyed.map((r) => r.table_name as string), keyed.map((r) => r.ordering_key as string)];
}

export class KeyWaits {
  constructor(
    private readonly conn: PostgresConnection,
    private readonly schema: string,
    private readonly text: (name: SqlName) => string,
  ) {}

  /** Demotes `seqs` of `table` that still wait; errors are swallowed (see the header). */
  async demote(table: string, seqs: readonly string[]): Promise<void> {
    if (seqs.length === 0) return;
    await this.conn
      .query('claim (demote waiting rows)', `ey:${this.schema}:keyDemote`, this.text('keyDemote'), [table, seqs])
      .catch(() => undefined);
  }

  /** Promotes the heads of the keys `rows` released, as a statement of its own. */
  async promote(operation: string, rows: readonly KeyRelease[]): Promise<void> {
    const arrays = promotionArrays(rows);
    if (arrays === undefined) return;
    await this.conn.query(operation, `ey:${this.schema}:keyPromote`, this.text('keyPromote'), arrays);
  }

  /**
   * Runs `work` in one transaction on a pooled connection (BEGIN … COMMIT); `work` gets a
   * runner of named statements on that connection. Rolled back when `work` throws.
   */
  async inTransaction<T>(operation: string, work: (on: StatementOn) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.conn.pool.connect();
    } catch (error) {
      throw this.conn.translate(error, operation);
    }
    let broken = false;
    try {
      await this.conn.queryOn(client, operation, '', 'BEGIN', []);
      const on: StatementOn = (name, values) =>
        this.conn.queryOn(client, operation, `ey:${this.schema}:${name}`, this.text(name), values);
      const result = await work(on);
      await this.conn.queryOn(client, operation, '', 'COMMIT', []);
      return result;
    } catch (error) {
      broken = true;
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

/** When a claim searches for keyed rows to demote: claim-keyed.sql instead of claim.sql. */
export class KeyedSearch {
  readonly #state = new Map<string, { found: boolean; nextCheck: number }>();

  constructor(private readonly intervalMs = 1000) {}

  /** Search in this claim of `key` (table and types)? Yes while searches find rows, else once per interval. */
  wanted(key: string, now = Date.now()): boolean {
    const state = this.#state.get(key);
    return state === undefined || state.found || now >= state.nextCheck;
  }

  /** What a search of `key` found: rows to demote, or none. */
  searched(key: string, found: boolean, now = Date.now()): void {
    this.#state.set(key, { found, nextCheck: now + this.intervalMs });
  }
}
