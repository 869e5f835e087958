/**
 * Backlog gauges, read from the store when Prometheus scrapes: rows per table, message
 * type and status (`countByStatus`), and per message type the age of the oldest row
 * waiting for a handler (UNPROCESSED or RETRY; one `list` of one row per type that has
 * any). A scrape storm does not reach the store: a snapshot younger than `cacheMs` is
 * served again, and concurrent scrapes share the one read in flight. A read that misses
 * its deadline or fails leaves the last snapshot in place and counts a failure, so a
 * slow store shows as `eventyard_backlog_read_failures_total`, not as a hung scrape.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Eventyard } from '../app.js';
import { Status } from '../core/status.js';
import type { Table } from '../core/message-type.js';
import type { StatusCount } from '../store/port.js';

export interface BacklogOptions {
  readonly registry: Registry;
  readonly prefix: string;
  readonly cacheMs: number;
  readonly timeoutMs: number;
  /** Epoch milliseconds; the age is measured against this process's clock. */
  readonly now: () => number;
}

interface Snapshot {
  readonly counts: readonly StatusCount[];
  /** table, message type and the CREATED_DTTM of its oldest waiting row. */
  readonly oldest: readonly { table: Table; messageType: string; createdAt: number | null }[];
}

const WAITING = [Status.UNPROCESSED, Status.RETRY] as const;

export function backlogGauges(app: Eventyard, o: BacklogOptions): void {
  const registers = [o.registry];
  const failures = new Counter({
    name: `${o.prefix}backlog_read_failures_total`,
    help: 'Backlog reads at scrape time that failed or missed their deadline (the gauges kept their last values).',
    registers,
    // Read after the gauges' read settled, so a scrape reports its own failure.
    async collect() {
      await snapshot();
    },
  });
  let last: Snapshot | undefined;
  let readAt = -Infinity;
  let inFlight: Promise<Snapshot | undefined> | undefined;

  const read = async (): Promise<Snapshot> => {
    const counts = await app.countByStatus();
    const waiting = new Map<string, Table>();
    for (const c of counts) if (isWaiting(c.status) && c.count > 0) waiting.set(c.messageType, c.table);
    const kinds = new Map(counts.map((c) => [c.messageType, c.table]));
    const oldest = await Promise.all(
      [...kinds].map(async ([messageType, table]) => {
        if (!waiting.has(messageType)) return { table, messageType, createdAt: null };
        const page = await app.list({ table, messageType, statuses: WAITING, limit: 1 });
        return { table, messageType, createdAt: page.rows[0]?.createdAt ?? null };
      }),
    );
    return { counts, oldest };
  };

  const snapshot = (): Promise<Snapshot | undefined> => {
    if (inFlight !== undefined) return inFlight;
    if (o.now() - readAt < o.cacheMs) return Promise.resolve(last);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), o.timeoutMs);
    });
    inFlight = Promise.race([read(), deadline])
      .then(
        (result) => {
          if (result === 'timeout') failures.inc();
          else last = result;
          return last;
        },
        () => {
          failures.inc();
          return last;
        },
      )
      .finally(() => {
        clearTimeout(timer);
        readAt = o.now();
        inFlight = undefined;
      });
    return inFlight;
  };

  new Gauge({
    name: `${o.prefix}backlog_messages`,
    help: 'Message rows in the store by table, message type and status, read at scrape time.',
    labelNames: ['table', 'message_type', 'status'],
    registers,
    async collect() {
      const s = await snapshot();
      this.reset();
      for (const c of s?.counts ?? []) this.labels(c.table, c.messageType, c.status).set(c.count);
    },
  });
  new Gauge({
    name: `${o.prefix}oldest_waiting_message_age_seconds`,
    help: 'Age of the oldest UNPROCESSED or RETRY row per message type (0 when none waits), since it was written.',
    labelNames: ['table', 'message_type'],
    registers,
    async collect() {
      const s = await snapshot();
      this.reset();
      const now = o.now();
      for (const { table, messageType, createdAt } of s?.oldest ?? []) {
        this.labels(table, messageType).set(createdAt === null ? 0 : Math.max(0, now - createdAt) / 1000);
      }
    },
  });
}

function isWaiting(status: Status): boolean {
  return status === Status.UNPROCESSED || status === Status.RETRY;
}
