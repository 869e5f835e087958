/**
 * The abort side of one attempt: lease loss, handler timeout and the shutdown deadline all
 * end it through `abort(reason)`. The AbortSignal handed to the handler is made on first
 * use: most handlers never read it, and at tens of thousands of attempts a second an
 * AbortController, a timer and a listener per attempt cost more than the store's claim.
 * Timeouts are checked by one sweep per processor (see {@link TimeoutSweep}).
 */
import { ErrorCode, EventyardError } from '../core/errors.js';

export class AttemptControl {
  #reason: unknown;
  #aborted = false;
  #controller: AbortController | undefined;
  #onAbort: ((reason: unknown) => void) | undefined;
  /** The processor's: the attempt's concurrency slot was given back. */
  slotFreed = false;

  constructor(
    /** performance.now() after which the handler has timed out. */
    readonly deadline: number,
  ) {}

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    this.#onAbort?.(reason);
  }

  /** The one listener the attempt runner sets (called at once if already aborted). */
  onAbort(listener: ((reason: unknown) => void) | undefined): void {
    this.#onAbort = listener;
    if (listener !== undefined && this.#aborted) listener(this.#reason);
  }
}

/** One timer per processor that aborts the attempts past their deadline. */
export class TimeoutSweep {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly running: ReadonlyMap<AttemptControl, unknown>,
    private readonly timeoutMs: number,
  ) {}

  start(): void {
    // A quarter of the timeout, within [5 ms, 1 s]: a handler is stopped at most 25% late.
    const every = Math.min(1000, Math.max(5, Math.floor(this.timeoutMs / 4)));
    this.#timer = setInterval(() => this.#sweep(), every);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #sweep(): void {
    if (this.running.size === 0) return;
    const now = performance.now();
    for (const control of this.running.keys()) {
      if (control.deadline <= now) {
        control.abort(
          new EventyardError(ErrorCode.HANDLER_TIMEOUT, `handler ran past its timeout of ${this.timeoutMs} ms`),
        );
      }
    }
  }
}
