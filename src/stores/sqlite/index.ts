/**
 * `eventyard/sqlite`: the embedded default store on better-sqlite3 (an optional peer
 * dependency). One file, WAL mode; several processes on one host may share it.
 *
 * ```ts
 * import { createSqliteStore } from 'eventyard/sqlite';
 * const store = createSqliteStore({ path: './eventyard.db' });
 * ```
 */
import type { Database } from 'better-sqlite3';
import { startCheckpointer, type Checkpointer } from './checkpointer.js';
import { openDatabase } from './open-database.js';
import { migrate } from './migrations.js';
import { resolveSqliteStoreOptions, type ResolvedSqliteStoreOptions, type SqliteStoreOptions } from './options.js';
import { createStoreOnDatabase, type SqliteStore } from './store.js';
import { translateSqliteError } from './translate-error.js';

export type { SqliteStoreOptions, ResolvedSqliteStoreOptions } from './options.js';
export type { SqliteStore, SqliteStoreInfo } from './store.js';
export { LATEST_SCHEMA_VERSION } from './migrations.js';

/**
 * Opens (creating when missing) the database file, applies pending migrations and returns
 * the store. Throws EY_INVALID_OPTION for bad options, EY_SCHEMA_VERSION when the file's
 * schema is newer than this code, EY_STORE_UNAVAILABLE when the file cannot be opened.
 */
export function createSqliteStore(options?: SqliteStoreOptions): SqliteStore {
  const resolved = resolveSqliteStoreOptions(options);
  let db;
  try {
    db = openDatabase(resolved);
  } catch (error) {
    throw translateSqliteError(error, 'open');
  }
  // An in-memory database has no WAL to checkpoint.
  const background = resolved.checkpoint === 'background' && resolved.path !== ':memory:' && resolved.path !== '';
  let checkpointer: Checkpointer | undefined;
  try {
    const schemaVersion = migrate(db, resolved.tablePrefix);
    if (background) {
      db.pragma('wal_autocheckpoint = 0'); // the thread checkpoints instead (./checkpointer.ts)
      checkpointer = startBackgroundCheckpoints(db, resolved);
    }
    const thread = checkpointer;
    return createStoreOnDatabase(
      db,
      resolved,
      schemaVersion,
      () => thread?.close(),
      thread && (() => thread.rewindIfAsked()),
    );
  } catch (error) {
    void checkpointer?.close();
    db.close();
    throw translateSqliteError(error, 'migrate');
  }
}

/**
 * Starts the checkpoint thread. When it cannot run (it failed to start or stopped), the
 * store's connection checkpoints on commits again, as with `checkpoint: 'inline'`.
 */
function startBackgroundCheckpoints(db: Database, options: ResolvedSqliteStoreOptions): Checkpointer | undefined {
  const inline = (): void => {
    if (db.open) db.pragma(`wal_autocheckpoint = ${options.walAutocheckpointPages}`);
  };
  try {
    return startCheckpointer({
      path: options.path,
      intervalMs: options.checkpointIntervalMs,
      rewindPages: options.walAutocheckpointPages,
      onRewind: () => {
        try {
          if (db.open && !db.inTransaction) db.pragma('wal_checkpoint(PASSIVE)');
        } catch {
          // Another connection's checkpoint or lock: the next rewind request tries again.
        }
      },
      onFailed: inline,
      synchronous: options.synchronous,
      busyTimeoutMs: options.busyTimeoutMs,
      logger: options.logger,
    });
  } catch (error) {
    options.logger.warn({ err: error }, 'sqlite store: no checkpoint thread; checkpoints run on commits');
    inline();
    return undefined;
  }
}
