/**
 * `eventyard/store`: for people who write a store (or a broker adapter) of their own. The
 * store port with its contract, the status transition table every store implements, and
 * the helpers the built-in stores share (payload encoding, ids, error text). Users of the
 * framework do not need this entry; its conformance suite is `eventyard/testing`.
 */
export type * from './port.js';
export {
  ALL_STATUSES,
  assertTransition,
  canTransition,
  CLAIMABLE,
  isStatus,
  REDRIVABLE,
  Status,
  TERMINAL,
  Transition,
  TRANSITIONS,
} from '../core/status.js';
export { ALL_TABLES, MESSAGE_TYPE_NAME, Table } from '../core/message-type.js';
export { createUuidV7Generator, isoTime, systemClock, uuidGenerator, uuidV7Generator } from '../core/clock.js';
export type { Clock, IdGenerator } from '../core/clock.js';
export { DEFAULT_PAYLOAD_LIMITS, decodePayload, encodePayload, parseJson } from '../core/payload.js';
export type { PayloadLimits } from '../core/payload.js';
export { describeError, ErrorCode, errorCodeOf, EventyardError, toError } from '../core/errors.js';
export { derivedEventId, INBOUND_NAMESPACE, uuidV5 } from '../transports/inbound/event-id.js';
export { validTraceparent } from '../transports/headers.js';
