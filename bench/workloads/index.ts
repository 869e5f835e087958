/** The workloads by id. */
import { publish } from './w1-publish.js';
import { drain } from './w2-drain.js';
import { pipeline } from './w5-pipeline.js';
import { WorkloadId, type Workload } from './types.js';

export const WORKLOADS: Readonly<Partial<Record<WorkloadId, Workload>>> = {
  [WorkloadId.W1]: publish,
  [WorkloadId.W2]: drain,
  [WorkloadId.W5]: pipeline,
};
