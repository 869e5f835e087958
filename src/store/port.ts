/**
 * The store port: the one interface every store (SQLite, Redis, PostgreSQL, yours)
 * implements, and the only thing processors know about storage. It exposes no connection
 * or transaction type. The exported conformance suite (`eventyard/testing`) checks every
 * contract written here.
 *
 * Glossary
 * - **message row**: one row of an event table, unique by `(eventId, messageType)`.
 * - **claim**: move claimable rows (UNPROCESSED, RETRY, due) to IN_PROGRESS under a lease.
 * - **lease**: the holder's right to the row until `leaseExpiresAt`, judged by the
 *   store's clock.
 * - **claim token**: the fencing token issued at claim; complete, fail, heartbeat and
 *   release present it, and a stale token writes nothing.
 * - **emit**: a message written together with a completion, atomically.
 * - **re-drive**: an operator moves ERROR or FAILED rows back to RETRY.
 * - **parked key**: an ordering key whose earliest unfinished row (its **head**) ended
 *   FAILED: the key's later rows wait until an operator re-drives or skips the head.
 *
 * Times are epoch milliseconds of the store's clock. Payloads and working-data values are
 * JSON text: the core encodes, validates and decodes them; a store only keeps them.
 */
import type { Table } from '../core/message-type.js';
import type {
  ListPage,
  ListRequest,
  ParkedKeysPage,
  ParkedKeysRequest,
  PurgeRequest,
  ReapRequest,
  RedriveFilter,
  RowFilter,
  SkipParkedRequest,
  StatusCount,
} from './port-operator.js';
import type { ClaimedMessage, NewMessage, PublishResult } from './port-rows.js';
import type { TokenGrant, TokenRequest, TokenReturn } from './port-tokens.js';

// The row, operator-side and rate-limit token shapes live in their own files; they are part of the port.
export type {
  ClaimedMessage,
  MessageRow,
  NewMessage,
  PayloadConflict,
  PublishResult,
  WrittenOrExisting,
} from './port-rows.js';
export type {
  ListPage,
  ListRequest,
  ParkedKey,
  ParkedKeysPage,
  ParkedKeysRequest,
  PurgeRequest,
  ReapRequest,
  RedriveFilter,
  RowFilter,
  SkipParkedRequest,
  StatusCount,
} from './port-operator.js';
export type { TokenGrant, TokenRequest, TokenReturn } from './port-tokens.js';

/** What a holder presents to act on its claimed row. */
export interface LeaseRef {
  readonly table: Table;
  readonly eventId: string;
  readonly messageType: string;
  readonly claimToken: string;
  readonly orderingKey?: string | null | undefined;
}

/** `ok`, or `lease_lost`: the token did not match (expired and reaped, or claimed again); nothing was written. */
export type LeaseOutcome = 'ok' | 'lease_lost';

export interface ClaimRequest {
  readonly table: Table;
  /** Only rows of these types are claimed. Non-empty. */
  readonly messageTypes: readonly string[];
  /** Claim at most this many rows. */
  readonly limit: number;
  /** LEASE_OWNER: the processor instance, e.g. `SERVICE_B/host/pid/uuid`. */
  readonly owner: string;
  /** The service claiming: UPDATED_BY. */
  readonly updatedBy: string;
  readonly leaseMs: number;
  /**
   * Group limits of the grouped types among `messageTypes`: a row with a GROUP_KEY of such
   * a type is claimed only while fewer than `maxInFlight` rows of its `(table, type,
   * groupKey)` are IN_PROGRESS (atomically, across all claimers), and groups are served
   * round-robin (a group's backlog does not delay other groups). Types not named here are
   * claimed as if ungrouped.
   */
  readonly groups?: Readonly<Record<string /* messageType */, { readonly maxInFlight: number }>> | undefined;
}

export interface WorkingDataWrite {
  readonly eventId: string;
  readonly name: string;
  /** JSON text. */
  readonly value: string;
}

