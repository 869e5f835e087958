/** Small timing primitives shared by the poll loops. */

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted === true || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Adaptive idle back-off: each empty poll doubles the wait up to `maxMs`; work resets it
 * to `minMs`. An idle processor costs little; a busy one never waits.
 */
export class IdleBackoff {
  #current: number;
  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
  ) {
    this.#current = minMs;
  }
  /** The wait for this empty poll; the next one waits longer. */
  next(): number {
    const wait = this.#current;
    this.#current = Math.min(this.maxMs, Math.max(1, this.#current * 2));
    return wait;
  }
  reset(): void {
    this.#current = this.minMs;
  }
}

/** A promise with its resolve function, for "wake me when ..." signals. */
export class Signal {
  #resolve: (() => void) | undefined;
  #promise: Promise<void> | undefined;
  wait(): Promise<void> {
    this.#promise ??= new Promise((resolve) => (this.#resolve = resolve));
    return this.#promise;
  }
  fire(): void {
    const resolve = this.#resolve;
    this.#promise = undefined;
    this.#resolve = undefined;
    resolve?.();
  }
}
