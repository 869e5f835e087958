/**
 * The wake-up hint behind `waitForMessages`: statements that make rows claimable (publish,
 * emits, release, promotion, re-drive) call `pg_notify(<schema>_wake, <table>)`, delivered
 * when their transaction commits (never for a rolled-back one). One dedicated connection per
 * store LISTENs and resolves every waiter of the table named.
 *
 * It is only a hint: a notification sent while the listener is disconnected (server
 * restart) wakes nobody, and processors find the rows at their next poll. The listener
 * reconnects with a capped back-off; after a reconnect every waiter is woken once, since a
 * notification may have been missed in between.
 */
import pg from 'pg';
import type { Table } from '../../core/message-type.js';
import { ALL_TABLES } from '../../core/message-type.js';
import { TableWaiters } from '../table-waiters.js';

const RECONNECT_MS = [100, 250, 500, 1000, 2000, 5000];

export class WakeListener {
  readonly #waiters = new TableWaiters();
  #client: pg.Client | undefined;
  #started = false;
  #closed = false;
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  /** The backend pid of the listening connection (tests terminate it to drop notifications). */
  pid: number | undefined;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly channel: string,
  ) {}

  /** Connects and LISTENs; resolves once listening (or once the first attempt failed: polling carries on). */
  async start(): Promise<void> {
    if (this.#started || this.#closed) return;
    this.#started = true;
    await this.#connect();
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({ ...this.config, query_timeout: undefined, statement_timeout: undefined });
    this.#client = client;
    let lost = false;
    const onLost = (): void => {
      if (lost) return;
      lost = true;
      this.pid = undefined;
      if (this.#client === client) this.#client = undefined;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      this.#scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', onLost);
    client.on('notification', (n) => {
      if (n.channel === this.channel && (ALL_TABLES as readonly string[]).includes(n.payload ?? '')) {
        this.#waiters.wake(n.payload as Table);
      }
    });
    try {
      await client.connect();
      const escaped = this.channel.replaceAll('"', '""');
      await client.query(`LISTEN "${escaped}"`);
      const pid = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      this.pid = pid.rows[0]?.pid;
      if (this.#failures > 0) this.#waiters.wakeAll(); // notifications may have been missed meanwhile
      this.#failures = 0;
      if (this.#closed) await client.end().catch(() => undefined);
    } catch {
      onLost();
    }
  }

  #scheduleReconnect(): void {
    if (this.#closed) return;
    const delay = RECONNECT_MS[Math.min(this.#failures, RECONNECT_MS.length - 1)] as number;
    this.#failures++;
    this.#timer = setTimeout(() => void this.#connect(), delay);
    this.#timer.unref();
  }

  /** Runs a claim of `table`, noting that it is in flight (see TableWaiters). */
  async claiming<T>(table: Table, claim: () => Promise<T>): Promise<T> {
    return this.#waiters.claiming(table, claim);
  }

  async wait(table: Table, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted || this.#closed) return;
    void this.start();
    await this.#waiters.wait(table, timeoutMs, signal);
  }

  /** Resolves every waiter and closes the listening connection. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#waiters.wakeAll();
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }
}
