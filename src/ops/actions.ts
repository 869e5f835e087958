/**
 * Operator actions with a preview: re-drive (ERROR/FAILED → RETRY) and purge (delete
 * terminal rows older than a cutoff). A preview counts what the action would touch; the
 * action itself goes through the store port, whose calls are atomic per row.
 *
 * An action with no filter at all must say so (`all: true`): an empty filter is never taken
 * to mean "everything" by accident.
 */
import { ErrorCode, EventyardError } from '../core/errors.js';
import { REDRIVABLE, Status, TERMINAL } from '../core/status.js';
import type { EventStore } from '../store/port.js';
import { hasLocalFilter, scanRows, storeFilter, type RowQuery } from './row-query.js';

/** The most rows a preview or a filtered re-drive reads. */
export const ACTION_SCAN_CAP = 100_000;

export interface RedrivePlan {
  /** Rows the re-drive would move to RETRY (at least, when `truncated`). */
  readonly count: number;
  readonly truncated: boolean;
}

const isEmpty = (q: RowQuery): boolean =>
  q.table === undefined &&
  q.messageType === undefined &&
  q.eventId === undefined &&
  q.statuses === undefined &&
  !hasLocalFilter(q);

function redrivableStatuses(query: RowQuery): RowQuery {
  const statuses = query.statuses ?? REDRIVABLE;
  const wrong = statuses.filter((s) => !REDRIVABLE.includes(s));
  if (wrong.length > 0) {
    throw new EventyardError(
      ErrorCode.INVALID_OPTION,
      `re-drive takes ERROR and FAILED rows only (not ${wrong.join(', ')})`,
    );
  }
  return { ...query, statuses };
}

function requireScope(query: RowQuery, all: boolean, what: string): void {
  if (isEmpty(query) && !all) {
    throw new EventyardError(
      ErrorCode.INVALID_OPTION,
      `${what} without a filter: give a filter, or "all" to mean every row`,
    );
  }
}

export async function planRedrive(store: EventStore, query: RowQuery, all = false): Promise<RedrivePlan> {
  requireScope(query, all, 're-drive');
  const q = redrivableStatuses(query);
  if (!hasLocalFilter(q)) {
    const counts = await store.countByStatus(storeFilter(q));
    return { count: counts.reduce((n, c) => n + c.count, 0), truncated: false };
  }
  const { rows, truncated } = await scanRows(store, q, ACTION_SCAN_CAP);
  return { count: rows.length, truncated };
}

/** Re-drives the rows matching the query; returns how many moved to RETRY. */
export async function redrive(store: EventStore, query: RowQuery, by: string, all = false): Promise<number> {
  requireScope(query, all, 're-drive');
  const q = redrivableStatuses(query);
  if (!hasLocalFilter(q)) return store.redrive(storeFilter(q), by);
  const { rows } = await scanRows(store, q, ACTION_SCAN_CAP);
  return redriveRows(store, rows, by);
}

/** Re-drives single rows, e.g. one error group; returns how many moved to RETRY. */
export async function redriveRows(
  store: EventStore,
  rows: readonly { readonly eventId: string; readonly messageType: string }[],
  by: string,
): Promise<number> {
  let moved = 0;
  for (let i = 0; i < rows.length; i += 32) {
    const batch = rows.slice(i, i + 32);
    const counts = await Promise.all(
      batch.map((r) => store.redrive({ eventId: r.eventId, messageType: r.messageType, statuses: REDRIVABLE }, by)),
    );
    moved += counts.reduce((a, b) => a + b, 0);
  }
  return moved;
}

export interface PurgeQuery {
  /** Terminal statuses to delete. @defaultValue COMPLETED and FAILED */
  readonly statuses?: readonly ('COMPLETED' | 'FAILED')[] | undefined;
  /** Only rows whose UPDATED_DTTM is older than this many ms; absent: requires `all`. */
  readonly olderThanMs?: number | undefined;
}

function purgeStatuses(query: PurgeQuery): ('COMPLETED' | 'FAILED')[] {
  const statuses = [...(query.statuses ?? [Status.COMPLETED, Status.FAILED])];
  const wrong = statuses.filter((s) => !TERMINAL.includes(s));
  if (wrong.length > 0 || statuses.length === 0) {
    throw new EventyardError(ErrorCode.INVALID_OPTION, `purge deletes COMPLETED and FAILED rows only`);
  }
  return statuses;
}

export async function planPurge(store: EventStore, query: PurgeQuery, all = false): Promise<RedrivePlan> {
  if (query.olderThanMs === undefined && !all) {
    throw new EventyardError(
      ErrorCode.INVALID_OPTION,
      'purge without an age: give olderThan, or "all" to mean every terminal row',
    );
  }
  const statuses = purgeStatuses(query);
  if (query.olderThanMs === undefined || query.olderThanMs === 0) {
    const counts = await store.countByStatus({ statuses });
    return { count: counts.reduce((n, c) => n + c.count, 0), truncated: false };
  }
  const cutoff = (await store.now()) - query.olderThanMs;
  const { rows, truncated } = await scanRows(store, { statuses }, ACTION_SCAN_CAP);
  return { count: rows.filter((r) => r.updatedAt < cutoff).length, truncated };
}

/** Deletes terminal rows (and payloads and working data of events left with no row); returns rows deleted. */
export async function purge(store: EventStore, query: PurgeQuery, all = false): Promise<number> {
  if (query.olderThanMs === undefined && !all) {
    throw new EventyardError(
      ErrorCode.INVALID_OPTION,
      'purge without an age: give olderThan, or "all" to mean every terminal row',
    );
  }
  const statuses = purgeStatuses(query);
  const limit = 5_000;
  let deleted = 0;
  for (;;) {
    const n = await store.purge({ statuses, olderThanMs: query.olderThanMs ?? 0, limit });
    deleted += n;
    if (n < limit) return deleted;
  }
}
