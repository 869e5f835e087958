/**
 * The retry mechanism's poller: moves due ERROR rows to RETRY and reaps expired leases
 * (an expired lease is a failed attempt: ERROR, or FAILED when attempts are exhausted).
 * Every service runs one; the store operations are atomic, so several run side by side
 * safely, and each only shortens the others' work.
 */
import { performance } from 'node:perf_hooks';
import { option, resolveOptions, type OptionsInput } from '../core/options.js';
import type { EventStore } from '../store/port.js';
import type { Logger } from './logger.js';
import { OutageWatch, isOutage } from './store-deadline.js';
import { sleep } from './timing.js';

export const retryMechanismSchema = {
  /**
   * How often due retries and expired leases are looked for.
   * @defaultValue 250
   */
  intervalMs: option.int({ min: 5, max: 3600_000, default: 250 }),
  /**
   * Rows moved per store call; the poller calls again at once while calls come back full.
   * @defaultValue 1000
   */
  batchSize: option.int({ min: 1, max: 100_000, default: 1000 }),
  /**
   * Delay before a row whose lease expired may be claimed again.
   * @defaultValue 1000
   */
  reapRetryDelayMs: option.int({ min: 0, max: 24 * 3600_000, default: 1000 }),
};
export type RetryMechanismOptions = OptionsInput<typeof retryMechanismSchema>;

/** Validates retry mechanism options (EY_INVALID_OPTION), as the poller will on construction. */
export function resolveRetryMechanismOptions(options: RetryMechanismOptions | undefined) {
  return resolveOptions('retry mechanism', retryMechanismSchema, options);
}

export interface RetryMechanismStats {
  promoted: number;
  reaped: number;
}

export class RetryMechanism {
  readonly stats: RetryMechanismStats = { promoted: 0, reaped: 0 };
  readonly #options;
  #stop = new AbortController();
  #loop: Promise<void> | undefined;
  /** Logs an outage once; given when the store's calls already report to a shared watch. */
  readonly #watch: OutageWatch | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly serviceName: string,
    private readonly logger: Logger,
    options?: RetryMechanismOptions,
    watch?: OutageWatch,
  ) {
    this.#options = resolveOptions('retry mechanism', retryMechanismSchema, options);
    this.#watch = watch;
  }

  start(): void {
    if (this.#loop !== undefined) return;
    this.#stop = new AbortController();
    this.#loop = this.#run(this.#stop.signal);
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    this.#loop = undefined;
  }

  /** One pass: promote every due retry, reap every expired lease. */
  async runOnce(): Promise<RetryMechanismStats> {
    const { batchSize, reapRetryDelayMs } = this.#options;
    const pass = { promoted: 0, reaped: 0 };
    for (let n = batchSize; n === batchSize;) {
      n = await this.store.reapExpiredLeases({
        limit: batchSize,
        retryDelayMs: reapRetryDelayMs,
        updatedBy: this.serviceName,
      });
      pass.reaped += n;
    }
    for (let n = batchSize; n === batchSize;) {
      n = await this.store.promoteDueRetries(batchSize, this.serviceName);
      pass.promoted += n;
    }
    this.stats.promoted += pass.promoted;
    this.stats.reaped += pass.reaped;
    return pass;
  }

  async #run(signal: AbortSignal): Promise<void> {
    // Without a shared watch, one of its own: an outage is logged once, not every pass.
    const watch = this.#watch ?? new OutageWatch(this.logger, `retry mechanism of ${this.serviceName}`);
    const ownWatch = this.#watch === undefined;
    while (!signal.aborted) {
      const sentAt = performance.now();
      try {
        await this.runOnce();
        if (ownWatch) watch.answered();
      } catch (error) {
        if (!isOutage(error)) this.logger.warn({ err: error }, 'retry mechanism pass failed; will try again');
        else if (ownWatch) watch.failed('retry mechanism pass', error, sentAt);
      }
      await sleep(this.#options.intervalMs, signal);
    }
  }
}
