/**
 * An in-memory reference implementation of the store port, in plain Maps. It passes the
 * whole conformance suite (proving the suite is satisfiable) and serves unit tests of
 * processors that need a store without I/O. One process only; nothing survives `close`.
 *
 * Every operation runs synchronously inside one call, so each request is atomic.
 */
import { leaseExpiredError } from '../core/lease-expiry.js';
import { systemClock, uuidGenerator, isoTime, type Clock, type IdGenerator } from '../core/clock.js';
import { roundRobin } from '../store/group-claim.js';
import { checkAgingStep, checkPriorities, priorityLeadMs } from '../core/priority.js';
import { checkTokenRequests, checkTokenReturns, returnToLog, takeFromLog, type GrantLog } from '../store/rate-log.js';
import { CLAIMABLE } from '../core/status.js';
import type {
  ClaimedMessage,
  ClaimRequest,
  CompleteRequest,
  EventStore,
  FailRequest,
  LeaseOutcome,
  NewMessage,
  PublishResult,
  ReapRequest,
  StoreFeatures,
} from '../store/port.js';
import { memoryOperatorMethods } from './memory-operator.js';
import { createMemoryState, keyOf, publicRow, type StoredRow } from './memory-state.js';

export interface MemoryStoreOptions {
  /** @defaultValue the system clock */
  readonly clock?: Clock;
  /** Claim tokens. @defaultValue random UUIDs */
  readonly ids?: IdGenerator;
  /**
   * Aging of priorities: a row is claimed as if published priority × this many ms earlier
   * (core/priority.ts). @defaultValue 60000
   */
  readonly priorityAgingStepMs?: number;
}

