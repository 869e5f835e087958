/** Builds the W5 pipeline of the system a run names. */
import { createBullmqPipeline } from './bullmq-pipeline.js';
import { createEventyardPipeline } from './eventyard-pipeline.js';
import { createGraphilePipeline } from './graphile-worker-pipeline.js';
import { createPgBossPipeline } from './pgboss-pipeline.js';
import type { PipelineSystem } from './pipeline-types.js';
import { createPlainjobPipeline } from './plainjob-pipeline.js';
import { SystemName, type SystemOptions } from './types.js';

export function createPipeline(name: SystemName, options: SystemOptions): Promise<PipelineSystem> {
  switch (name) {
    case SystemName.EVENTYARD_REDIS:
    case SystemName.EVENTYARD_SQLITE:
    case SystemName.EVENTYARD_SQLITE_METRICS:
    case SystemName.EVENTYARD_POSTGRES:
    case SystemName.EVENTYARD_REDIS_BASE:
    case SystemName.EVENTYARD_SQLITE_BASE:
      return createEventyardPipeline(options);
    case SystemName.BULLMQ:
      return createBullmqPipeline(options);
    case SystemName.PLAINJOB:
      return createPlainjobPipeline(options);
    case SystemName.PGBOSS:
      return createPgBossPipeline(options);
    case SystemName.GRAPHILE_WORKER:
      return createGraphilePipeline(options);
    case SystemName.PG_FLOOR:
      throw new Error('the floor has no W5 pipeline');
    case SystemName.FLOOR_SQLITE:
    case SystemName.FLOOR_REDIS:
      return Promise.reject(new Error(`${name} has no W5 pipeline: the floor cases are W2 only`));
    case SystemName.EVENTYARD_REDIS_KEYED:
    case SystemName.EVENTYARD_SQLITE_KEYED:
      return Promise.reject(new Error(`${name} has no W5 pipeline: the ordered cases are W2 only`));
  }
}
