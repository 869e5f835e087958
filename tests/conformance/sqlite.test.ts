// The SQLite store runs the whole conformance suite, on a fresh file per case and in memory.
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'vitest';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import type { EventStore } from '../../src/store/port.js';
import { runStoreConformance } from '../../src/testing/index.js';

const test = { describe, it, beforeEach, afterEach };

/** A store on a fresh file in the temp directory; closing it also deletes the file and its WAL. */
async function storeOnTempFile(): Promise<EventStore> {
  const path = join(tmpdir(), `eventyard-conformance-${randomUUID()}.db`);
  const store = createSqliteStore({ path, priorityAgingStepMs: 100 });
  const close = async (): Promise<void> => {
    await store.close();
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
  };
  // A proxy, not a spread: the store may be a class instance whose methods live on its prototype.
  return new Proxy(store, {
    get(target, property) {
      if (property === 'close') return close;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

runStoreConformance({
  name: 'sqlite (temp file)',
  createStore: storeOnTempFile,
  features: { multiProcess: true, orderingKeys: true },
  test,
});

runStoreConformance({
  name: 'sqlite (:memory:)',
  createStore: async () => createSqliteStore({ path: ':memory:', priorityAgingStepMs: 100 }),
  features: { multiProcess: true, orderingKeys: true },
  test,
});
