/**
 * The memory store's operator side: re-drive, list, counts, payload and working data reads,
 * purge, parked keys and skipping a parked head, on the shared state (memory-state.ts).
 */
import { ErrorCode, EventyardError } from '../core/errors.js';
import { checkListRequest, checkPurgeRequest, checkRedriveFilter, checkRowFilter } from '../store/filter.js';
import { checkParkedKeysRequest, checkSkipParkedRequest, skippedPrefix } from '../store/parked-keys.js';
import { REDRIVABLE, TERMINAL, type Status } from '../core/status.js';
import type {
  EventStore,
  ListPage,
  ListRequest,
  ParkedKey,
  PurgeRequest,
  RowFilter,
  StatusCount,
} from '../store/port.js';
import { keyOf, matches, publicRow, type MemoryState, type StoredRow } from './memory-state.js';

export type OperatorMethods = Pick<
  EventStore,
  'redrive' | 'list' | 'countByStatus' | 'getPayload' | 'getWorkingData' | 'purge' | 'listParkedKeys' | 'skipParkedHead'
>;

export function memoryOperatorMethods(state: MemoryState): OperatorMethods {
  const { rows, payloads, workingData, open, wake, move, parks, sorted } = state;
  return {
    async redrive(given, updatedBy) {
      const filter = checkRedriveFilter(given);
      const now = open();
      const statuses = (filter.statuses ?? REDRIVABLE).filter((s) => REDRIVABLE.includes(s));
      const chosen = [...rows.values()].filter((r) => matches(r, { ...filter, statuses }));
      for (const row of chosen) {
        move(row, 'RETRY', updatedBy, now);
        row.skipped = false;
        row.attempts = 0;
        row.availableAt = now;
        wake(row.table);
      }
      return chosen.length;
    },

    async list(given: ListRequest): Promise<ListPage> {
      const request = checkListRequest(given);
      open();
      const after = request.after === undefined ? -1 : Number(request.after);
      if (!Number.isSafeInteger(after)) {
        throw new EventyardError(ErrorCode.INVALID_CURSOR, `invalid list cursor ${JSON.stringify(request.after)}`);
      }
      const all = [...rows.values()].filter((r) => r.seq > after && matches(r, request)).sort((a, b) => a.seq - b.seq);
      const page = all.slice(0, request.limit);
      const last = page[page.length - 1];
      return { rows: page.map(publicRow), next: all.length > page.length && last ? String(last.seq) : null };
    },

    async countByStatus(given?: RowFilter) {
      const filter = checkRowFilter(given);
      open();
      const counts = new Map<string, StatusCount>();
      for (const row of rows.values()) {
        if (!matches(row, filter)) continue;
        const key = `${row.table}\u0000${row.messageType}\u0000${row.status}`;
        const count = counts.get(key)?.count ?? 0;
        counts.set(key, { table: row.table, messageType: row.messageType, status: row.status, count: count + 1 });
      }
      return [...counts.values()];
    },

    async getPayload(eventId) {
      open();
      return payloads.get(eventId) ?? null;
    },

    async getWorkingData(eventId) {
      open();
      return new Map(workingData.get(eventId) ?? []);
    },

    async purge(given: PurgeRequest) {
      const request = checkPurgeRequest(given);
      const now = open();
      const cutoff = now - request.olderThanMs;
      const statuses: readonly Status[] = request.statuses.filter((s) => TERMINAL.includes(s));
      const doomed = sorted(
        [...rows.values()].filter((r) => statuses.includes(r.status) && r.updatedAt < cutoff && !parks(r)),
        (r) => r.updatedAt,
      ).slice(0, request.limit);
      for (const row of doomed) rows.delete(keyOf(row.eventId, row.messageType));
      const events = new Set(doomed.map((r) => r.eventId));
      for (const row of rows.values()) events.delete(row.eventId);
      for (const eventId of events) {
        payloads.delete(eventId);
        workingData.delete(eventId);
      }
      return doomed.length;
    },

    async listParkedKeys(given) {
      const request = checkParkedKeysRequest(given);
      open();
      const after = request.after === undefined ? -1 : Number(request.after);
      const all = [...rows.values()].sort((a, b) => a.seq - b.seq);
      const heads = new Map<string, StoredRow>();
      for (const row of all) {
        const key = `${row.table}\u0000${row.orderingKey ?? ''}`;
        if (parks(row) && !heads.has(key)) heads.set(key, row);
      }
      const keys: ParkedKey[] = [...heads.values()]
        .filter((head) => head.seq > after && (request.table === undefined || head.table === request.table))
        .map((head) => ({
          table: head.table,
          orderingKey: head.orderingKey ?? '',
          head: publicRow(head),
          waiting: all.filter(
            (r) =>
              r.seq > head.seq &&
              r.table === head.table &&
              r.orderingKey === head.orderingKey &&
              !TERMINAL.includes(r.status),
          ).length,
        }));
      const page = keys.slice(0, request.limit);
      const last = page[page.length - 1];
      const lastSeq = last === undefined ? undefined : rows.get(keyOf(last.head.eventId, last.head.messageType))?.seq;
      return { keys: page, next: keys.length > page.length && lastSeq !== undefined ? String(lastSeq) : null };
    },

    async skipParkedHead(given) {
      const request = checkSkipParkedRequest(given);
      const now = open();
      const row = rows.get(keyOf(request.eventId, request.messageType));
      if (row === undefined || row.table !== request.table || !parks(row)) return false;
      row.skipped = true;
      row.lastError = skippedPrefix(request.updatedBy, now) + (row.lastError ?? '');
      move(row, 'FAILED', request.updatedBy, now);
      wake(row.table);
      return true;
    },
  };
}
