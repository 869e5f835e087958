/**
 * Conversions between the store port's shapes and the SQL statements' parameters and rows:
 * message rows (bigint columns arrive as strings from node-postgres), claimed rows, lease
 * fences as parallel arrays for `unnest`, and list cursors.
 */
import { ErrorCode, EventyardError } from '../../core/errors.js';
import { priorityLeadMs } from '../../core/priority.js';
import type { Status } from '../../core/status.js';
import type { Table } from '../../core/message-type.js';
import type { ClaimedMessage, LeaseRef, MessageRow, NewMessage } from '../../store/port.js';

/** A message row as selected by list-rows.sql. */
export interface SelectedRow {
  seq: string;
  event_id: string;
  message_type: string;
  table_name: Table;
  status: Status;
  created_by: string;
  updated_by: string;
  created_at: string;
  updated_at: string;
  attempts: number;
  max_attempts: number;
  available_at: string;
  lease_owner: string | null;
  lease_expires_at: string | null;
  claim_token: string | null;
  last_error: string | null;
  ordering_key: string | null;
  traceparent: string | null;
  group_key: string | null;
  priority: number;
}

/** A row claimed by claim.sql. */
export interface ClaimedRow {
  seq: string;
  event_id: string;
  message_type: string;
  created_by: string;
  created_at: string;
  updated_at: string;
  attempts: number;
  max_attempts: number;
  available_at: string;
  lease_expires_at: string;
  claim_token: string;
  last_error: string | null;
  ordering_key: string | null;
  traceparent: string | null;
  group_key: string | null;
  priority: number;
  /** AVAILABLE_AT − priority lead: the claim order (schema-v2.sql). */
  claim_key: string;
  payload: string | null;
}

const num = (v: string | number): number => Number(v);
const numOrNull = (v: string | null): number | null => (v === null ? null : Number(v));

export function toMessageRow(row: SelectedRow): MessageRow {
  return {
    eventId: row.event_id,
    messageType: row.message_type,
    table: row.table_name,
    status: row.status,
    createdBy: row.created_by,
    updatedBy: row.updated_by,
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    availableAt: num(row.available_at),
    leaseOwner: row.lease_owner,
    leaseExpiresAt: numOrNull(row.lease_expires_at),
    claimToken: row.claim_token,
    lastError: row.last_error,
    orderingKey: row.ordering_key,
    groupKey: row.group_key,
    traceparent: row.traceparent,
    priority: row.priority,
  };
}

/** A claimed row's result object, with its seq and claim key kept aside for ordering. */
export function toClaimedMessage(
  row: ClaimedRow,
  claim: { table: Table; owner: string; updatedBy: string },
): { claimKey: number; seq: number; message: ClaimedMessage } {
  const availableAt = num(row.available_at);
  const message: ClaimedMessage = {
    eventId: row.event_id,
    messageType: row.message_type,
    table: claim.table,
    status: 'IN_PROGRESS',
    createdBy: row.created_by,
    updatedBy: claim.updatedBy,
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    availableAt,
    leaseOwner: claim.owner,
    leaseExpiresAt: num(row.lease_expires_at),
    claimToken: row.claim_token,
    lastError: row.last_error,
    orderingKey: row.ordering_key,
    groupKey: row.group_key,
    traceparent: row.traceparent,
    priority: row.priority,
    payload: row.payload,
  };
  return { claimKey: num(row.claim_key), seq: num(row.seq), message };
}

/**
 * The seq a claim token names: claim.sql writes `<id>.<seq>`. '-1' (no row) for any other
 * text, so a token this store never issued fences nothing. Kept as text: bound as bigint.
 */
export function seqOfToken(claimToken: string): string {
  const dot = claimToken.lastIndexOf('.');
  const digits = claimToken.slice(dot + 1);
  return dot > 0 && /^\d{1,18}$/.test(digits) ? digits : '-1';
}

/** Lease references as the parallel arrays the fenced statements unnest: seqs, tokens, event ids, types. */
export function fenceArrays(refs: readonly LeaseRef[]): [string[], string[], string[], string[]] {
  return [
    refs.map((r) => seqOfToken(r.claimToken)),
    refs.map((r) => r.claimToken),
    refs.map((r) => r.eventId),
    refs.map((r) => r.messageType),
  ];
}

/** New messages as the parallel arrays publish.sql ($1..$9) and complete.sql's emits unnest. */
export function messageArrays(messages: readonly NewMessage[]): unknown[][] {
  return [
    messages.map((m) => m.eventId),
    messages.map((m) => m.messageType),
    messages.map((m) => m.table),
    messages.map((m) => m.createdBy),
    messages.map((m) => m.maxAttempts),
    messages.map((m) => Math.max(0, Math.trunc(m.delayMs ?? 0))),
    messages.map((m) => m.orderingKey ?? null),
    messages.map((m) => m.traceparent ?? null),
    messages.map((m) => m.payload ?? null),
  ];
}

/** GROUP_KEYs and failures as the two parallel arrays publish.sql ($11, $12) and complete.sql ($21, $22) unnest. */
export function groupArrays(messages: readonly NewMessage[]): unknown[][] {
  return [messages.map((m) => m.groupKey ?? null), messages.map((m) => m.failure ?? null)];
}

/**
 * Priorities and leads (priority × aging step) as the two arrays publish.sql ($13, $14) and
 * complete.sql ($23, $24) unnest, or two NULLs when no message has one (the common case:
 * nothing more to send, and the statements write 0).
 */
export function priorityArrays(
  messages: readonly NewMessage[],
  agingStepMs: number,
): [number[] | null, number[] | null] {
  if (!messages.some((m) => m.priority)) return [null, null];
  return [messages.map((m) => m.priority ?? 0), messages.map((m) => priorityLeadMs(m.priority, agingStepMs))];
}

/** 1-based request numbers a fenced statement returned → outcomes in input order. */
export function outcomesOf(count: number, rows: readonly { req: string | number }[]): ('ok' | 'lease_lost')[] {
  const ok = new Set(rows.map((r) => Number(r.req)));
  return Array.from({ length: count }, (_, i) => (ok.has(i + 1) ? 'ok' : 'lease_lost'));
}

export function parseCursor(after: string | undefined): string {
  if (after === undefined) return '-1';
  if (!/^\d{1,18}$/.test(after)) {
    throw new EventyardError(ErrorCode.INVALID_CURSOR, `postgres store: invalid list cursor ${JSON.stringify(after)}`);
  }
  return after;
}
