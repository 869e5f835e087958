/**
 * Deadlines on store calls, and what the processing side knows about whether the store
 * answers. A store whose network path stops forwarding without closing (a partition, a
 * stalled proxy) never rejects a call: without a deadline, claim and heartbeat would wait
 * for as long as the pause lasts and nobody would notice. So every call a processor makes
 * goes through {@link storeWithDeadline}: it rejects with EY_STORE_UNAVAILABLE once the
 * deadline passes (the store's own call may still land later; every write is fenced or
 * idempotent, so a late landing changes nothing a caller relies on), and each outcome is
 * reported to a {@link OutageWatch}, which turns health unhealthy and logs one warning per
 * outage, and one line when the store answers again.
 *
 * Store-specific deadlines (ioredis' commandTimeout, PostgreSQL's statement_timeout) live
 * in each store's connection layer; this one holds for every store, whatever its client does.
 */
import { performance } from 'node:perf_hooks';
import { ErrorCode, EventyardError } from '../core/errors.js';
import type { EventStore } from '../store/port.js';
import type { Logger } from './logger.js';

/**
 * Rejects with `timeoutError()` unless `call` settles within `ms`; the call itself is left
 * to finish (`onLate` gets its result if it arrives after the deadline). When the timer
 * fires, the rejection waits one `setImmediate`: timers run before I/O in Node's loop, so
 * after a stretch of event-loop lag a reply already sitting in the socket would otherwise
 * lose to a deadline it did not miss.
 */
export function withDeadline<T>(
  call: Promise<T>,
  ms: number,
  timeoutError: () => Error,
  onLate?: (result: T) => void,
): Promise<T> {
  if (!Number.isFinite(ms)) return call;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let expired = false;
    const timer = setTimeout(
      () =>
        setImmediate(() => {
          if (settled) return;
          expired = true;
          reject(timeoutError());
        }),
      ms,
    );
    call.then(
      (result) => {
        settled = true;
        clearTimeout(timer);
        if (expired) onLate?.(result);
        else resolve(result);
      },
      (error: unknown) => {
        settled = true;
        clearTimeout(timer);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed on as the store threw it
        if (!expired) reject(error);
      },
    );
  });
}

export function storeTimeoutError(what: string, ms: number): EventyardError {
  return new EventyardError(ErrorCode.STORE_UNAVAILABLE, `the store did not answer ${what} within ${ms} ms`, {
    details: { call: what, deadlineMs: ms, timedOut: true },
  });
}

/**
 * Whether a server (the store, a broker) answers, as seen from the calls made to it.
 * Unhealthy from the first call that timed out or failed as unavailable until the next
 * call that answers. Logs one warning when an outage starts and one info line when it
 * ends, never one per call or poll.
 *
 * A call sent during an outage may fail after the outage ended (its deadline passed just
 * after another call was answered): that failure belongs to the outage already reported,
 * so it opens no new one, and the server is not reported down again while it answers.
 * Only a call sent after the recovery can open the next outage.
 */
export class OutageWatch {
  #failingSince: number | undefined;
  #failures = 0;
  /** performance.now() when the last outage ended. */
  #recoveredAt = -Infinity;

  constructor(
    private readonly logger: Logger,
    /** Who watches: `service B`, `inbound processor of IN_ORDERS`. */
    private readonly scope: string,
    /** What is watched, as the log lines name it. */
    private readonly subject = 'the store',
  ) {}

  get healthy(): boolean {
    return this.#failingSince === undefined;
  }

