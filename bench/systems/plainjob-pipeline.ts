/**
 * W5 on plainjob: one job type per stage on one queue (one SQLite file), `concurrency`
 * workers per stage. A stage's handler adds the next stage's job, then returns and
 * plainjob marks its job done; values travel in the job data.
 */
import Database from 'better-sqlite3';
import { better, defineQueue, defineWorker, JobStatus, type Logger, type Worker } from 'plainjob';
import type { Order } from '../../examples/abc/flow.js';
import { sqliteSynchronous, type SqliteProfile } from '../harness/durability.js';
import { feeOf, STAGES, type PipelineSpec, type PipelineSystem } from './pipeline-types.js';
import { SystemName, type SystemOptions } from './types.js';

interface StageData {
  readonly seq: number;
  readonly order: Order;
  readonly fee?: number;
  readonly net?: number;
}

const POLL_MS = 10;
const silent: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

export async function createPlainjobPipeline(options: SystemOptions): Promise<PipelineSystem> {
  if (options.sqlitePath === undefined) throw new Error('plainjob needs a SQLite path');
  const synchronous = sqliteSynchronous(options.profile as SqliteProfile);
  const db = new Database(options.sqlitePath);
  const queue = defineQueue({ connection: better(db), logger: silent, timeout: options.leaseMs });
  db.pragma(`synchronous = ${synchronous}`);
  let workers: { worker: Worker; done: Promise<void> }[] = [];
  let flowsCompleted = 0;
  const count = (status: JobStatus, type?: string): number =>
    type === undefined ? queue.countJobs({ status }) : queue.countJobs({ status, type });

  return {
    name: SystemName.PLAINJOB,
    settings: {
      version: '0.0.14',
      pipeline: 'four job types on one queue; each stage adds the next job before completing',
      synchronous,
      journal_mode: 'WAL',
      workers: 'stage concurrency per stage (one job at a time each, one process)',
      pollIntervall: POLL_MS,
      feed: 'queue.addMany',
    },
    async feed(batch) {
      queue.addMany(
        'A',
        batch.map((f) => ({ seq: f.seq, order: f.order })),
      );
    },
    async start(spec: PipelineSpec) {
      const next: Record<string, (d: StageData) => void> = {
        A: (d) => void queue.add('B', d),
        B: (d) => void queue.add('C', { ...d, fee: feeOf(d.order) }),
        C: (d) => void queue.add('OUT', { ...d, net: Math.round((d.order.amount - (d.fee ?? 0)) * 100) / 100 }),
        OUT: (d) => spec.onDelivered(d.seq),
      };
      for (const stage of STAGES) {
        for (let i = 0; i < spec.concurrency; i++) {
          const seqs = new Map<number, number>();
          const worker = defineWorker(
            stage,
            (job) => {
              const data = JSON.parse(job.data) as StageData;
              if (stage === 'OUT') seqs.set(job.id, data.seq);
              (next[stage] as (d: StageData) => void)(data);
            },
            {
              queue,
              logger: silent,
              pollIntervall: POLL_MS,
              onCompleted: (job) => {
                if (stage !== 'OUT') return;
                flowsCompleted++;
                const seq = seqs.get(job.id);
                if (seq !== undefined) spec.onFlowCompleted(seq);
                seqs.delete(job.id);
              },
            },
          );
          workers.push({ worker, done: worker.start() });
        }
      }
    },
    async stop() {
      await Promise.all(workers.map((w) => w.worker.stop()));
      await Promise.all(workers.map((w) => w.done));
      workers = [];
    },
    flowsCompletedSoFar: () => flowsCompleted,
    async counts() {
      return {
        pending: count(JobStatus.Pending),
        active: count(JobStatus.Processing),
        completed: count(JobStatus.Done),
        retrying: 0,
        failed: count(JobStatus.Failed),
      };
    },
    finalCompleted: async () => count(JobStatus.Done, 'OUT'),
    async close() {
      queue.close();
    },
  };
}
