/** Opens the store a system-test worker or test runs against. */
import type { EventStore } from '../../src/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';

export async function openStore(kind: string, location: string): Promise<EventStore> {
  switch (kind) {
    case 'sqlite':
      return createSqliteStore({ path: location });
    case 'redis':
      return (await import('./redis-open.js')).openRedisStore(location);
    case 'postgres':
      return (await import('./postgres-open.js')).openPostgresStore(location);
    default:
      throw new Error(`unknown store kind ${kind}`);
  }
}
