/**
 * plainjob 0.0.14 on better-sqlite3, a fresh database file per run. plainjob sets
 * journal_mode=WAL and synchronous=NORMAL itself; the run's profile is applied on the
 * same connection afterwards, so both systems write with the same settings. A plainjob
 * worker handles one job at a time, so concurrency N is N workers on the one queue in this
 * process (its README's way to more throughput). Its poll interval is set to 10 ms,
 * Eventyard's first idle back-off step, instead of its default 1 s. plainjob has no
 * retries: a thrown handler marks the job failed for good.
 */
import Database from 'better-sqlite3';
import { better, defineQueue, defineWorker, JobStatus, type Logger, type Worker } from 'plainjob';
import { sqliteSynchronous, type SqliteProfile } from '../harness/durability.js';
import type { BenchPayload } from '../harness/payloads.js';
import { SystemName, type QueueSystem, type StoreCounts, type SystemOptions, type WorkerSpec } from './types.js';

const TYPE = 'bench';
const POLL_MS = 10;
const silent: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

export async function createPlainjob(options: SystemOptions): Promise<QueueSystem> {
  if (options.sqlitePath === undefined) throw new Error('plainjob needs a SQLite path');
  const synchronous = sqliteSynchronous(options.profile as SqliteProfile);
  const db = new Database(options.sqlitePath);
  const queue = defineQueue({
    connection: better(db),
    logger: silent,
    timeout: options.leaseMs,
    maintenanceInterval: Math.min(60_000, options.leaseMs),
  });
  db.pragma(`synchronous = ${synchronous}`);
  let workers: { worker: Worker; done: Promise<void> }[] = [];
  let completed = 0;
  const inFlight = new Map<number, BenchPayload>();

  return {
    name: SystemName.PLAINJOB,
    settings: {
      version: '0.0.14',
      driver: 'better-sqlite3 12',
      journal_mode: String(db.pragma('journal_mode', { simple: true })),
      synchronous,
      busy_timeout: 5000,
      workers: 'workload concurrency (one job at a time each, one process)',
      pollIntervall: POLL_MS,
      timeout: options.leaseMs,
      maintenanceInterval: Math.min(60_000, options.leaseMs),
      retries: 'none (plainjob has no retry)',
      publishBatch: 'queue.addMany (one transaction)',
    },
    async publish(payload) {
      queue.add(TYPE, payload);
    },
    async publishBatch(payloads) {
      queue.addMany(TYPE, payloads as BenchPayload[]);
    },
    async startWorkers(spec: WorkerSpec) {
      for (let i = 0; i < spec.concurrency; i++) {
        const worker = defineWorker(
          TYPE,
          async (job) => {
            const payload = JSON.parse(job.data) as BenchPayload;
            if (spec.onCompleted) inFlight.set(job.id, payload);
            await spec.handle({ payload, attempt: 1 });
          },
          {
            queue,
            logger: silent,
            pollIntervall: POLL_MS,
            onCompleted: (job) => {
              completed++;
              const payload = inFlight.get(job.id);
              if (payload !== undefined && spec.onCompleted) {
                inFlight.delete(job.id);
                spec.onCompleted(payload);
              }
            },
          },
        );
        workers.push({ worker, done: worker.start() });
      }
    },
    async stopWorkers() {
      await Promise.all(workers.map((w) => w.worker.stop()));
      await Promise.all(workers.map((w) => w.done));
      workers = [];
    },
    completedSoFar: () => completed,
    async counts(): Promise<StoreCounts> {
      return {
        pending: queue.countJobs({ status: JobStatus.Pending }),
        active: queue.countJobs({ status: JobStatus.Processing }),
        completed: queue.countJobs({ status: JobStatus.Done }),
        retrying: 0,
        failed: queue.countJobs({ status: JobStatus.Failed }),
      };
    },
    async close() {
      queue.close();
    },
  };
}
