/**
 * The message headers Eventyard writes on outbound messages and reads on inbound ones.
 * Lower-case, so every broker carries them unchanged.
 */
export const Header = {
  /** The event's EVENT_ID (a UUID). */
  EVENT_ID: 'ey-event-id',
  /** The MESSAGE_TYPE, e.g. `OUT_POSTED` outbound or `IN_ORDER` inbound. */
  MESSAGE_TYPE: 'ey-message-type',
  /** W3C trace context. */
  TRACEPARENT: 'traceparent',
  /** The service that wrote the outbound row. */
  CREATED_BY: 'ey-created-by',
} as const;
export type Header = (typeof Header)[keyof typeof Header];

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** A W3C `traceparent` value, or undefined when it is not one. */
export function validTraceparent(value: string | undefined): string | undefined {
  return value !== undefined && TRACEPARENT.test(value) ? value : undefined;
}
