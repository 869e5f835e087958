/**
 * The SQLite store: the store port (src/store/port.ts) on better-sqlite3. Every method is
 * one synchronous call into SQLite: writes run in one BEGIN IMMEDIATE transaction per
 * call (a whole batch of claims, completions, ...), reads are single statements, and every
 * statement is prepared once. So a batch costs one lock and one commit, and no JSON is
 * parsed here: payloads and working data are kept as the text the core gives.
 *
 * Glossary
 * - **seq**: the rowid of a message row, its publish order. List cursors are seqs, and an
 *   ordering key's head is its row with the smallest seq not yet COMPLETED (nor FAILED and
 *   skipped: key_skipped, schema version 5).
 * - **waiting**: a keyed row behind its key's head (key_wait, schema version 7): out of the
 *   claim index until its key's head completes or is skipped (promote-key.sql).
 * - **candidate**: a claimable, due row found by claim-candidates.sql, before it is taken.
 * - **fence**: the WHERE clause every holder's write carries: the row is IN_PROGRESS under
 *   the presented claim token. A write that changes no row is `lease_lost`.
 */
import { checkListRequest, checkPurgeRequest, checkRedriveFilter, checkRowFilter } from '../../store/filter.js';
import { checkParkedKeysRequest, checkSkipParkedRequest, skippedPrefix } from '../../store/parked-keys.js';
import { checkTokenRequests, checkTokenReturns } from '../../store/rate-log.js';
import type { Database } from 'better-sqlite3';
import { ErrorCode, EventyardError, isEventyardError } from '../../core/errors.js';
import { REDRIVABLE, TERMINAL, type Status } from '../../core/status.js';
import { ALL_TABLES } from '../../core/message-type.js';
import { checkPriorities } from '../../core/priority.js';
import type {
  CompleteRequest,
  EventStore,
  FailRequest,
  LeaseOutcome,
  LeaseRef,
  ListPage,
  ListRequest,
  NewMessage,
  PublishResult,
  PurgeRequest,
  ReapRequest,
  RowFilter,
  SkipParkedRequest,
  StatusCount,
  StoreFeatures,
} from '../../store/port.js';
import type { ResolvedSqliteStoreOptions } from './options.js';
import { prepareStatements, type Statements } from './statements.js';
import { translateSqliteError } from './translate-error.js';
import {
  fenceOf,
  filterParams,
  isKeyedToken,
  parseCursor,
  seqOfToken,
  statusList,
  toMessageRow,
} from './row-mapping.js';
import { WakeUps } from './wake-ups.js';
import { GroupCommit } from './group-commit.js';
import { createRowWrites } from './row-writes.js';
import { createClaimTransaction, reportCorruptRows } from './claims.js';
import { createTokenTransactions } from './rate-tokens.js';

export const SQLITE_FEATURES: StoreFeatures = Object.freeze({ multiProcess: true, orderingKeys: true });

/** What the SQLite store adds to the port. */
export interface SqliteStoreInfo {
  /** The database file (or `:memory:`). */
  readonly path: string;
  /** The schema version of the file after opening. */
  readonly schemaVersion: number;
}

export type SqliteStore = EventStore & SqliteStoreInfo;

/**
 * Builds the store on an open, migrated database; closing the store closes it.
 * @internal (kept out of the published types: they must not need better-sqlite3's)
 */