export function createMemoryStore(options: MemoryStoreOptions = {}): EventStore {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? uuidGenerator;
  const agingStepMs = checkAgingStep('memory store', options.priorityAgingStepMs);
  const state = createMemoryState(clock);
  const { rows, payloads, workingData, waiters, open, wake, held, clearLease, move, blockedByKey, sorted } = state;
  const grantLogs = new Map<string, GrantLog>();
  /** Group claims: the last group served per `table, type` (round-robin cursor). */
  const groupCursors = new Map<string, string>();
  let seq = 0;

  /** `emit`: a completion's emit, whose payload never conflicts (an existing one is kept). */
  function insert(message: NewMessage, now: number, emit = false): PublishResult {
    const key = keyOf(message.eventId, message.messageType);
    const existing = rows.get(key);
    if (existing !== undefined) {
      return { eventId: message.eventId, messageType: message.messageType, created: false, status: existing.status };
    }
    const payload = payloads.get(message.eventId);
    if (!emit && message.payload !== undefined && payload !== undefined && payload !== message.payload) {
      return {
        eventId: message.eventId,
        messageType: message.messageType,
        created: false,
        status: null,
        conflict: 'payload',
      };
    }
    const failed = message.failure !== undefined;
    rows.set(key, {
      seq: seq++,
      skipped: false,
      lead: priorityLeadMs(message.priority, agingStepMs),
      eventId: message.eventId,
      messageType: message.messageType,
      table: message.table,
      status: failed ? 'FAILED' : 'UNPROCESSED',
      createdBy: message.createdBy,
      updatedBy: message.createdBy,
      createdAt: now,
      updatedAt: now,
      attempts: 0,
      maxAttempts: message.maxAttempts,
      availableAt: now + (message.delayMs ?? 0),
      leaseOwner: null,
      leaseExpiresAt: null,
      claimToken: null,
      lastError: message.failure ?? null,
      orderingKey: message.orderingKey ?? null,
      groupKey: message.groupKey ?? null,
      traceparent: message.traceparent ?? null,
      priority: message.priority ?? 0,
    });
    if (message.payload !== undefined && !payloads.has(message.eventId)) {
      payloads.set(message.eventId, message.payload);
    }
    if (failed) return { eventId: message.eventId, messageType: message.messageType, created: true, status: 'FAILED' };
    wake(message.table);
    return { eventId: message.eventId, messageType: message.messageType, created: true, status: 'UNPROCESSED' };
  }

  const store: EventStore = {
    features: Object.freeze<StoreFeatures>({ multiProcess: false, orderingKeys: true }),

    async now() {
      return open();
    },

    async publish(messages) {
      const now = open();
      checkPriorities(messages);
      return messages.map((m) => insert(m, now));
    },

    async claim(request: ClaimRequest) {
      const now = open();
      const due = (r: StoredRow): boolean =>
        r.table === request.table && CLAIMABLE.includes(r.status) && r.availableAt <= now && !blockedByKey(r);
      const claimed: ClaimedMessage[] = [];
      // Grouped rows first, group by group (group-claim.ts: the policy every store follows).
      for (const type of request.messageTypes) {
        const limit = request.limit - claimed.length;
        if (limit <= 0) break;
        const cursorKey = `${request.table}\u0000${type}`;
        const ofType = [...rows.values()].filter((r) => r.messageType === type && r.groupKey !== null);
        const pick = roundRobin({
          limit,
          maxInFlight: request.groups?.[type]?.maxInFlight ?? Infinity,
          cursor: groupCursors.get(cursorKey) ?? null,
          nextGroup(after) {
            const keys = ofType.filter((r) => due(r) && (after === null || (r.groupKey as string) > after));
            return keys.reduce<string | null>(
              (min, r) => (min === null || (r.groupKey as string) < min ? r.groupKey : min),
              null,
            );
          },
          inFlight: (group) =>
            ofType.filter((r) => r.groupKey === group && r.table === request.table && r.status === 'IN_PROGRESS')
              .length,
          oldest: (group, n) =>
            sorted(
              ofType.filter((r) => r.groupKey === group && due(r)),
              // by claim key, as Redis (SQLite/PostgreSQL: FIFO, docs/flow-control.md)
              (r) => r.availableAt - r.lead,
            ).slice(0, n),
        });
        if (pick.cursor !== null) groupCursors.set(cursorKey, pick.cursor);
        for (const row of pick.rows) claimed.push(take(row));
      }
      const candidates = sorted(
        [...rows.values()].filter(
          (r) =>
            r.table === request.table &&
            request.messageTypes.includes(r.messageType) &&
            r.groupKey === null &&
            CLAIMABLE.includes(r.status) &&
            r.availableAt <= now,
        ),
        (r) => r.availableAt - r.lead,
      );
      for (const row of candidates) {
        if (claimed.length >= request.limit) break;
        if (blockedByKey(row)) continue;
        claimed.push(take(row));
      }
      return claimed;

      function take(row: StoredRow): ClaimedMessage {
        move(row, 'IN_PROGRESS', request.updatedBy, now);
        row.attempts += 1;
        row.claimToken = ids.next();
        row.leaseOwner = request.owner;
        row.leaseExpiresAt = now + request.leaseMs;
        return {
          ...publicRow(row),
          status: 'IN_PROGRESS',
          claimToken: row.claimToken,
          leaseOwner: request.owner,
          leaseExpiresAt: row.leaseExpiresAt,
          payload: payloads.get(row.eventId) ?? null,
        };
      }
    },

    async heartbeat(refs, leaseMs) {
      const now = open();
      return refs.map((ref): LeaseOutcome => {
        const row = held(ref);
        if (row === undefined) return 'lease_lost';
        row.leaseExpiresAt = now + leaseMs;
        return 'ok';
      });
    },

    async complete(requests: readonly CompleteRequest[]) {
      const now = open();
      return requests.map((request): LeaseOutcome => {
        const row = held(request.ref);
        if (row === undefined) return 'lease_lost';
        move(row, 'COMPLETED', request.updatedBy, now);
        clearLease(row);
        for (const emit of request.emits) insert(emit, now, true);
        for (const write of request.workingData) {
          const data = workingData.get(write.eventId) ?? new Map<string, string>();
          data.set(write.name, write.value);
          workingData.set(write.eventId, data);
        }
        return 'ok';
      });
    },

    async fail(requests: readonly FailRequest[]) {
      const now = open();
      return requests.map((request): LeaseOutcome => {
        const row = held(request.ref);
        if (row === undefined) return 'lease_lost';
        move(row, request.retryDelayMs === null ? 'FAILED' : 'ERROR', request.updatedBy, now);
        if (request.retryDelayMs !== null) row.availableAt = now + request.retryDelayMs;
        row.lastError = request.error;
        clearLease(row);
        return 'ok';
      });
    },

    async release(refs, updatedBy, delayMs = 0) {
      const now = open();
      return refs.map((ref): LeaseOutcome => {
        const row = held(ref);
        if (row === undefined) return 'lease_lost';
        row.attempts = Math.max(0, row.attempts - 1);
        move(row, row.attempts === 0 ? 'UNPROCESSED' : 'RETRY', updatedBy, now);
        row.availableAt = now + Math.max(0, delayMs);
        row.leaseOwner = null;
        clearLease(row);
        if (delayMs <= 0) wake(row.table);
        return 'ok';
      });
    },

    async takeTokens(requests) {
      const now = open();
      checkTokenRequests(requests);
      return requests.map((request) => {
        let log = grantLogs.get(request.key);
        if (log === undefined) grantLogs.set(request.key, (log = []));
        const { granted, at, nextAt } = takeFromLog(log, request, now);
        if (log.length === 0) grantLogs.delete(request.key);
        return { granted, at, nextAt };
      });
    },

    async returnTokens(returns) {
      open();
      checkTokenReturns(returns);
      for (const r of returns) {
        const log = grantLogs.get(r.key);
        if (log === undefined) continue;
        returnToLog(log, r.at, r.count);
        if (log.length === 0) grantLogs.delete(r.key);
      }
    },

    async promoteDueRetries(limit, updatedBy) {
      const now = open();
      const due = sorted(
        [...rows.values()].filter((r) => r.status === 'ERROR' && r.availableAt <= now),
        (r) => r.availableAt,
      ).slice(0, limit);
      for (const row of due) {
        move(row, 'RETRY', updatedBy, now);
        wake(row.table);
      }
      return due.length;
    },

    async reapExpiredLeases(request: ReapRequest) {
      const now = open();
      const expired = sorted(
        [...rows.values()].filter((r) => r.status === 'IN_PROGRESS' && (r.leaseExpiresAt ?? Infinity) <= now),
        (r) => r.leaseExpiresAt ?? 0,
      ).slice(0, request.limit);
      for (const row of expired) {
        row.lastError = leaseExpiredError(row.leaseOwner, isoTime(row.leaseExpiresAt ?? now), row.lastError);
        const exhausted = row.attempts >= row.maxAttempts;
        move(row, exhausted ? 'FAILED' : 'ERROR', request.updatedBy, now);
        if (!exhausted) row.availableAt = now + request.retryDelayMs;
        clearLease(row);
      }
      return expired.length;
    },

    async waitForMessages(table, timeoutMs, signal) {
      open();
      if (signal.aborted) return;
      await new Promise<void>((resolve) => {
        const waiter = { table, wake: () => done() };
        const timer = setTimeout(() => done(), timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(waiter);
          signal.removeEventListener('abort', done);
          resolve();
        };
        waiters.add(waiter);
        signal.addEventListener('abort', done, { once: true });
      });
    },

    async close() {
      state.close();
    },

    ...memoryOperatorMethods(state),
  };
  return store;
}
