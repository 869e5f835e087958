/**
 * The store's prepared statements, prepared once per store from the generated SQL module
 * (scripts/build-sql.mjs turns sql/*.sql into generated/scripts.ts). Each statement's
 * parameters and result rows are typed here, next to the file that documents them.
 */
import type { Database, RunResult, Statement } from 'better-sqlite3';
import { ErrorCode, EventyardError } from '../../core/errors.js';
import type { Status } from '../../core/status.js';
import type { Table } from '../../core/message-type.js';
import * as sql from './generated/scripts.js';
import { TABLE_PREFIX } from './options.js';
import type { MessageRow } from '../../store/port.js';

/**
 * The one identifier helper: puts the validated table prefix into a SQL text's `{prefix}`
 * placeholders. Values never go into SQL text, only as parameters.
 */
export function withPrefix(text: string, prefix: string): string {
  if (!TABLE_PREFIX.test(prefix)) {
    throw new EventyardError(ErrorCode.INVALID_OPTION, `sqlite store: invalid table prefix ${JSON.stringify(prefix)}`);
  }
  return text.replaceAll('{prefix}', prefix);
}

/** A row set aside as corrupt (see set-aside-corrupt-*.sql). */
export interface CorruptRow {
  readonly table: Table;
  readonly messageType: string;
  readonly eventId: string;
  readonly lastError: string;
}

/** A message row as selected (columns aliased to MessageRow names), plus its seq. */
export type SelectedRow = MessageRow & { readonly seq: number };

/**
 * A row claimed by claim-batch.sql, as the raw column array its RETURNING clause lists
 * (arrays, not objects: a claim builds its result objects once, 18% faster than letting
 * the driver build objects first). The columns the claim set itself are not returned.
 */
export type ClaimedTuple = readonly [
  seq: number,
  eventId: string,
  createdBy: string,
  createdAt: number,
  attempts: number,
  maxAttempts: number,
  availableAt: number,
  lastError: string | null,
  orderingKey: string | null,
  traceparent: string | null,
  priority: number,
  priorityLead: number,
  payload: string | null,
];

interface Fence {
  seq: number;
  eventId: string;
  messageType: string;
  table: Table;
  claimToken: string;
}
interface Filter {
  table: Table | null;
  messageType: string | null;
  eventId: string | null;
}
interface ListParams {
  after: number;
  limit: number;
  table: Table | null;
  messageType: string | null;
  statuses: string | null;
}
type Params<P> = Statement<[P]>;
/** A per-row write bound by position (see {@link positional}). */
interface PositionalWrite<P> {
  run(params: P): RunResult;
}
type Query<P, R> = Statement<[P], R>;

export interface Statements {
  readonly claimCandidates: Query<
    { table: Table; messageType: string; now: number; limit: number },
    { seq: number; claimKey: number }
  >;
  readonly claimBatch: Query<
    {
      table: Table;
      messageType: string;
      now: number;
      limit: number;
      maxClaimKey: number;
      maxSeq: number;
      leaseOwner: string;
      leaseExpiresAt: number;
      updatedBy: string;
      tokenPrefix: string;
    },
    ClaimedTuple
  >;
  readonly claimableExists: Query<{ table: Table; now: number }, { found: number }>;
  readonly groupNext: Query<{ table: Table; messageType: string; after: string }, { groupKey: string }>;
  readonly groupInFlight: Query<{ table: Table; messageType: string; groupKey: string }, { n: number }>;
  readonly claimGroup: Query<
    {
      table: Table;
      messageType: string;
      groupKey: string;
      now: number;
      limit: number;
      leaseOwner: string;
      leaseExpiresAt: number;
      updatedBy: string;
      tokenPrefix: string;
    },
    ClaimedTuple
  >;
  readonly insertMessage: PositionalWrite<{
    eventId: string;
    messageType: string;
    table: Table;
    createdBy: string;
    now: number;
    maxAttempts: number;
    availableAt: number;
    orderingKey: string | null;
    traceparent: string | null;
    payloadId: number | null;
    status: 'UNPROCESSED' | 'FAILED';
    lastError: string | null;
    groupKey: string | null;
    priority: number;
    priorityLead: number;
  }>;
  readonly insertPayload: PositionalWrite<{ payload: string }>;
  readonly attachPayload: Params<{ payloadId: number; eventId: string }>;
  readonly deletePayload: Params<{ payloadId: number }>;
  readonly selectStatus: Query<{ eventId: string; messageType: string }, { status: Status }>;
  readonly completeRow: PositionalWrite<Fence & { updatedBy: string; now: number }>;
  readonly failRow: Params<Fence & { retryDelayMs: number | null; error: string; updatedBy: string; now: number }>;
  readonly heartbeatRow: Params<Fence & { leaseExpiresAt: number }>;
  readonly releaseRow: Params<Fence & { updatedBy: string; now: number; availableAt: number }>;
  readonly selectRateLimit: Query<{ key: string }, { grants: string; expiresAt: number }>;
  readonly upsertRateLimit: Params<{ key: string; grants: string; expiresAt: number }>;
  readonly deleteRateLimits: Params<{ now: number; key: string | null }>;
  readonly upsertWorkingData: Params<{ eventId: string; name: string; value: string }>;
  readonly promoteDueRetries: Params<{ now: number; limit: number; updatedBy: string }>;
  readonly reapExpiredLeases: Params<{ now: number; retryDelayMs: number; limit: number; updatedBy: string }>;
  readonly redrive: Params<Filter & { redriveErrors: 0 | 1; redriveFailed: 0 | 1; updatedBy: string; now: number }>;
  readonly listRows: Query<ListParams, SelectedRow>;
  readonly listEventRows: Query<ListParams & { eventId: string }, SelectedRow>;
  readonly countByStatus: Query<
    Filter & { statuses: string | null },
    { table: Table; messageType: string; status: Status; count: number }
  >;
  readonly selectPayload: Query<{ eventId: string }, { id: number; payload: string }>;
  readonly selectWorkingData: Query<{ eventId: string }, { name: string; value: string }>;
  readonly purgeRows: Query<
    { statusA: Status; statusB: Status; cutoff: number; limit: number },
    { eventId: string; payloadId: number | null }
  >;
  readonly setAsideCorruptLeases: Query<{ now: number; updatedBy: string }, CorruptRow>;
  readonly setAsideCorruptClaimable: Query<
    { table: Table; messageType: string; now: number; updatedBy: string },
    CorruptRow
  >;
  readonly purgePayload: Params<{ payloadId: number; eventId: string }>;
  readonly purgeWorkingData: Params<{ eventId: string }>;
  readonly listParkedKeys: Query<
    { after: number; limit: number; table: Table | null },
    SelectedRow & { waiting: number }
  >;
  readonly skipParkedHead: Params<{
    table: Table;
    eventId: string;
    messageType: string;
    prefix: string;
    updatedBy: string;
    now: number;
  }>;
  readonly promoteKey: Params<{ eventId: string; messageType: string }>;
}

