/**
 * Parked ordering keys, shared by every store: the checks of `listParkedKeys` and
 * `skipParkedHead` requests (so each store refuses the same bad input with the same code)
 * and the LAST_ERROR text a skip writes. A key is *parked* while its earliest FAILED row
 * that an operator has not skipped holds it (see EventStore.listParkedKeys).
 */
import { ErrorCode, EventyardError } from '../core/errors.js';
import { checkIdentifier, IDENTIFIER_MAX_LENGTH } from '../core/identifiers.js';
import { isoTime } from '../core/clock.js';
import { checkRowFilter } from './filter.js';
import type { ParkedKeysRequest, SkipParkedRequest } from './port.js';

const MAX_PARKED_LIMIT = 10_000;

function invalid(operation: string, field: string, rule: string): EventyardError {
  return new EventyardError(ErrorCode.INVALID_FILTER, `${operation}: "${field}" ${rule}`, {
    details: { operation, filter: field },
  });
}

/** `{ table?, limit, after? }`: limit 1 to 10,000, the cursor a non-empty string. */
export function checkParkedKeysRequest(request: unknown): ParkedKeysRequest {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw invalid('listParkedKeys', 'request', 'must be an object');
  }
  const { table, limit, after, ...rest } = request as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw invalid('listParkedKeys', unknown, 'is not a known field (table, limit, after)');
  const filter = checkRowFilter(table === undefined ? {} : { table }, 'listParkedKeys');
  if (!Number.isSafeInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_PARKED_LIMIT) {
    throw invalid('listParkedKeys', 'limit', `must be an integer in [1, ${MAX_PARKED_LIMIT}]`);
  }
  if (after !== undefined && (typeof after !== 'string' || !/^\d{1,18}$/.test(after))) {
    throw new EventyardError(ErrorCode.INVALID_CURSOR, `listParkedKeys: invalid cursor ${JSON.stringify(after)}`);
  }
  return { table: filter.table, limit: limit as number, ...(after === undefined ? {} : { after }) };
}

/** `{ table, eventId, messageType, updatedBy }`, all required; eventId normalised to lower case. */
export function checkSkipParkedRequest(request: unknown): SkipParkedRequest {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw invalid('skipParkedHead', 'request', 'must be an object');
  }
  const { table, eventId, messageType, updatedBy } = request as Record<string, unknown>;
  const filter = checkRowFilter({ table, eventId, messageType }, 'skipParkedHead');
  if (filter.table === undefined || filter.eventId === undefined || filter.messageType === undefined) {
    throw invalid('skipParkedHead', 'table, eventId, messageType', 'are all required');
  }
  const by = checkIdentifier('skipParkedHead: updatedBy', updatedBy, IDENTIFIER_MAX_LENGTH.createdBy);
  return { table: filter.table, eventId: filter.eventId, messageType: filter.messageType, updatedBy: by };
}

/** What a skip puts before the previous LAST_ERROR: `EY_KEY_SKIPPED: skipped by <by> at <ISO time>; was: `. */
export function skippedPrefix(updatedBy: string, now: number): string {
  return `${ErrorCode.KEY_SKIPPED}: skipped by ${updatedBy} at ${isoTime(now)}; was: `;
}
