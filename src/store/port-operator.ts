/**
 * The store port's operator-side shapes (part of src/store/port.ts, which re-exports them):
 * filters, listing and counting, retention, the lease reaper, and parked ordering keys.
 */
import type { Status } from '../core/status.js';
import type { Table } from '../core/message-type.js';
import type { MessageRow } from './port.js';

export interface RowFilter {
  readonly table?: Table | undefined;
  readonly messageType?: string | undefined;
  readonly eventId?: string | undefined;
  readonly statuses?: readonly Status[] | undefined;
}

/**
 * What a re-drive moves: a {@link RowFilter} naming at least one field, or `{ all: true }`
 * to re-drive every ERROR and FAILED row (a filter with no field is refused, so a typo can
 * never re-drive everything).
 */
export interface RedriveFilter extends RowFilter {
  readonly all?: true | undefined;
}

export interface ListRequest extends RowFilter {
  /** At most this many rows, oldest first. */
  readonly limit: number;
  /** Opaque cursor from a previous page's `next`. */
  readonly after?: string | undefined;
}

export interface ListPage {
  readonly rows: readonly MessageRow[];
  /** Cursor for the next page, or null when this was the last. */
  readonly next: string | null;
}

export interface StatusCount {
  readonly table: Table;
  readonly messageType: string;
  readonly status: Status;
  readonly count: number;
}

export interface PurgeRequest {
  /** Delete rows in these terminal statuses (COMPLETED, FAILED). */
  readonly statuses: readonly ('COMPLETED' | 'FAILED')[];
  /** ... whose UPDATED_DTTM is older than now - olderThanMs (store clock). */
  readonly olderThanMs: number;
  /** At most this many rows per call; call again while it returns `limit`. */
  readonly limit: number;
}

export interface ReapRequest {
  /** At most this many rows per call. */
  readonly limit: number;
  /** AVAILABLE_AT = now + retryDelayMs for reaped rows that go to ERROR. */
  readonly retryDelayMs: number;
  readonly updatedBy: string;
}

/** Which parked ordering keys to list (see `EventStore.listParkedKeys`). */
export interface ParkedKeysRequest {
  /** Only keys of this table; absent: every table. */
  readonly table?: Table | undefined;
  /** At most this many keys. */
  readonly limit: number;
  /** Opaque cursor from a previous page's `next`. */
  readonly after?: string | undefined;
}

/** An ordering key held by its FAILED, not skipped head. */
export interface ParkedKey {
  readonly table: Table;
  readonly orderingKey: string;
  /** The FAILED row holding the key. */
  readonly head: MessageRow;
  /** Rows of the key after the head that are not COMPLETED or FAILED: what waits. */
  readonly waiting: number;
}

export interface ParkedKeysPage {
  readonly keys: readonly ParkedKey[];
  /** Cursor for the next page, or null when this was the last. */
  readonly next: string | null;
}

/** Which parked head to skip: the row `(eventId, messageType)` of `table`. */
export interface SkipParkedRequest {
  readonly table: Table;
  readonly eventId: string;
  readonly messageType: string;
  /** The operator: UPDATED_BY, and named in LAST_ERROR. */
  readonly updatedBy: string;
}
