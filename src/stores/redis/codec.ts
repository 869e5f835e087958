/**
 * Script arguments and replies: messages flattened into ARGV, row hashes decoded into
 * MessageRow. Row hash fields are short to keep small hashes compact (listpack encoding):
 * t table, s status, cb/ub created/updated by, ca/ua created/updated at, n attempts,
 * m max attempts, av available at, lo lease owner, le lease expiry, ct claim token,
 * er last error, ok ordering key, tp traceparent, pr priority and pl its lead in ms (both
 * absent for priority 0). Empty le and ct mean null (cleared lease).
 */
import { ErrorCode, EventyardError } from '../../core/errors.js';
import { ALL_TABLES, type Table } from '../../core/message-type.js';
import { priorityLeadMs } from '../../core/priority.js';
import { isStatus, type Status } from '../../core/status.js';
import type { ClaimedMessage, MessageRow, NewMessage } from '../../store/port.js';

export type Arg = string | number;

/**
 * A message as a script's record (lua/includes/insert.lua, readMessage). `fifoTag` orders
 * rows of equal AVAILABLE_AT: '' lets the script use Redis TIME (single server: one call
 * holds the whole batch); on a cluster the caller passes `batchTag(i)` so a batch split over
 * partitions keeps its order. `agingStepMs`: the store's priorityAgingStepMs (the lead is
 * priority × step). A plain message (the common one: no ordering key, traceparent, group,
 * failure, priority or tag) goes as 'p' (with its payload) or 'q' (without) and 8 or 7
 * fields; any other as 'f' and all 16: every argument is a value the script's Lua has to
 * take in, about as dear as a short command's own work.
 */
export function messageArgs(base: string, m: NewMessage, agingStepMs: number, fifoTag = ''): Arg[] {
  const delayMs = Math.max(0, Math.floor(m.delayMs ?? 0));
  const plain =
    fifoTag === '' &&
    (m.orderingKey ?? '') === '' &&
    (m.traceparent ?? '') === '' &&
    (m.groupKey ?? '') === '' &&
    (m.failure ?? '') === '' &&
    (m.priority ?? 0) === 0;
  if (plain) {
    return m.payload === undefined
      ? ['q', base, m.eventId, m.messageType, m.table, m.maxAttempts, delayMs, m.createdBy]
      : ['p', base, m.eventId, m.messageType, m.table, m.payload, m.maxAttempts, delayMs, m.createdBy];
  }
  return [
    'f',
    base,
    m.eventId,
    m.messageType,
    m.table,
    m.payload === undefined ? '0' : '1',
    m.payload ?? '',
    m.maxAttempts,
    delayMs,
    m.orderingKey ?? '',
    m.traceparent ?? '',
    m.createdBy,
    fifoTag,
    m.groupKey ?? '',
    m.failure ?? '',
    m.priority ?? 0,
    priorityLeadMs(m.priority, agingStepMs),
  ];
}

/**
 * Tags for one batch split over cluster partitions: this process's clock in microseconds
 * (only a tie-breaker between rows due in the same millisecond, never a due time), then the
 * message's index in the batch.
 */
export function batchTagger(): (index: number) => string {
  const micros = String(Date.now() * 1000).padStart(16, '0');
  return (index) => micros + String(index).padStart(5, '0');
}

function malformed(what: string): EventyardError {
  return new EventyardError(ErrorCode.STORE_UNAVAILABLE, `redis store: malformed script reply (${what})`);
}

function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw malformed(what);
  return value as unknown[];
}

function asText(value: unknown, what: string): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  throw malformed(what);
}

export function asNumber(value: unknown, what: string): number {
  const n = typeof value === 'number' ? value : Number(asText(value, what));
  if (!Number.isFinite(n)) throw malformed(what);
  return n;
}

/** A script's reply of 1/0 per request as lease outcomes. */
export function asOutcomes(reply: unknown, expected: number): ('ok' | 'lease_lost')[] {
  const list = asArray(reply, 'outcomes');
  if (list.length !== expected) throw malformed(`expected ${expected} outcomes, got ${list.length}`);
  return list.map((v) => (asNumber(v, 'outcome') === 1 ? 'ok' : 'lease_lost'));
}

export function asStatus(value: unknown): Status {
  const status = asText(value, 'status');
  if (!isStatus(status)) throw malformed(`status ${status}`);
  return status;
}

/**
 * A row hash as a MessageRow. A hash that cannot be decoded (a field that is not a number, an
 * unknown status or table) still reads, so one corrupt row never breaks list(): its bad
 * numbers read as 0, an unknown status as FAILED, and LAST_ERROR says `EY_ROW_CORRUPT:` with
 * the raw values. Nothing is written by a read; a claim sets such a row aside for good.
 */
