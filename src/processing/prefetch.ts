/**
 * How many rows a processor claims beyond its free handler slots (the local queue).
 *
 * A fixed number, or `'auto'`: enough rows that the slots which free up while the next
 * claim is on its way find a row waiting instead of the claim's answer. By Little's law
 * that is the handlers' start rate (concurrency ÷ handler time) times the claim round
 * trip; doubled for the spread of both, and at most what the handlers start within a tenth
 * of the lease (a queued row's lease runs while it waits). Its ceiling is one batch, or, on a
 * store whose tuning says `wholeBatches` (PostgreSQL), the batch being worked through plus a
 * whole next one (`batchSize + max(0, batchSize − concurrency)`): right after a full batch
 * lands, its rows running or queued, a full batch is free to claim again; and one batch more
 * for each further claim the processor keeps on its way (`claimsInFlight`). With a ceiling of
 * one batch, fast handlers make every other claim as small as the slots (32, 256, 32, 256,
 * … at concurrency 32 and batches of 256), each with its own round trip and, on PostgreSQL,
 * its own commit. On Redis, where a claim holds the server while it runs, the small claims
 * are what keeps other rows' starts prompt, so Redis keeps a ceiling of one batch per claim
 * it keeps on its way (`claimsInFlight`, 2 there: docs/redis.md has the measurements).
 * Both times are measured as the processor runs (moving averages); until both are known
 * nothing is prefetched. So fast handlers behind a slow round trip (PostgreSQL or Redis
 * over the network, handlers of microseconds) get a queue of a whole batch, and slow
 * handlers next to a fast claim (100 ms handlers, 2 ms claims, 32 slots: 2 × 32 × 2 ÷ 100
 * → 2 rows) keep the queue at a row or two: every row waits about one claim round trip,
 * and another process polling the same table finds the rest.
 *
 * A crash counts an attempt on every row its process held, queued or running: a queued
 * row pays for a crash it had no part in. So when a claim brings back a row whose lease
 * expired (some owner died or stopped answering), nothing is queued for a lease length, with
 * any setting: while a row that kills its worker is about, only the rows that run beside
 * it are at stake, as without a queue (the crash-suspect rule in processor.ts then isolates
 * it).
 */

/** The weight of the newest sample in the moving averages. */
const WEIGHT = 0.2;
/** Handler times below this count as this (a handler that returns at once). */
const MIN_HANDLER_MS = 0.001;

const average = (previous: number, sample: number): number =>
  Number.isNaN(previous) ? sample : previous + WEIGHT * (sample - previous);

export class PrefetchPolicy {
  #handlerMs = Number.NaN;
  #claimMs = Number.NaN;
  /** performance.now() until which nothing is queued (a lease expiry was seen). */
  #pausedUntil = -Infinity;

  constructor(
    private readonly setting: number | 'auto',
    private readonly limits: {
      readonly concurrency: number;
      readonly batchSize: number;
      readonly leaseMs: number;
      readonly wholeBatches?: boolean;
      readonly claimsInFlight?: number;
    },
  ) {}

  /** A handler settled `ms` after it started. */
  handlerSettled(ms: number): void {
    if (this.setting === 'auto') this.#handlerMs = average(this.#handlerMs, ms);
  }

  /** A claim answered `ms` after it was sent. */
  claimAnswered(ms: number): void {
    if (this.setting === 'auto') this.#claimMs = average(this.#claimMs, ms);
  }

  /** A claim brought back a row whose lease expired: queue nothing for a lease length. */
  leaseExpirySeen(now: number): void {
    this.#pausedUntil = now + this.limits.leaseMs;
  }

  /** Rows to claim beyond the free slots at `now` (performance.now()). */
  rowsAt(now: number): number {
    if (now < this.#pausedUntil) return 0;
    if (this.setting !== 'auto') return this.setting;
    if (Number.isNaN(this.#handlerMs) || Number.isNaN(this.#claimMs)) return 0;
    const { concurrency, batchSize, leaseMs, wholeBatches = false, claimsInFlight = 1 } = this.limits;
    const startsPerMs = concurrency / Math.max(this.#handlerMs, MIN_HANDLER_MS);
    const ahead = Math.ceil(2 * startsPerMs * this.#claimMs);
    const withinLease = Math.floor((startsPerMs * leaseMs) / 10);
    const first = wholeBatches ? batchSize + Math.max(0, batchSize - concurrency) : batchSize;
    const ceiling = first + (claimsInFlight - 1) * batchSize;
    return Math.max(0, Math.min(ceiling, ahead, withinLease));
  }
}
