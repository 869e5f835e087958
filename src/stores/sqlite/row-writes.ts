/**
 * The row writes of a publish or a completion's emits, and what a purge does to payloads,
 * on schema v8: an event's payload is written inline, in the message row that brings it
 * (schema-v8.sql); later rows of the event share it. A new event costs one statement
 * (insert-message.sql), whose index seek on the event finds nothing. Every function but
 * `publishAlone` runs inside the caller's transaction.
 */
import { priorityLeadMs } from '../../core/priority.js';
import type { NewMessage, PublishResult } from '../../store/port.js';
import type { Statements } from './statements.js';

export interface RowWrites {
  /** One message of a publish: created, or why not (the row exists; another payload). */
  publishOne(message: NewMessage, now: number): PublishResult;
  /**
   * The one message of a publish call, in a statement of its own (atomic by itself, no
   * transaction): the result when the row was written, undefined when the row or another
   * row of its event exists (then `publishOne`, in a transaction, decides).
   */
  publishAlone(message: NewMessage, now: number): PublishResult | undefined;
  /** A completion's emit: written unless the row exists. */
  insertEmit(message: NewMessage, now: number): void;
  /** After purged rows: deletes each payload no row of its event still needs, and the working data. */
  dropPayloads(deleted: readonly { eventId: string; payloadId: number | null; payload: string | null }[]): void;
}

/** `agingStepMs`: the store's priorityAgingStepMs (a prioritized row's lead is fixed at write). */
export function createRowWrites(sql: Statements, agingStepMs: number): RowWrites {
  /**
   * Writes the row, with `payload` inline; false when the row exists, or when `payload` is
   * given and a row of the event exists (insert-message.sql).
   */
  function insertMessage(message: NewMessage, now: number, payload: string | null): boolean {
    const { failure, priority } = message;
    return (
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
        payload,
        status: failure === undefined ? 'UNPROCESSED' : 'FAILED',
        lastError: failure ?? null,
        groupKey: failure === undefined ? (message.groupKey ?? null) : null,
        priority: priority ?? 0,
        priorityLead: priority ? priorityLeadMs(priority, agingStepMs) : 0,
      }).changes === 1
    );
  }

  const created = (message: NewMessage): PublishResult => ({
    eventId: message.eventId,
    messageType: message.messageType,
    created: true,
    status: message.failure === undefined ? 'UNPROCESSED' : 'FAILED',
  });

  function publishAlone(message: NewMessage, now: number): PublishResult | undefined {
    return insertMessage(message, now, message.payload ?? null) ? created(message) : undefined;
  }

  /**
   * A completion's emit: written unless the row exists. It shares its event's payload when
   * the event has one (the emit's own is then ignored), else brings its own.
   */
  function insertEmit(message: NewMessage, now: number): void {
    const { payload, eventId } = message;
    if (insertMessage(message, now, payload ?? null) || payload === undefined) return;
    // The row or another row of the event exists.
    if (sql.selectPayload.get({ eventId }) !== undefined) {
      insertMessage(message, now, null);
      return;
    }
    // The event's rows have no payload: the emit's becomes the event's, unless its row existed.
    if (insertMessage(message, now, null)) sql.keepPayload.run({ payload, eventId });
  }

  /**
   * One message of a publish. A new event is one statement; a message of an event that has
   * rows already shares the event's payload, or brings it when the event has none.
   */
  function publishOne(message: NewMessage, now: number): PublishResult {
    const { eventId, messageType, payload } = message;
    if (insertMessage(message, now, payload ?? null)) return created(message);
    if (payload !== undefined) {
      // The row exists, or another row of the event does (which may hold the payload).
      const existing = sql.selectPayload.get({ eventId });
      if (existing === undefined) {
        // The event's rows were written without a payload: this one becomes the event's,
        // whether this message's row is new or existed.
        const written = insertMessage(message, now, null);
        sql.keepPayload.run({ payload, eventId });
        if (written) return created(message);
      } else if (existing.payload === payload) {
        if (insertMessage(message, now, null)) return created(message);
      } else {
        const row = sql.selectStatus.get({ eventId, messageType });
        if (row !== undefined) return { eventId, messageType, created: false, status: row.status };
        return { eventId, messageType, created: false, status: null, conflict: 'payload' };
      }
    }
    const existing = sql.selectStatus.get({ eventId, messageType });
    // The row exists (the insert hit the unique key) and this transaction holds the write lock.
    return { eventId, messageType, created: false, status: existing?.status ?? 'UNPROCESSED' };
  }

  function dropPayloads(
    deleted: readonly { eventId: string; payloadId: number | null; payload: string | null }[],
  ): void {
    const payloads = new Map<string, Set<number>>();
    const inline = new Map<string, string>();
    for (const { eventId, payloadId, payload } of deleted) {
      const ids = payloads.get(eventId) ?? new Set<number>();
      if (payloadId !== null) ids.add(payloadId);
      payloads.set(eventId, ids);
      if (payload !== null) inline.set(eventId, payload);
    }
    for (const [eventId, ids] of payloads) {
      // The payload stays while a row of its event does; rows written without a payload id
      // then carry it, so getPayload still finds it through them.
      for (const payloadId of ids) {
        if (sql.purgePayload.run({ payloadId, eventId }).changes === 0) sql.attachPayload.run({ payloadId, eventId });
      }
      // A purged row carried its event's payload inline: a remaining row of the event takes it.
      const payload = inline.get(eventId);
      if (payload !== undefined) sql.keepPayload.run({ payload, eventId });
      sql.purgeWorkingData.run({ eventId });
    }
  }

  return { publishOne, publishAlone, insertEmit, dropPayloads };
}
