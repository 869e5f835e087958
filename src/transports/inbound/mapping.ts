/**
 * Maps one broker message to the inbound row it becomes: its message type (fixed, or from
 * a header), its EVENT_ID (header, key, or derived from the broker identity), its payload
 * (size checked on the bytes before any decoding, strict UTF-8, JSON with the depth limit
 * and `__proto__`-safe, then the type's schema), ORDERING_KEY from the key, TRACEPARENT
 * from the header. Whatever fails becomes an IN_REJECTED row carrying the raw message.
 */
import { createHash } from 'node:crypto';
import { ErrorCode, EventyardError, describeError, toError } from '../../core/errors.js';
import { withGroupKey } from '../../core/group.js';
import { identifierProblem, IDENTIFIER_MAX_LENGTH } from '../../core/identifiers.js';
import { Table, type MessageRegistry, type MessageType } from '../../core/message-type.js';
import { decodePayload, encodePayload, type PayloadLimits } from '../../core/payload.js';
import { validatePayload } from '../../processing/validate.js';
import type { NewMessage } from '../../store/port.js';
import { Header, validTraceparent } from '../headers.js';
import type { BrokerMessage } from '../port.js';
import { derivedEventId, isUuid, rejectedEventId } from './event-id.js';
import { inboundRejectedType, REJECTED_TYPE, type RejectedEnvelope } from './rejected.js';

export interface InboundMapping {
  readonly brokerKind: string;
  readonly registry: MessageRegistry;
  readonly limits: PayloadLimits;
  /** CREATED_BY of the rows. */
  readonly serviceName: string;
  /** Every message of the topic is this type; else the type is read from `messageTypeHeader`. */
  readonly messageType: string | undefined;
  readonly messageTypeHeader: string;
  /** `header`: the `eventIdHeader` when present, else derived; `key`: the key, else derived; `identity`: always derived. */
  readonly eventIdFrom: 'header' | 'key' | 'identity';
  readonly eventIdHeader: string;
  /** The message key becomes ORDERING_KEY. */
  readonly orderingKeyFromKey: boolean;
}

export type MappedMessage =
  | { readonly kind: 'message'; readonly row: NewMessage }
  | { readonly kind: 'rejected'; readonly row: NewMessage; readonly reason: string };

const ORDERING_KEY_MAX = IDENTIFIER_MAX_LENGTH.orderingKey;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export async function mapInbound(message: BrokerMessage, mapping: InboundMapping): Promise<MappedMessage> {
  let type: MessageType | undefined;
  let eventId: string | undefined;
  try {
    eventId = resolveEventId(message, mapping);
    type = resolveType(message, mapping);
    const value = decodeBody(message.body, mapping.limits);
    const checked = await validatePayload(type, value);
    const plain: NewMessage = {
      eventId,
      messageType: type.name,
      table: Table.INBOUND,
      payload: encodePayload(value, mapping.limits),
      maxAttempts: type.retry.maxAttempts,
      orderingKey: mapping.orderingKeyFromKey ? orderingKeyOf(message.key) : undefined,
      traceparent: validTraceparent(message.headers[Header.TRACEPARENT]),
      createdBy: mapping.serviceName,
    };
    const row = type.group === undefined ? plain : withGroupKey(plain, type.name, type.group, checked);
    return { kind: 'message', row };
  } catch (thrown) {
    const reason = describeError(toError(thrown)).split('\n')[0] ?? 'rejected';
    return { kind: 'rejected', reason, row: rejectedRow(message, mapping, reason, type?.name, eventId) };
  }
}

function resolveType(message: BrokerMessage, mapping: InboundMapping): MessageType {
  const name = mapping.messageType ?? message.headers[mapping.messageTypeHeader];
  if (name === undefined || name === '') {
    throw new EventyardError(
      ErrorCode.INBOUND_UNMAPPABLE,
      `message has no "${mapping.messageTypeHeader}" header and the topic has no fixed message type`,
    );
  }
  const type = mapping.registry.get(name);
  if (type.table !== Table.INBOUND || type.name === REJECTED_TYPE) {
    throw new EventyardError(
      ErrorCode.INBOUND_UNMAPPABLE,
      `message type ${name} is not an inbound message type (its table is ${type.table})`,
    );
  }
  return type;
}

