/**
 * The PostgreSQL store: the store port (src/store/port.ts) on node-postgres. Every method
 * is one statement, so one round trip and one transaction: a batch of claims, completions
 * (with their emits and working data), failures, heartbeats or releases is sent as parallel
 * arrays that the statement `unnest`s (sql/*.sql). Claims use FOR UPDATE SKIP LOCKED;
 * leases and AVAILABLE_AT are judged by the server's clock (`now()`); every holder's write
 * is fenced by its claim token.
 *
 * Glossary
 * - **seq**: the identity column of a message row, its publish order. List cursors are
 *   seqs, an ordering key's head is its row with the smallest seq not yet COMPLETED (nor
 *   FAILED and skipped: key_skipped, schema version 4), and a
 *   claim token `<id>.<seq>` names its row.
 * - **fence**: the WHERE clause every holder's write carries: the row is IN_PROGRESS under
 *   the presented claim token. A request whose fence matches no row is `lease_lost`.
 * - **wake channel**: the LISTEN/NOTIFY channel `<schema>_wake`; a notification's payload
 *   is the table that got claimable rows.
 */
import { isEventyardError } from '../../core/errors.js';
import { checkPriorities } from '../../core/priority.js';
import { REDRIVABLE, TERMINAL } from '../../core/status.js';
import { checkListRequest, checkPurgeRequest, checkRedriveFilter, checkRowFilter } from '../../store/filter.js';
import { checkParkedKeysRequest, checkSkipParkedRequest } from '../../store/parked-keys.js';
import { checkTokenRequests, checkTokenReturns } from '../../store/rate-log.js';
import type {
  ClaimedMessage,
  CompleteRequest,
  EventStore,
  LeaseOutcome,
  LeaseRef,
  NewMessage,
  PublishResult,
  StoreTransaction,
} from '../../store/port.js';
import { GENERIC, type PostgresConnection, type Queryable } from './connection.js';
import * as sql from './generated/scripts.js';
import { inSchema, wakeChannel } from './identifiers.js';
import type { ResolvedPostgresStoreOptions } from './options.js';
import {
  completeValues,
  fenceArrays,
  grantsOf,
  outcomesOf,
  parseCursor,
  publishResults,
  publishValues,
  tokenValues,
  toStatusCount,
  toClaimedMessage,
  toMessageRow,
  type ClaimedRow,
  type CountRow,
  type PublishedRow,
  type SelectedRow,
  type TokenRow,
} from './rows.js';
import { RetentionPurge } from './retention.js';
import { asQueryable, beginHandlerTransaction } from './transaction.js';
import type { WakeListener } from './wake-ups.js';
import { WorkingDataReads, type WorkingDataRow } from './read-batcher.js';
import { Coalescer } from '../coalescer.js';
import { GroupClaims } from './group-claims.js';
import { KeyWaits } from './key-waits.js';
import { POSTGRES_FEATURES, POSTGRES_TUNING } from './features.js';
import { numberArray, textArray } from './array-literal.js';

/** What the PostgreSQL store adds to the port. */
export interface PostgresStoreInfo {
  /** The schema holding the tables. */
  readonly schema: string;
  /** The schema version after migrating. */
  readonly schemaVersion: number;
  /**
   * Publishes inside the caller's open transaction (see {@link EventStore.publishInTransaction}):
   * a pg `Client`/`PoolClient` after BEGIN, or `drizzleTransaction(tx)` / `kyselyTransaction(trx)`.
   */
  publishInTransaction(transaction: unknown, messages: readonly NewMessage[]): Promise<readonly PublishResult[]>;
  /** A transaction for one handler attempt (see {@link EventStore.beginTransaction}). */
  beginTransaction(): Promise<StoreTransaction>;
  /** Rows the automatic retention purged, and its failed runs, since the store opened. */
  retentionStats(): { purged: number; failedRuns: number };
  /** The backend pid of the wake-up listener's connection, when connected. */
  listenerPid(): number | undefined;
}

