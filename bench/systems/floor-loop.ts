/**
 * The worker loop both floor cases share: claim up to `concurrency` rows in one call, run
 * the handler on each, write every completion of the batch in one call, and poll every
 * 10 ms when nothing was claimable. Nothing else: no prefetch, no retry policy, no
 * pipelining of claims and completions, so it is the plainest at-least-once loop.
 */
import type { BenchPayload } from '../harness/payloads.js';
import type { QueueSystem, WorkerSpec } from './types.js';

export const FLOOR_POLL_MS = 10;

export interface FloorJob {
  readonly id: string | number;
  readonly token: string | number;
  readonly payload: string;
}

export interface FloorEngine {
  claim(limit: number): Promise<readonly FloorJob[]>;
  /** Fenced: per job, whether it was still held under its token (and is now completed). */
  complete(jobs: readonly FloorJob[]): Promise<readonly boolean[]>;
}

export class FloorLoop {
  #running = false;
  #done: Promise<void> | undefined;
  completed = 0;

  constructor(private readonly engine: FloorEngine) {}

  /** The system's worker methods, answered by this loop. */
  workerMethods(): Pick<QueueSystem, 'startWorkers' | 'stopWorkers' | 'completedSoFar'> {
    return {
      startWorkers: async (spec) => this.start(spec),
      stopWorkers: () => this.stop(),
      completedSoFar: () => this.completed,
    };
  }

  start(spec: WorkerSpec): void {
    this.#running = true;
    this.#done = this.#run(spec);
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#done;
  }

  async #run(spec: WorkerSpec): Promise<void> {
    while (this.#running) {
      const jobs = await this.engine.claim(spec.concurrency);
      if (jobs.length === 0) {
        await new Promise((r) => setTimeout(r, FLOOR_POLL_MS));
        continue;
      }
      const payloads = jobs.map((job) => JSON.parse(job.payload) as BenchPayload);
      // A handler that throws leaves its job leased: it is retaken after the lease expires.
      const outcomes = await Promise.allSettled(payloads.map(async (payload) => spec.handle({ payload, attempt: 1 })));
      const done = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [i] : []));
      const held = await this.engine.complete(done.map((i) => jobs[i] as FloorJob));
      for (const [k, i] of done.entries()) {
        if (held[k] !== true) continue;
        this.completed++;
        spec.onCompleted?.(payloads[i] as BenchPayload);
      }
    }
  }
}
