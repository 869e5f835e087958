/**
 * The SQLite store with several connections on one file: concurrent claimers never share a
 * row, busy handling (a write blocked past busyTimeoutMs fails as EY_STORE_UNAVAILABLE, a
 * shorter lock is waited for), and the cross-connection wake-up hint.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isEventyardError } from '../../src/core/errors.js';
import type { SqliteStore } from '../../src/stores/sqlite/index.js';
import { claimRequest, errorOf, message, open, sqliteFile, useSqliteFile } from '../support/sqlite-unit.js';

useSqliteFile();

describe('sqlite store: several connections on one file', () => {
  it('two store instances claiming concurrently never claim a row twice', async () => {
    const a = open();
    const b = open();
    const rows = 1000;
    for (let i = 0; i < rows; i += 250) await a.publish(Array.from({ length: 250 }, () => message()));
    const seen: string[] = [];
    const worker = async (store: SqliteStore, owner: string): Promise<number> => {
      let mine = 0;
      for (;;) {
        const claimed = await store.claim(claimRequest({ limit: 7, owner }));
        if (claimed.length === 0) return mine;
        mine += claimed.length;
        seen.push(...claimed.map((c) => c.eventId));
        const refs = claimed.map((c) => ({ ...c, ref: c }));
        const outcomes = await store.complete(
          refs.map(({ ref }) => ({ ref, updatedBy: owner, emits: [], workingData: [] })),
        );
        expect(outcomes.every((o) => o === 'ok')).toBe(true);
      }
    };
    const [byA, byB] = await Promise.all([worker(a, 'A'), worker(b, 'B'), worker(a, 'A2'), worker(b, 'B2')]);
    expect(byA).toBeGreaterThan(0);
    expect(byB).toBeGreaterThan(0);
    expect(seen).toHaveLength(rows);
    expect(new Set(seen).size).toBe(rows);
    expect(await b.countByStatus()).toEqual([
      { table: 'request', messageType: 'RQ_UNIT', status: 'COMPLETED', count: rows },
    ]);
  });

  it('a write blocked past busyTimeoutMs fails with EY_STORE_UNAVAILABLE (SQLITE_BUSY kept as cause); reads go on', async () => {
    const store = open({ busyTimeoutMs: 50 });
    await store.publish([message()]);
    const locker = new Sqlite(sqliteFile.path);
    locker.exec('BEGIN IMMEDIATE');
    try {
      const error = await errorOf(store.publish([message()]));
      expect(isEventyardError(error, 'EY_STORE_UNAVAILABLE')).toBe(true);
      expect(isEventyardError(error) && error.details).toMatchObject({ sqliteCode: 'SQLITE_BUSY', transient: true });
      expect((error as Error).cause).toMatchObject({ code: 'SQLITE_BUSY' });
      expect(isEventyardError(await errorOf(store.claim(claimRequest())), 'EY_STORE_UNAVAILABLE')).toBe(true);
      expect((await store.list({ limit: 10 })).rows).toHaveLength(1);
    } finally {
      locker.exec('COMMIT');
      locker.close();
    }
    expect(await store.publish([message()])).toHaveLength(1);
    expect(await store.claim(claimRequest())).toHaveLength(2);
  });

  it('a write waits for a lock another thread holds shorter than busyTimeoutMs', async () => {
    const store = open({ busyTimeoutMs: 5000 });
    const sqlitePath = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       const db = new (require(workerData.sqlitePath))(workerData.file);
       db.exec('BEGIN IMMEDIATE');
       parentPort.postMessage('locked');
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
       db.exec('COMMIT');
       db.close();`,
      { eval: true, workerData: { file: sqliteFile.path, sqlitePath } },
    );
    await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const started = performance.now();
    const results = await store.publish([message()]);
    expect(results[0]?.created).toBe(true);
    expect(performance.now() - started).toBeGreaterThan(100);
    await worker.terminate();
  });

  it('waitForMessages wakes on a publish by another connection', async () => {
    const waiter = open();
    const writer = open();
    const controller = new AbortController();
    const started = performance.now();
    const waiting = waiter.waitForMessages?.('request', 10_000, controller.signal);
    await new Promise((r) => setTimeout(r, 30));
    await writer.publish([message({ table: 'response', messageType: 'RS_OTHER' })]);
    await new Promise((r) => setTimeout(r, 150));
    await writer.publish([message()]);
    await waiting;
    const tookMs = performance.now() - started;
    expect(tookMs).toBeGreaterThan(170);
    expect(tookMs).toBeLessThan(1000);
  });
});
