/**
 * The store port's row shapes (part of src/store/port.ts, which re-exports them): a message
 * to write, what publish did with it, a stored row and a claimed one.
 */
import type { Status } from '../core/status.js';
import type { Table } from '../core/message-type.js';

/** A message to write: by `publish`, or emitted with a completion. */
export interface NewMessage {
  readonly eventId: string;
  readonly messageType: string;
  readonly table: Table;
  /**
   * The event's payload as JSON text. Written to the payload table when the event has no
   * payload yet; an existing payload is kept (payloads are written once per event).
   */
  readonly payload?: string | undefined;
  /** Attempts allowed before a failure or an expired lease makes the row FAILED. */
  readonly maxAttempts: number;
  /** Not claimable before now + delayMs (store clock). 0 or absent: at once. */
  readonly delayMs?: number | undefined;
  readonly orderingKey?: string | undefined;
  /**
   * GROUP_KEY: the row's group, for group concurrency (at most `ClaimRequest.groups[type]
   * .maxInFlight` rows of one `(table, type, groupKey)` IN_PROGRESS at once).
   */
  readonly groupKey?: string | undefined;
  /**
   * When set, the row is written directly as FAILED with this LAST_ERROR (a per-message
   * value could not be computed, e.g. `EY_INVALID_GROUP_KEY: ...`); it is never claimed
   * until re-driven. Nothing else is held up.
   */
  readonly failure?: string | undefined;
  readonly traceparent?: string | undefined;
  /**
   * 0 (default) to 9: within its message type, a higher priority is claimed first, aged so
   * a lower one is never starved (core/priority.ts has the policy). Checked with
   * `checkPriority`: anything else is EY_INVALID_PRIORITY.
   */
  readonly priority?: number | undefined;
  /** The service writing the row: CREATED_BY and UPDATED_BY. */
  readonly createdBy: string;
}

/** What publish did with one message. */
export type PublishResult = WrittenOrExisting | PayloadConflict;

export interface WrittenOrExisting {
  readonly eventId: string;
  readonly messageType: string;
  /** false when a row with this `(eventId, messageType)` existed: nothing was written. */
  readonly created: boolean;
  /** The row's status after the call (UNPROCESSED when created; FAILED when created with `failure`). */
  readonly status: Status;
  readonly conflict?: undefined;
}

/**
 * The row did not exist, but the message carried a payload and its event already has a
 * different one (payloads are written once per event): nothing was written.
 */
export interface PayloadConflict {
  readonly eventId: string;
  readonly messageType: string;
  readonly created: false;
  readonly status: null;
  readonly conflict: 'payload';
}

/** A full message row, as stored. */
export interface MessageRow {
  readonly eventId: string;
  readonly messageType: string;
  readonly table: Table;
  readonly status: Status;
  readonly createdBy: string;
  readonly updatedBy: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly availableAt: number;
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: number | null;
  readonly claimToken: string | null;
  readonly lastError: string | null;
  readonly orderingKey: string | null;
  readonly groupKey: string | null;
  readonly traceparent: string | null;
  /** 0 to 9, higher claimed first within the type (0 when published without one). */
  readonly priority: number;
}

/** A claimed row with its event's payload, ready to handle. */
export interface ClaimedMessage extends MessageRow {
  readonly status: 'IN_PROGRESS';
  readonly claimToken: string;
  readonly leaseOwner: string;
  readonly leaseExpiresAt: number;
  /** The event's payload JSON text, or null when the event has none. */
  readonly payload: string | null;
}
