/**
 * What one hot ordering key costs the other keys' claims: a key with `waiting` rows behind
 * its head (the head claimed and held, so its backlog waits), published first, then rounds
 * of 10 rows on 10 other keys, each claimed with a claim of 10 and completed. Prints the
 * median time of those claims per backlog size, for each build given (old against new:
 * run from this checkout, builds are checkouts with a dist/, e.g. bench/build-baseline.sh's).
 *
 *   node --import tsx tests/support/hot-key-probe.ts sqlite .cache/baseline . [waiting=0,10000,100000]
 *
 * PostgreSQL has its own, interleaved claim by claim: tests/support/postgres-key-wait-bench.ts.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { EventStore, NewMessage } from '../../src/store/port.js';

const ROUNDS = 40;
const [kind, ...rest] = process.argv.slice(2);
const sizes = rest.length > 1 && /^[\d,]+$/.test(rest.at(-1) ?? '') ? (rest.pop() as string) : '0,10000,100000';
if (kind !== 'sqlite' || rest.length === 0) {
  console.error('usage: hot-key-probe.ts sqlite <build dir>... [waiting,...]');
  process.exit(2);
}

interface Opened {
  store: EventStore;
  done: () => Promise<void>;
}

async function open(dir: string): Promise<Opened> {
  const dist = (path: string): string => pathToFileURL(join(resolve(dir), 'dist', path)).href;
  const { createSqliteStore } = (await import(dist('stores/sqlite/index.js'))) as {
    createSqliteStore: (options: { path: string }) => EventStore;
  };
  const folder = mkdtempSync(join(tmpdir(), 'ey-hot-key-'));
  const store = createSqliteStore({ path: join(folder, 'store.db') });
  return { store, done: async () => (await store.close(), rmSync(folder, { recursive: true, force: true })) };
}

const message = (orderingKey: string): NewMessage => ({
  eventId: randomUUID(),
  messageType: 'RQ_HOT',
  table: 'request',
  maxAttempts: 3,
  createdBy: 'PROBE',
  orderingKey,
});

const claim = (store: EventStore, limit: number) =>
  store.claim({ table: 'request', messageTypes: ['RQ_HOT'], limit, owner: 'P/1', updatedBy: 'P', leaseMs: 600_000 });

async function probe(dir: string, waiting: number): Promise<number> {
  const { store, done } = await open(dir);
  try {
    for (let i = 0; i <= waiting; i += 1000) {
      await store.publish(Array.from({ length: Math.min(1000, waiting + 1 - i) }, () => message('hot')));
    }
    const [head] = await claim(store, 1);
    if (head?.orderingKey !== 'hot') throw new Error('the hot head was not claimed first');
    const times: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await store.publish(Array.from({ length: 10 }, (_, i) => message(`cold-${round}-${i}`)));
      const started = performance.now();
      const claimed = await claim(store, 10);
      times.push(performance.now() - started);
      if (claimed.length !== 10) throw new Error(`claimed ${claimed.length} cold rows, not 10`);
      const requests = claimed.map((m) => ({
        ref: { table: m.table, eventId: m.eventId, messageType: m.messageType, claimToken: m.claimToken },
        updatedBy: 'P',
        emits: [],
        workingData: [],
      }));
      await store.complete(requests);
    }
    return times.sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? Number.NaN;
  } finally {
    await done();
  }
}

for (const waiting of sizes.split(',').map(Number)) {
  const line = [`${kind} ${waiting} rows behind the hot key: median claim of 10 other keys`];
  for (const dir of rest) line.push(`${dir} ${(await probe(dir, waiting)).toFixed(2)} ms`);
  console.log(line.join('  '));
}
