/**
 * Opens the database file with the settings that let several processes share it safely:
 * WAL (readers never block the writer), a busy timeout (a writer waits for another's lock
 * instead of failing at once), and every write transaction started with BEGIN IMMEDIATE by
 * the store (the write lock is taken up front, so two transactions never deadlock trying to
 * upgrade a read lock).
 */
import Sqlite from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import type { ResolvedSqliteStoreOptions } from './options.js';

export function openDatabase(options: ResolvedSqliteStoreOptions): Database {
  const db = new Sqlite(options.path, { timeout: options.busyTimeoutMs });
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
    if (options.path !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous}`);
    db.pragma(`wal_autocheckpoint = ${options.walAutocheckpointPages}`);
    // Keep temporary b-trees (sorts, IN lists) off the disk.
    db.pragma('temp_store = MEMORY');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
