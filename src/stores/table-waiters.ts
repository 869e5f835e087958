/**
 * The waiting side of a store's wake-up hint, shared by the stores whose hint arrives on a
 * connection of its own (Redis pub/sub, PostgreSQL LISTEN/NOTIFY): processors wait per
 * table, a hint for a table resolves its waiters, and a hint that comes while a claim of
 * the table is in flight is remembered, because that claim may have run just before the
 * write it was woken for and come back empty while its processor was not waiting yet. The
 * next waits of that table (one per claim in flight) then return at once instead of sleeping.
 */
import { ALL_TABLES, type Table } from '../core/message-type.js';

export class TableWaiters {
  readonly #waiters = new Map<Table, Set<() => void>>();
  /** Claims of each table in flight in this process. */
  readonly #claiming = new Map<Table, number>();
  /** Hints that came while claims of the table were in flight (see the module comment). */
  readonly #missed = new Map<Table, number>();

  /** A hint for `table`: resolves its waiters, and covers the claims in flight. */
  wake(table: Table): void {
    const inFlight = this.#claiming.get(table) ?? 0;
    if (inFlight > 0) this.#missed.set(table, inFlight);
    for (const wake of this.#waiters.get(table) ?? []) wake();
  }

  /** Every table at once: after a reconnect (hints may have been missed) and at close. */
  wakeAll(): void {
    for (const table of ALL_TABLES) this.wake(table);
  }

  /** Runs a claim of `table`, noting that it is in flight. */
  async claiming<T>(table: Table, claim: () => Promise<T>): Promise<T> {
    this.#claiming.set(table, (this.#claiming.get(table) ?? 0) + 1);
    try {
      return await claim();
    } finally {
      this.#claiming.set(table, (this.#claiming.get(table) ?? 1) - 1);
    }
  }

  /** Resolves at the next hint for `table`, after `timeoutMs`, or when `signal` aborts. */
  async wait(table: Table, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const missed = this.#missed.get(table) ?? 0;
    if (missed > 0) {
      this.#missed.set(table, missed - 1);
      return;
    }
    await new Promise<void>((resolve) => {
      const set = this.#waiters.get(table) ?? new Set<() => void>();
      this.#waiters.set(table, set);
      const done = (): void => {
        clearTimeout(timer);
        set.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      set.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
