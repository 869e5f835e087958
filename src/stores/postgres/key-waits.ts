/**
 * Rows waiting behind their ordering key (schema-v6.sql, key_wait): the store's side of
 * demotion and promotion. Only keyed rows pay anything here: an unkeyed claim, completion
 * or publish runs the one statement it ran before.
 *
 * - A claim whose walk met keyed rows its probe refused (claim-keyed.sql's `blocked`)
 *   demotes them right after, in a statement of its own on the pool (key_demote: locks the
 *   keys, re-checks on a fresh snapshot). A failed demotion is only a lost optimisation:
 *   the rows stay claimable and the probe keeps them back, so its error is not the claim's.
 *   The search makes every claim dearer (docs/flow-control.md), so
 *   {@link KeyedSearch} runs claim-keyed.sql only while searches keep finding rows to
 *   demote, and once a second otherwise: rows that queue up behind a key are walked for at
 *   most a second before a search demotes them.
 * - A completion that released a key promotes the key's next holding row (key_promote) in
 *   the completion statement itself (complete.sql), a skip in the same transaction as the
 *   skip: the key lock is held until the release is committed, so a demotion waiting for it
 *   sees the release. The retry pass heals a key whose head waits all the same
 *   (promote-due-retries.sql: e.g. an older process that completed without promoting).
 */
import type pg from 'pg';
import { GENERIC, type PostgresConnection } from './connection.js';
import type * as sql from './generated/scripts.js';
import type { ClaimedRow } from './rows.js';

type SqlName = keyof typeof sql;

export type StatementOn = <R>(name: SqlName, values: unknown[]) => Promise<R[]>;

/** A row of claim-keyed.sql: a claimed row (seq NULL when none was), with the seqs to demote. */
type ClaimOutRow = Omit<ClaimedRow, 'seq'> & { seq: string | null; blocked: string[] | null };

export class KeyWaits {
  readonly #search = new KeyedSearch();

  constructor(
    private readonly conn: PostgresConnection,
    private readonly schema: string,
    private readonly text: (name: SqlName) => string,
  ) {}

  #run<R>(operation: string, name: SqlName, values: unknown[]): Promise<R[]> {
    return this.conn.query<R>(operation, `ey:${this.schema}:${name}`, this.text(name), values, GENERIC.has(name));
  }

  /**
   * The ungrouped claim (claim.sql's parameters in `values`): claim-keyed.sql and the
   * demotion of what it found when {@link KeyedSearch} says so, else claim.sql.
   */
  async claim(table: string, types: readonly string[], values: unknown[]): Promise<ClaimedRow[]> {
    const searchKey = `${table}\u0000${types.join('\u0000')}`;
    if (!this.#search.wanted(searchKey)) return this.#run<ClaimedRow>('claim', 'claim', values);
    const out = await this.#run<ClaimOutRow>('claim', 'claimKeyed', values);
    const blocked = out[0]?.blocked ?? null;
    if (blocked !== null) await this.demote(table, blocked);
    this.#search.searched(searchKey, blocked !== null);
    return out.filter((r): r is ClaimOutRow & { seq: string } => r.seq !== null);
  }

  /** skip-parked-head.sql (`values`) and the promotion of the key's next row, in one transaction. */
  async skip(values: unknown[]): Promise<boolean> {
    return this.inTransaction('skipParkedHead', async (on) => {
      const [row] = await on<{ skipped: number; tables: string[] | null; keys: string[] | null }>(
        'skipParkedHead',
        values,
      );
      if (row?.tables && row.keys) await on('keyPromote', [row.tables, row.keys]);
      return (row?.skipped ?? 0) > 0;
    });
  }

  /** Demotes `seqs` of `table` that still wait; errors are swallowed (see the header). */
  async demote(table: string, seqs: readonly string[]): Promise<void> {
    if (seqs.length === 0) return;
    await this.#run('claim (demote waiting rows)', 'keyDemote', [table, seqs]).catch(() => undefined);
  }

  /**
   * Runs `work` in one transaction on a pooled connection (BEGIN … COMMIT); `work` gets a
   * runner of named statements on that connection. Rolled back when `work` throws.
   */
  async inTransaction<T>(operation: string, work: (on: StatementOn) => Promise<T>): Promise<T> {
    this.conn.assertOpen(operation);
    let client: pg.PoolClient;
    try {
      client = await this.conn.pool.connect();
    } catch (error) {
      throw this.conn.translate(error, operation);
    }
    let broken = false;
    try {
      await this.conn.begin(client).catch((error: unknown) => {
        throw this.conn.translate(error, operation);
      });
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
