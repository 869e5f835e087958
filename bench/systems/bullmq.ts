/**
 * BullMQ 6 on the run's own Redis. Configured as its documentation recommends for
 * throughput: one Worker with a local concurrency factor equal to the workload's
 * concurrency ("Concurrency" guide), worker connections with maxRetriesPerRequest: null,
 * bulk adds with Queue.addBulk. Retention matched to Eventyard's (which keeps COMPLETED
 * rows until a purge): completed and failed jobs are kept (removeOnComplete/removeOnFail
 * false, BullMQ's default), so counts come from the store itself.
 */
import { Queue, Worker, type Job } from 'bullmq';
import type { BenchPayload } from '../harness/payloads.js';
import { SystemName, type QueueSystem, type StoreCounts, type SystemOptions, type WorkerSpec } from './types.js';

const QUEUE = 'bench';

export async function createBullmq(options: SystemOptions, queueName = QUEUE): Promise<QueueSystem> {
  if (options.redisPort === undefined) throw new Error('bullmq needs a Redis port');
  const connection = { host: '127.0.0.1', port: options.redisPort };
  const jobOptions = {
    attempts: options.maxAttempts,
    removeOnComplete: false,
    removeOnFail: false,
  } as const;
  const queue = new Queue<BenchPayload>(queueName, { connection, defaultJobOptions: jobOptions });
  await queue.waitUntilReady();
  let worker: Worker<BenchPayload> | undefined;
  let completed = 0;
  const lockDuration = options.leaseMs;
  const stalledInterval = Math.min(30_000, options.leaseMs);

  return {
    name: SystemName.BULLMQ,
    settings: {
      version: '6.7.0',
      'worker concurrency': 'workload concurrency (one Worker)',
      'defaultJobOptions.attempts': options.maxAttempts,
      'defaultJobOptions.backoff': 'none (retry at once)',
      removeOnComplete: false,
      removeOnFail: false,
      lockDuration,
      stalledInterval,
      maxStalledCount: 1,
      drainDelay: '5 s (default)',
      'connection.maxRetriesPerRequest': 'null (worker), default (queue)',
      publishBatch: 'Queue.addBulk',
    },
    async publish(payload) {
      await queue.add('e', payload);
    },
    async publishBatch(payloads) {
      await queue.addBulk(payloads.map((data) => ({ name: 'e', data })));
    },
    async startWorkers(spec: WorkerSpec) {
      const w = new Worker<BenchPayload>(
        queueName,
        async (job: Job<BenchPayload>) => {
          await spec.handle({ payload: job.data, attempt: job.attemptsMade + 1 });
        },
        {
          connection: { ...connection, maxRetriesPerRequest: null },
          concurrency: spec.concurrency,
          autorun: false,
          lockDuration,
          stalledInterval,
        },
      );
      w.on('completed', (job: Job<BenchPayload>) => {
        completed++;
        spec.onCompleted?.(job.data);
      });
      w.on('error', () => undefined);
      await w.waitUntilReady();
      worker = w;
      void w.run();
    },
    async stopWorkers() {
      await worker?.close();
      worker = undefined;
    },
    completedSoFar: () => completed,
    async counts(): Promise<StoreCounts> {
      const c = await queue.getJobCounts('wait', 'prioritized', 'active', 'completed', 'failed', 'delayed');
      return {
        pending: (c.wait ?? 0) + (c.prioritized ?? 0),
        active: c.active ?? 0,
        completed: c.completed ?? 0,
        retrying: c.delayed ?? 0,
        failed: c.failed ?? 0,
      };
    },
    async close() {
      await worker?.close();
      await queue.close();
    },
  };
}
