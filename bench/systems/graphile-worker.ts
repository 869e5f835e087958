/**
 * graphile-worker 0.18 on the run's private PostgreSQL, configured as its "Performance" page
 * does for throughput: concurrency = the workload's, a local queue of 500 (jobs fetched and
 * locked in one batch, handed to the pool's workers without a round trip each),
 * completeJobBatchDelay 0 and failJobBatchDelay 0 (completions and failures written in
 * batches), prepared statements on (its default), maxPoolSize max(10, concurrency + 2) (its
 * advice). New jobs wake workers through LISTEN/NOTIFY; pollInterval (2 s default) only finds
 * retries and future jobs.
 *
 * graphile-worker deletes a job when it completes, so "completed" is the jobs this system
 * added minus the jobs left in its table; the cue is its `job:complete` event (the result has
 * been written). Retries use its fixed exponential back-off (exp(min(attempts, 10)) s: the
 * first retry waits about 2.7 s); a crashed worker's jobs stay locked for 4 hours (not
 * configurable), so W6's crash phase does not apply to it.
 */
import { Logger, makeWorkerUtils, run, type Runner, type TaskList, type WorkerUtils } from 'graphile-worker';
import type { PoolClient } from 'pg';
import type { BenchPayload } from '../harness/payloads.js';
import { SystemName, type QueueSystem, type StoreCounts, type SystemOptions, type WorkerSpec } from './types.js';

const TASK = 'bench';
const LOCAL_QUEUE = 500;
export const silentGraphileLogger = new Logger(() => () => undefined);

export interface GraphileHandle {
  readonly utils: WorkerUtils;
  /** Jobs added through this handle (publishes and next stages). */
  added: number;
  counts(tasks?: readonly string[]): Promise<StoreCounts>;
  runner(concurrency: number, taskList: TaskList): Promise<Runner>;
  readonly settings: (concurrency: string) => Readonly<Record<string, string | number | boolean>>;
}

export async function openGraphile(options: SystemOptions): Promise<GraphileHandle> {
  if (options.pgUrl === undefined) throw new Error('graphile-worker needs a PostgreSQL URL');
  const connectionString = options.pgUrl;
  const utils = await makeWorkerUtils({ connectionString, logger: silentGraphileLogger });
  await utils.migrate();
  const handle: GraphileHandle = {
    utils,
    added: 0,
    async counts(tasks) {
      const { rows } = await utils.withPgClient((client) =>
        client.query<{ pending: number; active: number; retrying: number; failed: number; total: number }>(
          `SELECT count(*) FILTER (WHERE j.locked_at IS NULL AND j.attempts = 0)::int AS pending,
                  count(*) FILTER (WHERE j.locked_at IS NOT NULL)::int AS active,
                  count(*) FILTER (WHERE j.locked_at IS NULL AND j.attempts > 0 AND j.attempts < j.max_attempts)::int AS retrying,
                  count(*) FILTER (WHERE j.locked_at IS NULL AND j.attempts >= j.max_attempts)::int AS failed,
                  count(*)::int AS total
             FROM graphile_worker._private_jobs j
             JOIN graphile_worker._private_tasks t ON t.id = j.task_id
            WHERE $1::text[] IS NULL OR t.identifier = ANY($1)`,
          [tasks ?? null],
        ),
      );
      const r = rows[0] ?? { pending: 0, active: 0, retrying: 0, failed: 0, total: 0 };
      return {
        pending: r.pending,
        active: r.active,
        completed: handle.added - r.total,
        retrying: r.retrying,
        failed: r.failed,
      };
    },
    runner: (concurrency, taskList) =>
      run({
        connectionString,
        concurrency,
        noHandleSignals: true,
        logger: silentGraphileLogger,
        taskList,
        preset: {
          worker: {
            maxPoolSize: Math.max(10, concurrency + 2),
            localQueue: { size: LOCAL_QUEUE },
            completeJobBatchDelay: 0,
            failJobBatchDelay: 0,
            preparedStatements: true,
          },
        },
      }),
    settings: (concurrency) => ({
      version: '0.18 (see Versions)',
      concurrency,
      'localQueue.size': LOCAL_QUEUE,
      completeJobBatchDelay: 0,
      failJobBatchDelay: 0,
      preparedStatements: 'true (default)',
      maxPoolSize: 'max(10, concurrency + 2)',
      pollInterval: '2000 ms (default; new jobs arrive by LISTEN/NOTIFY)',
      maxAttempts: options.maxAttempts,
      retry: 'built-in back-off exp(min(attempts, 10)) s',
      'completed jobs': 'deleted by graphile-worker (completed = added − left)',
    }),
  };
  return handle;
}

export async function createGraphileWorker(options: SystemOptions): Promise<QueueSystem> {
  const g = await openGraphile(options);
  let runner: Runner | undefined;
  let completed = 0;
  let concurrency = 'workload concurrency';
  const jobSpec = (payload: BenchPayload) => ({ identifier: TASK, payload, maxAttempts: options.maxAttempts });

  return {
    name: SystemName.GRAPHILE_WORKER,
    get settings() {
      return {
        ...g.settings(concurrency),
        publish: 'workerUtils.addJob',
        publishBatch: 'workerUtils.addJobs (one statement)',
        publishInTransaction: 'SELECT graphile_worker.add_job(…) on the caller’s client',
      };
    },
    async publish(payload) {
      await g.utils.addJob(TASK, payload, { maxAttempts: options.maxAttempts });
      g.added++;
    },
    async publishBatch(payloads) {
      await g.utils.addJobs(payloads.map(jobSpec));
      g.added += payloads.length;
    },
    async publishInTransaction(client: PoolClient, payload: BenchPayload) {
      await client.query('SELECT graphile_worker.add_job($1, $2::json, max_attempts => $3)', [
        TASK,
        JSON.stringify(payload),
        options.maxAttempts,
      ]);
      g.added++;
    },
    async startWorkers(spec: WorkerSpec) {
      concurrency = String(spec.concurrency);
      const r = await g.runner(spec.concurrency, {
        [TASK]: async (payload, helpers) => {
          await spec.handle({ payload: payload as BenchPayload, attempt: helpers.job.attempts });
        },
      });
      r.events.on('job:complete', ({ job, error }) => {
        if (error !== undefined && error !== null) return;
        completed++;
        spec.onCompleted?.(job.payload as BenchPayload);
      });
      runner = r;
    },
    async stopWorkers() {
      await runner?.stop();
      runner = undefined;
    },
    completedSoFar: () => completed,
    counts: () => g.counts([TASK]),
    async close() {
      await runner?.stop();
      await g.utils.release();
    },
  };
}