export interface CompleteRequest {
  readonly ref: LeaseRef;
  readonly updatedBy: string;
  /** Written in the same atomic step as the completion; a duplicate `(eventId, messageType)` is a no-op. */
  readonly emits: readonly NewMessage[];
  /** Upserted in the same atomic step. */
  readonly workingData: readonly WorkingDataWrite[];
}

export interface FailRequest {
  readonly ref: LeaseRef;
  readonly updatedBy: string;
  /** LAST_ERROR text. */
  readonly error: string;
  /**
   * `null`: the row becomes FAILED. A number: the row becomes ERROR with
   * AVAILABLE_AT = now + retryDelayMs, for the retry mechanism to promote.
   */
  readonly retryDelayMs: number | null;
}

/**
 * A transaction a handler's own writes share with its completion (optional capability,
 * see {@link EventStore.beginTransaction}).
 */
export interface StoreTransaction {
  /** The connection holding the transaction, for the handler's own statements (PostgreSQL: a pg `PoolClient`). */
  readonly client: unknown;
  /**
   * Writes the completion (fenced, with its emits and working data) in this transaction and
   * commits: the handler's writes, COMPLETED and the emits become visible together. A stale
   * claim token rolls everything back and reports `lease_lost`. Ends the transaction.
   */
  complete(request: CompleteRequest): Promise<LeaseOutcome>;
  /** Rolls back everything written in the transaction and ends it. Idempotent. */
  rollback(): Promise<void>;
}

/** What a store may differ in; the conformance suite runs the matching tests. */
export interface StoreFeatures {
  /** Several OS processes may share the store. */
  readonly multiProcess: boolean;
  /** ORDERING_KEY is honoured: one row per key in progress, in publish order. */
  readonly orderingKeys: boolean;
}

/**
 * Settings a processor takes from its store where its own options leave them unset: what
 * suits this store's cost per call.
 */
export interface StoreTuning {
  /**
   * Rows a processor claims in one call, and outcomes it writes in one batch, unless its
   * `batchSize` option says otherwise. Without it, 64.
   */
  readonly batchSize?: number;
  /**
   * Each claim and each outcome write costs a round trip and a commit, large next to its
   * rows' own cost: the processors' `'auto'` local queue then makes room for a whole next
   * batch (`batchSize + max(0, batchSize − concurrency)`), so that no claim comes out smaller
   * than a batch for want of room. Without it the queue holds at most one batch: a store that
   * runs each claim alone on its server (Redis) keeps claims short, which keeps the starts of
   * other rows prompt.
   */
  readonly wholeBatches?: boolean;
  /**
   * Claims a processor keeps on their way at once while a backlog lasts (its
   * `claimsInFlight` option's default; without it, 1). On a store whose server runs calls
   * one after another (Redis), a second claim queued behind the first keeps the server busy
   * while the process reads the first one's rows and starts their handlers.
   */
  readonly claimsInFlight?: number;
}

export interface EventStore {
  readonly features: StoreFeatures;
  /** This store's defaults for the processors that use it (see {@link StoreTuning}). */
  readonly tuning?: StoreTuning;

  /**
   * The store's clock (epoch ms): the one clock leases and AVAILABLE_AT are judged by.
   */
  now(): Promise<number>;

  /**
   * Writes messages, each with its event's payload when given. Per message atomic and
   * idempotent: an existing `(eventId, messageType)` is left untouched and reported with
   * `created: false`. A new row whose payload differs from its event's existing payload is
   * not written and reported as a {@link PayloadConflict}. Results come in input order.
   * (A completion's emits never conflict: the row is written and the event's payload kept.)
   */
  publish(messages: readonly NewMessage[]): Promise<readonly PublishResult[]>;

