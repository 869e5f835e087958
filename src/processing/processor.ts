/**
 * The event processor: polls one table for its message types, claims in batches under a
 * lease, runs handlers within a concurrency limit, and writes each outcome fenced by the
 * claim token. The loop stays short: the attempt itself (payload check, timeout, outcome)
 * lives in attempt.ts, lease renewal in lease-keeper.ts, batched writes in
 * outcome-batcher.ts, what each outcome counts, logs and tells the hooks in outcome-report.ts,
 * the sleep between empty claims and its wake-ups in idle-wait.ts.
 */
import { groupLimits } from '../core/group.js';
import { performance } from 'node:perf_hooks';
import { ErrorCode, EventyardError } from '../core/errors.js';
import { isCrashSuspect, isLeaseExpiry } from '../core/lease-expiry.js';
import type { Table } from '../core/message-type.js';
import type { RateLimit } from '../core/rate-limit.js';
import type { ClaimedMessage, EventStore } from '../store/port.js';
import { AttemptControl, TimeoutSweep } from './attempt-control.js';
import { runAttempt, type AttemptDeps } from './attempt.js';
import type { Handler } from './handler-context.js';
import type { Hooks } from './hooks.js';
import type { MessageTracer } from './tracing.js';
import { LeaseKeeper } from './lease-keeper.js';
import { LocalQueue, releaseUnstarted } from './local-queue.js';
import type { Logger } from './logger.js';
import { OutageLog } from './outage-log.js';
import { RateGate, type ClaimBase } from './rate-gate.js';
import type { MessageBuilder } from './message-builder.js';
import { OutcomeBatcher } from './outcome-batcher.js';
import { PrefetchPolicy } from './prefetch.js';
import { newProcessorStats, reportOutcome, type ProcessorStats } from './outcome-report.js';
import type { ResolvedProcessorOptions } from './processor-options.js';
import { isOutage, type OutageWatch } from './store-deadline.js';
import { IdleWait } from './idle-wait.js';
import { IdleBackoff, Signal, sleep } from './timing.js';
import { ClaimFlight } from './claim-flight.js';

/** After the shutdown deadline, the final outcome writes get at most this long. */
export const FINAL_WRITES_GRACE_MS = 1000;

export interface ProcessorDeps {
  /** The store, with a deadline on every call (see store-deadline.ts). */
  readonly store: EventStore;
  /** Whether that store answers: health and the one warning per outage. */
  readonly watch: OutageWatch;
  readonly builder: MessageBuilder;
  readonly logger: Logger;
  readonly serviceName: string;
  readonly owner: string;
  readonly table: Table;
  readonly handlers: ReadonlyMap<string, Handler<never>>;
  readonly options: ResolvedProcessorOptions;
  /** The deadline the store above enforces on every call. */
  readonly storeDeadlineMs: number;
  /** The service's hooks (which pass every event on to the app's). */
  readonly hooks: Hooks;
  readonly tracer: MessageTracer | undefined;
  /** In-process wake-ups (publishes from this process); the store may offer its own. */
  readonly onLocalPublish: (table: Table, wake: () => void) => () => void;
  /** Rate limits of handled types (none: the claim loop is the plain one). */
  readonly rateLimits?: ReadonlyMap<string, RateLimit> | undefined;
}

