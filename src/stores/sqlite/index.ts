/**
 * `eventyard/sqlite`: the embedded default store on better-sqlite3 (an optional peer
 * dependency). One file, WAL mode; several processes on one host may share it.
 *
 * ```ts
 * import { createSqliteStore } from 'eventyard/sqlite';
 * const store = createSqliteStore({ path: './eventyard.db' });
 * ```
 */
import { openDatabase } from './open-database.js';
import { migrate } from './migrations.js';
import { resolveSqliteStoreOptions, type SqliteStoreOptions } from './options.js';
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
  try {
    const schemaVersion = migrate(db, resolved.tablePrefix);
    return createStoreOnDatabase(db, resolved, schemaVersion);
  } catch (error) {
    db.close();
    throw translateSqliteError(error, 'migrate');
  }
}
