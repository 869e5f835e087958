/**
 * Picks the example's store from EVENTYARD_STORE: `sqlite` (the default: embedded, no
 * server needed).
 */
import type { EventStore } from '../../src/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';

export function storeKindFromEnv(): string {
  return process.env.EVENTYARD_STORE ?? 'sqlite';
}

export async function storeFromEnv(sqlitePath: string): Promise<EventStore> {
  const kind = storeKindFromEnv();
  if (kind === 'sqlite') return createSqliteStore({ path: sqlitePath });
  throw new Error(`EVENTYARD_STORE=${kind}: unknown store (known: sqlite)`);
}
