/**
 * Script arguments and replies: messages flattened into ARGV, row texts decoded into
 * MessageRow. A row is one text in its partition's `:r` hash (lua/includes/row.lua has the
 * format): a first line that every transition rewrites, a second written once at publish,
 * then seven length-prefixed texts. Lengths count UTF-8 bytes, as Lua's strings do.
 */
import { ErrorCode, EventyardError } from '../../core/errors.js';
import { hasControlCharacter } from '../../core/identifiers.js';
import { ALL_TABLES, type Table } from '../../core/message-type.js';
import { priorityLeadMs } from '../../core/priority.js';
import { isStatus, type Status } from '../../core/status.js';
import type { ClaimedMessage, MessageRow, NewMessage } from '../../store/port.js';

export type Arg = string | number;

/**
 * Refuses a text bound for a row text's identifier fields (UPDATED_BY, LEASE_OWNER,
 * CREATED_BY, ORDERING_KEY, GROUP_KEY, TRACEPARENT) that holds a control character: the
 * fields are separated by one (lua/includes/row.lua). Identifiers never hold one (the app
 * checks them, core/identifiers.ts); this keeps a direct caller of the store from writing a
 * row that reads back wrong.
 */
export function checkRowText(value: string | undefined, what: string): void {
  if (value !== undefined && hasControlCharacter(value)) {
    throw new EventyardError(ErrorCode.INVALID_IDENTIFIER, `redis store: ${what} must not hold control characters`, {
      details: { identifier: what },
    });
  }
}

