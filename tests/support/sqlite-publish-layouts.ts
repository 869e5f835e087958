/**
 * What a SQLite publish costs in each candidate layout, without the store's JavaScript: the
 * bare better-sqlite3 writes of one event (1 KB payload, time-ordered UUIDv7 ids), each
 * layout on its own WAL file (synchronous=NORMAL, wal_autocheckpoint 10000 as the store sets),
 * interleaved 500 publishes at a time in one process so that all of them see the same machine
 * load. Prints this process's CPU µs per publish (median over the chunks) and the median
 * per-chunk ratio to the first layout.
 *
 *   node --import tsx tests/support/sqlite-publish-layouts.ts [batch=1] [layouts=v7,inline,keyTable,plainjob]
 *
 * batch 1: every publish its own transaction (W1 "1 in flight"); 100: W1 "batches of 100".
 * Layouts:
 * - v7: the store's (schema version 7): a payload row, then the message row carrying its id;
 *   four b-trees (payload, messages, the (event_id, message_type) key, the claim index);
 * - v7NoClaimIndex: v7 without the claim index (what that index costs a publish);
 * - inline: the payload in the message row, three b-trees (every claim and completion then
 *   rewrites the wide row: see docs/sqlite.md, "Publish path");
 * - keyTable: a WITHOUT ROWID table keyed (event_id, message_type) holding seq and the
 *   payload, the message row narrow and without its UNIQUE key, three b-trees (a 1 KB payload
 *   overflows an index b-tree's cell: a fourth page);
 * - plainjob: plainjob 0.0.14's table and index, two b-trees.
 * No row of the store is read; drain costs are not measured here (tests/support/interleaved-ab.ts).
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite, { type Database } from 'better-sqlite3';
import { uuidV7Generator } from '../../src/core/clock.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';

type Publish = (eventId: string, payload: string) => void;

const [batchArg = '1', layoutsArg = 'v7,inline,keyTable,plainjob'] = process.argv.slice(2);
const batch = Number(batchArg);
const names = layoutsArg.split(',');
const CHUNK = 500;
const CHUNKS = 40;

const COLUMNS = `event_id, message_type, table_name, status, created_by, updated_by, created_at, updated_at,
  attempts, max_attempts, available_at`;
const VALUES = `?, 'IN_X', 'inbound', 'UNPROCESSED', 'EXTERNAL', 'EXTERNAL', ?, ?, 0, 3, ?`;

/** `write(eventId, payload, now)` per event: alone in its transaction, or `batch` to one. */
function transactions(db: Database, write: (eventId: string, payload: string, now: number) => void): Publish {
  const run = db.transaction((items: readonly [string, string][], now: number) => {
    for (const [eventId, payload] of items) write(eventId, payload, now);
  });
  let items: [string, string][] = [];
  return (eventId, payload) => {
    items.push([eventId, payload]);
    if (items.length < batch) return;
    run.immediate(items, Date.now());
    items = [];
  };
}

