/**
 * A local buffer between a push-style client (an AMQP consumer, a Kafka fetch stream) and
 * the port's pull-style `receive`. The client pushes what the broker delivers; `take`
 * waits for the first item up to a deadline. Its size is bounded by the client's own
 * flow control (AMQP prefetch, pausing the Kafka stream), not here.
 */
export class DeliveryBuffer<T> {
  readonly #items: T[] = [];
  #wake: (() => void) | undefined;
  #closed = false;

  get size(): number {
    return this.#items.length;
  }

  push(item: T): void {
    if (this.#closed) return;
    this.#items.push(item);
    this.#notify();
  }

  /** Removes items matching `drop` (e.g. deliveries of a channel that died). */
  discard(drop: (item: T) => boolean): void {
    const keep = this.#items.filter((item) => !drop(item));
    this.#items.splice(0, this.#items.length, ...keep);
  }

  /** Wakes a waiting `take` without an item (a failure to report, a closed client). */
  interrupt(): void {
    this.#notify();
  }

  /** Up to `max` items; waits up to `maxWaitMs` for the first one. */
  async take(max: number, maxWaitMs: number, signal?: AbortSignal): Promise<T[]> {
    if (this.#items.length === 0 && !this.#closed && maxWaitMs > 0 && signal?.aborted !== true) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          this.#wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, maxWaitMs);
        signal?.addEventListener('abort', done, { once: true });
        this.#wake = done;
      });
    }
    return this.#items.splice(0, Math.max(0, max));
  }

  /** Drops everything and wakes a waiting `take`; later pushes are ignored. */
  close(): T[] {
    this.#closed = true;
    const left = this.#items.splice(0);
    this.#notify();
    return left;
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