/** checkRowText over a message's identifier fields. */
export function checkMessageTexts(m: NewMessage): void {
  checkRowText(m.createdBy, 'createdBy');
  checkRowText(m.orderingKey, 'orderingKey');
  checkRowText(m.groupKey, 'groupKey');
  checkRowText(m.traceparent, 'traceparent');
}

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
  if (fifoTag === '' && isPlain(m)) {
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

/** No ordering key, traceparent, group, failure or priority: the script's short records. */
function isPlain(m: NewMessage): boolean {
  return (
    (m.orderingKey ?? '') === '' &&
    (m.traceparent ?? '') === '' &&
    (m.groupKey ?? '') === '' &&
    (m.failure ?? '') === '' &&
    (m.priority ?? 0) === 0
  );
}

/**
 * A completion's emit that is a plain follow-up of the completed row's own event, due at
 * once, without a payload of its own (the common emit of a pipeline stage): the complete
 * script takes it as 's' and four fields, the event and its partition being the request's.
 * The caller checks that the emit lives in the completed row's partition.
 */
export function isSameEventFollowUp(m: NewMessage, eventId: string): boolean {
  return m.eventId === eventId && m.payload === undefined && Math.floor(m.delayMs ?? 0) <= 0 && isPlain(m);
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

/** A STATUS by its letter in a row text. */
export const STATUS_OF: Readonly<Record<string, Status>> = {
  U: 'UNPROCESSED',
  I: 'IN_PROGRESS',
  C: 'COMPLETED',
  E: 'ERROR',
  R: 'RETRY',
  F: 'FAILED',
};

/** The separator of a row text's fields (lua/includes/row.lua). */
const SEP = '\x1f';
/** Fields before LAST_ERROR: status letter + attempts through the traceparent. */
const ROW_FIELDS = 18;
const INT = /^-?\d+$/;
const OPTIONAL_INT = /^-?\d*$/;

/**
 * A row text as a MessageRow, or undefined when it does not parse (the scripts set such a
 * row aside when they meet it); `checked` for a text a script has matched whole. Fields, in order: status letter with attempts, available at,
 * updated at, lease expiry, claim token, updated by, lease owner, table, flags, created at,
 * max attempts, priority, lead, key seq, ordering key, group key, created by, traceparent,
 * then LAST_ERROR (the rest of the text) when there is one.
 */
export function parseRowText(
  messageType: string,
  eventId: string,
  text: string,
  checked = false,
): MessageRow | undefined {
  const f = text.split(SEP);
  if (f.length < ROW_FIELDS) return undefined;
  const [head = '', av = '', ua = '', le = '', ct = '', ub = '', lo = '', table = '', flags = ''] = f;
  const [ca = '', m = '', pr = '', pl = '', kq = '', ok = '', g = '', cb = '', tp = ''] = f.slice(9, ROW_FIELDS);
  const status = STATUS_OF[head.charAt(0)];
  const attempts = head.slice(1);
  // `checked`: the text comes from a script that matched it whole (a claim's rewrite), so
  // only what Lua's pattern did not judge is checked here: the table's name.
  if (status === undefined || !ALL_TABLES.includes(table as Table)) return undefined;
  if (
    !checked &&
    (!/^\d+$/.test(attempts) ||
      !INT.test(av) ||
      !INT.test(ua) ||
      !OPTIONAL_INT.test(le) ||
      !/^[kg]*$/.test(flags) ||
      !INT.test(ca) ||
      !/^\d+$/.test(m) ||
      !/^\d*$/.test(pr) ||
      !/^\d*$/.test(pl) ||
      !/^\d*$/.test(kq))
  )
    return undefined;
  return {
    eventId,
    messageType,
    table: table as Table,
    status,
    createdBy: cb,
    updatedBy: ub,
    createdAt: Number(ca),
    updatedAt: Number(ua),
    attempts: Number(attempts),
    maxAttempts: Number(m),
    availableAt: Number(av),
    leaseOwner: lo === '' ? null : lo,
    leaseExpiresAt: le === '' ? null : Number(le),
    claimToken: ct === '' ? null : ct,
    lastError: f.length > ROW_FIELDS ? f.slice(ROW_FIELDS).join(SEP) : null,
    orderingKey: ok === '' ? null : ok,
    groupKey: g === '' ? null : g,
    traceparent: tp === '' ? null : tp,
    priority: pr === '' ? 0 : Number(pr),
  };
}

/**
 * A row text as a MessageRow. A text that does not parse still reads, so one corrupt row
 * never breaks list(): as a FAILED row of `table` (its event's, as the script found it),
 * created at `createdAt` (its list score, which list cursors follow), with LAST_ERROR
 * `EY_ROW_CORRUPT:` and the start of the raw text. Nothing is written by a read; a claim
 * sets such a row aside for good.
 */
export function decodeRow(messageType: string, eventId: string, text: unknown, table = '', createdAt = 0): MessageRow {
  const raw = asText(text, 'row');
  const row = parseRowText(messageType, eventId, raw);
  if (row !== undefined) return row;
  return {
    eventId,
    messageType,
    table: ALL_TABLES.includes(table as Table) ? (table as Table) : (ALL_TABLES[0] as Table),
    status: 'FAILED',
    createdBy: '',
    updatedBy: '',
    createdAt,
    updatedAt: createdAt,
    attempts: 0,
    maxAttempts: 0,
    availableAt: createdAt,
    leaseOwner: null,
    leaseExpiresAt: null,
    claimToken: null,
    lastError: `EY_ROW_CORRUPT: the row text does not parse: ${JSON.stringify(raw.slice(0, 200))}`,
    orderingKey: null,
    groupKey: null,
    traceparent: null,
    priority: 0,
  };
}

/** Rows as `messageType, eventId, table, list score, row text` fives starting at `from`. */
export function decodeRows(reply: unknown[], from: number): MessageRow[] {
  const rows: MessageRow[] = [];
  for (let i = from; i + 4 < reply.length; i += 5) {
    const [type, event, table, score, text] = reply.slice(i, i + 5);
    rows.push(
      decodeRow(asText(type, 'type'), asText(event, 'event'), text, asText(table, 'table'), asNumber(score, 'score')),
    );
  }
  return rows;
}

/**
 * The claim script's reply: now, lease expiry, the number of rows set aside, 1 when the
 * payloads are in the reply, the rows set aside (`<base> <row id>` each), then per row:
 * messageType, eventId, its new row text, and its payload when they are in the reply (see
 * lua/claim.lua). Without them the rows come with `payload: null` and `payloads: false`: the
 * caller reads them (PartitionSweeps, withPayloads).
 */
export function decodeClaimed(reply: unknown): { claimed: ClaimedMessage[]; setAside: string[]; payloads: boolean } {
  const list = asArray(reply, 'claim');
  const asideCount = asNumber(list[2], 'set-aside count');
  const payloads = asNumber(list[3], 'payloads inline') === 1;
  const setAside = list.slice(4, 4 + asideCount).map((v) => asText(v, 'set-aside row'));
  const claimed: ClaimedMessage[] = [];
  const step = payloads ? 3 : 2;
  for (let i = 4 + asideCount; i + step - 1 < list.length; i += step) {
    // A row id is `<messageType>:<eventId>`; a message type never holds ':'.
    const id = asText(list[i], 'row id');
    const colon = id.indexOf(':');
    if (colon <= 0) throw malformed(`claimed row id ${id}`);
    const messageType = id.slice(0, colon);
    const eventId = id.slice(colon + 1);
    const row = parseRowText(messageType, eventId, asText(list[i + 1], 'row'), true);
    const { status, claimToken, leaseOwner, leaseExpiresAt } = row ?? {};
    if (
      row === undefined ||
      status !== 'IN_PROGRESS' ||
      claimToken == null ||
      leaseOwner == null ||
      leaseExpiresAt == null
    )
      throw malformed(`claimed row ${messageType}:${eventId}`);
    const payload =
      payloads && list[i + 2] !== null && list[i + 2] !== undefined ? asText(list[i + 2], 'payload') : null;
    claimed.push({ ...row, status, claimToken, leaseOwner, leaseExpiresAt, payload });
  }
  return { claimed, setAside, payloads };
}

export { asArray, asText };

/** Byte order, as Redis orders equal-score members (and Lua compares strings). */
export const byteCompare = (a: string, b: string): number =>
  Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
