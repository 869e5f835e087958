/**
 * Eventyard's stores for each durability profile, with the settings written down.
 */
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import { createRedisStore } from '../../src/stores/redis/index.js';
import { createPostgresStore } from '../../src/stores/postgres/index.js';
import type { EventStore } from '../../src/store/port.js';
import { isPgProfile, isRedisProfile, sqliteSynchronous } from '../harness/durability.js';
import { SystemName, type Settings, type SystemOptions } from './types.js';

export interface EventyardStore {
  readonly store: EventStore;
  readonly name: SystemName;
  readonly settings: Settings;
}

export async function createEventyardStore(options: SystemOptions): Promise<EventyardStore> {
  if (isRedisProfile(options.profile)) {
    if (options.redisPort === undefined) throw new Error('the Redis store needs a port');
    const store = createRedisStore({ host: '127.0.0.1', port: options.redisPort });
    return {
      store,
      name: SystemName.EVENTYARD_REDIS,
      settings: {
        store: 'createRedisStore (ioredis 6, single server)',
        keyPrefix: 'eventyard (default)',
        partitions: '1 (default on a single server)',
        retainCompletedMs: '3600000 (default: COMPLETED rows kept for the whole run)',
      },
    };
  }
  if (isPgProfile(options.profile)) {
    if (options.pgUrl === undefined) throw new Error('the PostgreSQL store needs a URL');
    const store = await createPostgresStore({ connectionString: options.pgUrl });
    return {
      store,
      name: SystemName.EVENTYARD_POSTGRES,
      settings: {
        store: 'createPostgresStore (node-postgres 8)',
        schema: 'eventyard (default)',
        poolSize: '10 (default)',
        notify: 'true (default: LISTEN/NOTIFY wake-ups)',
        retainCompletedMs: '3600000 (default: COMPLETED rows kept for the whole run)',
      },
    };
  }
  if (options.sqlitePath === undefined) throw new Error('the SQLite store needs a path');
  const synchronous = sqliteSynchronous(options.profile);
  const store = createSqliteStore({ path: options.sqlitePath, synchronous });
  return {
    store,
    name: SystemName.EVENTYARD_SQLITE,
    settings: {
      store: 'createSqliteStore (better-sqlite3 12)',
      journal_mode: 'WAL',
      synchronous,
      busyTimeoutMs: '5000 (default)',
      checkpoint: 'background, every 1000 ms (default)',
    },
  };
}
