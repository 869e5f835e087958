/**
 * Which pages a lone SQLite publish writes to the WAL at its commit: 3,000 events published
 * one at a time through `app.publish` (1 KB payloads), then 300 more, whose WAL frames are
 * read back from the WAL file and named by the b-tree each page belongs to (`dbstat`). The
 * checkpoint thread runs every 10 minutes only, so the WAL keeps every frame of the run.
 * Prints the frames per publish and their split by b-tree (page1: the database header,
 * rewritten when the file grows).
 *
 *   node --import tsx tests/support/sqlite-wal-frames.ts
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { createEventyard, defineMessageType, silentLogger } from '../../src/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';

const WARM = 3000;
const MEASURED = 300;
const path = join(tmpdir(), `eventyard-wal-frames-${process.pid}.db`);
const store = createSqliteStore({ path, checkpointIntervalMs: 600_000 });
const type = defineMessageType({
  name: 'IN_FRAMES',
  schema: { '~standard': { version: 1, vendor: 'probe', validate: (value: unknown) => ({ value }) } },
});
const app = createEventyard({ store, messageTypes: [type], logger: silentLogger });
const bodies = Array.from({ length: 64 }, () => randomBytes(750).toString('base64'));

try {
  for (let i = 0; i < WARM; i++) await app.publish(type, { seq: i, data: bodies[i % 64] });
  const before = readFileSync(`${path}-wal`).length;
  for (let i = 0; i < MEASURED; i++) await app.publish(type, { seq: WARM + i, data: bodies[i % 64] });
  const wal = readFileSync(`${path}-wal`);
  const pageSize = wal.readUInt32BE(8);
  const reader = new Sqlite(path, { readonly: true });
  const owner = new Map(
    reader
      .prepare<[], { name: string; pageno: number }>('SELECT name, pageno FROM dbstat')
      .all()
      .map((r) => [r.pageno, r.name]),
  );
  reader.close();
  const byTree = new Map<string, number>();
  let frames = 0;
  // A frame: a 24-byte header (its page number first), then the page.
  for (let at = before; at + 24 <= wal.length; at += 24 + pageSize) {
    const page = wal.readUInt32BE(at);
    const name = page === 1 ? 'page1' : (owner.get(page) ?? 'freed since');
    byTree.set(name, (byTree.get(name) ?? 0) + 1);
    frames++;
  }
  console.log(`page size ${pageSize}; WAL frames per publish: ${(frames / MEASURED).toFixed(2)}`);
  for (const [name, n] of [...byTree].sort((a, b) => b[1] - a[1])) {
    console.log(`  ${name.padEnd(36)} ${(n / MEASURED).toFixed(2)}`);
  }
} finally {
  await app.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
}
