/**
 * The wake-up hint behind `waitForMessages`: scripts that make rows claimable (publish,
 * emits, release, promotion, re-drive) PUBLISH `<keyPrefix>:wake:<table>`; one subscriber
 * connection per store (separate from the command connection) resolves every waiter of that
 * table. On Redis Cluster a PUBLISH reaches every node, so the subscriber may sit on any of
 * them.
 *
 * The subscriber connects at the store's first claim or wait, not when the store is created:
 * a process that only publishes (an API server) would otherwise receive, and parse, a message
 * for each of its own publishes. A claim that ran before the subscription was confirmed may
 * have missed a publish that no message announced, so once subscribed, the tables claimed
 * meanwhile are woken once (their processors claim again).
 *
 * It is only a hint: a message published while the subscriber is down (Redis restart) wakes
 * nobody, and processors find it at their next poll. After a reconnect every waiter is woken
 * once, since a publish may have been missed in between.
 */
import type { Table } from '../../core/message-type.js';
import { ALL_TABLES } from '../../core/message-type.js';
import type { RedisConnection } from './connection.js';
import type { KeyLayout } from './layout.js';
import { TableWaiters } from '../table-waiters.js';

export class WakeListener {
  readonly #waiters = new TableWaiters();
  #started = false;
  #subscribed = false;
  /** Tables claimed before the subscription was confirmed: woken once it is. */
  readonly #claimedUnsubscribed = new Set<Table>();

  constructor(
    private readonly conn: RedisConnection,
    private readonly layout: KeyLayout,
  ) {}

  /** Opens the subscriber connection and subscribes (at the first claim or wait). */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    const prefix = this.layout.wakePrefix();
    const sub = this.conn.subscriber();
    sub.on('message', (channel: string) => {
      if (channel.startsWith(prefix)) this.#waiters.wake(channel.slice(prefix.length) as Table);
    });
    // After a reconnect (ioredis re-subscribes) publishes may have been missed: wake everyone once.
    let connects = 0;
    sub.on('ready', () => {
      if (connects++ > 0) this.#waiters.wakeAll();
    });
    sub
      .subscribe(...ALL_TABLES.map((t) => prefix + t))
      .then(() => {
        this.#subscribed = true;
        for (const table of this.#claimedUnsubscribed) this.#waiters.wake(table);
        this.#claimedUnsubscribed.clear();
      })
      .catch(() => undefined); // polling carries on
  }

  /** Runs a claim of `table`, noting that it is in flight (see TableWaiters). */
  async claiming<T>(table: Table, claim: () => Promise<T>): Promise<T> {
    if (!this.#subscribed) {
      this.start();
      this.#claimedUnsubscribed.add(table);
    }
    return this.#waiters.claiming(table, claim);
  }

  async wait(table: Table, timeoutMs: number, signal: AbortSignal): Promise<void> {
    this.conn.assertOpen();
    if (signal.aborted) return;
    this.start();
    await this.#waiters.wait(table, timeoutMs, signal);
  }

  /** Resolves every waiter (store close). */
  close(): void {
    this.#waiters.wakeAll();
  }
}
