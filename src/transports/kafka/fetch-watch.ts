/**
 * Whether a consumer's fetch stream still hears from the broker. The consumer's `receive`
 * takes from a local buffer, and an empty buffer is no evidence either way: the client
 * long-polls (a fetch waits up to its max wait for records, then answers empty), and on a
 * silent connection it retries the fetch for many request timeouts without a word. So the
 * consumer watches the stream itself: while it should be fetching (partitions assigned,
 * not paused by the consumer for a full buffer), a fetch answer must come at least once per
 * request timeout plus the fetch max wait. Past that the connection is taken for hung.
 *
 * Every moment the stream (re)starts fetching restarts the clock: the stream opening, a
 * group join (new assignments; the stream refreshes offsets first), a rebalance, the
 * consumer resuming a paused stream. A consumer with no partitions fetches nothing and is
 * never flagged.
 */
import { performance } from 'node:perf_hooks';

export class FetchWatch {
  #since: number;

  constructor(
    /** The longest silence a fetching stream may keep: request timeout + fetch max wait. */
    readonly limitMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#since = now();
  }

  /** A fetch answered, or the stream (re)starts fetching: the silence starts over. */
  heard(): void {
    this.#since = this.now();
  }

  /** How long a stream that should be fetching has heard nothing, when that is past the limit. */
  silentFor(fetching: boolean): number | undefined {
    if (!fetching) {
      // Not fetching (no partitions, paused): nothing to hear; the clock starts when it does.
      this.#since = this.now();
      return undefined;
    }
    const silent = this.now() - this.#since;
    return silent > this.limitMs ? silent : undefined;
  }
}
