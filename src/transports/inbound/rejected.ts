/**
 * Inbound messages that cannot be stored as themselves (invalid JSON, wrong schema,
 * oversized, no message type, a bad event id header) are kept, never dropped: each
 * becomes one row of the built-in type `IN_REJECTED` whose payload is a
 * {@link RejectedEnvelope} (why, where it came from, the raw bytes), and the inbound
 * processor fails it at once, so it rests FAILED with the reason in LAST_ERROR.
 *
 * Why a type of its own rather than "publish as FAILED": the store port stays as it is (no
 * store learns a new way to create rows), every move of the row is one of the transition
 * table's, and an operator's re-drive means something: the row is looked at again with
 * the current message types, and becomes the message it was meant to be if it now
 * passes (after a schema fix), or FAILED again with the new reason.
 */
import { defineMessageType, Table } from '../../core/message-type.js';
import type { StandardSchemaV1 } from '../../core/standard-schema.js';

export const REJECTED_TYPE = 'IN_REJECTED';

export interface RejectedEnvelope {
  /** LAST_ERROR of the row: `CODE: message`. */
  readonly reason: string;
  /** The message type it was meant to be, when that was known. */
  readonly intendedType: string | null;
  /** The EVENT_ID it would have had, when that was known. */
  readonly eventId: string | null;
  readonly broker: string;
  readonly topic: string;
  /** The broker's identity of the message. */
  readonly id: string;
  readonly key: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: {
    /** `utf8` when the bytes are valid UTF-8 (readable as they came), else `base64`. */
    readonly encoding: 'utf8' | 'base64';
    readonly data: string;
    /** Size of the whole body in bytes. */
    readonly bytes: number;
    /** true when only the first `maxBytes` bytes are kept (an oversized body). */
    readonly truncated: boolean;
    /** SHA-256 of the whole body, hex. */
    readonly sha256: string;
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isEnvelope(v: unknown): v is RejectedEnvelope {
  if (!isRecord(v) || !isRecord(v.body) || !isRecord(v.headers)) return false;
  return (
    typeof v.reason === 'string' &&
    typeof v.broker === 'string' &&
    typeof v.topic === 'string' &&
    typeof v.id === 'string' &&
    (v.body.encoding === 'utf8' || v.body.encoding === 'base64') &&
    typeof v.body.data === 'string' &&
    typeof v.body.truncated === 'boolean'
  );
}

/** A hand-written Standard Schema (the library has no runtime validator dependency). */
const envelopeSchema: StandardSchemaV1<unknown, RejectedEnvelope> = {
  '~standard': {
    version: 1,
    vendor: 'eventyard',
    validate: (value) => (isEnvelope(value) ? { value } : { issues: [{ message: 'not an IN_REJECTED envelope' }] }),
  },
};

/**
 * Declare it with your application's message types when you run an inbound processor:
 * `createEventyard({ store, messageTypes: [...yours, inboundRejectedType] })`.
 * One attempt: the row is FAILED by its first (and every re-driven) look.
 */
export const inboundRejectedType = defineMessageType({
  name: REJECTED_TYPE,
  table: Table.INBOUND,
  schema: envelopeSchema,
  retry: { maxAttempts: 1 },
});

export { isEnvelope as isRejectedEnvelope };
