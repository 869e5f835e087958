import { MESSAGE_TYPE_NAME } from '../../core/message-type.js';
import { option, resolveOptions, type OptionsInput, type Resolved } from '../../core/options.js';
import { DEFAULT_PAYLOAD_LIMITS } from '../../core/payload.js';
import type { Logger } from '../../processing/logger.js';
import { jsonLogger } from '../../processing/logger.js';
import { SERVICE_NAME } from '../../processing/service.js';
import type { EventStore } from '../../store/port.js';
import type { MessageRegistry } from '../../core/message-type.js';
import type { Broker } from '../port.js';
import { Header } from '../headers.js';
import type { MessageTracer } from '../../processing/tracing.js';

/** What the inbound processor needs of the application: `createEventyard(...)` fits. */
export interface InboundApp {
  readonly store: EventStore;
  readonly registry: MessageRegistry;
  /** With a tracer, broker hops get spans and carry the trace on. */
  readonly tracer?: MessageTracer | undefined;
}

const isApp = (v: unknown): v is InboundApp => typeof v === 'object' && v !== null && 'store' in v && 'registry' in v;
const isBroker = (v: unknown): v is Broker =>
  typeof v === 'object' && v !== null && typeof (v as Broker).consumer === 'function';
const isLogger = (v: unknown): v is Logger =>
  typeof v === 'object' && v !== null && typeof (v as Logger).warn === 'function';
const HEADER_NAME = /^[a-z0-9][a-z0-9._-]{0,127}$/;

export const inboundSchema = {
  /** The application: its store and declared message types (declare `inboundRejectedType` too). */
  app: option.required(option.custom('an Eventyard app (store, registry)', isApp)),
  broker: option.required(option.custom('a Broker', isBroker)),
  /** The topic to consume. */
  topic: option.required(option.string()),
  /** The durable group (consumer group, queue, durable consumer) to consume as. */
  group: option.required(option.string()),
  /**
   * CREATED_BY of the inbound rows.
   * @defaultValue 'INBOUND'
   */
  serviceName: option.string({ pattern: SERVICE_NAME, default: 'INBOUND' }),
  /** Every message of the topic is of this type; when absent, `messageTypeHeader` names it. */
  messageType: option.optional(option.string({ pattern: MESSAGE_TYPE_NAME })),
  /**
   * Header naming the message type when `messageType` is not fixed.
   * @defaultValue 'ey-message-type'
   */
  messageTypeHeader: option.string({ pattern: HEADER_NAME, default: Header.MESSAGE_TYPE }),
  /**
   * Where EVENT_ID comes from: `header` (the `eventIdHeader`), `key` (the message key),
   * or `identity`; when the header or key is absent, it is derived from the broker identity.
   * @defaultValue 'header'
   */
  eventIdFrom: option.oneOf(['header', 'key', 'identity'] as const, { default: 'header' }),
  /**
   * @defaultValue 'ey-event-id'
   */
  eventIdHeader: option.string({ pattern: HEADER_NAME, default: Header.EVENT_ID }),
  /**
   * The message key becomes ORDERING_KEY, so the broker's per-key order carries on through
   * the store.
   * @defaultValue true
   */
  orderingKeyFromKey: option.boolean({ default: true }),
  /**
   * Largest accepted message body, in bytes (checked before decoding). Match the app's
   * `maxPayloadBytes`.
   * @defaultValue 1048576
   */
  maxPayloadBytes: option.int({ min: 64, max: 512 * 1024 * 1024, default: DEFAULT_PAYLOAD_LIMITS.maxBytes }),
  /**
   * @defaultValue 64
   */
  maxPayloadDepth: option.int({ min: 1, max: 10_000, default: DEFAULT_PAYLOAD_LIMITS.maxDepth }),
  /**
   * Most messages received, written and acknowledged together.
   * @defaultValue 100
   */
  batchSize: option.int({ min: 1, max: 10_000, default: 100 }),
  /**
   * Longest wait of one receive for the first message.
   * @defaultValue 1000
   */
  receiveWaitMs: option.int({ min: 1, max: 60_000, default: 1000 }),
  /**
   * While a write runs longer than this, brokers that support it are told the messages
   * are still being worked on (NATS `+WPI`); keep it well under the broker's ack wait.
   * @defaultValue 5000
   */
  keepAliveMs: option.int({ min: 50, max: 3_600_000, default: 5000 }),
  /**
   * First wait after a failed receive or write; doubles up to 30 s.
   * @defaultValue 250
   */
  retryDelayMs: option.int({ min: 1, max: 60_000, default: 250 }),
  /**
   * How often IN_REJECTED rows left by a crash or re-driven by an operator are looked for.
   * @defaultValue 5000
   */
  sweepIntervalMs: option.int({ min: 10, max: 3_600_000, default: 5000 }),
  /**
   * Deadline of every broker call (open, ack, keep-alive; a receive gets `receiveWaitMs` on
   * top). A call past it fails as EY_BROKER_UNAVAILABLE, health turns unhealthy with one
   * warning per outage, and the consumer is closed and opened again (what it held in flight
   * is redelivered).
   * @defaultValue 10000
   */
  brokerTimeoutMs: option.int({ min: 10, max: 3_600_000, default: 10_000 }),
  /**
   * Deadline of every store call (the durable write, the IN_REJECTED sweep); a write past
   * it is retried, and nothing is acknowledged until one succeeds.
   * @defaultValue 10000
   */
  storeTimeoutMs: option.int({ min: 10, max: 3_600_000, default: 10_000 }),
  /** @defaultValue JSON lines on stderr, warn and above */
  logger: option.custom('a logger', isLogger, { default: jsonLogger('warn') }),
};

export type InboundOptions = OptionsInput<typeof inboundSchema>;
export type ResolvedInboundOptions = Resolved<typeof inboundSchema>;

export function resolveInboundOptions(input: InboundOptions): ResolvedInboundOptions {
  return resolveOptions('inbound processor', inboundSchema, input);
}
