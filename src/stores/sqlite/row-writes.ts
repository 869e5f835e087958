/**
 * The row writes of a publish or a completion's emits, and what a purge does to payloads,
 * on schema v2: an event's payload is one row of the payload table, and the event's message
 * rows carry its id (payload_id). A new event costs one payload insert, an index seek that
 * finds nothing, and the row's insert. Every function runs inside the caller's transaction.
 */
import { priorityLeadMs } from '../../core/priority.js';
import type { NewMessage, PublishResult } from '../../store/port.js';
import type { Statements } from './statements.js';

export interface RowWrites {
  /** One message of a publish: created, or why not (the row exists; another payload). */
  publishOne(message: NewMessage, now: number): PublishResult;
  /** A completion's emit: written unless the row exists. */
  insertEmit(message: NewMessage, now: number): void;
  /** After purged rows: deletes each payload no row of its event still needs, and the working data. */
  dropPayloads(deleted: readonly { eventId: string; payloadId: number | null }[]): void;
}

/** `agingStepMs`: the store's priorityAgingStepMs (a prioritized row's lead is fixed at write). */
export function createRowWrites(sql: Statements, agingStepMs: number): RowWrites {
  /** A new payload row; its id goes into the event's message rows. */
  const insertPayload = (payload: string): number => Number(sql.insertPayload.run({ payload }).lastInsertRowid);

  /**
   * A completion's emit: written unless the row exists. It shares its event's payload when
   * the event has one (the emit's own is then ignored), else brings its own.
   */
  function insertEmit(message: NewMessage, now: number): void {
    if (message.payload === undefined) {
      insertMessage(message, now, null);
      return;
    }
    const existing = sql.selectPayload.get({ eventId: message.eventId });
    if (existing !== undefined) {
      insertMessage(message, now, existing.id);
      return;
    }
    const payloadId = insertPayload(message.payload);
    // The row existed already (a repeated emit): no row points at the new payload.
    if (!insertMessage(message, now, payloadId)) sql.deletePayload.run({ payloadId });
  }

  function insertMessage(message: NewMessage, now: number, payloadId: number | null): boolean {
    const created =
      sql.insertMessage.run({
        eventId: message.eventId,
        messageType: message.messageType,
        table: message.table,
        createdBy: message.createdBy,
        now,
        maxAttempts: message.maxAttempts,
        availableAt: now + (message.delayMs ?? 0),
        orderingKey: message.orderingKey ?? null,
        traceparent: message.traceparent ?? null,
        payloadId,
        status: message.failure === undefined ? 'UNPROCESSED' : 'FAILED',
        lastError: message.failure ?? null,
        groupKey: message.failure === undefined ? (message.groupKey ?? null) : null,
        priority: message.priority ?? 0,
        priorityLead: priorityLeadMs(message.priority, agingStepMs),
      }).changes === 1;
    return created;
  }

  /**
   * One message of a publish. A new event's payload costs one insert and one index seek that
   * finds nothing (the event has no payload yet), then the row's insert.
   */
  function publishOne(message: NewMessage, now: number): PublishResult {
    const { eventId, messageType, payload } = message;
    let payloadId: number | null = null;
    let newPayload = false;
    if (payload !== undefined) {
      const existing = sql.selectPayload.get({ eventId });
      if (existing === undefined) {
        payloadId = insertPayload(payload);
        newPayload = true;
      } else if (existing.payload === payload) {
        payloadId = existing.id;
      } else {
        const row = sql.selectStatus.get({ eventId, messageType });
        if (row !== undefined) return { eventId, messageType, created: false, status: row.status };
        return { eventId, messageType, created: false, status: null, conflict: 'payload' };
      }
    }
    if (insertMessage(message, now, payloadId)) {
      return { eventId, messageType, created: true, status: message.failure === undefined ? 'UNPROCESSED' : 'FAILED' };
    }
    // The event's rows were written without a payload: this one becomes the event's payload.
    if (newPayload && payloadId !== null) sql.attachPayload.run({ payloadId, eventId });
    const existing = sql.selectStatus.get({ eventId, messageType });
    // The row exists (the insert hit the unique key) and this transaction holds the write lock.
    return { eventId, messageType, created: false, status: existing?.status ?? 'UNPROCESSED' };
  }

  function dropPayloads(deleted: readonly { eventId: string; payloadId: number | null }[]): void {
    const payloads = new Map<string, Set<number>>();
    for (const { eventId, payloadId } of deleted) {
      const ids = payloads.get(eventId) ?? new Set<number>();
      if (payloadId !== null) ids.add(payloadId);
      payloads.set(eventId, ids);
    }
    for (const [eventId, ids] of payloads) {
      // The payload stays while a row of its event does; rows written without a payload id
      // then carry it, so getPayload still finds it through them.
      for (const payloadId of ids) {
        if (sql.purgePayload.run({ payloadId, eventId }).changes === 0) sql.attachPayload.run({ payloadId, eventId });
      }
      sql.purgeWorkingData.run({ eventId });
    }
  }

  return { publishOne, insertEmit, dropPayloads };
}
