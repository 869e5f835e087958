/**
 * Opens a PostgreSQL store for a system-test worker from its `--db` argument: the store
 * options as JSON, e.g. `{"connectionString":"postgres://...","schema":"ey_sys_1a2b"}`.
 */
import type { EventStore } from '../../src/index.js';
import { createPostgresStore, type PostgresStoreOptions } from '../../src/stores/postgres/index.js';

export function openPostgresStore(location: string): Promise<EventStore> {
  return createPostgresStore(JSON.parse(location) as PostgresStoreOptions);
}
