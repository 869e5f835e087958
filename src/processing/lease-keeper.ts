/**
 * Keeps the leases of running handlers alive. Validity is tracked on this process's
 * monotonic clock from the moment the claim (or renewal) was *sent*, which can only
 * under-estimate the store's lease: a skewed or paused worker gives up early, never late.
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
  #renewing = false;
  /** False after a failed renewal: the processor stops claiming until one succeeds. */
  healthy = true;

  readonly #renewals: OutageLog;

  constructor(
    private readonly store: EventStore,
    logger: Logger,
    private readonly leaseMs: number,
  ) {
    this.#renewals = new OutageLog(logger, 'lease renewal');
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
  }

  start(): void {
    const every = Math.max(10, Math.floor(this.leaseMs / 3));
    this.#timer = setInterval(() => void this.#renew(), every);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
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
        const at = performance.now();
        for (const lease of due) if (lease.validUntil <= at) this.#lose(lease, 'the lease could not be renewed');
      }
    } finally {
      this.#renewing = false;
    }
  }

  #lose(lease: HeldLease, why: string): void {
    this.#held.delete(lease);
    lease.control.abort(
      new EventyardError(ErrorCode.LEASE_LOST, `lease lost on ${lease.ref.messageType} ${lease.ref.eventId}: ${why}`),
    );
  }
}
