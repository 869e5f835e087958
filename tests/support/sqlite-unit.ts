/**
 * Fixtures of the SQLite store's unit tests: a fresh database file per test (`useSqliteFile`
 * registers the hooks; `sqliteFile.path` names it), stores opened on it and closed after the
 * test, and a message and a claim request to vary.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { ClaimRequest, NewMessage } from '../../src/store/port.js';
import { createSqliteStore, type SqliteStore } from '../../src/stores/sqlite/index.js';

/** The current test's directory and database file. */
export const sqliteFile = { dir: '', path: '' };
const opened: SqliteStore[] = [];

export function useSqliteFile(): void {
  beforeEach(() => {
    sqliteFile.dir = mkdtempSync(join(tmpdir(), 'eventyard-sqlite-unit-'));
    sqliteFile.path = join(sqliteFile.dir, 'store.db');
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    rmSync(sqliteFile.dir, { recursive: true, force: true });
  });
}

/** A store on the test's file, closed when the test ends. */
export const open = (options: Parameters<typeof createSqliteStore>[0] = {}): SqliteStore => {
  const store = createSqliteStore({ path: sqliteFile.path, ...options });
  opened.push(store);
  return store;
};

export const message = (overrides: Partial<NewMessage> = {}): NewMessage => ({
  eventId: randomUUID(),
  messageType: 'RQ_UNIT',
  table: 'request',
  payload: '{"n":1}',
  maxAttempts: 3,
  createdBy: 'SERVICE_A',
  ...overrides,
});

export const claimRequest = (overrides: Partial<ClaimRequest> = {}): ClaimRequest => ({
  table: 'request',
  messageTypes: ['RQ_UNIT'],
  limit: 10,
  owner: 'SERVICE_B/unit/1',
  updatedBy: 'SERVICE_B',
  leaseMs: 30_000,
  ...overrides,
});

/** What `work` throws (or rejects with); fails when it does not. */
export async function errorOf(work: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
