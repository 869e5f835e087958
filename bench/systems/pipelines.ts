/** Builds the W5 pipeline of the system a run names. */
import { createBullmqPipeline } from './bullmq-pipeline.js';
import { createEventyardPipeline } from './eventyard-pipeline.js';
import type { PipelineSystem } from './pipeline-types.js';
import { createPlainjobPipeline } from './plainjob-pipeline.js';
import { SystemName, type SystemOptions } from './types.js';

export function createPipeline(name: SystemName, options: SystemOptions): Promise<PipelineSystem> {
  switch (name) {
    case SystemName.EVENTYARD_REDIS:
    case SystemName.EVENTYARD_SQLITE:
    case SystemName.EVENTYARD_SQLITE_METRICS:
      return createEventyardPipeline(options);
    case SystemName.BULLMQ:
      return createBullmqPipeline(options);
    case SystemName.PLAINJOB:
      return createPlainjobPipeline(options);
  }
}