/**
 * Prepares one of the writes run once per row (a publish's two inserts, a completion) with
 * its `@name`s turned into `?`, bound by position: better-sqlite3 looks every named
 * parameter up in the object, which cost 1.2-1.5 µs of each 7-parameter call (bench note in
 * docs/sqlite.md). `values` lists the parameters in the order the text uses them, repeats
 * included. That order is checked here, once, by recording which properties `values` reads
 * from a probe object, so the SQL file and the list cannot drift apart unnoticed. Comments
 * are cut at `--`: these statements hold no string literal containing `--`.
 */
function positional<P extends object>(
  db: Database,
  text: string,
  values: (params: P) => unknown[],
): PositionalWrite<P> {
  const code = text.replace(/--[^\n]*/g, '');
  const used = [...code.matchAll(/@(\w+)/g)].map((match) => match[1]);
  const read: string[] = [];
  values(new Proxy({} as P, { get: (_, key) => void read.push(String(key)) }));
  if (used.join() !== read.join()) {
    throw new Error(`sqlite store: statement parameters ${used.join()} bound in the order ${read.join()}`);
  }
  const statement = db.prepare<unknown[]>(code.replace(/@\w+/g, '?'));
  return { run: (params) => statement.run(values(params)) };
}

/** Prepares every statement. */
export function prepareStatements(db: Database, prefix: string): Statements {
  const prepare = <P, R = unknown>(text: string): Query<P, R> => db.prepare<[P], R>(withPrefix(text, prefix));
  const write = <P extends object>(text: string, values: (params: P) => unknown[]): PositionalWrite<P> =>
    positional(db, withPrefix(text, prefix), values);
  return {
    claimCandidates: prepare(sql.claimCandidates),
    claimBatch: prepare<Parameters<Statements['claimBatch']['run']>[0], ClaimedTuple>(sql.claimBatch).raw(),
    claimableExists: prepare(sql.claimableExists),
    groupNext: prepare(sql.groupNext),
    groupInFlight: prepare(sql.groupInFlight),
    claimGroup: prepare<Parameters<Statements['claimGroup']['run']>[0], ClaimedTuple>(sql.claimGroup).raw(),
    insertMessage: write(sql.insertMessage, (m) => [
      m.eventId,
      m.messageType,
      m.table,
      m.status,
      m.createdBy,
      m.createdBy,
      m.now,
      m.now,
      m.maxAttempts,
      m.availableAt,
      m.orderingKey,
      m.traceparent,
      m.payloadId,
      m.lastError,
      m.groupKey,
      m.priority,
      m.priorityLead,
      m.orderingKey, // key_wait: whether an earlier row of the key holds it
      m.table,
      m.orderingKey,
    ]),
    insertPayload: write(sql.insertPayload, (p) => [p.payload]),
    attachPayload: prepare(sql.attachPayload),
    deletePayload: prepare(sql.deletePayload),
    selectStatus: prepare(sql.selectStatus),
    completeRow: write(sql.completeRow, (c) => [
      c.updatedBy,
      c.now,
      c.seq,
      c.eventId,
      c.messageType,
      c.table,
      c.claimToken,
    ]),
    failRow: prepare(sql.failRow),
    heartbeatRow: prepare(sql.heartbeatRow),
    releaseRow: prepare(sql.releaseRow),
    selectRateLimit: prepare(sql.selectRateLimit),
    upsertRateLimit: prepare(sql.upsertRateLimit),
    deleteRateLimits: prepare(sql.deleteRateLimits),
    upsertWorkingData: prepare(sql.upsertWorkingData),
    promoteDueRetries: prepare(sql.promoteDueRetries),
    reapExpiredLeases: prepare(sql.reapExpiredLeases),
    redrive: prepare(sql.redrive),
    listRows: prepare(sql.listRows),
    listEventRows: prepare(sql.listEventRows),
    countByStatus: prepare(sql.countByStatus),
    selectPayload: prepare(sql.selectPayload),
    selectWorkingData: prepare(sql.selectWorkingData),
    purgeRows: prepare(sql.purgeRows),
    setAsideCorruptLeases: prepare(sql.setAsideCorruptLeases),
    setAsideCorruptClaimable: prepare(sql.setAsideCorruptClaimable),
    purgePayload: prepare(sql.purgePayload),
    purgeWorkingData: prepare(sql.purgeWorkingData),
    listParkedKeys: prepare(sql.listParkedKeys),
    skipParkedHead: prepare(sql.skipParkedHead),
    promoteKey: prepare(sql.promoteKey),
  };
}
