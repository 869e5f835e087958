/**
 * Picks the example's store from EVENTYARD_STORE:
 * - `sqlite` (the default): embedded, no server; the file given by --db;
 * - `redis`: EVENTYARD_REDIS_URL (default redis://127.0.0.1:6379), keys under
 *   EVENTYARD_REDIS_PREFIX (default: a new `eyabc-<random>` per run, set in the environment
 *   so that child processes of the run share it).
 */
import { randomUUID } from 'node:crypto';
import type { EventStore } from '../../src/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';

export function storeKindFromEnv(): string {
  return process.env.EVENTYARD_STORE ?? 'sqlite';
}

/** Deletes every row, payload and working data of the run (Redis is shared; a temp SQLite file is simply removed). */
export async function purgeRun(store: EventStore): Promise<void> {
  if (storeKindFromEnv() !== 'redis') return;
  const request = { statuses: ['COMPLETED', 'FAILED'] as const, olderThanMs: 0, limit: 10_000 };
  while ((await store.purge({ ...request, statuses: [...request.statuses] })) === request.limit);
}

export async function storeFromEnv(sqlitePath: string): Promise<EventStore> {
  const kind = storeKindFromEnv();
  if (kind === 'sqlite') return createSqliteStore({ path: sqlitePath });
  if (kind === 'redis') {
    const { createRedisStore } = await import('../../src/stores/redis/index.js');
    return createRedisStore({
      url: process.env.EVENTYARD_REDIS_URL ?? 'redis://127.0.0.1:6379',
      keyPrefix: (process.env.EVENTYARD_REDIS_PREFIX ??= `eyabc-${randomUUID().slice(0, 8)}`),
    });
  }
  throw new Error(`EVENTYARD_STORE=${kind}: unknown store (known: sqlite, redis)`);
}
