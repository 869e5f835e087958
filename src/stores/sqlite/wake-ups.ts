/**
 * The wake-up hint behind `waitForMessages`. Writes through this store instance that make
 * rows claimable (publish, emits, release, promotion, re-drive) wake its waiters at once.
 * Writes by other connections (other processes, other store instances) are noticed by a
 * poll every {@link CHANGE_POLL_MS} while someone waits: `PRAGMA data_version` tells
 * whether another connection committed, and only then one probe of the claimable index per
 * waited-for table decides whether to wake. A hint only: a waiter also wakes on its timeout.
 */
import type { Table } from '../../core/message-type.js';

/** How often waiters look for other connections' commits; bounds cross-process latency. */
export const CHANGE_POLL_MS = 50;

export interface ChangeProbe {
  /** True when another connection committed since the last call. */
  changedElsewhere(): boolean;
  /** True when `table` has a claimable, due row. */
  hasClaimable(table: Table): boolean;
}

interface Waiter {
  readonly table: Table;
  readonly wake: () => void;
}

export class WakeUps {
  readonly #waiters = new Set<Waiter>();
  readonly #probe: ChangeProbe;
  #timer: NodeJS.Timeout | undefined;

  constructor(probe: ChangeProbe) {
    this.#probe = probe;
  }

  notify(tables: Iterable<Table>): void {
    const woken = new Set(tables);
    if (woken.size === 0) return;
    for (const waiter of this.#waiters) if (woken.has(waiter.table)) waiter.wake();
  }

  wait(table: Table, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#waiters.delete(waiter);
        if (this.#waiters.size === 0) this.#stopPolling();
        resolve();
      };
      const waiter: Waiter = { table, wake: done };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      this.#waiters.add(waiter);
      this.#startPolling();
    });
  }

  /** Wakes every waiter and stops polling (the store is closing). */
  close(): void {
    for (const waiter of [...this.#waiters]) waiter.wake();
    this.#stopPolling();
  }

  #startPolling(): void {
    if (this.#timer !== undefined) return;
    this.#probe.changedElsewhere(); // the baseline: only commits from now on count
    this.#timer = setInterval(() => this.#poll(), CHANGE_POLL_MS);
    this.#timer.unref();
  }

  #stopPolling(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #poll(): void {
    try {
      if (!this.#probe.changedElsewhere()) return;
      const tables = new Set([...this.#waiters].map((w) => w.table));
      this.notify([...tables].filter((table) => this.#probe.hasClaimable(table)));
    } catch {
      // The database could not be read (closing, I/O): wake everyone, so the next claim
      // reports the error instead of a hint swallowing it.
      this.close();
    }
  }
}
