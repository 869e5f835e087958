/**
 * The error catalogue. Every error Eventyard throws is an {@link EventyardError} with a
 * stable `code` (listed in docs/errors.md); `cause` is always kept.
 */

export const ErrorCode = {
  /** An options object failed validation (unknown key, wrong type, out of range). */
  INVALID_OPTION: 'EY_INVALID_OPTION',
  /** A call that the object's state does not allow: handle() after start(), idle() with no started service. */
  INVALID_STATE: 'EY_INVALID_STATE',
  /** A second handler for a message type in one service. */
  DUPLICATE_HANDLER: 'EY_DUPLICATE_HANDLER',
  /** A broker consumer was asked to ack or reject a message it did not deliver. */
  UNKNOWN_DELIVERY: 'EY_UNKNOWN_DELIVERY',
  /** A list cursor that no list call returned (or one of another store). */
  INVALID_CURSOR: 'EY_INVALID_CURSOR',
  /** A feature the store does not have was asked for (ordering keys on a store without them). */
  UNSUPPORTED_FEATURE: 'EY_UNSUPPORTED_FEATURE',
  /** `idle()` timed out with work left. */
  IDLE_TIMEOUT: 'EY_IDLE_TIMEOUT',
  /** A handler emitted a follow-up whose schema does not accept its event's payload (retryable). */
  EMIT_PAYLOAD_MISMATCH: 'EY_EMIT_PAYLOAD_MISMATCH',
  /**
   * An identifier (EVENT_ID, CREATED_BY, ORDERING_KEY, TRACEPARENT, a working-data or
   * service name) is not a string, is empty or too long, is not well-formed Unicode, or
   * holds control characters; an EVENT_ID is not a UUID.
   */
  INVALID_IDENTIFIER: 'EY_INVALID_IDENTIFIER',
  /** A row filter (list, count, re-drive) has an unknown key or an empty or malformed value. */
  INVALID_FILTER: 'EY_INVALID_FILTER',
  /** A re-drive names no filter at all: it must say `{ all: true }` to touch every row. */
  FILTER_REQUIRED: 'EY_FILTER_REQUIRED',
  /** A message type name is not declared in the registry. */
  UNKNOWN_MESSAGE_TYPE: 'EY_UNKNOWN_MESSAGE_TYPE',
  /** A message type was declared twice, or its name or table is invalid. */
  INVALID_MESSAGE_TYPE: 'EY_INVALID_MESSAGE_TYPE',
  /** A payload failed its message type's schema. */
  PAYLOAD_INVALID: 'EY_PAYLOAD_INVALID',
  /** A payload is larger than the configured limit. */
  PAYLOAD_TOO_LARGE: 'EY_PAYLOAD_TOO_LARGE',
  /**
   * A new message of an existing event carries a payload different from the event's
   * (payloads are written once per event): nothing was written.
   */
  PAYLOAD_CONFLICT: 'EY_PAYLOAD_CONFLICT',
  /** A payload is not JSON, nests too deep, or holds a value JSON cannot carry. */
  PAYLOAD_MALFORMED: 'EY_PAYLOAD_MALFORMED',
  /**
   * Written to LAST_ERROR of a row the store could not decode (a field that is not a number,
   * a missing field, a key of the wrong type): the row is set aside as FAILED, raw values kept.
   */
  ROW_CORRUPT: 'EY_ROW_CORRUPT',
  /** The claim token no longer matches: the lease expired and the row moved on. */
  LEASE_LOST: 'EY_LEASE_LOST',
  /** A handler ran past its timeout. */
  HANDLER_TIMEOUT: 'EY_HANDLER_TIMEOUT',
  /** A handler threw something that is not an Error (a string, undefined, ...). */
  HANDLER_THREW_NON_ERROR: 'EY_HANDLER_THREW_NON_ERROR',
  /** A handler was stopped by the shutdown deadline. */
  SHUTDOWN: 'EY_SHUTDOWN',
  /** No handler is registered for a claimed message type. */
  NO_HANDLER: 'EY_NO_HANDLER',
  /** A status transition the store's transition table does not allow was attempted. */
  INVALID_TRANSITION: 'EY_INVALID_TRANSITION',
  /** A schedule's cron expression cannot be parsed, or names no time that ever comes. */
  INVALID_CRON: 'EY_INVALID_CRON',
  /** A schedule's time zone is not an IANA time zone this runtime knows. */
  INVALID_TIMEZONE: 'EY_INVALID_TIMEZONE',
  /** A request's reply deadline is not a whole number of milliseconds in range (≤ 0, NaN, too far). */
  INVALID_DEADLINE: 'EY_INVALID_DEADLINE',
  /** Two schedules of one service have the same name (their firings would share EVENT_IDs). */
  DUPLICATE_SCHEDULE: 'EY_DUPLICATE_SCHEDULE',
  /** The store failed (connection, I/O, busy) in a way the caller may retry. */
  STORE_UNAVAILABLE: 'EY_STORE_UNAVAILABLE',
  /** The store's schema is newer than this code understands. */
  SCHEMA_VERSION: 'EY_SCHEMA_VERSION',
  /** A publish named a transaction, and the store cannot write inside one (only PostgreSQL can). */
  TRANSACTION_UNSUPPORTED: 'EY_TRANSACTION_UNSUPPORTED',
  /** An operation was used after close / before start. */
  CLOSED: 'EY_CLOSED',
  /** A handler asked for no further attempts ({@link NonRetryableError}). */
  NON_RETRYABLE: 'EY_NON_RETRYABLE',
  /** A message broker could not be reached, or did not confirm in time (retryable). */
  BROKER_UNAVAILABLE: 'EY_BROKER_UNAVAILABLE',
  /** A message broker refused a message: unknown topic, unroutable, negative ack (retryable). */
  BROKER_REJECTED: 'EY_BROKER_REJECTED',
  /** An inbound broker message lacks what its mapping needs (message type, event id header). */
  INBOUND_UNMAPPABLE: 'EY_INBOUND_UNMAPPABLE',
  /** LAST_ERROR prefix of a parked ordering key's head an operator skipped (`skipParkedHead`). */
  KEY_SKIPPED: 'EY_KEY_SKIPPED',
  /** A message type's rate limit is not whole numbers in range (max 0, NaN, a fraction; intervalMs < 1 or over a day). */
  INVALID_RATE_LIMIT: 'EY_INVALID_RATE_LIMIT',
  /** A message type's `group` declaration is malformed (key not a function, maxInFlight not a positive integer). */
  INVALID_GROUP: 'EY_INVALID_GROUP',
  /** A group key function threw or returned no usable key: the row is written FAILED with this code. */
  INVALID_GROUP_KEY: 'EY_INVALID_GROUP_KEY',
  /** A message priority that is not an integer in [0, 9] (core/priority.ts). */
  INVALID_PRIORITY: 'EY_INVALID_PRIORITY',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class EventyardError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EventyardError';
    this.code = code;
    this.details = options?.details;
  }
}

