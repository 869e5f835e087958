/**
 * W5 on pg-boss: one queue per stage, a work() per stage with batchSize = the stage
 * concurrency (bench/systems/pgboss.ts has the settings). A stage's batch handler inserts the
 * next stage's jobs for its whole batch in one boss.insert, then returns and pg-boss completes
 * the batch; values travel in the job data.
 */
import type { Job } from 'pg-boss';
import type { Order } from '../../examples/abc/flow.js';
import { feeOf, STAGES, type PipelineSpec, type PipelineSystem } from './pipeline-types.js';
import { settleEach, startPgBoss, workOptions, workSettings } from './pgboss.js';
import { SystemName, type SystemOptions } from './types.js';

interface StageData {
  readonly seq: number;
  readonly order: Order;
  readonly fee?: number;
  readonly net?: number;
}

const queueOf = (stage: string): string => `stage-${stage.toLowerCase()}`;

export async function createPgBossPipeline(options: SystemOptions): Promise<PipelineSystem> {
  const handle = await startPgBoss(options, STAGES.map(queueOf));
  const { boss } = handle;
  let flowsCompleted = 0;

  return {
    name: SystemName.PGBOSS,
    settings: {
      ...handle.settings,
      ...workSettings('stage concurrency'),
      pipeline: 'one queue per stage; a batch handler inserts the next stage’s jobs (one boss.insert), then completes',
      feed: 'boss.insert',
    },
    async feed(batch) {
      await boss.insert(
        queueOf('A'),
        batch.map((f) => ({ data: { seq: f.seq, order: f.order } })),
      );
    },
    async start(spec: PipelineSpec) {
      const next: Record<string, (d: StageData) => StageData | undefined> = {
        A: (d) => d,
        B: (d) => ({ ...d, fee: feeOf(d.order) }),
        C: (d) => ({ ...d, net: Math.round((d.order.amount - (d.fee ?? 0)) * 100) / 100 }),
        OUT: (d) => void spec.onDelivered(d.seq),
      };
      for (const [i, stage] of STAGES.entries()) {
        const to = STAGES[i + 1];
        await boss.work<StageData>(queueOf(stage), workOptions(spec.concurrency), async (jobs) => {
          const out: StageData[] = [];
          const results = await settleEach(jobs, (job: Job<StageData>) => {
            const d = (next[stage] as (d: StageData) => StageData | undefined)(job.data);
            if (d) out.push(d);
          });
          if (to !== undefined && out.length > 0)
            await boss.insert(
              queueOf(to),
              out.map((data) => ({ data })),
            );
          if (stage === 'OUT') {
            for (const [k, r] of results.entries()) {
              if (r.status !== 'completed') continue;
              flowsCompleted++;
              spec.onFlowCompleted((jobs[k] as Job<StageData>).data.seq);
            }
          }
          return results;
        });
      }
    },
    async stop() {
      for (const stage of STAGES) await boss.offWork(queueOf(stage), { wait: true });
    },
    flowsCompletedSoFar: () => flowsCompleted,
    counts: () => handle.countStates(STAGES.map(queueOf)),
    finalCompleted: async () => (await handle.countStates([queueOf('OUT')])).completed,
    async close() {
      await boss.stop({ graceful: true });
    },
  };
}