function resolveEventId(message: BrokerMessage, mapping: InboundMapping): string {
  const given =
    mapping.eventIdFrom === 'header'
      ? message.headers[mapping.eventIdHeader]
      : mapping.eventIdFrom === 'key'
        ? message.key
        : undefined;
  if (given === undefined || given === '') return derivedEventId(mapping.brokerKind, message.id);
  if (!isUuid(given)) {
    throw new EventyardError(
      ErrorCode.INBOUND_UNMAPPABLE,
      `the event id ${mapping.eventIdFrom === 'header' ? `header "${mapping.eventIdHeader}"` : 'key'} is not a UUID: ${JSON.stringify(given.slice(0, 80))}`,
    );
  }
  return given.toLowerCase();
}

/** Size first (on the bytes, before decoding), then strict UTF-8, then JSON with the limits. */
function decodeBody(body: Buffer, limits: PayloadLimits): unknown {
  if (body.length > limits.maxBytes) {
    throw new EventyardError(
      ErrorCode.PAYLOAD_TOO_LARGE,
      `payload is ${body.length} bytes, over the limit of ${limits.maxBytes}`,
      { details: { bytes: body.length, maxBytes: limits.maxBytes } },
    );
  }
  let text: string;
  try {
    text = strictUtf8.decode(body);
  } catch (cause) {
    throw new EventyardError(ErrorCode.PAYLOAD_MALFORMED, 'payload is not valid UTF-8', { cause });
  }
  return decodePayload(text, limits);
}

/** The key as ORDERING_KEY; a key longer than the column allows is replaced by its digest. */
function orderingKeyOf(key: string | undefined): string | undefined {
  if (key === undefined || key === '') return undefined;
  // A key that is no valid identifier (too long, a lone surrogate, a control character) is
  // kept as its digest: stored as it is, two distinct keys could collide.
  return identifierProblem(key, ORDERING_KEY_MAX) === undefined
    ? key
    : `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

/**
 * The IN_REJECTED row of a message whose row the store refused because its event already
 * has a different payload: kept like any message that cannot be stored as itself.
 */
export function payloadConflictRow(message: BrokerMessage, mapping: InboundMapping, row: NewMessage): NewMessage {
  const reason = `${ErrorCode.PAYLOAD_CONFLICT}: event ${row.eventId} already has a different payload`;
  return rejectedRow(message, mapping, reason, row.messageType, row.eventId);
}

function rejectedRow(
  message: BrokerMessage,
  mapping: InboundMapping,
  reason: string,
  intendedType: string | undefined,
  eventId: string | undefined,
): NewMessage {
  const kept = message.body.subarray(0, mapping.limits.maxBytes);
  let encoding: 'utf8' | 'base64' = 'base64';
  let data = kept.toString('base64');
  try {
    data = strictUtf8.decode(kept);
    encoding = 'utf8';
  } catch {
    // not text: base64 it is
  }
  const envelope: RejectedEnvelope = {
    reason,
    intendedType: intendedType ?? mapping.messageType ?? message.headers[mapping.messageTypeHeader] ?? null,
    eventId: eventId ?? null,
    broker: mapping.brokerKind,
    topic: message.topic,
    id: message.id,
    key: message.key ?? null,
    headers: message.headers,
    body: {
      encoding,
      data,
      bytes: message.body.length,
      truncated: kept.length < message.body.length,
      sha256: createHash('sha256').update(message.body).digest('hex'),
    },
  };
  return {
    eventId: rejectedEventId(mapping.brokerKind, message.id),
    messageType: REJECTED_TYPE,
    table: Table.INBOUND,
    // Written as is: the envelope is the raw message plus a few fields, and must be kept
    // even when the message itself is over the payload limit.
    payload: JSON.stringify(envelope),
    maxAttempts: inboundRejectedType.retry.maxAttempts,
    traceparent: validTraceparent(message.headers[Header.TRACEPARENT]),
    createdBy: mapping.serviceName,
  };
}

/** The broker message an envelope kept, for a re-driven IN_REJECTED row; undefined when truncated. */
export function messageOfEnvelope(envelope: RejectedEnvelope): BrokerMessage | undefined {
  if (envelope.body.truncated) return undefined;
  return {
    id: envelope.id,
    topic: envelope.topic,
    key: envelope.key ?? undefined,
    headers: envelope.headers,
    body: Buffer.from(envelope.body.data, envelope.body.encoding),
    deliveryCount: undefined,
  };
}