/**
 * The marker a handler throws to stop retries: the row goes straight to FAILED
 * (BullMQ's `UnrecoverableError`). Subclass it for your own non-retryable errors.
 */
export class NonRetryableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NonRetryableError';
  }
}

export function isEventyardError(error: unknown, code?: ErrorCode): error is EventyardError {
  return error instanceof EventyardError && (code === undefined || error.code === code);
}

/** Turns whatever a handler threw into an Error, keeping the original as `cause`. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  let shown: string;
  try {
    shown = typeof thrown === 'string' ? thrown : (JSON.stringify(thrown) ?? String(thrown));
  } catch {
    shown = Object.prototype.toString.call(thrown);
  }
  return new EventyardError(
    ErrorCode.HANDLER_THREW_NON_ERROR,
    `handler threw a non-Error value: ${shown.slice(0, 200)}`,
    { cause: thrown },
  );
}

/** The code logs and LAST_ERROR show for an error: its Eventyard code, EY_NON_RETRYABLE, or its name. */
export function errorCodeOf(error: Error): string {
  if (error instanceof EventyardError) return error.code;
  if (error instanceof NonRetryableError) return ErrorCode.NON_RETRYABLE;
  return error.name;
}

const STACK_LINES = 6;
const LAST_ERROR_MAX = 2000;

/** LAST_ERROR text: `CODE: message` then the head of the stack. */
export function describeError(error: Error): string {
  const code = errorCodeOf(error);
  const head = `${code}: ${error.message}`;
  const stack = (error.stack ?? '')
    .split('\n')
    .slice(1, STACK_LINES + 1)
    .join('\n');
  const text = stack ? `${head}\n${stack}` : head;
  return text.length > LAST_ERROR_MAX ? text.slice(0, LAST_ERROR_MAX) : text;
}
