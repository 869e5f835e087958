/**
 * The memory store's state and the helpers its operations share (memory-store.ts: the
 * processing path; memory-operator.ts: what operators read and do). Plain Maps, one process.
 */
import { ErrorCode, EventyardError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import { TERMINAL, type Status } from '../core/status.js';
import type { Table } from '../core/message-type.js';
import type { LeaseRef, MessageRow, RowFilter } from '../store/port.js';

/**
 * `skipped`: a FAILED keyed row an operator skipped (skipParkedHead): it no longer blocks its key.
 * `lead`: how far ahead of AVAILABLE_AT the row is claimed (priority × aging step, fixed at write).
 */
export type StoredRow = { -readonly [K in keyof MessageRow]: MessageRow[K] } & {
  seq: number;
  skipped: boolean;
  lead: number;
};

export const keyOf = (eventId: string, messageType: string): string => `${eventId}\u0000${messageType}`;

export function matches(row: StoredRow, filter: RowFilter): boolean {
  return (
    (filter.table === undefined || row.table === filter.table) &&
    (filter.messageType === undefined || row.messageType === filter.messageType) &&
    (filter.eventId === undefined || row.eventId === filter.eventId) &&
    (filter.statuses === undefined || filter.statuses.includes(row.status))
  );
}

export function publicRow(row: StoredRow): MessageRow {
  const { seq: _seq, skipped: _skipped, lead: _lead, ...rest } = row;
  return rest;
}

export interface MemoryState {
  readonly rows: Map<string, StoredRow>;
  readonly payloads: Map<string, string>;
  readonly workingData: Map<string, Map<string, string>>;
  readonly waiters: Set<{ table: Table; wake: () => void }>;
  /** The store clock's now; throws EY_CLOSED once the store is closed. */
  readonly open: () => number;
  readonly close: () => void;
  readonly wake: (table: Table) => void;
  /** The row a lease reference still holds, if it does. */
  readonly held: (ref: LeaseRef) => StoredRow | undefined;
  readonly clearLease: (row: StoredRow) => void;
  readonly move: (row: StoredRow, status: Status, updatedBy: string, now: number) => void;
  /** A FAILED keyed row nobody skipped: it parks its key. */
  readonly parks: (row: StoredRow) => boolean;
  /** An earlier row of the same table and ordering key that is not COMPLETED, nor FAILED and skipped. */
  readonly blockedByKey: (row: StoredRow) => boolean;
  /** Sorts `list` in place by `by`, then publish order. */
  readonly sorted: (list: StoredRow[], by: (r: StoredRow) => number) => StoredRow[];
}

export function createMemoryState(clock: Clock): MemoryState {
  const rows = new Map<string, StoredRow>();
  const waiters = new Set<{ table: Table; wake: () => void }>();
  let closed = false;
  const parks = (row: StoredRow): boolean => row.status === 'FAILED' && row.orderingKey !== null && !row.skipped;
  return {
    rows,
    payloads: new Map(),
    workingData: new Map(),
    waiters,
    open: () => {
      if (closed) throw new EventyardError(ErrorCode.CLOSED, 'the memory store is closed');
      return clock.now();
    },
    close: () => {
      closed = true;
      for (const waiter of waiters) waiter.wake();
    },
    wake: (table) => {
      for (const waiter of waiters) if (waiter.table === table) waiter.wake();
    },
    held: (ref) => {
      const row = rows.get(keyOf(ref.eventId, ref.messageType));
      return row?.status === 'IN_PROGRESS' && row.table === ref.table && row.claimToken === ref.claimToken
        ? row
        : undefined;
    },
    clearLease: (row) => {
      row.leaseExpiresAt = null;
      row.claimToken = null;
    },
    move: (row, status, updatedBy, now) => {
      row.status = status;
      row.updatedBy = updatedBy;
      row.updatedAt = now;
    },
    parks,
    blockedByKey: (row) =>
      row.orderingKey !== null &&
      [...rows.values()].some(
        (other) =>
          other.seq < row.seq &&
          other.table === row.table &&
          other.orderingKey === row.orderingKey &&
          (!TERMINAL.includes(other.status) || parks(other)),
      ),
    sorted: (list, by) => list.sort((a, b) => by(a) - by(b) || a.seq - b.seq),
  };
}
