/**
 * Keeps the leases of running handlers alive. Validity is tracked on this process's
 * monotonic clock from the moment the claim (or renewal) was *sent*, which can only
 * under-estimate the store's lease: a skewed or paused worker gives up early, never late.
 *
 * The local clock is the last word: a sweep aborts every handler whose last confirmed
 * renewal plus the lease, minus a margin, has passed, whether or not a heartbeat has
 * answered (a store behind a stalled network answers nothing, neither yes nor no). So a
 * handler's ctx.signal fires before the store can hand its row to another worker. And
 * once a renewal is overdue (a lease has less than a third of its life left), the
 * processor stops claiming until renewals are confirmed again.
 */
import { performance } from 'node:perf_hooks';
import { ErrorCode, EventyardError } from '../core/errors.js';
import type { EventStore, LeaseRef } from '../store/port.js';
import type { AttemptControl } from './attempt-control.js';
import type { Logger } from './logger.js';
import { OutageLog } from './outage-log.js';

export interface HeldLease {
  readonly ref: LeaseRef;
  readonly control: AttemptControl;
  /** performance.now() until which the lease surely holds. */
  validUntil: number;
}

export class LeaseKeeper {
  readonly #held = new Set<HeldLease>();
  #timer: NodeJS.Timeout | undefined;
  #sweep: NodeJS.Timeout | undefined;
  #renewing = false;
  /**
   * False after a failed renewal or a lease lost by the local clock: the processor stops
   * claiming until a renewal succeeds or no lease is left to renew.
   */
  healthy = true;
  /** Handlers aborted by the local clock (no renewal confirmed in time). */
  expiredLocally = 0;
  /** How long before the lease's local end a handler is aborted. */
  readonly marginMs: number;
  readonly #sweepEveryMs: number;

  readonly #renewals: OutageLog;

  constructor(
    private readonly store: EventStore,
    private readonly logger: Logger,
    private readonly leaseMs: number,
  ) {
    // A tenth of the lease, checked every twentieth: aborted between 5% and 10% of the
    // lease early by this process's clock, which cannot run ahead of the store's lease.
    this.#sweepEveryMs = Math.min(500, Math.max(5, Math.floor(leaseMs / 20)));
    this.marginMs = Math.max(Math.floor(leaseMs / 10), this.#sweepEveryMs);
    this.#renewals = new OutageLog(logger, 'lease renewal');
  }

  /**
   * False while renewals fail or a held lease is overdue for renewal (less than a third of
   * it left): the processor claims nothing new it might not be able to keep.
   */
  get canClaim(): boolean {
    if (!this.healthy) return false;
    const overdue = performance.now() + this.leaseMs / 3;
    for (const lease of this.#held) if (lease.validUntil < overdue) return false;
    return true;
  }

  get size(): number {
    return this.#held.size;
  }

  hold(ref: LeaseRef, control: AttemptControl, claimSentAt: number): HeldLease {
    const lease: HeldLease = { ref, control, validUntil: claimSentAt + this.leaseMs };
    this.#held.add(lease);
    return lease;
  }

  drop(lease: HeldLease): void {
    this.#held.delete(lease);
    if (this.#held.size === 0) this.healthy = true; // nothing left to renew, nothing failing
  }

  start(): void {
    // Leases are renewed once a third of their life has passed, checked every sixth: a
    // renewal goes out between a third and half of the lease, leaving at least 40% of it
    // for the answer to come back before the local clock gives the lease up.
    const every = Math.max(10, Math.floor(this.leaseMs / 6));
    this.#timer = setInterval(() => void this.#renew(), every);
    this.#timer.unref();
    this.#sweep = setInterval(() => this.#expireByLocalClock(), this.#sweepEveryMs);
    this.#sweep.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    clearInterval(this.#sweep);
    this.#timer = undefined;
    this.#sweep = undefined;
  }

  /** Aborts every handler whose lease may run out before another renewal could land. */
  #expireByLocalClock(): void {
    if (this.#held.size === 0) return;
    const limit = performance.now() + this.marginMs;
    let expired = 0;
    for (const lease of this.#held) {
      if (lease.validUntil > limit) continue;
      expired++;
      this.#lose(lease, 'no renewal was confirmed in time (aborted by the local clock)');
    }
    if (expired === 0) return;
    this.expiredLocally += expired;
    this.logger.warn(
      { leases: expired, leaseMs: this.leaseMs, marginMs: this.marginMs },
      'leases ran out by the local clock without a confirmed renewal; handlers aborted',
    );
  }

  async #renew(): Promise<void> {
    if (this.#renewing) return;
    this.#renewing = true;
    try {
      const now = performance.now();
      // Only leases past a third of their life: short handlers never cost a heartbeat.
      const due = [...this.#held].filter((l) => l.validUntil - now < (this.leaseMs * 2) / 3);
      // No lease left to renew (a failed renewal lost them all): nothing is at risk, so
      // claiming may resume; otherwise `healthy` stayed false and the processor never
      // claimed again (the PostgreSQL restart test caught it).
      if (this.#held.size === 0) this.healthy = true;
      if (due.length === 0) return;
      const sentAt = performance.now();
      try {
        const outcomes = await this.store.heartbeat(
          due.map((l) => l.ref),
          this.leaseMs,
        );
        this.healthy = true;
        this.#renewals.succeeded({});
        due.forEach((lease, i) => {
          if (outcomes[i] === 'ok') lease.validUntil = sentAt + this.leaseMs;
          else this.#lose(lease, 'the row was taken over after the lease expired');
        });
      } catch (error) {
        this.healthy = false;
        this.#renewals.failed(error, { leases: due.length }, 'claiming paused');
        const at = performance.now() + this.marginMs;
        for (const lease of due) if (lease.validUntil <= at) this.#lose(lease, 'the lease could not be renewed');
      }
    } finally {
      this.#renewing = false;
    }
  }

  #lose(lease: HeldLease, why: string): void {
    this.drop(lease);
    lease.control.abort(
      new EventyardError(ErrorCode.LEASE_LOST, `lease lost on ${lease.ref.messageType} ${lease.ref.eventId}: ${why}`),
    );
  }
}
