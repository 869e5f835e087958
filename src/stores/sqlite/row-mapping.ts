/**
 * Conversions between the store port's shapes and the SQL statements' parameters and rows:
 * message rows, claimed rows (raw column arrays), lease fences, filters and list cursors.
 */
import { ErrorCode, EventyardError } from '../../core/errors.js';
import type { Status } from '../../core/status.js';
import type { Table } from '../../core/message-type.js';
import type { ClaimedMessage, LeaseRef, MessageRow, RowFilter } from '../../store/port.js';
import type { ClaimedTuple, SelectedRow } from './statements.js';

/**
 * The seq a claim token names: claim-batch.sql writes `<id>.<seq>`, and `<id>.<seq>k` for a
 * keyed row (see {@link isKeyedToken}). -1 (no row) for any other text, so a token this
 * store never issued fences nothing.
 */
export function seqOfToken(claimToken: string): number {
  const dot = claimToken.lastIndexOf('.');
  const digits = claimToken.slice(dot + 1, isKeyedToken(claimToken) ? -1 : undefined);
  // At most 15 digits: always a safe integer.
  return dot > 0 && /^\d{1,15}$/.test(digits) ? Number(digits) : -1;
}

/** Whether a claim token is a keyed row's (its completion promotes the key's next row). */
export const isKeyedToken = (claimToken: string): boolean => claimToken.endsWith('k');

export const fenceOf = (
  ref: LeaseRef,
): { seq: number; eventId: string; messageType: string; table: Table; claimToken: string } => ({
  seq: seqOfToken(ref.claimToken),
  eventId: ref.eventId,
  messageType: ref.messageType,
  table: ref.table,
  claimToken: ref.claimToken,
});

export function toMessageRow(row: SelectedRow): MessageRow {
  return {
    eventId: row.eventId,
    messageType: row.messageType,
    table: row.table,
    status: row.status,
    createdBy: row.createdBy,
    updatedBy: row.updatedBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    availableAt: row.availableAt,
    leaseOwner: row.leaseOwner,
    leaseExpiresAt: row.leaseExpiresAt,
    claimToken: row.claimToken,
    lastError: row.lastError,
    orderingKey: row.orderingKey,
    groupKey: row.groupKey,
    traceparent: row.traceparent,
    priority: row.priority,
  };
}

/** Statuses as the `'|A|B|'` text the list and count statements match, or null for all. */
export const statusList = (statuses: readonly Status[] | undefined): string | null =>
  statuses === undefined ? null : `|${statuses.join('|')}|`;

export const filterParams = (
  filter: RowFilter,
): { table: Table | null; messageType: string | null; eventId: string | null } => ({
  table: filter.table ?? null,
  messageType: filter.messageType ?? null,
  eventId: filter.eventId ?? null,
});

/** What a claim call set on every row it claimed: the rest of each claimed row's fields. */
export interface ClaimContext {
  readonly table: Table;
  readonly messageType: string;
  readonly owner: string;
  readonly updatedBy: string;
  readonly now: number;
  readonly leaseExpiresAt: number;
  readonly tokenPrefix: string;
  /** The group of a group claim's rows (claim-group.sql); null for claim-batch.sql's. */
  readonly groupKey: string | null;
}

/** A claimed row's result object, with its claim key and seq kept aside for ordering. */
export function toClaimedMessage(
  row: ClaimedTuple,
  claim: ClaimContext,
): { claimKey: number; seq: number; message: ClaimedMessage } {
  const [
    seq,
    eventId,
    createdBy,
    createdAt,
    attempts,
    maxAttempts,
    availableAt,
    lastError,
    orderingKey,
    traceparent,
    priority,
    priorityLead,
    payload,
  ] = row;
  const message: ClaimedMessage = {
    eventId,
    messageType: claim.messageType,
    table: claim.table,
    status: 'IN_PROGRESS',
    createdBy,
    updatedBy: claim.updatedBy,
    createdAt,
    updatedAt: claim.now,
    attempts,
    maxAttempts,
    availableAt,
    leaseOwner: claim.owner,
    leaseExpiresAt: claim.leaseExpiresAt,
    claimToken: `${claim.tokenPrefix}${seq}${orderingKey === null ? '' : 'k'}`,
    lastError,
    orderingKey,
    groupKey: claim.groupKey,
    traceparent,
    priority,
    payload,
  };
  return { claimKey: availableAt - priorityLead, seq, message };
}

export function parseCursor(after: string | undefined): number {
  if (after === undefined) return -1;
  const seq = /^\d{1,15}$/.test(after) ? Number(after) : NaN;
  if (!Number.isSafeInteger(seq)) {
    throw new EventyardError(ErrorCode.INVALID_CURSOR, `sqlite store: invalid list cursor ${JSON.stringify(after)}`);
  }
  return seq;
}
