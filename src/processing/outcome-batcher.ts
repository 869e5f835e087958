/**
 * Batches completions and failures into one store call per tick: with concurrency 32 and
 * short handlers, 32 completions become one `complete([...])` instead of 32 round trips.
 * A store error is retried with back-off until `giveUpAfterMs` (about a lease), after which
 * the row is left to the reaper: the attempt counts, nothing is lost.
 */
import type { CompleteRequest, EventStore, FailRequest, LeaseOutcome } from '../store/port.js';
import type { Logger } from './logger.js';
import { isOutage } from './store-deadline.js';
import { sleep } from './timing.js';

type Pending<R> = { request: R; resolve: (outcome: LeaseOutcome | 'store_error') => void };

export class OutcomeBatcher {
  #completes: Pending<CompleteRequest>[] = [];
  #fails: Pending<FailRequest>[] = [];
  #scheduled = false;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: EventStore,
    private readonly logger: Logger,
    private readonly options: { maxBatch: number; giveUpAfterMs: number },
  ) {}

  complete(request: CompleteRequest): Promise<LeaseOutcome | 'store_error'> {
    return new Promise((resolve) => this.#enqueue(this.#completes, { request, resolve }));
  }

  fail(request: FailRequest): Promise<LeaseOutcome | 'store_error'> {
    return new Promise((resolve) => this.#enqueue(this.#fails, { request, resolve }));
  }

  /** Resolves once everything queued so far is written (or given up). */
  async drain(): Promise<void> {
    while (this.#completes.length > 0 || this.#fails.length > 0 || this.#scheduled) {
      this.#schedule();
      await this.#flushing;
      await new Promise((r) => setImmediate(r));
    }
    await this.#flushing;
  }

  #enqueue<R>(queue: Pending<R>[], item: Pending<R>): void {
    queue.push(item);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // setImmediate, not a microtask: lets every handler that finishes in this turn join the batch.
    setImmediate(() => {
      this.#flushing = this.#flushing.then(() => this.#flush());
    });
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    const max = this.options.maxBatch;
    while (this.#completes.length > 0 || this.#fails.length > 0) {
      const completes = this.#completes.splice(0, max);
      const fails = this.#fails.splice(0, max);
      await Promise.all([
        this.#write(completes, (r) => this.store.complete(r), 'complete'),
        this.#write(fails, (r) => this.store.fail(r), 'fail'),
      ]);
    }
  }

  async #write<R>(
    batch: Pending<R>[],
    call: (requests: R[]) => Promise<readonly LeaseOutcome[]>,
    what: string,
  ): Promise<void> {
    if (batch.length === 0) return;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const outcomes = await call(batch.map((p) => p.request));
        batch.forEach((p, i) => p.resolve(outcomes[i] ?? 'lease_lost'));
        return;
      } catch (error) {
        const elapsed = Date.now() - started;
        if (elapsed >= this.options.giveUpAfterMs) {
          this.logger.error({ err: error, rows: batch.length }, `${what} failed; leaving the rows to the lease reaper`);
          batch.forEach((p) => p.resolve('store_error'));
          return;
        }
        // An outage is reported once by the store watch; here, each retry only at debug.
        const level = isOutage(error) ? 'debug' : 'warn';
        this.logger[level]({ err: error, rows: batch.length, attempt }, `${what} failed; retrying`);
        await sleep(Math.min(50 * 2 ** attempt, 2000, this.options.giveUpAfterMs - elapsed));
      }
    }
  }
}
