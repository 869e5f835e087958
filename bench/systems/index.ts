/** Builds the system under test a run names. */
import { createBullmq } from './bullmq.js';
import { createEventyardSystem } from './eventyard.js';
import { createGraphileWorker } from './graphile-worker.js';
import { createPgBoss } from './pgboss.js';
import { createPgFloor } from './pg-floor.js';
import { createFloorRedis } from './floor-redis.js';
import { createFloorSqlite } from './floor-sqlite.js';
import { createPlainjob } from './plainjob.js';
import { SystemName, type QueueSystem, type SystemOptions } from './types.js';

export function createSystem(name: SystemName, options: SystemOptions): Promise<QueueSystem> {
  switch (name) {
    case SystemName.EVENTYARD_REDIS:
    case SystemName.EVENTYARD_SQLITE:
    case SystemName.EVENTYARD_POSTGRES:
    case SystemName.EVENTYARD_REDIS_BASE:
    case SystemName.EVENTYARD_SQLITE_BASE:
      return createEventyardSystem(options);
    case SystemName.EVENTYARD_REDIS_KEYED:
    case SystemName.EVENTYARD_SQLITE_KEYED:
      return createEventyardSystem(options, options.eventyardTuning?.orderingKeys ?? 1000);
    case SystemName.EVENTYARD_SQLITE_METRICS:
      return createEventyardSystem({ ...options, eventyardTuning: { ...options.eventyardTuning, metrics: true } });
    case SystemName.BULLMQ:
      return createBullmq(options);
    case SystemName.PLAINJOB:
      return createPlainjob(options);
    case SystemName.PGBOSS:
      return createPgBoss(options);
    case SystemName.GRAPHILE_WORKER:
      return createGraphileWorker(options);
    case SystemName.PG_FLOOR:
      return createPgFloor(options);
    case SystemName.FLOOR_SQLITE:
      return createFloorSqlite(options);
    case SystemName.FLOOR_REDIS:
      return createFloorRedis(options);
  }
}

export const isEventyard = (name: SystemName): boolean =>
  name === SystemName.EVENTYARD_REDIS ||
  name === SystemName.EVENTYARD_SQLITE ||
  name === SystemName.EVENTYARD_POSTGRES ||
  name === SystemName.EVENTYARD_SQLITE_METRICS ||
  name === SystemName.EVENTYARD_REDIS_BASE ||
  name === SystemName.EVENTYARD_SQLITE_BASE ||
  name === SystemName.EVENTYARD_REDIS_KEYED ||
  name === SystemName.EVENTYARD_SQLITE_KEYED;