  /**
   * True when this failure opened an outage. `sentAt` (performance.now() when the call was
   * sent): a call sent before the last recovery opens none.
   */
  failed(what: string, error: unknown, sentAt = Infinity): boolean {
    this.#failures++;
    if (this.#failingSince !== undefined || sentAt < this.#recoveredAt) return false;
    this.#failingSince = performance.now();
    this.logger.warn(
      { err: error, call: what, scope: this.scope },
      `${this.subject} does not answer; reporting unhealthy until it does`,
    );
    return true;
  }

  answered(): void {
    if (this.#failingSince === undefined) return;
    const outageMs = Math.round(performance.now() - this.#failingSince);
    this.logger.info(
      { scope: this.scope, outageMs, failedCalls: this.#failures },
      `${this.subject} answers again; reporting healthy`,
    );
    this.#failingSince = undefined;
    this.#failures = 0;
    this.#recoveredAt = performance.now();
  }
}

/** Errors that say the store is unreachable or slow, as opposed to a refused request. */
export function isOutage(error: unknown): boolean {
  if (!(error instanceof EventyardError)) return true;
  return error.code === ErrorCode.STORE_UNAVAILABLE || error.code === ErrorCode.BROKER_UNAVAILABLE;
}

/**
 * The store with a deadline on every call and every outcome reported to `watch`.
 * `waitForMessages` is a wait by design: it gets `timeoutMs` plus the deadline.
 */
export function storeWithDeadline(store: EventStore, deadlineMs: number, watch: OutageWatch): EventStore {
  const guard =
    <A extends unknown[], R>(what: string, fn: (...args: A) => Promise<R>, onLate?: (result: R) => void) =>
    async (...args: A): Promise<R> => {
      const sentAt = performance.now();
      try {
        const result = await withDeadline(fn(...args), deadlineMs, () => storeTimeoutError(what, deadlineMs), onLate);
        watch.answered();
        return result;
      } catch (error) {
        if (isOutage(error)) watch.failed(what, error, sentAt);
        else watch.answered();
        throw error;
      }
    };
  const wrapped: EventStore = {
    features: store.features,
    ...(store.tuning && { tuning: store.tuning }),
    now: guard('now', () => store.now()),
    publish: guard('publish', (m: Parameters<EventStore['publish']>[0]) => store.publish(m)),
    // A claim answered after its deadline claimed rows nobody will run: hand them back at
    // once (no attempt counted) instead of leaving them to lease expiry.
    claim: guard(
      'claim',
      (r: Parameters<EventStore['claim']>[0]) => store.claim(r),
      (rows) => {
        const by = rows[0]?.updatedBy;
        if (by !== undefined) store.release(rows, by).catch(() => undefined);
      },
    ),
    heartbeat: guard('heartbeat', (refs: Parameters<EventStore['heartbeat']>[0], leaseMs: number) =>
      store.heartbeat(refs, leaseMs),
    ),
    complete: guard('complete', (r: Parameters<EventStore['complete']>[0]) => store.complete(r)),
    fail: guard('fail', (r: Parameters<EventStore['fail']>[0]) => store.fail(r)),
    release: guard('release', (refs: Parameters<EventStore['release']>[0], by: string, delayMs?: number) =>
      delayMs === undefined ? store.release(refs, by) : store.release(refs, by, delayMs),
    ),
    promoteDueRetries: guard('promoteDueRetries', (limit: number, by: string) => store.promoteDueRetries(limit, by)),
    reapExpiredLeases: guard('reapExpiredLeases', (r: Parameters<EventStore['reapExpiredLeases']>[0]) =>
      store.reapExpiredLeases(r),
    ),
    redrive: guard('redrive', (f: Parameters<EventStore['redrive']>[0], by: string) => store.redrive(f, by)),
    list: guard('list', (r: Parameters<EventStore['list']>[0]) => store.list(r)),
    countByStatus: guard('countByStatus', (f?: Parameters<EventStore['countByStatus']>[0]) => store.countByStatus(f)),
    getPayload: guard('getPayload', (id: string) => store.getPayload(id)),
    getWorkingData: guard('getWorkingData', (id: string) => store.getWorkingData(id)),
    purge: guard('purge', (r: Parameters<EventStore['purge']>[0]) => store.purge(r)),
    listParkedKeys: guard('listParkedKeys', (r: Parameters<EventStore['listParkedKeys']>[0]) =>
      store.listParkedKeys(r),
    ),
    skipParkedHead: guard('skipParkedHead', (r: Parameters<EventStore['skipParkedHead']>[0]) =>
      store.skipParkedHead(r),
    ),
    close: () => store.close(),
  };
  // The optional capabilities pass through: a handler's transaction (beginTransaction)
  // must reach the handler context behind this wrapper. Opening one gets the deadline; one
  // that opens after it is rolled back at once, so its connection is not held.
  const begin = store.beginTransaction?.bind(store);
  if (begin !== undefined) {
    wrapped.beginTransaction = guard(
      'beginTransaction',
      () => begin(),
      (tx) => {
        tx.rollback().catch(() => undefined);
      },
    );
  }
  // Rate-limit tokens get the deadline; a grant answered after it is simply not used (its
  // tokens count until they expire: a late grant can only make the limit stricter).
  const take = store.takeTokens?.bind(store);
  const give = store.returnTokens?.bind(store);
  if (take !== undefined && give !== undefined) {
    wrapped.takeTokens = guard('takeTokens', (r: Parameters<NonNullable<EventStore['takeTokens']>>[0]) => take(r));
    wrapped.returnTokens = guard('returnTokens', (r: Parameters<NonNullable<EventStore['returnTokens']>>[0]) =>
      give(r),
    );
  }
  const publishIn = store.publishInTransaction?.bind(store);
  if (publishIn !== undefined) wrapped.publishInTransaction = publishIn;
  const wait = store.waitForMessages?.bind(store);
  if (wait !== undefined) {
    wrapped.waitForMessages = (table, timeoutMs, signal) =>
      withDeadline(wait(table, timeoutMs, signal), timeoutMs + deadlineMs, () =>
        storeTimeoutError('waitForMessages', deadlineMs),
      ).catch(() => undefined); // a wake-up hint that failed is just an early poll
  }
  return wrapped;
}
