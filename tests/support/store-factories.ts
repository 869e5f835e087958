/**
 * Every store the cross-store tiers run against, as one list: the in-memory reference store
 * first (the model the others are compared with), then SQLite, Redis and PostgreSQL. A new
 * store joins the property tier and the public-input tests by adding one entry here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { EventStore } from '../../src/index.js';
import { createMemoryStore } from '../../src/testing/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import { createRedisStore } from '../../src/stores/redis/index.js';
import { deletePrefix, randomPrefix, SINGLE_REDIS } from './redis-keys.js';
import { storeInFreshSchema } from './postgres.js';

export interface OpenedStore {
  readonly store: EventStore;
  /** Closes the store and deletes its data (file, key prefix). */
  dispose(): Promise<void>;
}

export interface StoreFactory {
  readonly name: string;
  open(): Promise<OpenedStore>;
}

export const MEMORY_FACTORY: StoreFactory = {
  name: 'memory',
  async open() {
    const store = createMemoryStore();
    return { store, dispose: () => store.close() };
  },
};

export const STORE_FACTORIES: readonly StoreFactory[] = [
  MEMORY_FACTORY,
  {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'ey-input-'));
      const store = createSqliteStore({ path: join(dir, 'store.db') });
      return {
        store,
        async dispose() {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'redis',
    async open() {
      const keyPrefix = randomPrefix('input');
      const store = createRedisStore({ ...SINGLE_REDIS, keyPrefix });
      return {
        store,
        async dispose() {
          await store.close();
          const admin = new Redis({ ...SINGLE_REDIS, maxRetriesPerRequest: 1 });
          try {
            await deletePrefix(admin, keyPrefix);
          } finally {
            await admin.quit();
          }
        },
      };
    },
  },
  {
    name: 'postgres',
    async open() {
      // A fresh schema per store; closing it drops the schema (tests/support/postgres.ts).
      const store = await storeInFreshSchema({}, 'input');
      return { store, dispose: () => store.close() };
    },
  },
];