export class EventProcessor {
  readonly stats: ProcessorStats = newProcessorStats();
  readonly #deps: ProcessorDeps;
  readonly #leases: LeaseKeeper;
  readonly #batcher: OutcomeBatcher;
  readonly #attemptDeps: AttemptDeps;
  /** Claimed rows waiting for a free slot (local-queue.ts). */
  readonly #queue: LocalQueue;
  /** Every attempt until its outcome is written: its abort side and its run. */
  readonly #running = new Map<AttemptControl, Promise<void>>();
  /**
   * Attempts whose handler has not settled yet: what the concurrency limit counts. A slot
   * frees when the handler settles, so the next claim and handlers run while the outcome
   * write is still on its way (the store and the process work side by side instead of
   * taking turns); the row's lease is kept until the write lands.
   */
  #busy = 0;
  /** The claims on their way (claim-flight.ts). */
  readonly #flight = new ClaimFlight();
  /** A crash suspect runs alone (runAlone): no loop claims meanwhile. */
  #alone = false;
  /** Claim failures, one streak for all of the processor's loops. */
  readonly #claimLog: OutageLog;
  readonly #timeouts: TimeoutSweep;
  readonly #slotFreed = new Signal();
  readonly #maxUnwritten: number;
  #stop = new AbortController();
  /** The sleep between empty claims, ended early by stop() and local writes. */
  readonly #idle: IdleWait;
  /** Some handled type declares a group: the processor's own completions free group slots. */
  #grouped = false;
  #loop: Promise<void> | undefined;
  #lastPollAt = 0;
  readonly #storeDeadlineMs: number;
  /** Takes rate-limit tokens around claims; undefined when no handled type has a rate limit. */
  readonly #rate: RateGate | undefined;
  /** How many rows to claim beyond the free slots. */
  readonly #prefetch: PrefetchPolicy;

