/**
 * W5 on graphile-worker: one task per stage in one runner whose concurrency is the stage
 * concurrency × 4 (the other systems run each stage at that concurrency). A stage's task adds
 * the next stage's job with helpers.addJob, then returns and graphile-worker completes
 * (deletes) its job; values travel in the payload. Settings: bench/systems/graphile-worker.ts.
 */
import type { Runner } from 'graphile-worker';
import type { Order } from '../../examples/abc/flow.js';
import { openGraphile } from './graphile-worker.js';
import { feeOf, STAGES, type PipelineSpec, type PipelineSystem } from './pipeline-types.js';
import { SystemName, type SystemOptions } from './types.js';

interface StageData {
  readonly seq: number;
  readonly order: Order;
  readonly fee?: number;
  readonly net?: number;
}

export async function createGraphilePipeline(options: SystemOptions): Promise<PipelineSystem> {
  const g = await openGraphile(options);
  let runner: Runner | undefined;
  let flowsCompleted = 0;
  let outAdded = 0;
  let concurrency = 'stage concurrency × 4 stages';

  return {
    name: SystemName.GRAPHILE_WORKER,
    get settings() {
      return {
        ...g.settings(concurrency),
        pipeline: 'one task per stage, one runner; a task adds the next stage’s job (helpers.addJob), then completes',
        feed: 'workerUtils.addJobs',
      };
    },
    async feed(batch) {
      await g.utils.addJobs(
        batch.map((f) => ({
          identifier: 'A',
          payload: { seq: f.seq, order: f.order },
          maxAttempts: options.maxAttempts,
        })),
      );
      g.added += batch.length;
    },
    async start(spec: PipelineSpec) {
      concurrency = `${spec.concurrency * STAGES.length} (stage concurrency × ${STAGES.length} stages)`;
      const add = async (
        helpers: { addJob: (id: string, p: unknown) => Promise<unknown> },
        id: string,
        d: StageData,
      ) => {
        await helpers.addJob(id, d);
        g.added++;
        if (id === 'OUT') outAdded++;
      };
      const r = await g.runner(spec.concurrency * STAGES.length, {
        A: (p, h) => add(h, 'B', p as StageData),
        B: (p, h) => add(h, 'C', { ...(p as StageData), fee: feeOf((p as StageData).order) }),
        C: (p, h) => {
          const d = p as StageData;
          return add(h, 'OUT', { ...d, net: Math.round((d.order.amount - (d.fee ?? 0)) * 100) / 100 });
        },
        OUT: (p) => spec.onDelivered((p as StageData).seq),
      });
      r.events.on('job:complete', ({ job, error }) => {
        if ((error !== undefined && error !== null) || job.task_identifier !== 'OUT') return;
        flowsCompleted++;
        spec.onFlowCompleted((job.payload as StageData).seq);
      });
      runner = r;
    },
    async stop() {
      await runner?.stop();
      runner = undefined;
    },
    flowsCompletedSoFar: () => flowsCompleted,
    counts: () => g.counts(),
    // Completed jobs are deleted: the last stage's completions are its added jobs minus those left.
    async finalCompleted() {
      const left = await g.counts(['OUT']);
      return outAdded - (left.pending + left.active + left.retrying + left.failed);
    },
    async close() {
      await runner?.stop();
      await g.utils.release();
    },
  };
}
