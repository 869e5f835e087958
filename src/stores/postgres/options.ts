/**
 * Options of the PostgreSQL store: one schema is the source of the type, the defaults and
 * the rejection of unknown or invalid keys (src/core/options.ts).
 */
import { uuidGenerator, type IdGenerator } from '../../core/clock.js';
import { ErrorCode, EventyardError } from '../../core/errors.js';
import { option, resolveOptions, type OptionsInput, type Resolved } from '../../core/options.js';
import { DEFAULT_PRIORITY_AGING_STEP_MS, MAX_PRIORITY_AGING_STEP_MS } from '../../core/priority.js';
import { SCHEMA_NAME } from './identifiers.js';

/** TLS settings handed to node-postgres' `ssl` (ca, cert, key, rejectUnauthorized, ...), or `true`. */
export type PostgresTls = boolean | Readonly<Record<string, unknown>>;

const isIdGenerator = (v: unknown): v is IdGenerator =>
  typeof v === 'object' && v !== null && typeof (v as { next?: unknown }).next === 'function';
const isTls = (v: unknown): v is PostgresTls =>
  typeof v === 'boolean' || (typeof v === 'object' && v !== null && !Array.isArray(v));
// Any string passes the schema: a rejected string option is quoted in its error, and a
// connection string may hold a password. The URL scheme is checked after resolving, with a
// message that does not repeat the value.
const isString = (v: unknown): v is string => typeof v === 'string';
const CONNECTION_STRING = /^postgres(ql)?:\/\//;

