/**
 * The one place SQLite errors become Eventyard errors. Every error better-sqlite3 raises
 * (`SqliteError`, with a `code` such as `SQLITE_BUSY` or `SQLITE_IOERR_WRITE`) becomes
 * EY_STORE_UNAVAILABLE with the original kept as `cause` and its code in
 * `details.sqliteCode`; `details.transient` says whether retrying may help (busy, locked,
 * I/O, full disk). Eventyard's own errors pass through unchanged.
 */
import { ErrorCode, EventyardError } from '../../core/errors.js';

const TRANSIENT = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|PROTOCOL|NOMEM|INTERRUPT)/;

function sqliteCodeOf(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

export function translateSqliteError(error: unknown, operation: string): unknown {
  if (error instanceof EventyardError) return error;
  const sqliteCode = sqliteCodeOf(error);
  if (sqliteCode === undefined) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new EventyardError(ErrorCode.STORE_UNAVAILABLE, `sqlite store: ${operation} failed: ${message}`, {
    cause: error,
    details: { sqliteCode, transient: TRANSIENT.test(sqliteCode), operation },
  });
}
