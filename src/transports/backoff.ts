/** Doubling delay from `baseMs` up to `maxMs`, for retrying a broker or the store. */
export class Backoff {
  #current: number;
  constructor(
    private readonly baseMs: number,
    private readonly maxMs = 30_000,
  ) {
    this.#current = baseMs;
  }
  next(): number {
    const wait = this.#current;
    this.#current = Math.min(this.maxMs, this.#current * 2);
    return wait;
  }
  reset(): void {
    this.#current = this.baseMs;
  }
}
