/**
 * Validation of what callers pass to a store's reads and operator writes (list, count,
 * re-drive, purge), shared by every store so each gives the same answer: an unknown key or
 * an empty or malformed value is EY_INVALID_FILTER, never "matches everything" on one store
 * and "matches nothing" on another. A re-drive that names no filter at all must say
 * `{ all: true }` (EY_FILTER_REQUIRED). Stores call these first; the application calls them
 * too, so a bad filter fails before any I/O.
 */
import { ErrorCode, EventyardError } from '../core/errors.js';
import { normalizeEventId } from '../core/identifiers.js';
import { ALL_TABLES, MESSAGE_TYPE_NAME, type Table } from '../core/message-type.js';
import { isStatus, REDRIVABLE, TERMINAL, type Status } from '../core/status.js';
import type { ListRequest, PurgeRequest, RowFilter } from './port.js';

const FILTER_KEYS = ['table', 'messageType', 'eventId', 'statuses'] as const;
const MAX_LIST_LIMIT = 100_000;
const MAX_CURSOR_LENGTH = 1_000;

function invalid(operation: string, key: string, rule: string, value: unknown): EventyardError {
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : value === null ? 'null' : typeof value;
  return new EventyardError(ErrorCode.INVALID_FILTER, `${operation}: filter "${key}" ${rule}, got ${shown}`, {
    details: { operation, filter: key },
  });
}

function asObject(operation: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new EventyardError(ErrorCode.INVALID_FILTER, `${operation}: the filter must be an object`, {
      details: { operation },
    });
  }
  return value as Record<string, unknown>;
}

function checkKeys(operation: string, given: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(given)) {
    if (!allowed.includes(key)) {
      throw new EventyardError(
        ErrorCode.INVALID_FILTER,
        `${operation}: unknown filter key "${key}" (known: ${allowed.join(', ')})`,
        { details: { operation, filter: key } },
      );
    }
  }
}

function checkStatuses(operation: string, value: unknown, allowed: readonly Status[]): readonly Status[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalid(operation, 'statuses', 'must be a non-empty array of statuses', value);
  }
  for (const status of value as unknown[]) {
    if (!isStatus(status) || !allowed.includes(status)) {
      throw invalid(operation, 'statuses', `must hold only ${allowed.join(', ')}`, status);
    }
  }
  return [...new Set(value as Status[])];
}

/** The filter fields of `given`, validated; eventId in lower case. */
function filterFields(operation: string, given: Record<string, unknown>, statuses: readonly Status[]): RowFilter {
  const { table, messageType, eventId } = given;
  if (table !== undefined && !ALL_TABLES.includes(table as Table)) {
    throw invalid(operation, 'table', `must be one of ${ALL_TABLES.join(', ')}`, table);
  }
  if (messageType !== undefined && (typeof messageType !== 'string' || !MESSAGE_TYPE_NAME.test(messageType))) {
    throw invalid(operation, 'messageType', `must match ${String(MESSAGE_TYPE_NAME)}`, messageType);
  }
  let event: string | undefined;
  if (eventId !== undefined) {
    try {
      event = normalizeEventId(eventId);
    } catch {
      throw invalid(operation, 'eventId', 'must be a UUID', eventId);
    }
  }
  const filter: { -readonly [K in keyof RowFilter]: RowFilter[K] } = {};
  if (table !== undefined) filter.table = table as Table;
  if (messageType !== undefined) filter.messageType = messageType;
  if (event !== undefined) filter.eventId = event;
  if (given.statuses !== undefined) filter.statuses = checkStatuses(operation, given.statuses, statuses);
  return filter;
}

/** A list / count filter: validated and normalised. `{}` (or undefined) matches every row. */
export function checkRowFilter(filter: unknown, operation = 'countByStatus'): RowFilter {
  const given = asObject(operation, filter ?? {});
  checkKeys(operation, given, FILTER_KEYS);
  return filterFields(operation, given, [...REDRIVABLE, ...TERMINAL, 'UNPROCESSED', 'IN_PROGRESS', 'RETRY']);
}

/** A list request: the filter plus `limit` (1 to 100,000) and an optional cursor string. */
export function checkListRequest(request: unknown): ListRequest {
  const given = asObject('list', request);
  checkKeys('list', given, [...FILTER_KEYS, 'limit', 'after']);
  const filter = checkRowFilter(stripListKeys(given), 'list');
  const { limit, after } = given;
  if (!Number.isSafeInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_LIST_LIMIT) {
    throw invalid('list', 'limit', `must be an integer in [1, ${MAX_LIST_LIMIT}]`, limit);
  }
  if (after !== undefined && (typeof after !== 'string' || after.length === 0 || after.length > MAX_CURSOR_LENGTH)) {
    throw invalid('list', 'after', 'must be a cursor from a previous page', after);
  }
  return { ...filter, limit: limit as number, ...(after === undefined ? {} : { after: after }) };
}

function stripListKeys(given: Record<string, unknown>): Record<string, unknown> {
  const { limit: _limit, after: _after, ...rest } = given;
  return rest;
}

/**
 * A re-drive filter: at least one of table, messageType, eventId, statuses, or
 * `{ all: true }`; statuses only ERROR and FAILED (the statuses a re-drive moves).
 */
export function checkRedriveFilter(filter: unknown): RowFilter {
  const given = asObject('redrive', filter);
  checkKeys('redrive', given, [...FILTER_KEYS, 'all']);
  const { all, ...rest } = given;
  if (all !== undefined && all !== true) throw invalid('redrive', 'all', 'must be true when given', all);
  const checked = filterFields('redrive', rest, REDRIVABLE);
  if (all !== true && Object.keys(checked).length === 0) {
    throw new EventyardError(
      ErrorCode.FILTER_REQUIRED,
      'redrive: name a table, messageType, eventId or statuses, or pass { all: true } to re-drive every ERROR and FAILED row',
      { details: { operation: 'redrive' } },
    );
  }
  return checked;
}

/** A purge request: non-empty terminal statuses, a whole non-negative age, a positive limit. */
export function checkPurgeRequest(request: unknown): PurgeRequest {
  const given = asObject('purge', request);
  checkKeys('purge', given, ['statuses', 'olderThanMs', 'limit']);
  const statuses = checkStatuses('purge', given.statuses, TERMINAL) as PurgeRequest['statuses'];
  const { olderThanMs, limit } = given;
  if (!Number.isSafeInteger(olderThanMs) || (olderThanMs as number) < 0) {
    throw invalid('purge', 'olderThanMs', 'must be a non-negative integer', olderThanMs);
  }
  if (!Number.isSafeInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_LIST_LIMIT) {
    throw invalid('purge', 'limit', `must be an integer in [1, ${MAX_LIST_LIMIT}]`, limit);
  }
  return { statuses, olderThanMs: olderThanMs as number, limit: limit as number };
}
