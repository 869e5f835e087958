/**
 * The wake-up hint behind `waitForMessages`: scripts that make rows claimable (publish,
 * emits, release, promotion, re-drive) PUBLISH `<keyPrefix>:wake:<table>`; one subscriber
 * connection per store (opened at the first wait, separate from the command connection)
 * resolves every waiter of that table. On Redis Cluster a PUBLISH reaches every node, so the
 * subscriber may sit on any of them. The subscriber connects when the store is created.
 *
 * It is only a hint: a message published while the subscriber is down (Redis restart) wakes
 * nobody, and processors find it at their next poll. After a reconnect every waiter is woken
 * once, since a publish may have been missed in between.
 */
import type { Table } from '../../core/message-type.js';
import { ALL_TABLES } from '../../core/message-type.js';
import type { RedisConnection } from './connection.js';
import type { KeyLayout } from './layout.js';

export class WakeListener {
  readonly #waiters = new Map<Table, Set<() => void>>();
  /** Claims of each table in flight in this process. */
  readonly #claiming = new Map<Table, number>();
  /**
   * Wakes that came while claims of the table were in flight: such a claim may have run just
   * before the publish and come back empty, and its processor was not waiting yet. The next
   * waits of that table (one per claim in flight) return at once instead of sleeping.
   */
  readonly #missed = new Map<Table, number>();
  #started = false;

  constructor(
    private readonly conn: RedisConnection,
    private readonly layout: KeyLayout,
  ) {}

  /** Opens the subscriber connection and subscribes (at store creation, so the first wait is covered). */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    const prefix = this.layout.wakePrefix();
    const sub = this.conn.subscriber();
    sub.on('message', (channel: string) => {
      if (channel.startsWith(prefix)) this.#wake(channel.slice(prefix.length) as Table);
    });
    // After a reconnect (ioredis re-subscribes) publishes may have been missed: wake everyone once.
    let connects = 0;
    sub.on('ready', () => {
      if (connects++ > 0) this.#wakeAll();
    });
    sub.subscribe(...ALL_TABLES.map((t) => prefix + t)).catch(() => undefined); // polling carries on
  }

  #wake(table: Table): void {
    const inFlight = this.#claiming.get(table) ?? 0;
    if (inFlight > 0) this.#missed.set(table, inFlight);
    for (const wake of this.#waiters.get(table) ?? []) wake();
  }

  /** Runs a claim of `table`, noting that it is in flight (see #missed). */
  async claiming<T>(table: Table, claim: () => Promise<T>): Promise<T> {
    this.#claiming.set(table, (this.#claiming.get(table) ?? 0) + 1);
    try {
      return await claim();
    } finally {
      this.#claiming.set(table, (this.#claiming.get(table) ?? 1) - 1);
    }
  }

  #wakeAll(): void {
    for (const table of this.#waiters.keys()) this.#wake(table);
  }

  async wait(table: Table, timeoutMs: number, signal: AbortSignal): Promise<void> {
    this.conn.assertOpen();
    if (signal.aborted) return;
    this.start();
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

  /** Resolves every waiter (store close). */
  close(): void {
    this.#wakeAll();
  }
}
