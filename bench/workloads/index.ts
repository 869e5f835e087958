/** The workloads by id. */
import { publish } from './w1-publish.js';
import { drain } from './w2-drain.js';
import { steady } from './w3-steady.js';
import { latency } from './w4-latency.js';
import { pipeline } from './w5-pipeline.js';
import { failures } from './w6-failures.js';
import { groupFairness } from './w7-groups.js';
import { WorkloadId, type Workload } from './types.js';

export const WORKLOADS: Readonly<Partial<Record<WorkloadId, Workload>>> = {
  [WorkloadId.W1]: publish,
  [WorkloadId.W2]: drain,
  [WorkloadId.W3]: steady,
  [WorkloadId.W4]: latency,
  [WorkloadId.W5]: pipeline,
  [WorkloadId.W6]: failures,
  [WorkloadId.W7]: groupFairness,
};