export function createStoreOnDatabase(
  db: Database,
  options: ResolvedSqliteStoreOptions,
  schemaVersion: number,
  /** Runs at close, before the database closes (stops the checkpoint thread). */
  beforeClose: () => Promise<void> | undefined = () => undefined,
  /** Runs after each write transaction (the checkpoint thread's rewind, ./checkpointer.ts). */
  afterWrite?: () => void,
): SqliteStore {
  const { clock } = options;
  const sql: Statements = prepareStatements(db, options.tablePrefix);
  let dataVersion = -1;
  const wakeUps = new WakeUps({
    changedElsewhere: () => {
      const version = db.pragma('data_version', { simple: true }) as number;
      const changed = version !== dataVersion;
      dataVersion = version;
      return changed;
    },
    hasClaimable: (table) => sql.claimableExists.get({ table, now: clock.now() })?.found === 1,
  });
  let closed = false;

  /** Runs one operation: refused after close, SQLite errors translated. */
  function guard<T>(operation: string, work: () => T): T {
    if (closed) throw new EventyardError(ErrorCode.CLOSED, `sqlite store: ${operation} after close`);
    try {
      return work();
    } catch (error) {
      throw translateSqliteError(error, operation);
    }
  }

  const rows = createRowWrites(sql, options.priorityAgingStepMs);

  const publishAll = db.transaction((messages: readonly NewMessage[], now: number): PublishResult[] =>
    messages.map((message) => rows.publishOne(message, now)),
  );

  const claimAll = createClaimTransaction(db, sql, options);

  // One transaction for the batch; each request is all-or-nothing by itself (a stale token
  // writes nothing of its request). A SQLite failure (busy, I/O) rolls the whole batch back
  // and throws, so no request is half-written either way.
  const completeAll = db.transaction((requests: readonly CompleteRequest[], now: number): LeaseOutcome[] =>
    requests.map((request): LeaseOutcome => {
      // The fenced status change comes first: when it changes nothing, nothing else is written.
      const { ref } = request;
      const completed = sql.completeRow.run({
        seq: seqOfToken(ref.claimToken),
        eventId: ref.eventId,
        messageType: ref.messageType,
        table: ref.table,
        claimToken: ref.claimToken,
        updatedBy: request.updatedBy,
        now,
      });
      if (completed.changes === 0) return 'lease_lost';
      // A keyed row was its key's head: the key's next row may be claimed now.
      if (isKeyedToken(ref.claimToken)) sql.promoteKey.run({ eventId: ref.eventId, messageType: ref.messageType });
      for (const emit of request.emits) rows.insertEmit(emit, now);
      for (const write of request.workingData) sql.upsertWorkingData.run(write);
      return 'ok';
    }),
  );

  const failAll = db.transaction((requests: readonly FailRequest[], now: number): LeaseOutcome[] =>
    requests.map((request) => {
      const { changes } = sql.failRow.run({
        ...fenceOf(request.ref),
        retryDelayMs: request.retryDelayMs,
        error: request.error,
        updatedBy: request.updatedBy,
        now,
      });
      return changes === 1 ? 'ok' : 'lease_lost';
    }),
  );

  const heartbeatAll = db.transaction((refs: readonly LeaseRef[], leaseExpiresAt: number): LeaseOutcome[] =>
    refs.map((ref) => (sql.heartbeatRow.run({ ...fenceOf(ref), leaseExpiresAt }).changes === 1 ? 'ok' : 'lease_lost')),
  );

  const releaseAll = db.transaction(
    (refs: readonly LeaseRef[], updatedBy: string, now: number, availableAt: number): LeaseOutcome[] =>
      refs.map((ref) =>
        sql.releaseRow.run({ ...fenceOf(ref), updatedBy, now, availableAt }).changes === 1 ? 'ok' : 'lease_lost',
      ),
  );

  const { takeAll, returnAll } = createTokenTransactions(db, sql);

  // The key's next row becomes its head in the same transaction (promote-key.sql).
  const skipAndPromote = db.transaction((request: SkipParkedRequest, now: number): boolean => {
    const { changes } = sql.skipParkedHead.run({ ...request, prefix: skippedPrefix(request.updatedBy, now), now });
    if (changes > 0) sql.promoteKey.run({ eventId: request.eventId, messageType: request.messageType });
    return changes > 0;
  });

  const purgeAll = db.transaction((request: PurgeRequest, statuses: readonly Status[], now: number): number => {
    const [statusA, statusB = statusA] = statuses as [Status, Status?];
    const deleted = sql.purgeRows.all({ statusA, statusB, cutoff: now - request.olderThanMs, limit: request.limit });
    rows.dropPayloads(deleted);
    return deleted.length;
  });

  /**
   * Runs a write transaction with BEGIN IMMEDIATE: the write lock is taken up front. Then,
   * between this commit and the next, the WAL is rewound if the checkpoint thread asked.
   */
  const immediately = <A extends unknown[], R>(tx: { immediate(...args: A): R }, ...args: A): R => {
    const result = tx.immediate(...args);
    afterWrite?.();
    return result;
  };

  // Publishes of one turn of the event loop (say 64 concurrent app.publish calls): the
  // first is written at once, the rest share one transaction at the end of the turn — two
  // locks and commits instead of 64 (group-commit.ts). Each message is still written on its
  // own terms (publish is per-message atomic and idempotent). A failed group wrote nothing;
  // unless SQLite was busy or failing (transient), each call is then tried alone, so one
  // call's bad input does not fail the others.
  const publishes = new GroupCommit<NewMessage, PublishResult>(
    (messages) => {
      const results = guard('publish', () => immediately(publishAll, messages, clock.now()));
      wakeUps.notify(messages.map((m) => m.table));
      return results;
    },
    (error) => !(isEventyardError(error) && error.details?.transient === true),
  );

  const store: SqliteStore = {
    features: SQLITE_FEATURES,
    path: options.path,
    schemaVersion,

    async now() {
      return guard('now', () => clock.now());
    },

    async publish(messages) {
      if (messages.length === 0) return [];
      guard('publish', () => checkPriorities(messages));
      return publishes.add(messages);
    },

    async claim(request) {
      if (request.limit <= 0 || request.messageTypes.length === 0) return guard('claim', () => []);
      return guard('claim', () => immediately(claimAll, request, clock.now()));
    },

    async heartbeat(refs, leaseMs) {
      if (refs.length === 0) return [];
      return guard('heartbeat', () => immediately(heartbeatAll, refs, clock.now() + leaseMs));
    },

    async complete(requests) {
      if (requests.length === 0) return [];
      const outcomes = guard('complete', () => immediately(completeAll, requests, clock.now()));
      wakeUps.notify(requests.flatMap((r, i) => (outcomes[i] === 'ok' ? r.emits.map((e) => e.table) : [])));
      return outcomes;
    },

    async fail(requests) {
      if (requests.length === 0) return [];
      return guard('fail', () => immediately(failAll, requests, clock.now()));
    },

    async release(refs, updatedBy, delayMs = 0) {
      if (refs.length === 0) return [];
      const delay = Math.max(0, Math.floor(delayMs));
      const outcomes = guard('release', () => {
        const now = clock.now();
        return immediately(releaseAll, refs, updatedBy, now, now + delay);
      });
      if (delay === 0) wakeUps.notify(refs.filter((_, i) => outcomes[i] === 'ok').map((r) => r.table));
      return outcomes;
    },

    async takeTokens(requests) {
      checkTokenRequests(requests);
      if (requests.length === 0) return guard('takeTokens', () => []);
      return guard('takeTokens', () => immediately(takeAll, requests, clock.now()));
    },

    async returnTokens(returns) {
      checkTokenReturns(returns);
      if (returns.length === 0) return guard('returnTokens', () => undefined);
      return guard('returnTokens', () => immediately(returnAll, returns, clock.now()));
    },

    async promoteDueRetries(limit, updatedBy) {
      if (limit <= 0) return 0;
      const { changes } = guard('promoteDueRetries', () =>
        sql.promoteDueRetries.run({ now: clock.now(), limit, updatedBy }),
      );
      if (changes > 0) wakeUps.notify(ALL_TABLES);
      return changes;
    },

    async reapExpiredLeases(request: ReapRequest) {
      if (request.limit <= 0) return 0;
      const { limit, retryDelayMs, updatedBy } = request;
      reportCorruptRows(
        options.logger,
        guard('reapExpiredLeases', () => sql.setAsideCorruptLeases.all({ now: clock.now(), updatedBy })),
      );
      return guard('reapExpiredLeases', () =>
        sql.reapExpiredLeases.run({ now: clock.now(), retryDelayMs, limit, updatedBy }),
      ).changes;
    },

    async redrive(given, updatedBy) {
      const filter = checkRedriveFilter(given);
      const statuses = (filter.statuses ?? REDRIVABLE).filter((s) => REDRIVABLE.includes(s));
      if (statuses.length === 0) return guard('redrive', () => 0);
      const { changes } = guard('redrive', () =>
        sql.redrive.run({
          ...filterParams(filter),
          redriveErrors: statuses.includes('ERROR') ? 1 : 0,
          redriveFailed: statuses.includes('FAILED') ? 1 : 0,
          updatedBy,
          now: clock.now(),
        }),
      );
      if (changes > 0) wakeUps.notify(filter.table === undefined ? ALL_TABLES : [filter.table]);
      return changes;
    },

    async list(given: ListRequest): Promise<ListPage> {
      const request = checkListRequest(given);
      return guard('list', () => {
        const params = {
          after: parseCursor(request.after),
          limit: Math.max(0, request.limit) + 1,
          table: request.table ?? null,
          messageType: request.messageType ?? null,
          statuses: statusList(request.statuses),
        };
        const rows =
          request.eventId === undefined
            ? sql.listRows.all(params)
            : sql.listEventRows.all({ ...params, eventId: request.eventId });
        const page = rows.slice(0, Math.max(0, request.limit));
        const last = page[page.length - 1];
        return { rows: page.map(toMessageRow), next: rows.length > page.length && last ? String(last.seq) : null };
      });
    },

    async countByStatus(given?: RowFilter): Promise<readonly StatusCount[]> {
      const filter = checkRowFilter(given);
      return guard('countByStatus', () =>
        sql.countByStatus.all({ ...filterParams(filter), statuses: statusList(filter.statuses) }),
      );
    },

    async getPayload(eventId) {
      return guard('getPayload', () => sql.selectPayload.get({ eventId })?.payload ?? null);
    },

    async getWorkingData(eventId) {
      return guard('getWorkingData', () => {
        const rows = sql.selectWorkingData.all({ eventId });
        return new Map(rows.map((row) => [row.name, row.value]));
      });
    },

    async purge(given: PurgeRequest) {
      const request = checkPurgeRequest(given);
      const statuses = request.statuses.filter((s) => TERMINAL.includes(s));
      if (statuses.length === 0 || request.limit <= 0) return guard('purge', () => 0);
      return guard('purge', () => immediately(purgeAll, request, statuses, clock.now()));
    },

    async listParkedKeys(given) {
      const request = checkParkedKeysRequest(given);
      return guard('listParkedKeys', () => {
        const limit = request.limit;
        const rows = sql.listParkedKeys.all({
          after: parseCursor(request.after),
          limit: limit + 1,
          table: request.table ?? null,
        });
        const page = rows.slice(0, limit);
        const last = page[page.length - 1];
        return {
          keys: page.map((row) => ({
            table: row.table,
            orderingKey: row.orderingKey ?? '',
            head: toMessageRow(row),
            waiting: row.waiting,
          })),
          next: rows.length > page.length && last ? String(last.seq) : null,
        };
      });
    },

    async skipParkedHead(given) {
      const request = checkSkipParkedRequest(given);
      const skipped = guard('skipParkedHead', () => immediately(skipAndPromote, request, clock.now()));
      if (skipped) wakeUps.notify([request.table]);
      return skipped;
    },

    async waitForMessages(table, timeoutMs, signal) {
      guard('waitForMessages', () => undefined);
      await wakeUps.wait(table, timeoutMs, signal);
    },

    async close() {
      if (closed) return;
      publishes.flush(); // publishes already called are written, not refused
      closed = true;
      wakeUps.close();
      await beforeClose();
      db.close();
    },
  };
  return store;
}
