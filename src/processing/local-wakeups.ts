/**
 * In-process wake-ups: when this process writes claimable rows (publish, a completion's
 * emits, promoted retries, re-drive), idle processors of the same process polling that
 * table are woken at once instead of at their next poll. Other processes still find the
 * rows by polling (or by the store's own wake-up hint).
 */
import { ALL_TABLES, type Table } from '../core/message-type.js';
import type { EventStore, NewMessage } from '../store/port.js';

export class LocalWakeups {
  readonly #listeners = new Map<Table, Set<() => void>>();

  subscribe(table: Table, wake: () => void): () => void {
    const set = this.#listeners.get(table) ?? new Set();
    set.add(wake);
    this.#listeners.set(table, set);
    return () => set.delete(wake);
  }

  notify(tables: Iterable<Table>): void {
    for (const table of new Set(tables)) for (const wake of this.#listeners.get(table) ?? []) wake();
  }

  /** The store, with every write that creates claimable rows followed by a local wake-up. */
  wrap(store: EventStore): EventStore {
    const tablesOf = (messages: readonly NewMessage[]): Table[] => messages.map((m) => m.table);
    const wrapped: EventStore = {
      features: store.features,
      ...(store.tuning && { tuning: store.tuning }),
      now: () => store.now(),
      claim: (request) => store.claim(request),
      heartbeat: (refs, leaseMs) => store.heartbeat(refs, leaseMs),
      fail: (requests) => store.fail(requests),
      reapExpiredLeases: (request) => store.reapExpiredLeases(request),
      list: (request) => store.list(request),
      countByStatus: (filter) => store.countByStatus(filter),
      getPayload: (eventId) => store.getPayload(eventId),
      getWorkingData: (eventId) => store.getWorkingData(eventId),
      purge: (request) => store.purge(request),
      close: () => store.close(),
      ...(store.waitForMessages && {
        waitForMessages: store.waitForMessages.bind(store),
      }),
      // Rows published inside a caller's transaction are not visible before its commit, which
      // this process cannot see: no local wake-up (the store's own hint fires at commit).
      ...(store.publishInTransaction && {
        publishInTransaction: store.publishInTransaction.bind(store),
      }),
      ...(store.beginTransaction && {
        beginTransaction: store.beginTransaction.bind(store),
      }),
      ...(store.takeTokens && { takeTokens: store.takeTokens.bind(store) }),
      ...(store.returnTokens && { returnTokens: store.returnTokens.bind(store) }),
      publish: async (messages: readonly NewMessage[]) => {
        const results = await store.publish(messages);
        this.notify(tablesOf(messages));
        return results;
      },
      complete: async (requests: Parameters<EventStore['complete']>[0]) => {
        const outcomes = await store.complete(requests);
        this.notify(requests.filter((_, i) => outcomes[i] === 'ok').flatMap((r) => tablesOf(r.emits)));
        return outcomes;
      },
      release: async (refs: Parameters<EventStore['release']>[0], updatedBy: string, delayMs?: number) => {
        const outcomes = await (delayMs === undefined
          ? store.release(refs, updatedBy)
          : store.release(refs, updatedBy, delayMs));
        if (delayMs === undefined || delayMs <= 0) this.notify(refs.map((r) => r.table));
        return outcomes;
      },
      promoteDueRetries: async (limit: number, updatedBy: string) => {
        const n = await store.promoteDueRetries(limit, updatedBy);
        if (n > 0) this.notify(ALL_TABLES);
        return n;
      },
      listParkedKeys: (request) => store.listParkedKeys(request),
      skipParkedHead: async (request: Parameters<EventStore['skipParkedHead']>[0]) => {
        const skipped = await store.skipParkedHead(request);
        if (skipped) this.notify([request.table]);
        return skipped;
      },
      redrive: async (filter: Parameters<EventStore['redrive']>[0], updatedBy: string) => {
        const n = await store.redrive(filter, updatedBy);
        if (n > 0) this.notify(ALL_TABLES);
        return n;
      },
    };
    return wrapped;
  }
}