  /**
   * Atomically claims up to `limit` claimable rows (UNPROCESSED or RETRY, AVAILABLE_AT ≤
   * now) of the given types, smallest effective time first: AVAILABLE_AT − priority ×
   * the store's aging step (core/priority.ts), then publish order; with no priorities,
   * oldest AVAILABLE_AT first. Each claimed row becomes
   * IN_PROGRESS with a new CLAIM_TOKEN, LEASE_OWNER = owner, LEASE_EXPIRES_AT = now +
   * leaseMs and ATTEMPTS + 1. No row is ever returned to two concurrent claimers.
   * With `features.orderingKeys`, a row whose ORDERING_KEY has an earlier row (publish
   * order, same table) that is UNPROCESSED, IN_PROGRESS, ERROR, RETRY, or FAILED and not
   * skipped ({@link skipParkedHead}) is not claimed: a FAILED row *parks* its key.
   * With `groups`, see {@link ClaimRequest.groups}: grouped types' rows are then taken group
   * by group (each group's oldest first), not strictly oldest first, and the cost per claim
   * does not grow with a group's backlog.
   */
  claim(request: ClaimRequest): Promise<readonly ClaimedMessage[]>;

  /**
   * Extends each lease to now + leaseMs if its token still holds. Results in input order.
   */
  heartbeat(refs: readonly LeaseRef[], leaseMs: number): Promise<readonly LeaseOutcome[]>;

  /**
   * IN_PROGRESS → COMPLETED, plus the emits and working data, as one atomic write per
   * request; a stale token writes nothing of that request. Results in input order.
   */
  complete(requests: readonly CompleteRequest[]): Promise<readonly LeaseOutcome[]>;

  /** IN_PROGRESS → ERROR or FAILED (see {@link FailRequest}), fenced. */
  fail(requests: readonly FailRequest[]): Promise<readonly LeaseOutcome[]>;

  /**
   * IN_PROGRESS → UNPROCESSED (first attempt) or RETRY, for rows claimed but never
   * started: ATTEMPTS - 1, lease cleared, claimable at once, or with `delayMs` > 0 from
   * now + delayMs (store clock: a rate-limited row waiting for its slot). Fenced.
   */
  release(refs: readonly LeaseRef[], updatedBy: string, delayMs?: number): Promise<readonly LeaseOutcome[]>;

  /** The retry mechanism: ERROR rows with AVAILABLE_AT ≤ now → RETRY. Returns how many. */
  promoteDueRetries(limit: number, updatedBy: string): Promise<number>;

  /**
   * IN_PROGRESS rows whose lease expired → ERROR (attempt counted; AVAILABLE_AT = now +
   * retryDelayMs) or FAILED when ATTEMPTS ≥ MAX_ATTEMPTS. LAST_ERROR is
   * `EY_LEASE_LOST: lease of <owner> expired at <ISO time>`, with `again: ` after the code
   * when the previous LAST_ERROR was such an expiry under another owner (processors run
   * those rows alone: they may kill their worker). `leaseExpiredError` in
   * core/lease-expiry.ts is the rule. Returns how many.
   */
  reapExpiredLeases(request: ReapRequest): Promise<number>;

  /**
   * Operator re-drive: ERROR or FAILED rows matching the filter → RETRY with ATTEMPTS = 0,
   * claimable at once; LAST_ERROR kept. `statuses` defaults to both. Returns how many.
   * The filter is checked with `checkRedriveFilter` (store/filter.ts): an empty or
   * malformed field is EY_INVALID_FILTER, no field without `all: true` EY_FILTER_REQUIRED.
   */
  redrive(filter: RedriveFilter, updatedBy: string): Promise<number>;

  /**
   * Rows matching the filter, oldest first, paged. The request is checked with
   * `checkListRequest`: an empty or malformed field is EY_INVALID_FILTER.
   */
  list(request: ListRequest): Promise<ListPage>;

  /**
   * Row counts grouped by table, message type and status (zero counts left out). The
   * filter is checked with `checkRowFilter`.
   */
  countByStatus(filter?: RowFilter): Promise<readonly StatusCount[]>;

  /** The event's payload JSON text, or null. */
  getPayload(eventId: string): Promise<string | null>;

  /** The event's working data, name → JSON text. */
  getWorkingData(eventId: string): Promise<ReadonlyMap<string, string>>;

