/**
 * Eventyard's stores for each durability profile, with the settings written down.
 */
import { createMemoryStore } from '../../src/testing/memory-store.js';
import type { EventStore } from '../../src/store/port.js';
import { isRedisProfile } from '../harness/durability.js';
import { SystemName, type Settings, type SystemOptions } from './types.js';

export interface EventyardStore {
  readonly store: EventStore;
  readonly name: SystemName;
  readonly settings: Settings;
}

export async function createEventyardStore(options: SystemOptions): Promise<EventyardStore> {
  // Placeholder until the SQLite and Redis stores land: the in-memory reference store.
  const name = isRedisProfile(options.profile) ? SystemName.EVENTYARD_REDIS : SystemName.EVENTYARD_SQLITE;
  return { store: createMemoryStore(), name, settings: { store: 'memory (placeholder)' } };
}
