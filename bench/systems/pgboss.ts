/**
 * pg-boss 12 on the run's private PostgreSQL. Configured as its documentation recommends for
 * throughput ("Workers": work() defaults to 1 job every 2 s): one work() call per worker set
 * with batchSize = the workload's concurrency (one fetch claims a whole batch, whose jobs run
 * at once), pollingIntervalSeconds 0.5 (the minimum), burstWhenBatchFull (fetch again at once
 * while batches come back full), LISTEN/NOTIFY wake-ups on (useListenNotify + the queue's
 * notify), and perJobResults so each job is settled on its own (a failing job does not fail
 * its batch). Retention matched to Eventyard's: completed jobs stay in the table for the run
 * (deleteAfterSeconds 7 days, pg-boss's default), so counts come from the table itself.
 */
import { PgBoss, type Job, type JobResult } from 'pg-boss';
import type { PoolClient } from 'pg';
import type { BenchPayload } from '../harness/payloads.js';
import { SystemName, type QueueSystem, type StoreCounts, type SystemOptions, type WorkerSpec } from './types.js';

const QUEUE = 'bench';
const POLL_S = 0.5;

export interface PgBossHandle {
  readonly boss: PgBoss;
  /** Counts of the named queues' jobs by state, from pgboss.job. */
  countStates(queues: readonly string[]): Promise<StoreCounts>;
  readonly settings: Readonly<Record<string, string | number | boolean>>;
}

/** Starts pg-boss (installing its schema) and creates `queues` with the run's retry and lease. */
export async function startPgBoss(options: SystemOptions, queues: readonly string[]): Promise<PgBossHandle> {
  if (options.pgUrl === undefined) throw new Error('pg-boss needs a PostgreSQL URL');
  const expireInSeconds = Math.max(1, Math.round(options.leaseMs / 1000));
  const superviseIntervalSeconds = Math.min(60, expireInSeconds);
  const boss = new PgBoss({
    connectionString: options.pgUrl,
    useListenNotify: true,
    superviseIntervalSeconds,
    monitorIntervalSeconds: superviseIntervalSeconds,
    schedule: false,
  });
  boss.on('error', () => undefined);
  boss.on('warning', () => undefined);
  await boss.start();
  for (const name of queues) {
    await boss.createQueue(name, {
      notify: true,
      retryLimit: options.maxAttempts - 1,
      retryDelay: 0,
      expireInSeconds,
    });
  }
  const db = boss.getDb();
  return {
    boss,
    async countStates(names) {
      const { rows } = await db.executeSql(
        'SELECT state, count(*)::int AS n FROM pgboss.job WHERE name = ANY($1) GROUP BY state',
        [names],
      );
      const n = (state: string): number =>
        (rows as { state: string; n: number }[]).filter((r) => r.state === state).reduce((a, r) => a + r.n, 0);
      return {
        pending: n('created'),
        active: n('active'),
        completed: n('completed'),
        retrying: n('retry'),
        failed: n('failed') + n('cancelled'),
      };
    },
    settings: {
      version: '12 (see Versions)',
      useListenNotify: true,
      'queue notify': true,
      'queue retryLimit': options.maxAttempts - 1,
      'queue retryDelay': 0,
      'queue expireInSeconds': expireInSeconds,
      superviseIntervalSeconds,
      monitorIntervalSeconds: superviseIntervalSeconds,
      deleteAfterSeconds: '604800 (default: completed jobs kept for the run)',
      pool: '10 connections (default max)',
    },
  };
}

/** The work() options for `concurrency` jobs in flight. */
export const workOptions = (concurrency: number) =>
  ({
    batchSize: concurrency,
    pollingIntervalSeconds: POLL_S,
    burstWhenBatchFull: true,
    perJobResults: true,
  }) as const;

export const workSettings = (concurrency: string) => ({
  'work() batchSize': concurrency,
  'work() pollingIntervalSeconds': POLL_S,
  'work() burstWhenBatchFull': true,
  'work() perJobResults': 'true (each job settled on its own)',
  'work() localConcurrency': '1 (default: one fetch loop per work() call)',
});

/** Runs `handle` on every job of a batch at once; a throw fails that job alone. */
export async function settleEach<T>(
  jobs: readonly Job<T>[],
  handle: (job: Job<T>) => void | Promise<void>,
): Promise<JobResult[]> {
  const outcomes = await Promise.allSettled(jobs.map(async (job) => handle(job)));
  return outcomes.map((o, i) => ({
    id: (jobs[i] as Job<T>).id,
    status: o.status === 'fulfilled' ? 'completed' : 'failed',
  }));
}

export async function createPgBoss(options: SystemOptions): Promise<QueueSystem> {
  const handle = await startPgBoss(options, [QUEUE]);
  const { boss } = handle;
  let completed = 0;
  let concurrency = '';

  return {
    name: SystemName.PGBOSS,
    get settings() {
      return {
        ...handle.settings,
        ...workSettings(concurrency || 'workload concurrency'),
        publish: 'boss.send',
        publishBatch: 'boss.insert (one statement)',
        publishInTransaction: 'boss.send(…, { db }) on the caller’s client',
        'completion cue': 'handler batch returned (pg-boss settles the batch right after)',
      };
    },
    async publish(payload) {
      await boss.send(QUEUE, payload);
    },
    async publishBatch(payloads) {
      await boss.insert(
        QUEUE,
        payloads.map((data) => ({ data })),
      );
    },
    async publishInTransaction(client: PoolClient, payload: BenchPayload) {
      await boss.send(QUEUE, payload, {
        db: { executeSql: (text: string, values?: unknown[]) => client.query(text, values) },
      });
    },
    async startWorkers(spec: WorkerSpec) {
      concurrency = String(spec.concurrency);
      await boss.work<BenchPayload>(QUEUE, workOptions(spec.concurrency), async (jobs) => {
        const results = await settleEach(jobs, (job) =>
          spec.handle({ payload: job.data, attempt: job.retryCount + 1 }),
        );
        // pg-boss writes the results right after this returns: a cue only, the table decides.
        for (const [i, r] of results.entries()) {
          if (r.status !== 'completed') continue;
          completed++;
          spec.onCompleted?.((jobs[i] as Job<BenchPayload>).data);
        }
        return results;
      });
    },
    async stopWorkers() {
      await boss.offWork(QUEUE, { wait: true });
    },
    completedSoFar: () => completed,
    counts: () => handle.countStates([QUEUE]),
    async close() {
      await boss.stop({ graceful: true });
    },
  };
}