const layouts: Record<string, (db: Database) => Publish> = {
  v7: (db) => {
    const payload = db.prepare('INSERT INTO ey_payload (payload) VALUES (?)');
    const message = db.prepare(
      `INSERT INTO ey_messages (${COLUMNS}, payload_id) VALUES (${VALUES}, ?) ON CONFLICT (event_id, message_type) DO NOTHING`,
    );
    return transactions(db, (id, text, now) => message.run(id, now, now, now, payload.run(text).lastInsertRowid));
  },
  v7NoClaimIndex: (db) => {
    db.exec('DROP INDEX ey_messages_claimable');
    return (layouts['v7'] as (db: Database) => Publish)(db);
  },
  inline: (db) => {
    db.exec('ALTER TABLE ey_messages ADD COLUMN payload TEXT');
    const message = db.prepare(
      `INSERT INTO ey_messages (${COLUMNS}, payload) VALUES (${VALUES}, ?) ON CONFLICT (event_id, message_type) DO NOTHING`,
    );
    return transactions(db, (id, text, now) => message.run(id, now, now, now, text));
  },
  keyTable: (db) => {
    // The messages table without its UNIQUE key: the same columns and indexes, rebuilt.
    const indexes = db
      .prepare("SELECT sql FROM sqlite_master WHERE tbl_name = 'ey_messages' AND type = 'index' AND sql IS NOT NULL")
      .pluck()
      .all() as string[];
    const table = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'ey_messages'").pluck().get() as string;
    db.exec('DROP TABLE ey_messages');
    db.exec(table.replace(/,\s*UNIQUE \(event_id, message_type\)/, ''));
    for (const index of indexes) db.exec(index);
    db.exec(`CREATE TABLE ey_keys (event_id TEXT NOT NULL, message_type TEXT NOT NULL, seq INTEGER NOT NULL,
      payload TEXT, PRIMARY KEY (event_id, message_type)) WITHOUT ROWID`);
    const message = db.prepare(`INSERT INTO ey_messages (${COLUMNS}) VALUES (${VALUES})`);
    const key = db.prepare(
      'INSERT INTO ey_keys (event_id, message_type, seq, payload) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    );
    const drop = db.prepare('DELETE FROM ey_messages WHERE seq = ?');
    return transactions(db, (id, text, now) => {
      const seq = message.run(id, now, now, now).lastInsertRowid;
      if (key.run(id, 'IN_X', seq, text).changes === 0) drop.run(seq);
    });
  },
  plainjob: (db) => {
    db.exec(`CREATE TABLE plainjob_jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, data TEXT NOT NULL,
      status INTEGER DEFAULT 0 NOT NULL, failed_at INTEGER, error TEXT, next_run_at INTEGER, created_at INTEGER NOT NULL);
      CREATE INDEX idx_jobs_status_type_next_run_at ON plainjob_jobs (status, type, next_run_at)`);
    const job = db.prepare(
      'INSERT INTO plainjob_jobs (type, data, created_at, next_run_at) VALUES (@type, @data, @createdAt, @nextRunAt)',
    );
    const write = (_id: string, data: string, now: number): unknown =>
      job.run({ type: 'bench', data, createdAt: now, nextRunAt: now });
    // plainjob's add() is one autocommitted INSERT; addMany() one transaction.
    return batch === 1 ? (id, data) => void write(id, data, Date.now()) : transactions(db, write);
  },
};

async function open(name: string): Promise<{ publish: Publish; close: () => void }> {
  const make = layouts[name];
  if (make === undefined) throw new Error(`unknown layout ${name}`);
  const path = join(tmpdir(), `eventyard-layout-${name}.db`);
  const clean = (): void => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  };
  clean();
  if (name !== 'plainjob') await createSqliteStore({ path }).close();
  const db = new Sqlite(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 10000');
  return { publish: make(db), close: () => (db.close(), clean()) };
}

const payloads = Array.from({ length: 256 }, (_, seq) =>
  JSON.stringify({ seq, sentAt: 0, data: randomBytes(750).toString('base64') }),
);
const sides = await Promise.all(names.map(open));
const cpu = sides.map((): number[] => []);
let next = 0;
for (let chunk = 0; chunk <= CHUNKS; chunk++) {
  const order = chunk % 2 === 0 ? sides.map((_, i) => i) : sides.map((_, i) => sides.length - 1 - i);
  for (const i of order) {
    const side = sides[i] as (typeof sides)[number];
    const start = process.cpuUsage();
    for (let n = 0; n < CHUNK; n++) side.publish(uuidV7Generator.next(), payloads[next++ % payloads.length] as string);
    const used = process.cpuUsage(start);
    if (chunk > 0) (cpu[i] as number[]).push((used.user + used.system) / CHUNK); // chunk 0 warms up
  }
}
const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1] ?? NaN;
const first = cpu[0] as number[];
console.log(`batch ${batch}: CPU µs per publish (median of ${CHUNKS} chunks of ${CHUNK}), ratio to ${names[0]}`);
names.forEach((name, i) => {
  const mine = cpu[i] as number[];
  const ratio = median(mine.map((v, k) => v / (first[k] as number)));
  console.log(`${name.padEnd(16)} ${median(mine).toFixed(1).padStart(6)}  ${ratio.toFixed(2)}`);
});
for (const side of sides) side.close();
