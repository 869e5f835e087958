/**
 * Logs a failing store call once per outage instead of once per poll: the first failure
 * after a success is logged at warn (with the error), the following ones only counted, and
 * the first success after them logs one line saying how long it lasted and how many calls
 * failed. A processor polling every 500 ms through a one-minute outage writes two lines,
 * not 120.
 */
import type { Logger } from './logger.js';

export class OutageLog {
  #failures = 0;
  #since = 0;

  constructor(
    private readonly logger: Logger,
    /** What failed, e.g. `claim`: the lines read `claim failed; ...` and `claim recovered ...`. */
    private readonly what: string,
  ) {}

  get failing(): boolean {
    return this.#failures > 0;
  }

  failed(error: unknown, fields: Record<string, unknown>, consequence: string): void {
    if (this.#failures++ === 0) {
      this.#since = Date.now();
      this.logger.warn(
        { err: error, ...fields },
        `${this.what} failed; ${consequence} (logged once until it recovers)`,
      );
    }
  }

  succeeded(fields: Record<string, unknown>): void {
    if (this.#failures === 0) return;
    this.logger.warn(
      { ...fields, failedCalls: this.#failures, outageMs: Date.now() - this.#since },
      `${this.what} recovered`,
    );
    this.#failures = 0;
  }
}