export function decodeRow(messageType: string, eventId: string, hash: unknown): MessageRow {
  const flat = asArray(hash, 'row');
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) f.set(asText(flat[i], 'field'), asText(flat[i + 1], 'value'));
  const bad: string[] = [];
  const text = (k: string): string | null => f.get(k) ?? null;
  const num = (k: string): number => {
    const n = Number(f.get(k));
    if (f.get(k) !== undefined && f.get(k) !== '' && Number.isFinite(n)) return n;
    bad.push(`${k}=${JSON.stringify(f.get(k) ?? null)}`);
    return 0;
  };
  // Lease fields are cleared by writing '' (one HSET on the hot path): empty reads as null.
  const lease = (k: string): string | null => (f.get(k) ?? '') || null;
  const leaseText = lease('le');
  const table = f.get('t');
  const status = f.get('s');
  if (!ALL_TABLES.includes(table as Table)) bad.push(`t=${JSON.stringify(table ?? null)}`);
  if (!isStatus(status)) bad.push(`s=${JSON.stringify(status ?? null)}`);
  const row = {
    eventId,
    messageType,
    table: ALL_TABLES.includes(table as Table) ? (table as Table) : (ALL_TABLES[0] as Table),
    status: isStatus(status) ? status : ('FAILED' as const),
    createdBy: text('cb') ?? '',
    updatedBy: text('ub') ?? '',
    createdAt: num('ca'),
    updatedAt: num('ua'),
    attempts: num('n'),
    maxAttempts: num('m'),
    availableAt: num('av'),
    leaseOwner: text('lo'),
    leaseExpiresAt: leaseText === null ? null : num('le'),
    claimToken: lease('ct'),
    lastError: text('er'),
    orderingKey: text('ok'),
    groupKey: text('g'),
    traceparent: text('tp'),
    priority: f.has('pr') ? num('pr') : 0,
  };
  if (bad.length === 0) return row;
  return {
    ...row,
    lastError: `EY_ROW_CORRUPT: unreadable fields ${bad.join(', ')}${row.lastError === null ? '' : `; ${row.lastError}`}`,
  };
}

/** Rows as `messageType, eventId, HGETALL` triples starting at `from`. */
export function decodeRows(reply: unknown[], from: number): MessageRow[] {
  const rows: MessageRow[] = [];
  for (let i = from; i + 2 < reply.length; i += 3) {
    rows.push(decodeRow(asText(reply[i], 'type'), asText(reply[i + 1], 'event'), reply[i + 2]));
  }
  return rows;
}

/**
 * The claim script's reply: now, lease expiry, the rows set aside as corrupt (count, then
 * `<base> <row id>` each), then 14 values per row (see lua/claim.lua); every row is of the
 * table the claim asked for (ready indexes are per table).
 */
export function decodeClaimed(
  reply: unknown,
  claim: { table: Table; owner: string; updatedBy: string },
): { claimed: ClaimedMessage[]; setAside: string[] } {
  const list = asArray(reply, 'claim');
  const now = asNumber(list[0], 'now');
  const leaseExpiresAt = asNumber(list[1], 'lease expiry');
  const asideCount = asNumber(list[2], 'set-aside count');
  const setAside = list.slice(3, 3 + asideCount).map((v) => asText(v, 'set-aside key').replace(' ', ':r:'));
  const first = 3 + asideCount;
  const optional = (v: unknown, what: string): string | null =>
    v === null || v === undefined ? null : asText(v, what);
  const claimed: ClaimedMessage[] = [];
  for (let i = first; i + 13 < list.length; i += 14) {
    claimed.push({
      messageType: asText(list[i], 'type'),
      eventId: asText(list[i + 1], 'event'),
      attempts: asNumber(list[i + 2], 'attempts'),
      claimToken: asText(list[i + 3], 'token'),
      table: claim.table,
      createdBy: asText(list[i + 4], 'createdBy'),
      createdAt: asNumber(list[i + 5], 'createdAt'),
      maxAttempts: asNumber(list[i + 6], 'maxAttempts'),
      availableAt: asNumber(list[i + 7], 'availableAt'),
      lastError: optional(list[i + 8], 'lastError'),
      orderingKey: optional(list[i + 9], 'orderingKey'),
      traceparent: optional(list[i + 10], 'traceparent'),
      groupKey: optional(list[i + 11], 'groupKey'),
      priority: list[i + 12] === null || list[i + 12] === undefined ? 0 : asNumber(list[i + 12], 'priority'),
      payload: optional(list[i + 13], 'payload'),
      status: 'IN_PROGRESS',
      updatedBy: claim.updatedBy,
      updatedAt: now,
      leaseOwner: claim.owner,
      leaseExpiresAt,
    });
  }
  return { claimed, setAside };
}

export { asArray, asText };

/** Byte order, as Redis orders equal-score members (and Lua compares strings). */
export const byteCompare = (a: string, b: string): number =>
  Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
