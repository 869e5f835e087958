/**
 * The one place node-postgres errors become Eventyard errors. A server error
 * (`DatabaseError`, with a SQLSTATE `code`) or a client error (refused or lost connection,
 * query timeout) becomes EY_STORE_UNAVAILABLE with the original kept as `cause` and
 * `details.sqlState` when there is one; `details.transient` says whether retrying may help
 * (connection classes 08, 57P0x shutdown, 53 resources, 40 serialization/deadlock, 55P03
 * lock timeout, 57014 statement timeout, and every client-side connection error).
 * Eventyard's own errors pass through unchanged. Messages and causes are redacted (src/core/redact.ts).
 */
import { ErrorCode, EventyardError } from '../../core/errors.js';
import { redactedError } from '../../core/redact.js';

const TRANSIENT_STATE = /^(08|53|40|57P0|55P03|57014|58)/;

function sqlStateOf(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export function translatePostgresError(error: unknown, operation: string, secrets: readonly string[] = []): unknown {
  if (error instanceof EventyardError) return error;
  const sqlState = sqlStateOf(error);
  const message = error instanceof Error ? error.message : String(error);
  const transient = sqlState === undefined || TRANSIENT_STATE.test(sqlState);
  // Message, details and the whole cause chain redacted (the shared redaction of every connector).
  return redactedError(ErrorCode.STORE_UNAVAILABLE, `postgres store: ${operation} failed: ${message}`, {
    cause: error,
    details: { ...(sqlState !== undefined && { sqlState }), transient, operation },
    secrets,
  });
}
