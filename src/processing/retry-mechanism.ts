/**
 * The retry mechanism's poller: moves due ERROR rows to RETRY and reaps expired leases
 * (an expired lease is a failed attempt: ERROR, or FAILED when attempts are exhausted).
 * Every service runs one; the store operations are atomic, so several run side by side
 * safely, and each only shortens the others' work.
 */
import { option, resolveOptions, type OptionsInput } from '../core/options.js';
import type { EventStore } from '../store/port.js';
import type { Logger } from './logger.js';
import { OutageLog } from './outage-log.js';
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

export interface RetryMechanismStats {
  promoted: number;
  reaped: number;
}

export class RetryMechanism {
  readonly stats: RetryMechanismStats = { promoted: 0, reaped: 0 };
  readonly #options;
  #stop = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly serviceName: string,
    private readonly logger: Logger,
    options?: RetryMechanismOptions,
  ) {
    this.#options = resolveOptions('retry mechanism', retryMechanismSchema, options);
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
    const passes = new OutageLog(this.logger, 'retry mechanism pass');
    while (!signal.aborted) {
      try {
        await this.runOnce();
        passes.succeeded({});
      } catch (error) {
        passes.failed(error, {}, 'will try again');
      }
      await sleep(this.#options.intervalMs, signal);
    }
  }
}
