/**
 * Options of the SQLite store: one schema is the source of the type, the defaults and the
 * validation (src/core/options.ts).
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ErrorCode, EventyardError } from '../../core/errors.js';
import { jsonLogger, type Logger } from '../../processing/logger.js';
import { systemClock, uuidGenerator, type Clock, type IdGenerator } from '../../core/clock.js';
import { option, resolveOptions, type OptionsInput, type Resolved } from '../../core/options.js';
import { DEFAULT_PRIORITY_AGING_STEP_MS, MAX_PRIORITY_AGING_STEP_MS } from '../../core/priority.js';

/** A table prefix goes into SQL as an identifier, so it is restricted to this shape. */
export const TABLE_PREFIX = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;

const isLogger = (v: unknown): v is Logger =>
  typeof v === 'object' && v !== null && typeof (v as Logger).warn === 'function';
const isClock = (v: unknown): v is Clock =>
  typeof v === 'object' && v !== null && typeof (v as { now?: unknown }).now === 'function';
const isIdGenerator = (v: unknown): v is IdGenerator =>
  typeof v === 'object' && v !== null && typeof (v as { next?: unknown }).next === 'function';

export const sqliteStoreOptionsSchema = {
  /**
   * The database file, or `':memory:'` for a private in-memory database (one connection,
   * gone on close). Several processes on one host may share a file.
   * @defaultValue `'./eventyard.db'` (relative to the working directory)
   */
  path: option.string({ default: './eventyard.db' }),
  /**
   * How long a write waits for another connection's write lock before failing with
   * EY_STORE_UNAVAILABLE (SQLite `busy_timeout`). better-sqlite3 is synchronous: the wait
   * blocks this process's event loop.
   * @defaultValue 5000
   */
  busyTimeoutMs: option.int({ min: 0, max: 600_000, default: 5000 }),
  /**
   * `NORMAL`: in WAL mode a commit survives a process crash, and the last commits may be
   * lost on power loss. `FULL`: every commit is synced to disk (slower).
   * @defaultValue `'NORMAL'`
   */
  synchronous: option.oneOf(['NORMAL', 'FULL'] as const, { default: 'NORMAL' }),
  /**
   * With `checkpoint: 'inline'` (or when the checkpoint thread cannot run): WAL pages from
   * which a commit also checkpoints them into the database file (SQLite
   * `wal_autocheckpoint`). A checkpoint syncs the WAL and the file (two fsyncs, also under
   * `NORMAL`), and better-sqlite3 runs it on the event loop. With `'background'`: WAL pages
   * from which the thread has the store's connection checkpoint once between two commits, so
   * that the WAL starts over (./checkpointer.ts). At 4 KiB a page, the default lets the WAL
   * file grow to about 40 MiB.
   * @defaultValue 10000
   */
  walAutocheckpointPages: option.int({ min: 1, max: 1_000_000, default: 10_000 }),
  /**
   * Where WAL checkpoints run. `'background'`: a worker thread with its own connection
   * checkpoints every `checkpointIntervalMs` without blocking commits, and commits do not
   * checkpoint (better-sqlite3 is synchronous: a checkpoint on a commit stalls the whole
   * event loop while it copies and syncs). `'inline'`: SQLite's checkpoint on the commit that
   * finds `walAutocheckpointPages` in the WAL. An in-memory database has no WAL and no
   * checkpoints.
   * @defaultValue `'background'`
   */
  checkpoint: option.oneOf(['background', 'inline'] as const, { default: 'background' }),
  /**
   * How often the background checkpoint runs (`checkpoint: 'background'`); the WAL holds
   * about this long of writes between two.
   * @defaultValue 1000
   */
  checkpointIntervalMs: option.int({ min: 10, max: 600_000, default: 1000 }),
  /**
   * The store's clock, which judges leases and AVAILABLE_AT. For SQLite it is the host
   * clock shared by every process on the host; tests inject their own.
   * @defaultValue the system clock
   */
  clock: option.custom<Clock>('a Clock ({ now(): number })', isClock, { default: systemClock }),
  /**
   * Where the store reports rows it sets aside as corrupt (one warning per row).
   * @defaultValue JSON lines on stderr, warn and above
   */
  logger: option.custom<Logger>('a logger', isLogger, { default: jsonLogger('warn') }),
  /**
   * Issues claim tokens.
   * @defaultValue random UUIDs
   */
  idGenerator: option.custom<IdGenerator>('an IdGenerator ({ next(): string })', isIdGenerator, {
    default: uuidGenerator,
  }),
  /**
   * Prefix of every table and index name (`<prefix>messages`, ...), so several
   * applications may share one file. Letters, digits and `_`, not starting with a digit.
   * @defaultValue `'ey_'`
   */
  tablePrefix: option.string({ pattern: TABLE_PREFIX, default: 'ey_' }),
  /**
   * Aging of message priorities: a row of priority p is claimed as if it had become
   * available p × this many ms earlier, so a priority-0 row waits at most 9 steps behind
   * newer higher-priority rows (docs/flow-control.md, "Priorities"). Fixed per row when it
   * is written.
   * @defaultValue 60000
   */
  priorityAgingStepMs: option.int({ min: 1, max: MAX_PRIORITY_AGING_STEP_MS, default: DEFAULT_PRIORITY_AGING_STEP_MS }),
};

export type SqliteStoreOptions = OptionsInput<typeof sqliteStoreOptionsSchema>;
export type ResolvedSqliteStoreOptions = Resolved<typeof sqliteStoreOptionsSchema>;

export function resolveSqliteStoreOptions(input: SqliteStoreOptions | undefined): ResolvedSqliteStoreOptions {
  const options = resolveOptions('createSqliteStore', sqliteStoreOptionsSchema, input);
  checkPath(options.path);
  return options;
}

/**
 * The file's path, checked before SQLite sees it: a NUL character would silently cut the
 * name short (C strings), and a missing directory was a raw TypeError from the driver.
 */
function checkPath(path: string): void {
  const refuse = (why: string): EventyardError =>
    new EventyardError(ErrorCode.INVALID_OPTION, `createSqliteStore: option "path" ${why}`, {
      details: { option: 'path' },
    });
  if (path.includes('\u0000')) throw refuse('must not contain a NUL character');
  if (path === ':memory:' || path.startsWith('file:')) return;
  const dir = dirname(resolve(path));
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    throw refuse(`is in a directory that does not exist: ${dir}`);
  }
  if (!isDirectory) throw refuse(`is in ${dir}, which is not a directory`);
}
