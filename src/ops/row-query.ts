/**
 * Row queries for operators: the store's own filters (table, type, event, statuses) plus
 * filters the store port does not offer (CREATED_DTTM range, LAST_ERROR text), applied
 * while paging through the store's list. The cursor is ours: the store's cursor of the page
 * being read plus how many of its rows were already consumed, so a page that stops in the
 * middle of a store page misses nothing and repeats nothing.
 */
import { ErrorCode, EventyardError } from '../core/errors.js';
import type { EventStore, MessageRow, RowFilter } from '../store/port.js';

export interface RowQuery extends RowFilter {
  /** CREATED_DTTM ≥ since (epoch ms). */
  readonly since?: number | undefined;
  /** CREATED_DTTM < until (epoch ms). */
  readonly until?: number | undefined;
  /** LAST_ERROR contains this text (case-insensitive). */
  readonly errorText?: string | undefined;
}

export interface RowPage {
  readonly rows: readonly MessageRow[];
  /** Cursor of the next page, or null when no row is left. */
  readonly next: string | null;
}

/** Rows the store is asked for per call while filtering on our side. */
const SCAN_PAGE = 500;

export function hasLocalFilter(query: RowQuery): boolean {
  return query.since !== undefined || query.until !== undefined || (query.errorText ?? '') !== '';
}

export function storeFilter(query: RowQuery): RowFilter {
  return {
    ...(query.table === undefined ? {} : { table: query.table }),
    ...(query.messageType === undefined ? {} : { messageType: query.messageType }),
    ...(query.eventId === undefined ? {} : { eventId: query.eventId }),
    ...(query.statuses === undefined ? {} : { statuses: query.statuses }),
  };
}

export function rowMatcher(query: RowQuery): (row: MessageRow) => boolean {
  const needle = (query.errorText ?? '').toLowerCase();
  return (row) =>
    (query.since === undefined || row.createdAt >= query.since) &&
    (query.until === undefined || row.createdAt < query.until) &&
    (needle === '' || (row.lastError ?? '').toLowerCase().includes(needle));
}

interface Cursor {
  readonly after: string | null;
  readonly skip: number;
}

const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify(c)).toString('base64url');

function decodeCursor(text: string | undefined): Cursor {
  if (text === undefined || text === '') return { after: null, skip: 0 };
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<Cursor>;
    if ((typeof value.after === 'string' || value.after === null) && Number.isSafeInteger(value.skip)) {
      return { after: value.after, skip: value.skip as number };
    }
  } catch {
    // fall through
  }
  throw new EventyardError(ErrorCode.INVALID_OPTION, 'invalid page cursor');
}

/** One page of rows matching the query, oldest first. */
export async function queryRows(
  store: EventStore,
  query: RowQuery,
  page: { limit: number; after?: string | undefined },
): Promise<RowPage> {
  const filter = storeFilter(query);
  const matches = rowMatcher(query);
  const local = hasLocalFilter(query);
  const rows: MessageRow[] = [];
  let cursor = decodeCursor(page.after);
  for (;;) {
    const want = local ? SCAN_PAGE : Math.max(1, page.limit - rows.length + cursor.skip);
    const got = await store.list({ ...filter, limit: want, ...(cursor.after === null ? {} : { after: cursor.after }) });
    let used = cursor.skip;
    for (; used < got.rows.length && rows.length < page.limit; used++) {
      const row = got.rows[used] as MessageRow;
      if (matches(row)) rows.push(row);
    }
    if (used < got.rows.length) {
      // Stopped inside this store page: the next page resumes at the row after the last one taken.
      return { rows, next: encodeCursor({ after: cursor.after, skip: used }) };
    }
    if (got.next === null) return { rows, next: null };
    cursor = { after: got.next, skip: 0 };
    if (rows.length >= page.limit) return { rows, next: encodeCursor(cursor) };
  }
}

/**
 * Every row matching the query, up to `cap` rows (then `truncated` is true). For previews of
 * bulk actions and error grouping.
 */
export async function scanRows(
  store: EventStore,
  query: RowQuery,
  cap: number,
): Promise<{ rows: MessageRow[]; truncated: boolean }> {
  const rows: MessageRow[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await queryRows(store, query, { limit: Math.min(SCAN_PAGE, cap + 1 - rows.length), after });
    rows.push(...page.rows);
    if (rows.length > cap) return { rows: rows.slice(0, cap), truncated: true };
    if (page.next === null) return { rows, truncated: false };
    after = page.next;
  }
}

/** Every row of one event (all tables), oldest first. */
export async function rowsOfEvent(store: EventStore, eventId: string): Promise<MessageRow[]> {
  return (await scanRows(store, { eventId }, 10_000)).rows;
}