export type PostgresStore = EventStore & PostgresStoreInfo;

type SqlName = keyof typeof sql;

/** A server error that is not transient (bad input, not a lost connection or a timeout). */
const refusedByServer = (error: unknown): boolean => isEventyardError(error) && error.details?.['transient'] === false;

export function createStoreOnConnection(
  conn: PostgresConnection,
  wakes: WakeListener | undefined,
  options: ResolvedPostgresStoreOptions,
  schemaVersion: number,
): PostgresStore {
  const { schema, idGenerator } = options;
  const channel = options.notify ? wakeChannel(schema) : null;
  const agingStepMs = options.priorityAgingStepMs;
  const texts = new Map<SqlName, string>();
  // The claims' durability (claim.sql): synchronous unless the user opted out for claims.
  const claimCommit = options.asyncClaimCommit
    ? "(SELECT set_config('synchronous_commit', 'off', true)) IS NOT NULL"
    : 'TRUE';
  const text = (name: SqlName): string => {
    let t = texts.get(name);
    if (t === undefined) texts.set(name, (t = inSchema(sql[name], schema).replaceAll('{claimCommit}', claimCommit)));
    return t;
  };
  // Prepared-statement names are per connection; the schema is part of the name so two
  // stores on one pool never share a plan.
  const run = <R>(operation: string, name: SqlName, values: unknown[]): Promise<R[]> =>
    conn.query<R>(operation, `ey:${schema}:${name}`, text(name), values, GENERIC.has(name));

  const groupClaims = new GroupClaims(conn, schema, text);
  const keyWaits = new KeyWaits(conn, schema, text);
  // Where promote-due-retries.sql's scan for ordering keys whose head waits resumes.
  let healCursor: [string, string] = ['', ''];

  const workingDataReads = new WorkingDataReads((eventIds) =>
    run<WorkingDataRow>('getWorkingData', 'selectWorkingDataBatch', [eventIds]),
  );

  // Concurrent publishes share one statement (../coalescer.ts): one transaction, one
  // commit and one notification for the group, where PostgreSQL commits notifying
  // transactions one at a time. A lone publish goes at once.
  const publishes = new Coalescer<NewMessage, PublishResult>(
    async (messages) =>
      publishResults(
        messages,
        await run<PublishedRow>('publish', 'publish', publishValues(messages, channel, agingStepMs)),
      ),
    refusedByServer,
  );

  // Concurrent completion batches (of different processors) share one statement and one
  // commit (../coalescer.ts); a lone batch goes at once.
  const completes = new Coalescer<CompleteRequest, LeaseOutcome>(
    async (requests) =>
      outcomesOf(
        requests.length,
        await run<{ req: string }>('complete', 'complete', completeValues(requests, channel, agingStepMs)),
      ),
    refusedByServer,
  );

  const store: PostgresStore = {
    features: POSTGRES_FEATURES,
    tuning: POSTGRES_TUNING,
    schema,
    schemaVersion,

    async now() {
      const [row] = await run<{ now: string }>('now', 'now', []);
      return Number(row?.now);
    },

    async publish(messages) {
      if (messages.length === 0) return [];
      checkPriorities(messages);
      return publishes.add(messages);
    },

    async publishInTransaction(transaction, messages) {
      const client: Queryable = asQueryable(transaction);
      if (messages.length === 0) return [];
      checkPriorities(messages);
      const rows = await conn.queryOn<PublishedRow>(
        client,
        'publish (in transaction)',
        `ey:${schema}:publish`,
        text('publish'),
        publishValues(messages, channel, agingStepMs),
      );
      return publishResults(messages, rows);
    },

    async claim(request) {
      conn.assertOpen('claim');
      if (request.limit <= 0 || request.messageTypes.length === 0) return [];
      const { table, owner, updatedBy } = request;
      const types = [...new Set(request.messageTypes)];
      const limited = types.filter((t) => request.groups?.[t] !== undefined);
      const claimOnce = async (): Promise<ClaimedRow[]> => {
        const tokenPrefix = idGenerator.next();
        const grouped = limited.length === 0 ? [] : await groupClaims.claim(request, limited, tokenPrefix);
        const left = request.limit - grouped.length;
        if (left <= 0) return grouped;
        const unlimited = types.filter((t) => request.groups?.[t] === undefined);
        const values = [table, types, left, tokenPrefix, owner, request.leaseMs, updatedBy, unlimited];
        const rows = await keyWaits.claim(table, types, values);
        return grouped.length === 0 ? rows : [...grouped, ...rows];
      };
      const rows = await (wakes === undefined ? claimOnce() : wakes.claiming(table, claimOnce));
      const claimed = rows.map((row) => toClaimedMessage(row, { table, owner, updatedBy }));
      claimed.sort((a, b) => a.claimKey - b.claimKey || a.seq - b.seq);
      return claimed.map((c): ClaimedMessage => c.message);
    },

    async heartbeat(refs, leaseMs) {
      if (refs.length === 0) return [];
      const rows = await run<{ req: string }>('heartbeat', 'heartbeat', [...fenceArrays(refs), leaseMs]);
      return outcomesOf(refs.length, rows);
    },

    async complete(requests) {
      if (requests.length === 0) return [];
      return completes.add(requests);
    },

    async fail(requests) {
      if (requests.length === 0) return [];
      const rows = await run<{ req: string }>('fail', 'fail', [
        ...fenceArrays(requests.map((r) => r.ref)),
        textArray(requests.map((r) => r.updatedBy)),
        textArray(requests.map((r) => r.error)),
        numberArray(requests.map((r) => (r.retryDelayMs === null ? null : Math.max(0, Math.trunc(r.retryDelayMs))))),
      ]);
      return outcomesOf(requests.length, rows);
    },

    async release(refs: readonly LeaseRef[], updatedBy: string, delayMs = 0) {
      if (refs.length === 0) return [];
      const delay = Math.max(0, Math.floor(delayMs));
      const rows = await run<{ req: string }>('release', 'release', [...fenceArrays(refs), updatedBy, channel, delay]);
      return outcomesOf(refs.length, rows);
    },

    async takeTokens(requests) {
      conn.assertOpen('takeTokens');
      checkTokenRequests(requests);
      if (requests.length === 0) return [];
      const { order, values } = tokenValues(requests);
      return grantsOf(order, await run<TokenRow>('takeTokens', 'takeTokens', values));
    },

    async returnTokens(returns) {
      conn.assertOpen('returnTokens');
      checkTokenReturns(returns);
      if (returns.length === 0) return;
      await run('returnTokens', 'returnTokens', [
        returns.map((r) => r.key),
        returns.map((r) => r.at),
        returns.map((r) => r.count),
      ]);
    },

    async promoteDueRetries(limit, updatedBy) {
      conn.assertOpen('promoteDueRetries');
      if (limit <= 0) return 0;
      const [row] = await run<{ promoted: number; heal_table: string | null; heal_key: string | null }>(
        'promoteDueRetries',
        'promoteDueRetries',
        [limit, updatedBy, channel, ...healCursor],
      );
      const [healTable, healKey] = [row?.heal_table ?? null, row?.heal_key ?? null];
      healCursor = healTable !== null && healKey !== null ? [healTable, healKey] : ['', ''];
      return row?.promoted ?? 0;
    },

    async reapExpiredLeases(request) {
      conn.assertOpen('reapExpiredLeases');
      if (request.limit <= 0) return 0;
      const [row] = await run<{ reaped: number }>('reapExpiredLeases', 'reapExpiredLeases', [
        request.limit,
        Math.max(0, Math.trunc(request.retryDelayMs)),
        request.updatedBy,
      ]);
      return row?.reaped ?? 0;
    },

    async redrive(given, updatedBy) {
      const filter = checkRedriveFilter(given);
      conn.assertOpen('redrive');
      const statuses = (filter.statuses ?? REDRIVABLE).filter((s) => REDRIVABLE.includes(s));
      if (statuses.length === 0) return 0;
      const [row] = await run<{ redriven: number }>('redrive', 'redrive', [
        statuses,
        filter.table ?? null,
        filter.messageType ?? null,
        filter.eventId ?? null,
        updatedBy,
        channel,
      ]);
      return row?.redriven ?? 0;
    },

    async list(given) {
      const request = checkListRequest(given);
      const after = parseCursor(request.after);
      const limit = Math.max(0, request.limit);
      const rows = await run<SelectedRow>('list', 'listRows', [
        after,
        limit + 1,
        request.table ?? null,
        request.messageType ?? null,
        request.eventId ?? null,
        request.statuses === undefined ? null : [...request.statuses],
      ]);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return { rows: page.map(toMessageRow), next: rows.length > page.length && last ? last.seq : null };
    },

    async countByStatus(given) {
      const filter = checkRowFilter(given);
      const rows = await run<CountRow>('countByStatus', 'countByStatus', [
        filter.table ?? null,
        filter.messageType ?? null,
        filter.eventId ?? null,
        filter.statuses === undefined ? null : [...filter.statuses],
      ]);
      return rows.map(toStatusCount);
    },

    async getPayload(eventId) {
      const [row] = await run<{ payload: string }>('getPayload', 'selectPayload', [eventId]);
      return row?.payload ?? null;
    },

    getWorkingData: (eventId) => workingDataReads.get(eventId),

    async purge(given) {
      const request = checkPurgeRequest(given);
      conn.assertOpen('purge');
      const statuses = request.statuses.filter((s) => TERMINAL.includes(s));
      if (statuses.length === 0 || request.limit <= 0) return 0;
      const [row] = await run<{ purged: number }>('purge', 'purge', [
        statuses,
        Math.max(0, Math.trunc(request.olderThanMs)),
        request.limit,
      ]);
      return row?.purged ?? 0;
    },

    async listParkedKeys(given) {
      const request = checkParkedKeysRequest(given);
      const after = parseCursor(request.after);
      const rows = await run<SelectedRow & { waiting: number }>('listParkedKeys', 'listParkedKeys', [
        after,
        request.limit + 1,
        request.table ?? null,
      ]);
      const page = rows.slice(0, request.limit);
      const last = page[page.length - 1];
      return {
        keys: page.map((row) => ({
          table: row.table_name,
          orderingKey: row.ordering_key ?? '',
          head: toMessageRow(row),
          waiting: row.waiting,
        })),
        next: rows.length > page.length && last ? last.seq : null,
      };
    },

    async skipParkedHead(given) {
      const request = checkSkipParkedRequest(given);
      return keyWaits.skip([request.table, request.eventId, request.messageType, request.updatedBy, channel]);
    },

    async beginTransaction() {
      conn.assertOpen('beginTransaction');
      return beginHandlerTransaction(conn, (request) => [
        text('complete'),
        completeValues([request], channel, agingStepMs),
      ]);
    },

    ...(wakes !== undefined && {
      async waitForMessages(table, timeoutMs, signal) {
        conn.assertOpen('waitForMessages');
        await wakes.wait(table, timeoutMs, signal);
      },
    }),

    listenerPid: () => wakes?.pid,
    retentionStats: () => ({ ...retention.stats }),

    async close() {
      if (conn.closed) return;
      await retention.stop();
      await wakes?.close();
      await conn.close();
    },
  };
  const retention = new RetentionPurge(store, {
    retainCompletedMs: options.retainCompletedMs,
    intervalMs: options.retentionIntervalMs,
    batchSize: options.retentionBatchSize,
  });
  retention.start();
  return store;
}
