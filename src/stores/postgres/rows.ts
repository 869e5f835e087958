/**
 * Conversions between the store port's shapes and the SQL statements' parameters and rows:
 * message rows (bigint columns arrive as strings from node-postgres), claimed rows, lease
 * fences as parallel arrays for `unnest`, list cursors, and the parameters and results of the
 * publish, complete and take-tokens statements.
 */
import { ErrorCode, EventyardError } from '../../core/errors.js';
import { priorityLeadMs } from '../../core/priority.js';
import { numberArray, textArray, textList } from './array-literal.js';
import type { Status } from '../../core/status.js';
import type { Table } from '../../core/message-type.js';
import type {
  ClaimedMessage,
  CompleteRequest,
  LeaseRef,
  MessageRow,
  NewMessage,
  PublishResult,
  StatusCount,
  TokenGrant,
  TokenRequest,
} from '../../store/port.js';

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

/**
 * Lease references as the parallel array literals (array-literal.ts) the fenced statements
 * unnest: seqs, tokens, event ids, types.
 */
export function fenceArrays(refs: readonly LeaseRef[]): [string, string, string, string] {
  return [
    numberArray(refs.map((r) => seqOfToken(r.claimToken))),
    textArray(refs.map((r) => r.claimToken)),
    textArray(refs.map((r) => r.eventId)),
    textArray(refs.map((r) => r.messageType)),
  ];
}

/**
 * New messages as the parallel arrays publish.sql ($1..$9) and complete.sql's emits unnest:
 * array literals; with `payloads: 'list'` (publish.sql) the payloads a text list
 * (array-literal.ts, textList).
 */
export function messageArrays(messages: readonly NewMessage[], payloads: 'list' | 'literal'): string[] {
  return [
    textArray(messages.map((m) => m.eventId)),
    textArray(messages.map((m) => m.messageType)),
    textArray(messages.map((m) => m.table)),
    textArray(messages.map((m) => m.createdBy)),
    numberArray(messages.map((m) => m.maxAttempts)),
    numberArray(messages.map((m) => Math.max(0, Math.trunc(m.delayMs ?? 0)))),
    textArray(messages.map((m) => m.orderingKey ?? null)),
    textArray(messages.map((m) => m.traceparent ?? null)),
    (payloads === 'list' ? textList : textArray)(messages.map((m) => m.payload ?? null)),
  ];
}

/** GROUP_KEYs and failures as the two parallel arrays publish.sql ($11, $12) and complete.sql ($21, $22) unnest. */
export function groupArrays(messages: readonly NewMessage[]): [string, string] {
  return [textArray(messages.map((m) => m.groupKey ?? null)), textArray(messages.map((m) => m.failure ?? null))];
}

/**
 * Priorities and leads (priority × aging step) as the two arrays publish.sql ($13, $14) and
 * complete.sql ($23, $24) unnest, or two NULLs when no message has one (the common case:
 * nothing more to send, and the statements write 0).
 */
export function priorityArrays(messages: readonly NewMessage[], agingStepMs: number): [string | null, string | null] {
  if (!messages.some((m) => m.priority)) return [null, null];
  return [
    numberArray(messages.map((m) => m.priority ?? 0)),
    numberArray(messages.map((m) => priorityLeadMs(m.priority, agingStepMs))),
  ];
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

/** publish.sql's parameters for a batch of messages. */
export function publishValues(messages: readonly NewMessage[], channel: string | null, agingStepMs: number): unknown[] {
  return [
    ...messageArrays(messages, 'list'),
    channel,
    ...groupArrays(messages),
    ...priorityArrays(messages, agingStepMs),
  ];
}

/** A row of publish.sql: status NULL and conflict true for a payload conflict. */
export interface PublishedRow {
  created: boolean;
  status: Status | null;
  conflict: boolean;
}

export function publishResults(messages: readonly NewMessage[], rows: PublishedRow[]): PublishResult[] {
  return messages.map((m, i): PublishResult => {
    const { eventId, messageType } = m;
    const row = rows[i];
    if (row?.conflict === true) return { eventId, messageType, created: false, status: null, conflict: 'payload' };
    return { eventId, messageType, created: row?.created === true, status: row?.status ?? 'UNPROCESSED' };
  });
}

/** complete.sql's 24 parameters for a batch of requests. */
export function completeValues(
  requests: readonly CompleteRequest[],
  channel: string | null,
  agingStepMs: number,
): unknown[] {
  const [seqs, tokens, eventIds, types] = fenceArrays(requests.map((r) => r.ref));
  const emitReq: number[] = [];
  const emits: NewMessage[] = [];
  const workReq: number[] = [];
  const work: { eventId: string; name: string; value: string }[] = [];
  requests.forEach((r, i) => {
    for (const e of r.emits) {
      emitReq.push(i + 1);
      emits.push(e);
    }
    for (const w of r.workingData) {
      workReq.push(i + 1);
      work.push(w);
    }
  });
  return [
    seqs,
    tokens,
    eventIds,
    types,
    textArray(requests.map((r) => r.updatedBy)),
    numberArray(emitReq),
    ...messageArrays(emits, 'literal'),
    numberArray(workReq),
    textArray(work.map((w) => w.eventId)),
    textArray(work.map((w) => w.name)),
    textArray(work.map((w) => w.value)),
    channel,
    ...groupArrays(emits),
    ...priorityArrays(emits, agingStepMs),
  ];
}

/** A row of take-tokens.sql: the grant of request number `req` (1-based, in the order sent). */
export interface TokenRow {
  req: string;
  granted: number;
  at: string;
  nextAt: string;
}

/**
 * take-tokens.sql's parameters, the requests sorted by key (stable), so that two batches
 * sharing keys lock them in the same order; `order[i]` is the caller's index of the i-th sent.
 */
export function tokenValues(requests: readonly TokenRequest[]): { order: number[]; values: unknown[] } {
  const order = requests
    .map((_, i) => i)
    .sort((a, b) => {
      const ka = (requests[a] as TokenRequest).key;
      const kb = (requests[b] as TokenRequest).key;
      return ka < kb ? -1 : ka > kb ? 1 : a - b;
    });
  const sorted = order.map((i) => requests[i] as TokenRequest);
  return {
    order,
    values: [
      sorted.map((r) => r.key),
      sorted.map((r) => r.max),
      sorted.map((r) => r.intervalMs),
      sorted.map((r) => r.want),
    ],
  };
}

/** The grants of take-tokens.sql's rows, in the caller's order. */
export function grantsOf(order: readonly number[], rows: readonly TokenRow[]): TokenGrant[] {
  const grants = new Array<TokenGrant>(order.length);
  for (const row of rows) {
    const original = order[Number(row.req) - 1] as number;
    grants[original] = { granted: Number(row.granted), at: Number(row.at), nextAt: Number(row.nextAt) };
  }
  return grants;
}

/** A row of count-by-status.sql. */
export interface CountRow {
  table_name: Table;
  message_type: string;
  status: Status;
  count: number;
}

export const toStatusCount = (r: CountRow): StatusCount => ({
  table: r.table_name,
  messageType: r.message_type,
  status: r.status,
  count: r.count,
});
