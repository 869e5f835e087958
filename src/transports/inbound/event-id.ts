/**
 * EVENT_IDs of inbound messages. Taken from a header or the key when the upstream sends
 * one; otherwise derived from the broker's identity of the message as a UUIDv5 (RFC 9562
 * section 5.5), so every redelivery of one message maps to the same EVENT_ID and the
 * unique `(EVENT_ID, MESSAGE_TYPE)` absorbs it.
 */
import { createHash } from 'node:crypto';

/** The namespace of derived inbound EVENT_IDs (a fixed random UUID). */
export const INBOUND_NAMESPACE = '5b0c6a36-2f49-4c55-9d2c-7f1e0c8a4d17';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string): boolean => UUID.test(value);

export function uuidV5(name: string, namespace: string = INBOUND_NAMESPACE): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The EVENT_ID of a message without one of its own: `uuidv5("<broker kind>:<identity>")`. */
export function derivedEventId(brokerKind: string, identity: string): string {
  return uuidV5(`${brokerKind}:${identity}`);
}

/** The EVENT_ID of the IN_REJECTED row that keeps a message that could not be stored as itself. */
export function rejectedEventId(brokerKind: string, identity: string): string {
  return uuidV5(`rejected:${brokerKind}:${identity}`);
}