  /**
   * Deletes terminal rows older than the cutoff; then payloads and working data of events
   * that have no row left. Returns the number of message rows deleted. The request is
   * checked with `checkPurgeRequest` (EY_INVALID_FILTER). A parked head (FAILED, keyed,
   * not skipped) is never deleted.
   */
  purge(request: PurgeRequest): Promise<number>;

  /**
   * Parked ordering keys: one entry per (table, ORDERING_KEY) whose earliest FAILED, not
   * skipped row holds it (that row is the `head`), paged; each key once, in an order the
   * store chooses and its cursor keeps (SQLite, PostgreSQL: the head's publish order; Redis:
   * table, then key).
   * Stores without `features.orderingKeys` throw EY_UNSUPPORTED_FEATURE.
   */
  listParkedKeys(request: ParkedKeysRequest): Promise<ParkedKeysPage>;

  /**
   * Lets a parked key continue without its head: only a FAILED, keyed, not yet skipped row
   * is touched (else false). It stays FAILED; LAST_ERROR becomes `EY_KEY_SKIPPED: skipped
   * by <updatedBy> at <ISO time>; was: <previous LAST_ERROR>` and it no longer blocks its
   * key. A re-drive of it later makes it a blocking row again. `purge` never deletes a
   * parked head (FAILED, keyed, not skipped).
   */
  skipParkedHead(request: SkipParkedRequest): Promise<boolean>;

  /**
   * Optional wake-up hint: resolves when rows of `table` may have become claimable, or
   * after `timeoutMs`, or when `signal` aborts. Polling alone must stay correct.
   */
  waitForMessages?(table: Table, timeoutMs: number, signal: AbortSignal): Promise<void>;

  /**
   * Optional capability: publish inside a transaction the caller opened on the store's own
   * database (the transactional outbox: the business rows and the messages commit together
   * or not at all). As {@link publish}, but nothing is visible to claimers, and no wake-up
   * is sent, before the caller commits; after a rollback nothing of it exists. The
   * transaction is opaque to the port: each store documents what it accepts (PostgreSQL: a
   * pg `Client`/`PoolClient` after BEGIN, or a Drizzle or Kysely transaction through its
   * adapter) and refuses anything else with EY_INVALID_OPTION. Stores without a database
   * the caller can share (SQLite, Redis) leave it out.
   */
  publishInTransaction?(transaction: unknown, messages: readonly NewMessage[]): Promise<readonly PublishResult[]>;

  /**
   * Optional capability: opens a transaction on the store's database for one attempt, so
   * a handler's own SQL commits atomically with COMPLETED and the emits (or not at all).
   * Stores without a database the handler can share leave it out.
   */
  beginTransaction?(): Promise<StoreTransaction>;

  /**
   * Optional capability (with {@link returnTokens}; every built-in store has both): shared
   * rate-limit tokens, the primitive behind `defineMessageType({ rateLimit })`. A service
   * handling a rate-limited type on a store without it is refused at `start()`
   * (EY_UNSUPPORTED_FEATURE).
   *
   * The rule, per key, judged by the store's clock and atomic per request across every
   * caller of every process: a grant of n tokens at time t records n entries at t, and
   * **any window [s, s + intervalMs) holds at most `max` entries**. Entries older than
   * now - intervalMs no longer count; `granted` = min(want, max - counted); the grant is
   * recorded at `at` = now (or at the newest entry's time, should the clock have gone
   * back, so entries stay in order). `nextAt` is when enough entries expire for one more
   * token. Keys are independent. store/rate-log.ts is the reference implementation;
   * requests are checked with its `checkTokenRequests` (EY_INVALID_RATE_LIMIT). Requests
   * are judged in input order; results come in input order.
   */
  takeTokens?(requests: readonly TokenRequest[]): Promise<readonly TokenGrant[]>;

  /**
   * Optional capability (with {@link takeTokens}): gives back tokens a grant gave and that
   * were not used (the claim found fewer rows): removes up to `count` entries recorded at
   * `at` for the key. Entries already expired, or a grant never made, change nothing.
   */
  returnTokens?(returns: readonly TokenReturn[]): Promise<void>;

  /** Releases connections and file handles. Idempotent. */
  close(): Promise<void>;
}
