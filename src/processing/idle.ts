/**
 * Waiting until work is done, for scripts and tests: no row a started service handles is
 * UNPROCESSED, RETRY, ERROR (it will be retried) or IN_PROGRESS, and no attempt of this
 * process is still being written. Rows are counted in the store, so rows other processes
 * hold count too, and so do delayed ones.
 */
import { performance } from 'node:perf_hooks';
import { ErrorCode, EventyardError } from '../core/errors.js';
import type { Table } from '../core/message-type.js';
import { Status } from '../core/status.js';
import type { EventStore, StatusCount } from '../store/port.js';
import type { Service } from './service.js';
import { sleep } from './timing.js';

export interface IdleOptions {
  /**
   * Give up after this many milliseconds with EY_IDLE_TIMEOUT (which lists what is left).
   * @defaultValue 30000
   */
  readonly timeoutMs?: number | undefined;
  /**
   * How often the store is asked.
   * @defaultValue 25
   */
  readonly pollMs?: number | undefined;
}

const PENDING = [Status.UNPROCESSED, Status.RETRY, Status.ERROR, Status.IN_PROGRESS] as const;

export async function waitUntilIdle(
  store: EventStore,
  services: Iterable<Service>,
  options: IdleOptions = {},
): Promise<void> {
  const { timeoutMs = 30_000, pollMs = 25 } = options;
  for (const [name, value] of [
    ['timeoutMs', timeoutMs],
    ['pollMs', pollMs],
  ] as const) {
    if (!(Number.isFinite(value) && value >= 0)) {
      throw new EventyardError(ErrorCode.INVALID_OPTION, `idle: ${name} must be a non-negative number`, {
        details: { option: name },
      });
    }
  }
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const running = [...services].filter((s) => s.running);
    if (running.length === 0) {
      throw new EventyardError(ErrorCode.INVALID_STATE, 'idle(): no service is running; start() one first');
    }
    // In-flight first: once none is, every row left is in the store, where the count sees it.
    const inFlight = running.reduce((n, s) => n + s.inFlight, 0);
    const left = inFlight > 0 ? [] : await pendingRows(store, running);
    if (inFlight === 0 && left.length === 0) return;
    if (performance.now() >= deadline) {
      const rows = left.map((c) => `${c.messageType} ${c.status} ${c.count}`).join(', ');
      throw new EventyardError(
        ErrorCode.IDLE_TIMEOUT,
        `idle(): work left after ${timeoutMs} ms: ${inFlight} attempts in flight${rows ? `; rows ${rows}` : ''}`,
        { details: { inFlight, rows: left } },
      );
    }
    await sleep(pollMs);
  }
}

async function pendingRows(store: EventStore, services: readonly Service[]): Promise<StatusCount[]> {
  const wanted = new Map<Table, Set<string>>();
  for (const service of services) {
    for (const [table, types] of service.handledTypes()) {
      const set = wanted.get(table) ?? new Set<string>();
      for (const type of types) set.add(type);
      wanted.set(table, set);
    }
  }
  const left: StatusCount[] = [];
  for (const [table, types] of wanted) {
    const counts = await store.countByStatus({ table, statuses: PENDING });
    for (const count of counts) if (count.count > 0 && types.has(count.messageType)) left.push(count);
  }
  return left;
}