export const postgresStoreSchema = {
  /**
   * `postgres://user:password@host:5432/database?sslmode=require`. Every libpq-style
   * parameter node-postgres understands in the URL is passed through (sslmode, sslrootcert,
   * application_name, options, ...). The password never appears in Eventyard's errors or logs.
   * @defaultValue `'postgres://postgres@127.0.0.1:5432/postgres'`
   */
  connectionString: option.custom<string>('a postgres:// or postgresql:// URL', isString, {
    default: 'postgres://postgres@127.0.0.1:5432/postgres',
  }),
  /** TLS: `true` or node-postgres `ssl` options (passed through unchanged); overrides `sslmode` in the URL. */
  ssl: option.optional(option.custom<PostgresTls>('boolean or TLS options object', isTls)),
  /**
   * The schema holding every table, created when missing and upgraded by migrations.
   * Lower-case letters, digits and `_`, not starting with a digit, at most 40 characters.
   * @defaultValue `'eventyard'`
   */
  schema: option.string({ pattern: SCHEMA_NAME, default: 'eventyard' }),
  /**
   * Connections in the store's pool (claims, completions and publishes share it; the
   * wake-up listener has one more, of its own).
   * @defaultValue 10
   */
  poolSize: option.int({ min: 1, max: 1000, default: 10 }),
  /**
   * `statement_timeout` of every connection: a statement running longer is cancelled by
   * the server and the call fails with EY_STORE_UNAVAILABLE.
   * @defaultValue 30000
   */
  statementTimeoutMs: option.int({ min: 100, max: 3_600_000, default: 30_000 }),
  /**
   * `lock_timeout` of every connection: one stuck lock cannot hang a processor.
   * @defaultValue 10000
   */
  lockTimeoutMs: option.int({ min: 100, max: 3_600_000, default: 10_000 }),
  /**
   * The client's own deadline per query (node-postgres `query_timeout`), for a server that
   * stopped answering at all (network pause); a little longer than the statement timeout.
   * @defaultValue 35000
   */
  queryTimeoutMs: option.int({ min: 100, max: 3_600_000, default: 35_000 }),
  /**
   * How long opening a connection may take.
   * @defaultValue 10000
   */
  connectTimeoutMs: option.int({ min: 100, max: 600_000, default: 10_000 }),
  /**
   * `idle_in_transaction_session_timeout` of the store's connections: a transaction left
   * open (a crashed handler transaction) is ended by the server and its locks released.
   * @defaultValue 60000
   */
  idleInTransactionTimeoutMs: option.int({ min: 1000, max: 3_600_000, default: 60_000 }),
  /**
   * TCP keepalive on every connection, first probe after this long idle: a peer that
   * vanished (host down, network cut) is noticed by the kernel.
   * @defaultValue 10000
   */
  keepAliveInitialDelayMs: option.int({ min: 0, max: 600_000, default: 10_000 }),
  /**
   * Send LISTEN/NOTIFY wake-ups: writes that make rows claimable notify, and
   * `waitForMessages` listens on a dedicated connection. Off: processors rely on polling
   * alone (still correct, only slower to notice new rows).
   * @defaultValue true
   */
  notify: option.boolean({ default: true }),
  /**
   * Claims commit without waiting for their WAL flush (`synchronous_commit = off` for the
   * claim's transaction only; publishes, completions, failures, releases and heartbeats stay
   * synchronous). Halves the flushes of a drain. The price, only after a server crash: a
   * claim made in the last moments before it may be lost, its row is claimable again at once
   * while the old holder may still be running it (fenced when it writes, as after an expired
   * lease), so two runs of one row can overlap, and that attempt is not counted. Off keeps
   * "at most one holder per row, ever". docs/postgres.md, "Claims that do not wait for their flush".
   * @defaultValue false
   */
  asyncClaimCommit: option.boolean({ default: false }),
  /**
   * COMPLETED rows older than this are deleted automatically (with their payloads and
   * working data once no row of the event is left), in batches of `retentionBatchSize`
   * every `retentionIntervalMs`, by every process that has the store open (SKIP LOCKED:
   * they split the work). -1 keeps them for `purge` alone.
   * @defaultValue 3600000 (one hour)
   */
  retainCompletedMs: option.int({ min: -1, default: 3_600_000 }),
  /**
   * How often the retention purge runs.
   * @defaultValue 1000
   */
  retentionIntervalMs: option.int({ min: 10, max: 3_600_000, default: 1000 }),
  /**
   * Rows deleted per purge statement; a run repeats while a statement deletes this many.
   * Small batches hold few locks and write bounded WAL per transaction.
   * @defaultValue 2000
   */
  retentionBatchSize: option.int({ min: 1, max: 100_000, default: 2000 }),
  /**
   * `application_name` of the store's connections (visible in pg_stat_activity).
   * @defaultValue `'eventyard'`
   */
  applicationName: option.string({ pattern: /^[\x20-\x7e]{1,63}$/, default: 'eventyard' }),
  /**
   * Issues claim tokens.
   * @defaultValue random UUIDs
   */
  idGenerator: option.custom<IdGenerator>('an IdGenerator ({ next(): string })', isIdGenerator, {
    default: uuidGenerator,
  }),
  /**
   * Aging of message priorities: a row of priority p is claimed as if it had become
   * available p × this many ms earlier, so a priority-0 row waits at most 9 steps behind
   * newer higher-priority rows (docs/flow-control.md, "Priorities"). Fixed per row when it
   * is written.
   * @defaultValue 60000
   */
  priorityAgingStepMs: option.int({ min: 1, max: MAX_PRIORITY_AGING_STEP_MS, default: DEFAULT_PRIORITY_AGING_STEP_MS }),
};

export type PostgresStoreOptions = OptionsInput<typeof postgresStoreSchema>;
export type ResolvedPostgresStoreOptions = Resolved<typeof postgresStoreSchema>;

export function resolvePostgresStoreOptions(input: PostgresStoreOptions | undefined): ResolvedPostgresStoreOptions {
  const resolved = resolveOptions('createPostgresStore', postgresStoreSchema, input);
  if (!CONNECTION_STRING.test(resolved.connectionString)) {
    throw new EventyardError(
      ErrorCode.INVALID_OPTION,
      'createPostgresStore: option "connectionString" must be a postgres:// or postgresql:// URL (value not shown: it may hold a password)',
      { details: { option: 'connectionString' } },
    );
  }
  return resolved;
}
