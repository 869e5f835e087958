/**
 * A processor's local queue: rows claimed beyond its free handler slots, each waiting for a
 * slot with the time its claim was sent (its lease runs from then, unrenewed while it waits).
 * How many to claim is prefetch.ts's rule; which may still start, and giving back the ones
 * that may not, is this module's.
 */
import type { Table } from '../core/message-type.js';
import type { ClaimedMessage, EventStore } from '../store/port.js';
import type { Hooks } from './hooks.js';
import type { Logger } from './logger.js';
import type { ProcessorStats } from './outcome-report.js';

export interface Queued {
  readonly message: ClaimedMessage;
  /** performance.now() when the claim that brought the row was sent. */
  readonly claimSentAt: number;
}

export class LocalQueue {
  readonly #entries: Queued[] = [];
  /** Rows passed over by {@link next}, until {@link takeStale}. */
  #stale: ClaimedMessage[] | undefined;

  constructor(private readonly leaseMs: number) {}

  get length(): number {
    return this.#entries.length;
  }

  add(messages: readonly ClaimedMessage[], claimSentAt: number): void {
    for (const message of messages) this.#entries.push({ message, claimSentAt });
  }

  /**
   * The next row that may start at `now` (performance.now()), first in first out, or
   * undefined when none is left. A row that waited until less than a third of its lease was
   * left is passed over and kept for {@link takeStale}: started now, it might lose its
   * lease before a renewal could land.
   */
  next(now: number): Queued | undefined {
    for (let entry = this.#entries.shift(); entry !== undefined; entry = this.#entries.shift()) {
      if (entry.claimSentAt + this.leaseMs - now >= this.leaseMs / 3) return entry;
      (this.#stale ??= []).push(entry.message);
    }
    return undefined;
  }

  /** The rows {@link next} passed over since the last call, to go back unstarted; undefined for none. */
  takeStale(): ClaimedMessage[] | undefined {
    const stale = this.#stale;
    this.#stale = undefined;
    return stale;
  }

  /** Takes the rows after the first `keep`. */
  takeBeyond(keep: number): ClaimedMessage[] {
    return this.#entries.splice(Math.max(0, keep)).map((q) => q.message);
  }

  /** Takes every row. */
  takeAll(): ClaimedMessage[] {
    return this.takeBeyond(0);
  }
}

/** What giving rows back reports to. */
export interface ReleaseDeps {
  readonly store: EventStore;
  readonly serviceName: string;
  readonly table: Table;
  readonly hooks: Hooks;
  readonly logger: Logger;
}

/**
 * Gives claimed rows back unstarted (no attempt counted): counted in `released` and told to
 * the `released` hook. Never throws: a release that fails leaves the rows to lease expiry.
 */
export async function releaseUnstarted(
  deps: ReleaseDeps,
  stats: ProcessorStats,
  unstarted: readonly ClaimedMessage[],
): Promise<void> {
  if (unstarted.length === 0) return;
  try {
    const { store, serviceName: service, table, hooks } = deps;
    const outcomes = await store.release(unstarted, service);
    const released = unstarted.filter((_, i) => outcomes[i] === 'ok');
    stats.released += released.length;
    if (released.length > 0 && hooks.listening('released')) {
      hooks.emit('released', { service, table, messages: released });
    }
  } catch (error) {
    deps.logger.warn({ err: error, rows: unstarted.length }, 'release failed; the leases will expire');
  }
}
