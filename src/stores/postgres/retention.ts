/**
 * Automatic retention: a timer that purges COMPLETED rows older than `retainCompletedMs`,
 * in batches (purge.sql), so a table that rewrites rows thousands of times a second keeps
 * its live rows, and with autovacuum its size, flat. Failures (server restart) are only
 * counted: the next tick tries again, and retention is never worth a log line per tick.
 */
import type { EventStore } from '../../store/port.js';

export interface RetentionOptions {
  readonly retainCompletedMs: number;
  readonly intervalMs: number;
  readonly batchSize: number;
}

export class RetentionPurge {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  /** Rows purged and failed runs since start (for tests and health). */
  readonly stats = { purged: 0, failedRuns: 0 };

  constructor(
    private readonly store: Pick<EventStore, 'purge'>,
    private readonly options: RetentionOptions,
  ) {}

  start(): void {
    if (this.options.retainCompletedMs < 0 || this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      this.#running ??= this.#run().finally(() => (this.#running = undefined));
    }, this.options.intervalMs);
    this.#timer.unref();
  }

  async #run(): Promise<void> {
    const { retainCompletedMs, batchSize } = this.options;
    try {
      for (let n = batchSize; n === batchSize && !this.#stopped;) {
        n = await this.store.purge({ statuses: ['COMPLETED'], olderThanMs: retainCompletedMs, limit: batchSize });
        this.stats.purged += n;
      }
    } catch {
      this.stats.failedRuns++;
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#running;
  }
}
