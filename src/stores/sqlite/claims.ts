/**
 * The SQLite store's claim: one BEGIN IMMEDIATE transaction per claim call that sets aside
 * corrupt claimable rows (at most once a second per type), claims grouped rows group by
 * group (store/group-claim.ts round-robin, claim-group.sql), then ungrouped rows
 * (claim-batch.sql; with several types, claim-candidates.sql first finds the shared cutoff),
 * and returns them by claim key, then publish order.
 */
import type { Database, Transaction } from 'better-sqlite3';
import type { Logger } from '../../processing/logger.js';
import { roundRobin } from '../../store/group-claim.js';
import type { ClaimedMessage, ClaimRequest } from '../../store/port.js';
import type { ResolvedSqliteStoreOptions } from './options.js';
import { toClaimedMessage } from './row-mapping.js';
import type { CorruptRow, Statements } from './statements.js';

/** How often claim looks for corrupt claimable rows of a type, at most. */
const CORRUPT_CHECK_MS = 1000;

/** Logs each row a set-aside statement moved to FAILED as corrupt. */
export function reportCorruptRows(logger: Logger, rows: readonly CorruptRow[]): void {
  for (const row of rows) {
    logger.warn(
      { table: row.table, messageType: row.messageType, eventId: row.eventId, lastError: row.lastError },
      'sqlite store: corrupt row set aside as FAILED (EY_ROW_CORRUPT)',
    );
  }
}

/** The claim transaction of one store (its group cursors and corrupt-check times are its own). */
export function createClaimTransaction(
  db: Database,
  sql: Statements,
  options: Pick<ResolvedSqliteStoreOptions, 'idGenerator' | 'logger'>,
): Transaction<(request: ClaimRequest, now: number) => ClaimedMessage[]> {
  const { idGenerator } = options;
  /**
   * Orders claimed rows by claim key (AVAILABLE_AT − priority lead: oldest AVAILABLE_AT first
   * when no priorities), then publish order.
   */
  const olderFirst = (a: { claimKey: number; seq: number }, b: { claimKey: number; seq: number }): number =>
    a.claimKey - b.claimKey || a.seq - b.seq;

  /** Group claims: the last group served per `table, type` in this process (round-robin cursor). */
  const groupCursors = new Map<string, string>();

  /** When each (table, type) was last checked for corrupt claimable rows. */
  const corruptCheckedAt = new Map<string, number>();

  const claimAll = db.transaction((request: ClaimRequest, now: number): ClaimedMessage[] => {
    const types = [...new Set(request.messageTypes)];
    const { table, limit } = request;
    // A row whose available_at is text is never claimable: set such rows aside, at most once
    // a second per type (an index seek that finds nothing, but not on every claim).
    for (const messageType of types) {
      const key = `${table}\u0000${messageType}`;
      if ((corruptCheckedAt.get(key) ?? -Infinity) > now - CORRUPT_CHECK_MS) continue;
      corruptCheckedAt.set(key, now);
      reportCorruptRows(
        options.logger,
        sql.setAsideCorruptClaimable.all({ table, messageType, now, updatedBy: request.updatedBy }),
      );
    }
    // One type: claim-batch.sql alone. Several types share one limit: the first pass finds
    // the (claim key, seq) of the merged limit-th candidate, and each type claims up to it.
    let maxClaimKey = now;
    let maxSeq = Number.MAX_SAFE_INTEGER;
    if (types.length > 1) {
      const merged = types
        .flatMap((messageType) => sql.claimCandidates.all({ table, messageType, now, limit }))
        .sort(olderFirst);
      const last = merged.length > limit ? merged[limit - 1] : undefined;
      if (last !== undefined) ({ claimKey: maxClaimKey, seq: maxSeq } = last);
    }
    const claimed: ReturnType<typeof toClaimedMessage>[] = [];
    const tokenPrefix = `${idGenerator.next()}.`;
    const leaseExpiresAt = now + request.leaseMs;
    const { owner, updatedBy } = request;
    const lease = { now, leaseOwner: owner, leaseExpiresAt, updatedBy, tokenPrefix };
    // Grouped rows first, group by group (store/group-claim.ts); a type without grouped rows
    // costs one seek of the claim index past its ungrouped range (group-next.sql).
    for (const messageType of types) {
      if (limit - claimed.length <= 0) break;
      const cursorKey = `${table}\u0000${messageType}`;
      const pick = roundRobin({
        limit: limit - claimed.length,
        maxInFlight: request.groups?.[messageType]?.maxInFlight ?? Infinity,
        cursor: groupCursors.get(cursorKey) ?? null,
        nextGroup: (after) => sql.groupNext.get({ table, messageType, after: after ?? '' })?.groupKey ?? null,
        inFlight: (groupKey) => sql.groupInFlight.get({ table, messageType, groupKey })?.n ?? 0,
        oldest: (groupKey, n) => {
          const context = { table, messageType, owner, updatedBy, now, leaseExpiresAt, tokenPrefix, groupKey };
          return sql.claimGroup
            .all({ ...lease, table, messageType, groupKey, limit: n })
            .map((row) => toClaimedMessage(row, context));
        },
      });
      if (pick.cursor !== null) groupCursors.set(cursorKey, pick.cursor);
      claimed.push(...pick.rows);
    }
    for (const messageType of types) {
      const params = { table, messageType, now, limit: limit - claimed.length, maxClaimKey, maxSeq };
      if (params.limit <= 0) break;
      const rows = sql.claimBatch.all({ ...params, leaseOwner: owner, leaseExpiresAt, updatedBy, tokenPrefix });
      const context = { table, messageType, owner, updatedBy, now, leaseExpiresAt, tokenPrefix, groupKey: null };
      for (const row of rows) claimed.push(toClaimedMessage(row, context));
    }
    return claimed.sort(olderFirst).map(({ message }) => message);
  });
  return claimAll;
}
