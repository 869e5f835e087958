/**
 * The SQLite store's WAL checkpoints: inline at a threshold (SQLite's own), or on the
 * store's checkpoint thread (src/stores/sqlite/checkpointer.ts) with the WAL rewound by the
 * store's connection when the thread asks.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/processing/logger.js';
import { startCheckpointer } from '../../src/stores/sqlite/checkpointer.js';
import { createSqliteStore, type SqliteStore, type SqliteStoreOptions } from '../../src/stores/sqlite/index.js';

let dir: string;
let file: string;
const opened: SqliteStore[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'eventyard-sqlite-checkpoints-'));
  file = join(dir, 'store.db');
});

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sqlite store: WAL checkpoints', () => {
  const payload = JSON.stringify({ body: 'x'.repeat(1000) });

  /** The database file's size after 400 single publishes of 1 KB (each its own commit). */
  async function fileSizeAfterPublishes(options: SqliteStoreOptions, waitMs = 0): Promise<number> {
    const store = createSqliteStore({ path: file, ...options });
    opened.push(store);
    for (let i = 0; i < 400; i++) {
      await store.publish([
        { eventId: `e${i}`, messageType: 'RQ_B', table: 'request', payload, maxAttempts: 3, createdBy: 'A' },
      ]);
    }
    await sleep(waitMs);
    return statSync(file).size;
  }

  it('inline: leaves small commits in the WAL up to walAutocheckpointPages (default 10000)', async () => {
    // 400 commits of about four pages each pass SQLite's default threshold of 1000 pages.
    expect(await fileSizeAfterPublishes({ checkpoint: 'inline' })).toBeLessThan(100_000);
  });

  it('inline: checkpoints into the file once the WAL holds walAutocheckpointPages', async () => {
    expect(await fileSizeAfterPublishes({ checkpoint: 'inline', walAutocheckpointPages: 100 })).toBeGreaterThan(
      400_000,
    );
  });

  it('background (the default): a thread checkpoints every checkpointIntervalMs, commits never do', async () => {
    // Commits alone would not checkpoint: the thread's interval is longer than the test, and
    // the commits' own threshold does not apply.
    expect(await fileSizeAfterPublishes({ checkpointIntervalMs: 600_000, walAutocheckpointPages: 100 })).toBeLessThan(
      100_000,
    );
    for (const store of opened.splice(0)) await store.close();
    rmSync(file);
    // The thread's checkpoint moves the pages into the file by itself.
    expect(await fileSizeAfterPublishes({ checkpointIntervalMs: 20 }, 500)).toBeGreaterThan(400_000);
  });

  it('background: under steady commits the WAL starts over once it holds walAutocheckpointPages', async () => {
    /** The WAL file's size after 1.5 s of back-to-back batch publishes, with nothing idle between. */
    async function walSizeUnderSteadyWrites(walAutocheckpointPages: number): Promise<number> {
      const path = join(dir, `steady-${walAutocheckpointPages}.db`);
      const store = createSqliteStore({ path, checkpointIntervalMs: 20, walAutocheckpointPages });
      opened.push(store);
      const until = Date.now() + 1500;
      for (let n = 0; Date.now() < until; n++) {
        const batch = Array.from({ length: 50 }, (_, i) => ({
          eventId: `e${n}-${i}`,
          messageType: 'RQ_B',
          table: 'request' as const,
          payload,
          maxAttempts: 3,
          createdBy: 'A',
        }));
        store.publish(batch).catch(() => undefined); // several in flight: a commit always follows
        if (n % 4 === 3) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      return statSync(`${path}-wal`).size;
    }
    // The thread's checkpoints alone never rewind the WAL under steady commits: it holds every
    // page written (tens of MB here). With a rewind asked for at 500 pages it stays small.
    const rewound = await walSizeUnderSteadyWrites(500);
    const unbounded = await walSizeUnderSteadyWrites(1_000_000);
    expect(unbounded).toBeGreaterThan(4 * rewound);
    expect(rewound).toBeLessThan(24 * 1024 * 1024);
  });

  it('background: the WAL starts over under a caller that never lets the event loop turn', async () => {
    // An import loop awaiting one publish after another: each promise is settled when
    // awaited, so no timer, message or I/O callback runs until the loop ends. The thread's
    // request for a rewind reaches the store through shared memory, read after each commit.
    const path = join(dir, 'tight.db');
    const store = createSqliteStore({ path, checkpointIntervalMs: 20, walAutocheckpointPages: 500 });
    opened.push(store);
    const walSize = (): number => statSync(`${path}-wal`).size;
    const publish = (n: number): Promise<unknown> =>
      store.publish([
        { eventId: `e${n}`, messageType: 'RQ_B', table: 'request', payload, maxAttempts: 3, createdBy: 'A' },
      ]);
    // What one commit adds to a WAL that does not start over: the first commits cannot be
    // rewound (the thread asks only once the WAL holds 500 pages), so the file grows by each.
    let n = 0;
    for (let i = 0; i < 10; i++) await publish(n++);
    const before = walSize();
    for (let i = 0; i < 40; i++) await publish(n++);
    const perCommit = (walSize() - before) / 40;
    expect(perCommit).toBeGreaterThan(1000);
    // The thread is running once the WAL file stops growing: 300 commits (megabytes written)
    // without a new high-water mark. Without the rewind it grows by every
    // commit and never settles. Waiting for that, not for a fixed time, keeps a loaded machine
    // (a slow thread start) from counting as a failure.
    let high = 0;
    let sinceHigh = 0;
    const deadline = Date.now() + 15_000;
    while (sinceHigh < 300) {
      expect(Date.now(), 'the WAL never stopped growing').toBeLessThan(deadline);
      await publish(n++);
      const size = walSize();
      sinceHigh = size > high ? 0 : sinceHigh + 1;
      high = Math.max(high, size);
    }
    // Settling is the proof: only a WAL that starts over can take 300 commits without
    // growing. One more second of the same loop keeps it far below what those commits would
    // add to a WAL that never starts over (figures in docs/sqlite.md, "Checkpoints"). The
    // bound is a share of what the loop wrote, not a size: how many commits fit in a second,
    // and how often the thread gets the CPU to ask for a rewind, depend on the machine's load.
    const settled = walSize();
    const first = n;
    const until = Date.now() + 1_000;
    while (Date.now() < until) await publish(n++);
    const unbounded = (n - first) * perCommit;
    expect(walSize() - settled).toBeLessThan(unbounded / 2);
  }, 30_000);

  it('background: close stops the thread and closes its connection (the last one removes the WAL)', async () => {
    const store = createSqliteStore({ path: file, checkpointIntervalMs: 20 });
    await store.publish([
      { eventId: 'e', messageType: 'RQ_B', table: 'request', payload, maxAttempts: 3, createdBy: 'A' },
    ]);
    expect(existsSync(`${file}-wal`)).toBe(true);
    await store.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('background: a store left open does not keep the process alive', () => {
    const script = join(dir, 'left-open.ts');
    const storeModule = new URL('../../src/stores/sqlite/index.ts', import.meta.url).href;
    writeFileSync(
      script,
      `import { createSqliteStore } from '${storeModule}';\n` +
        `createSqliteStore({ path: ${JSON.stringify(file)}, checkpointIntervalMs: 20 });\n`,
    );
    const tsx = new URL('../../node_modules/.bin/tsx', import.meta.url).pathname;
    const result = spawnSync(tsx, [script], { timeout: 20_000, encoding: 'utf8' });
    expect(result.error).toBeUndefined(); // a timeout would be an error here
    expect(result.status).toBe(0);
  });

  it('background: a thread that cannot run hands checkpoints back to the commits, and says so', async () => {
    const warnings: string[] = [];
    let failed = 0;
    const checkpointer = startCheckpointer({
      path: join(dir, 'missing.db'), // the thread opens an existing file only
      intervalMs: 20,
      rewindPages: 1000,
      onRewind: () => undefined,
      onFailed: () => void failed++,
      synchronous: 'NORMAL',
      busyTimeoutMs: 100,
      logger: { ...silentLogger, warn: (_fields, message) => void warnings.push(message) },
    });
    await vi.waitFor(() => expect(failed).toBe(1));
    expect(warnings).toEqual([expect.stringMatching(/checkpoint thread stopped/)]);
    await checkpointer.close();
  });

  it('refuses a threshold below one page and an interval below 10 ms', () => {
    expect(() => createSqliteStore({ path: file, walAutocheckpointPages: 0 })).toThrow(/walAutocheckpointPages/);
    expect(() => createSqliteStore({ path: file, checkpointIntervalMs: 5 })).toThrow(/checkpointIntervalMs/);
  });
});