  constructor(deps: ProcessorDeps) {
    this.#deps = deps;
    this.#storeDeadlineMs = deps.storeDeadlineMs;
    const { store, logger, options } = deps;
    this.#leases = new LeaseKeeper(store, logger, options.leaseMs);
    this.#claimLog = new OutageLog(logger, 'claim');
    const batch = Math.max(options.batchSize, options.concurrency);
    // One batch of outcomes waiting for their write per claim on its way, so that a claim
    // queued behind another is not held back by the first batch's completions.
    this.#maxUnwritten = batch * options.claimsInFlight;
    this.#prefetch = new PrefetchPolicy(options.prefetch, options);
    this.#queue = new LocalQueue(options.leaseMs);
    this.#idle = new IdleWait(store, deps.table);
    this.#batcher = new OutcomeBatcher(store, logger, { maxBatch: batch, giveUpAfterMs: options.leaseMs });
    this.#attemptDeps = {
      store,
      builder: deps.builder,
      serviceName: deps.serviceName,
      handlers: deps.handlers,
      batcher: this.#batcher,
      hooks: deps.hooks,
      tracer: deps.tracer,
    };
    this.#timeouts = new TimeoutSweep(this.#running, options.handlerTimeoutMs);
    const types = [...deps.handlers.keys()];
    const limits = new Map([...(deps.rateLimits ?? [])].filter(([type]) => deps.handlers.has(type)));
    // store, logger, hooks, serviceName and table: the processor's own.
    this.#rate = limits.size === 0 ? undefined : new RateGate({ ...deps, types, limits, batchSize: options.batchSize });
  }

  get table(): Table {
    return this.#deps.table;
  }

  get inFlight(): number {
    return this.#running.size;
  }

  health(): { table: Table; running: boolean; healthy: boolean; inFlight: number; lastPollAt: number } {
    return {
      table: this.#deps.table,
      running: this.#loop !== undefined,
      healthy: this.#deps.watch.healthy && this.#leases.healthy,
      inFlight: this.#running.size,
      lastPollAt: this.#lastPollAt,
    };
  }

  start(): void {
    if (this.#loop !== undefined) return;
    this.#stop = new AbortController();
    this.#leases.start();
    this.#timeouts.start();
    // A rate-limited processor keeps one claim on its way: its tokens are taken per claim.
    const loops = this.#rate === undefined ? this.#deps.options.claimsInFlight : 1;
    const all = Array.from({ length: loops }, (_, i) => this.#pollLoop(i === 0));
    this.#loop = loops === 1 ? all[0] : Promise.all(all).then(() => undefined);
  }

  /**
   * Stops claiming, releases claimed-but-unstarted rows (no attempt counted), lets running
   * handlers finish until the shutdown deadline, then aborts them (their attempt fails
   * and is retried), and writes every outcome before resolving.
   *
   * The deadline holds whatever the store is doing: a claim, release or outcome write
   * that hangs (a stalled network) is abandoned when it passes, and after it the final
   * outcome writes get at most {@link FINAL_WRITES_GRACE_MS} (or the store deadline, if
   * shorter). What is abandoned is left to lease expiry, as after a crash: the rows come
   * back through the reaper, with the attempt counted, and nothing is lost.
   */
  async stop(): Promise<void> {
    if (this.#loop === undefined) return;
    const { options, logger, table } = this.#deps;
    this.#stop.abort();
    this.#idle.wakeUp();
    this.#slotFreed.fire();
    const cancelTimers = new AbortController();
    const deadline = sleep(options.shutdownTimeoutMs, cancelTimers.signal);
    const within = (work: Promise<unknown>, until: Promise<void>): Promise<boolean> =>
      Promise.race([work.then(() => true), until.then(() => false)]);
    let abandoned: boolean;
    try {
      abandoned = !(await within(this.#loop, deadline));
      if (!abandoned) abandoned = !(await within(this.#releaseQueued(), deadline));
      const allDone = Promise.all(this.#running.values());
      if (!(await within(allDone, deadline))) {
        logger.warn({ inFlight: this.#running.size, table }, 'shutdown deadline passed; aborting handlers');
        const reason = new EventyardError(ErrorCode.SHUTDOWN, 'the shutdown deadline passed');
        for (const control of this.#running.keys()) control.abort(reason);
      }
      const graceMs = Math.min(FINAL_WRITES_GRACE_MS, this.#storeDeadlineMs);
      const written = allDone.then(() => this.#batcher.drain());
      if (
        !(await within(
          written,
          deadline.then(() => sleep(graceMs, cancelTimers.signal)),
        ))
      )
        abandoned = true;
    } finally {
      cancelTimers.abort();
      this.#leases.stop();
      this.#timeouts.stop();
      this.#loop = undefined;
    }
    if (abandoned) {
      logger.warn(
        { inFlight: this.#running.size, queued: this.#queue.length, table },
        'store calls still pending at the shutdown deadline; their rows are left to lease expiry',
      );
    }
  }

  /**
   * Claims and hands rows to the handlers until stop(). The `lead` loop claims whenever
   * there is room; each extra one (`claimsInFlight` > 1) only while a backlog lasts
   * (claim-flight.ts), and goes back to waiting when a claim comes back short.
   */
  async #pollLoop(lead: boolean): Promise<void> {
    const { store, options, table, handlers, serviceName, owner, hooks } = this.#deps;
    const stopped = this.#stop.signal;
    const idle = new IdleBackoff(options.idleMinMs, options.idleMaxMs);
    const types = [...handlers.keys()];
    // The group limits of the grouped types among them: every claim carries them (the store
    // enforces maxInFlight per group across all processes, and serves groups round-robin).
    const groups = groupLimits(types.map((t) => this.#deps.builder.registry.get(t)));
    this.#grouped = groups !== undefined;
    const base: ClaimBase = {
      table,
      owner,
      updatedBy: serviceName,
      leaseMs: options.leaseMs,
      ...(groups && { groups }),
    };
    const unsubscribe = this.#deps.onLocalPublish(table, () => this.#idle.wakeUp());
    try {
      while (!stopped.aborted) {
        const free =
          options.concurrency +
          this.#prefetch.rowsAt(performance.now()) -
          this.#busy -
          this.#queue.length -
          this.#flight.rows;
        if (this.#alone || (!lead && !this.#flight.mayClaimAlongside(free, options.batchSize))) {
          await Promise.race([this.#slotFreed.wait(), this.#flight.moved()]);
          continue;
        }
        // Outcomes waiting for their write are bounded too: at most one batch per claim.
        if (free <= 0 || this.#running.size - this.#busy >= this.#maxUnwritten) {
          await this.#slotFreed.wait();
          continue;
        }
        if (!this.#leases.canClaim) {
          await this.#idleWait(options.idleMaxMs, false);
          continue;
        }
        if (!this.#deps.watch.healthy && !(await this.#storeAnswers())) {
          await this.#idleWait(idle.next(), false);
          continue;
        }
        const sentAt = performance.now();
        this.#idle.claimSent();
        const limit = Math.min(free, options.batchSize);
        let claimed: readonly ClaimedMessage[];
        this.#flight.sent(limit);
        try {
          this.#lastPollAt = Date.now();
          claimed =
            this.#rate === undefined
              ? await store.claim({ ...base, messageTypes: types, limit })
              : await this.#rate.claim(base, free, options.concurrency - this.#busy - this.#queue.length, () =>
                  performance.now(),
                );
        } catch (error) {
          this.#flight.answered(limit, false);
          // An outage is logged once by the store watch; other failures once per streak.
          if (!isOutage(error)) this.#claimLog.failed(error, { table }, 'backing off');
          await this.#idleWait(idle.next(), false);
          continue;
        }
        this.#flight.answered(limit, claimed.length >= limit);
        this.#claimLog.succeeded({ table });
        this.#prefetch.claimAnswered(performance.now() - sentAt);
        this.stats.claimed += claimed.length;
        if (stopped.aborted) {
          // stop() came while the claim was on its way: nothing new starts.
          this.#queue.add(claimed, sentAt);
          await this.#releaseQueued();
          break;
        }
        if (this.#alone) {
          // Another loop's crash suspect runs alone: these rows go back unstarted.
          await this.#release(claimed);
          continue;
        }
        if (claimed.length === 0 && !lead) continue; // the lead loop polls an idle table
        if (claimed.length === 0) {
          // A rate-limited type waiting for its next token cuts the idle wait to that time.
          await this.#idleWait(Math.min(idle.next(), this.#rate?.waitMs(performance.now()) ?? Infinity), true);
          continue;
        }
        idle.reset();
        if (hooks.listening('claimed')) {
          hooks.emit('claimed', {
            service: serviceName,
            table,
            messages: claimed,
            claimMs: performance.now() - sentAt,
          });
        }
        const suspect = claimed.find(isCrashSuspect);
        if (suspect !== undefined) {
          this.#prefetch.leaseExpirySeen(performance.now());
          await this.#runAlone(
            suspect,
            sentAt,
            claimed.filter((m) => m !== suspect),
          );
          continue;
        }
        this.#queue.add(claimed, sentAt);
        if (claimed.some((m) => isLeaseExpiry(m.lastError))) {
          // Some owner died or stopped answering: no queue for a while (prefetch.ts), and the
          // queued rows beyond the free slots go back unstarted.
          this.#prefetch.leaseExpirySeen(performance.now());
          void this.#release(this.#queue.takeBeyond(options.concurrency - this.#busy));
        }
        this.#dispatch();
      }
    } finally {
      unsubscribe();
    }
  }

  /**
   * While the store does not answer, a cheap read probes it instead of a claim: a claim
   * that times out may still run on the server when the network comes back, and its rows
   * would then sit claimed by nobody until their lease expired (an attempt spent for nothing).
   */
  async #storeAnswers(): Promise<boolean> {
    try {
      await this.#deps.store.now();
      return true;
    } catch {
      return false;
    }
  }

  /** Waits `ms`, cut short by stop(), a local write to this table or (`hint`) the store. */
  #idleWait(ms: number, hint: boolean): Promise<void> {
    return this.#idle.wait(ms, hint, this.#stop.signal);
  }

  #dispatch(): void {
    const { concurrency, handlerTimeoutMs } = this.#deps.options;
    // Queued rows start as slots free up, while the outcomes waiting for their write stay
    // within one batch beyond the slots (a write landing dispatches again).
    while (this.#busy < concurrency && this.#queue.length > 0 && this.#running.size - this.#busy < this.#maxUnwritten) {
      const startedAt = performance.now();
      // A row whose lease is too far gone is passed over and goes back unstarted (below).
      const next = this.#queue.next(startedAt);
      if (next === undefined) break;
      const control = new AttemptControl(startedAt + handlerTimeoutMs);
      this.#busy++;
      this.#running.set(control, this.#attempt(next.message, next.claimSentAt, control, startedAt));
    }
    const stale = this.#queue.takeStale();
    if (stale !== undefined) void this.#release(stale);
  }

  /** The attempt's handler settled (or never ran): its slot takes the next row. Once per attempt. */
  #freeSlot(control: AttemptControl, startedAt: number): void {
    if (control.slotFreed) return;
    control.slotFreed = true;
    this.#prefetch.handlerSettled(performance.now() - startedAt);
    this.#busy--;
    if (!this.#stop.signal.aborted) this.#dispatch();
    this.#slotFreed.fire();
  }

  /** One attempt, from its start to its outcome written, with the slot and lease bookkeeping. */
  async #attempt(
    message: ClaimedMessage,
    claimSentAt: number,
    control: AttemptControl,
    startedAt: number,
  ): Promise<void> {
    const lease = this.#leases.hold(message, control, claimSentAt);
    // runAttempt frees the slot when the handler settles; the finally below is the fallback.
    const freeSlot = (): void => this.#freeSlot(control, startedAt);
    try {
      reportOutcome(this.#deps, this.stats, await runAttempt(this.#attemptDeps, message, control, freeSlot));
    } finally {
      freeSlot(); // a no-op unless runAttempt ended without calling it
      this.#leases.drop(lease);
      this.#running.delete(control);
      if (this.#queue.length > 0 && !this.#stop.signal.aborted) this.#dispatch();
      this.#slotFreed.fire();
      // The row left IN_PROGRESS (its outcome is written): a claim that found its group
      // full may now get a row of it, so an idle wait ends instead of backing off.
      if (this.#grouped) this.#idle.wakeUp();
    }
  }

  /**
   * Runs a crash suspect alone. A row whose lease expired twice in a row, under two owners,
   * may have killed both processes (a poison message): run next to others, it would kill
   * them too, and since reaped rows come due together they would be claimed together again,
   * until all of them end FAILED. So the rows claimed with it go back unstarted (no attempt
   * counted), running handlers finish first (its lease kept alive meanwhile), and nothing
   * else is claimed until it is done. Only the suspect pays for its own crashes.
   */
  async #runAlone(suspect: ClaimedMessage, claimSentAt: number, others: readonly ClaimedMessage[]): Promise<void> {
    this.#alone = true;
    try {
      await this.#runSuspect(suspect, claimSentAt, others);
    } finally {
      this.#alone = false;
      this.#slotFreed.fire();
    }
  }

  async #runSuspect(suspect: ClaimedMessage, claimSentAt: number, others: readonly ClaimedMessage[]): Promise<void> {
    const stopped = this.#stop.signal;
    this.#queue.add(others, claimSentAt);
    await this.#releaseQueued();
    this.stats.isolated++;
    const waiting = new AttemptControl(Infinity);
    const lease = this.#leases.hold(suspect, waiting, claimSentAt);
    while (this.#running.size > 0 && !stopped.aborted) await this.#slotFreed.wait();
    this.#leases.drop(lease);
    if (waiting.aborted) return; // its lease was lost while waiting: someone else has it now
    this.#queue.add([suspect], lease.validUntil - this.#deps.options.leaseMs);
    if (stopped.aborted) return; // stop() releases it with the rest of the queue
    this.#dispatch();
    while (this.#running.size > 0 && !stopped.aborted) await this.#slotFreed.wait();
  }

  async #releaseQueued(): Promise<void> {
    await this.#release(this.#queue.takeAll());
  }

  /** Gives claimed rows back unstarted (no attempt counted). Never throws. */
  #release(unstarted: readonly ClaimedMessage[]): Promise<void> {
    return releaseUnstarted(this.#deps, this.stats, unstarted);
  }
}
