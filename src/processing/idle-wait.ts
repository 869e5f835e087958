/**
 * The poll loop's idle wait: between claims that found nothing (or while the store is
 * unhealthy), the loop sleeps, and a local publish to its table, the store's own wake-up
 * (waitForMessages) or stop() ends the sleep early. A wake-up that comes while no wait is
 * running is kept for the next one, so none is lost.
 */
import type { Table } from '../core/message-type.js';
import type { EventStore } from '../store/port.js';
import { sleep } from './timing.js';

/** The reason a wait is ended early with (nothing reads it: the waits never reject). */
const WAKE_UP = 'wake-up';

export class IdleWait {
  /** Aborted to end the current wait early. */
  #wake = new AbortController();
  /**
   * A wake-up came since the last claim was sent, and no wait has taken it yet. That claim
   * may have run just before the write it announces and come back empty while no wait was
   * there to end: the next wait then returns at once, so a wake-up is never lost (the
   * stores' own hints keep the same rule: table-waiters.ts).
   */
  #woken = false;

  constructor(
    private readonly store: Pick<EventStore, 'waitForMessages'>,
    private readonly table: Table,
  ) {}

  /** A claim is on its way: only wake-ups from now on can end the wait after it. */
  claimSent(): void {
    this.#woken = false;
  }

  /**
   * Waits `ms`, cut short by a wake-up (or at once, after one since the last claim, or when
   * `stopped`); with `hint`, the store's own wake-up may cut it short too.
   */
  async wait(ms: number, hint: boolean, stopped: AbortSignal): Promise<void> {
    this.#wake = new AbortController();
    if (stopped.aborted) return;
    if (this.#woken) {
      this.#woken = false;
      return;
    }
    const { store, table } = this;
    await (hint && store.waitForMessages
      ? store.waitForMessages(table, ms, this.#wake.signal)
      : sleep(ms, this.#wake.signal));
  }

  /**
   * Ends the current wait. Called for every local publish, so it aborts only a wait not
   * already ended, and with a reason made once: `abort()` without one builds a
   * DOMException (and its stack) on every call, aborted or not.
   */
  wakeUp(): void {
    this.#woken = true;
    if (!this.#wake.signal.aborted) this.#wake.abort(WAKE_UP);
  }
}
