/**
 * W5 on BullMQ: one queue per stage (A, B, C, OUT), one Worker per queue at the stage
 * concurrency. A stage's handler adds the next stage's job (Queue.add) and then returns,
 * so the worker completes its job; the values Eventyard keeps as working data travel in
 * the job data. Retention as in W2: every job kept.
 */
import { Queue, Worker, type Job } from 'bullmq';
import type { Order } from '../../examples/abc/flow.js';
import { feeOf, STAGES, type PipelineSpec, type PipelineSystem } from './pipeline-types.js';
import { SystemName, type StoreCounts, type SystemOptions } from './types.js';

interface StageData {
  readonly seq: number;
  readonly order: Order;
  readonly received?: number;
  readonly fee?: number;
  readonly net?: number;
}

const JOB_OPTIONS = { attempts: 5, removeOnComplete: false, removeOnFail: false } as const;

export async function createBullmqPipeline(options: SystemOptions): Promise<PipelineSystem> {
  if (options.redisPort === undefined) throw new Error('bullmq needs a Redis port');
  const connection = { host: '127.0.0.1', port: options.redisPort };
  const queues = STAGES.map((s) => new Queue<StageData>(`flow-${s}`, { connection, defaultJobOptions: JOB_OPTIONS }));
  await Promise.all(queues.map((q) => q.waitUntilReady()));
  const [qA, qB, qC, qOut] = queues as [Queue<StageData>, Queue<StageData>, Queue<StageData>, Queue<StageData>];
  let workers: Worker<StageData>[] = [];
  let flowsCompleted = 0;

  const sum = async (queue: Queue<StageData>): Promise<StoreCounts> => {
    const c = await queue.getJobCounts('wait', 'prioritized', 'active', 'completed', 'failed', 'delayed');
    return {
      pending: (c.wait ?? 0) + (c.prioritized ?? 0),
      active: c.active ?? 0,
      completed: c.completed ?? 0,
      retrying: c.delayed ?? 0,
      failed: c.failed ?? 0,
    };
  };

  return {
    name: SystemName.BULLMQ,
    settings: {
      version: '6.7.0',
      pipeline: 'four queues; each stage adds the next job (Queue.add) before completing',
      'worker concurrency': 'stage concurrency (one Worker per queue)',
      'defaultJobOptions.attempts': 5,
      removeOnComplete: false,
      removeOnFail: false,
      feed: 'Queue.addBulk',
    },
    async feed(batch) {
      await qA.addBulk(batch.map((f) => ({ name: 'A', data: { seq: f.seq, order: f.order } })));
    },
    async start(spec: PipelineSpec) {
      const handlers: ((job: Job<StageData>) => Promise<void>)[] = [
        async (job) => void (await qB.add('B', { ...job.data, received: job.timestamp })),
        async (job) => void (await qC.add('C', { ...job.data, fee: feeOf(job.data.order) })),
        async (job) => {
          const fee = job.data.fee ?? 0;
          await qOut.add('OUT', { ...job.data, net: Math.round((job.data.order.amount - fee) * 100) / 100 });
        },
        async (job) => spec.onDelivered(job.data.seq),
      ];
      workers = STAGES.map(
        (stage, i) =>
          new Worker<StageData>(`flow-${stage}`, handlers[i] as (job: Job<StageData>) => Promise<void>, {
            connection: { ...connection, maxRetriesPerRequest: null },
            concurrency: spec.concurrency,
            autorun: false,
          }),
      );
      const last = workers[workers.length - 1] as Worker<StageData>;
      last.on('completed', (job: Job<StageData>) => {
        flowsCompleted++;
        spec.onFlowCompleted(job.data.seq);
      });
      for (const w of workers) w.on('error', () => undefined);
      await Promise.all(workers.map((w) => w.waitUntilReady()));
      for (const w of workers) void w.run();
    },
    async stop() {
      await Promise.all(workers.map((w) => w.close()));
      workers = [];
    },
    flowsCompletedSoFar: () => flowsCompleted,
    async counts() {
      const all = await Promise.all(queues.map(sum));
      const add = (k: keyof StoreCounts): number => all.reduce((n, c) => n + c[k], 0);
      return {
        pending: add('pending'),
        active: add('active'),
        completed: add('completed'),
        retrying: add('retrying'),
        failed: add('failed'),
      };
    },
    finalCompleted: async () => (await sum(qOut)).completed,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(queues.map((q) => q.close()));
    },
  };
}
