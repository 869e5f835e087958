/**
 * Group claims on PostgreSQL (docs/flow-control.md, "Group concurrency"): the grouped types
 * of a claim, one transaction per type on a pooled connection:
 *
 * 1. group-next.sql lists up to `maxGroupVisits(limit)` groups with claimable rows after
 *    this process's cursor for the (table, type), wrapping around once (a loose index scan:
 *    one seek per group, whatever its backlog);
 * 2. group-lock.sql takes the transaction-scoped advisory locks of the next `limit` groups
 *    (of the rows still to claim) without waiting, keeping the groups it got (another
 *    claimer serves the others right now);
 * 3. claim-group.sql counts each locked group's rows IN_PROGRESS and claims its oldest rows
 *    up to its free slots, groups in cursor order, up to the claim's limit; 2 and 3 repeat
 *    while the claim is short and listed groups remain;
 * 4. COMMIT releases the locks.
 *
 * Only a transaction holding a group's lock moves rows of that group to IN_PROGRESS, and
 * step 3 runs after the lock was granted (its snapshot sees every earlier holder's commit),
 * so at most maxInFlight rows of a group are ever in progress, across all processes.
 * Five round trips or more per grouped type and claim; ungrouped claims never come here.
 */
import type pg from 'pg';
import { maxGroupVisits } from '../../store/group-claim.js';
import type { ClaimRequest } from '../../store/port.js';
import type { PostgresConnection } from './connection.js';
import type * as sql from './generated/scripts.js';
import type { ClaimedRow } from './rows.js';

type SqlName = keyof typeof sql;

export class GroupClaims {
  /** The last group served per `table, type` by this process (the round-robin cursor). */
  readonly #cursors = new Map<string, string>();

  constructor(
    private readonly conn: PostgresConnection,
    private readonly schema: string,
    private readonly text: (name: SqlName) => string,
  ) {}

  /** Claims grouped rows of `types` (each named in `request.groups`), at most `request.limit` in all. */
  async claim(request: ClaimRequest, types: readonly string[], tokenPrefix: string): Promise<ClaimedRow[]> {
    const claimed: ClaimedRow[] = [];
    let client: pg.PoolClient;
    try {
      client = await this.conn.pool.connect();
    } catch (error) {
      throw this.conn.translate(error, 'claim');
    }
    let broken = false;
    try {
      for (const type of types) {
        const left = request.limit - claimed.length;
        if (left <= 0) break;
        const maxInFlight = request.groups?.[type]?.maxInFlight ?? 0;
        claimed.push(...(await this.#claimType(client, request, type, maxInFlight, left, tokenPrefix)));
      }
      return claimed;
    } catch (error) {
      broken = true;
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async #claimType(
    client: pg.PoolClient,
    request: ClaimRequest,
    type: string,
    maxInFlight: number,
    limit: number,
    tokenPrefix: string,
  ): Promise<ClaimedRow[]> {
    const { table } = request;
    const key = `${table}\u0000${type}`;
    const cursor = this.#cursors.get(key) ?? '';
    const visits = maxGroupVisits(limit);
    const q = <R>(name: SqlName, values: unknown[]): Promise<R[]> =>
      this.conn.queryOn<R>(client, 'claim', `ey:${this.schema}:${name}`, this.text(name), values);
    await this.conn.begin(client);
    try {
      const after = await q<{ group_key: string }>('groupNext', [table, type, cursor, visits, null]);
      const groups = after.map((r) => r.group_key);
      if (cursor !== '' && groups.length < visits) {
        const wrapped = await q<{ group_key: string }>('groupNext', [table, type, '', visits - groups.length, cursor]);
        groups.push(...wrapped.map((r) => r.group_key));
      }
      if (groups.length === 0) {
        await client.query('COMMIT');
        return [];
      }
      // Lock `limit - rows` groups at a time (each that has a free slot yields a row): groups
      // locked but left unserved would be skipped by concurrent claimers for nothing.
      const rows: ClaimedRow[] = [];
      const locked: string[] = [];
      for (let at = 0; at < groups.length && rows.length < limit;) {
        const batch = groups.slice(at, at + limit - rows.length);
        at += batch.length;
        const got = (await q<{ group_key: string }>('groupLock', [batch, `${this.schema}.${table}.${type}`])).map(
          (r) => r.group_key,
        );
        if (got.length === 0) continue;
        locked.push(...got);
        rows.push(
          ...(await q<ClaimedRow>('claimGroup', [
            table,
            got,
            maxInFlight,
            limit - rows.length,
            tokenPrefix,
            request.owner,
            request.leaseMs,
            request.updatedBy,
            type,
          ])),
        );
      }
      await client.query('COMMIT');
      // The next claim starts after the last group that got a row (or the last one looked at).
      const served = new Set(rows.map((r) => r.group_key));
      const last = [...locked].reverse().find((g) => served.has(g)) ?? groups[groups.length - 1];
      if (last !== undefined) this.#cursors.set(key, last);
      return rows;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
}
