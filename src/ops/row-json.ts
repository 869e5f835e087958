/** Rows and stored JSON as the CLI's --json and the console's API give them. */
import { isoTime } from '../core/clock.js';
import type { MessageRow } from '../store/port.js';

/** A row for JSON output: times as ISO-8601 UTC; the claim token (a fencing capability) left out. */
export interface RowJson {
  readonly eventId: string;
  readonly messageType: string;
  readonly table: string;
  readonly status: string;
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedBy: string;
  readonly updatedAt: string;
  readonly availableAt: string;
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: string | null;
  readonly lastError: string | null;
  readonly orderingKey: string | null;
  readonly groupKey: string | null;
  readonly traceparent: string | null;
  /** 0 to 9, higher claimed first within the type. */
  readonly priority: number;
}

export function rowJson(r: MessageRow): RowJson {
  return {
    eventId: r.eventId,
    messageType: r.messageType,
    table: r.table,
    status: r.status,
    attempts: r.attempts,
    maxAttempts: r.maxAttempts,
    createdBy: r.createdBy,
    createdAt: isoTime(r.createdAt),
    updatedBy: r.updatedBy,
    updatedAt: isoTime(r.updatedAt),
    availableAt: isoTime(r.availableAt),
    leaseOwner: r.leaseOwner,
    leaseExpiresAt: r.leaseExpiresAt === null ? null : isoTime(r.leaseExpiresAt),
    lastError: r.lastError,
    orderingKey: r.orderingKey,
    groupKey: r.groupKey,
    traceparent: r.traceparent,
    priority: r.priority,
  };
}

/** JSON text as a value; text that is not JSON stays a string. */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
