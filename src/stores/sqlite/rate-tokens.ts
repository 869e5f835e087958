/**
 * Rate-limit tokens on SQLite (store port `takeTokens` / `returnTokens`): each limit key's
 * grant log is one row of the rate_limits table (schema-v6.sql), read, judged by
 * store/rate-log.ts and written back inside one BEGIN IMMEDIATE transaction, so callers of
 * every process serialize.
 */
import type { Database, Transaction } from 'better-sqlite3';
import { parseGrantLog, returnToLog, takeFromLog } from '../../store/rate-log.js';
import type { TokenGrant, TokenRequest, TokenReturn } from '../../store/port.js';
import type { Statements } from './statements.js';

export function createTokenTransactions(
  db: Database,
  sql: Statements,
): {
  takeAll: Transaction<(requests: readonly TokenRequest[], now: number) => TokenGrant[]>;
  returnAll: Transaction<(returns: readonly TokenReturn[], now: number) => void>;
} {
  const takeAll = db.transaction((requests: readonly TokenRequest[], now: number): TokenGrant[] => {
    sql.deleteRateLimits.run({ now, key: null });
    return requests.map((request) => {
      const log = parseGrantLog(sql.selectRateLimit.get({ key: request.key })?.grants);
      const { granted, at, nextAt, expiresAt } = takeFromLog(log, request, now);
      if (log.length === 0) sql.deleteRateLimits.run({ now, key: request.key });
      else sql.upsertRateLimit.run({ key: request.key, grants: JSON.stringify(log), expiresAt });
      return { granted, at, nextAt };
    });
  });

  const returnAll = db.transaction((returns: readonly TokenReturn[], now: number): void => {
    for (const r of returns) {
      const row = sql.selectRateLimit.get({ key: r.key });
      const log = parseGrantLog(row?.grants);
      if (row === undefined || !returnToLog(log, r.at, r.count)) continue;
      // The interval is not stored: the old expiry stays (at worst the row is kept a little longer).
      if (log.length === 0) sql.deleteRateLimits.run({ now, key: r.key });
      else sql.upsertRateLimit.run({ key: r.key, grants: JSON.stringify(log), expiresAt: row.expiresAt });
    }
  });
  return { takeAll, returnAll };
}
