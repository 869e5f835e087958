import { option, resolveOptions, type OptionsInput, type Resolved } from '../../core/options.js';
import { jsonLogger, type Logger } from '../../processing/logger.js';
import type { RetryMechanismOptions } from '../../processing/retry-mechanism.js';
import { SERVICE_NAME } from '../../processing/service.js';
import type { InboundApp } from '../inbound/options.js';
import type { Broker } from '../port.js';

/** What a render function receives: one outbound row and its event. */
export interface OutboundRow {
  readonly eventId: string;
  readonly messageType: string;
  readonly createdBy: string;
  readonly attempt: number;
  /** The event's payload, parsed (null when the event has none). */
  readonly payload: unknown;
  /** The event's working data, name → parsed value. */
  workingData(): Promise<ReadonlyMap<string, unknown>>;
}

export interface OutboundRoute {
  /** The topic the message type is published to. */
  readonly topic: string;
  /**
   * The message body, JSON-encoded. Absent: the event's payload as stored. Throwing makes
   * the row FAILED (non-retryable: the same row renders the same way every time).
   */
  readonly render?: ((row: OutboundRow) => unknown) | undefined;
}

const isApp = (v: unknown): v is InboundApp => typeof v === 'object' && v !== null && 'store' in v && 'registry' in v;
const isBroker = (v: unknown): v is Broker =>
  typeof v === 'object' && v !== null && typeof (v as Broker).producer === 'function';
const isLogger = (v: unknown): v is Logger =>
  typeof v === 'object' && v !== null && typeof (v as Logger).warn === 'function';
const isRoutes = (v: unknown): v is Readonly<Record<string, string | OutboundRoute>> =>
  typeof v === 'object' &&
  v !== null &&
  Object.keys(v).length > 0 &&
  Object.values(v).every(
    (r) =>
      (typeof r === 'string' && r.length > 0) ||
      (typeof r === 'object' && r !== null && typeof (r as OutboundRoute).topic === 'string'),
  );

export const outboundSchema = {
  /** The application: its store and declared message types. */
  app: option.required(option.custom('an Eventyard app (store, registry)', isApp)),
  broker: option.required(option.custom('a Broker', isBroker)),
  /** Outbound message type → topic (or `{ topic, render }`). Only these types are claimed. */
  routes: option.required(option.custom('a non-empty object of message type → topic or route', isRoutes)),
  /**
   * UPDATED_BY of the rows it completes.
   * @defaultValue 'OUTBOUND'
   */
  serviceName: option.string({ pattern: SERVICE_NAME, default: 'OUTBOUND' }),
  /**
   * Most rows claimed and published together.
   * @defaultValue 100
   */
  batchSize: option.int({ min: 1, max: 10_000, default: 100 }),
  /**
   * Lease of claimed rows; renewed while a publish waits for its confirms.
   * @defaultValue 30000
   */
  leaseMs: option.int({ min: 100, max: 24 * 3600_000, default: 30_000 }),
  /**
   * Deadline of every store call (claim, heartbeat, complete, fail, the retry mechanism's
   * sweeps); past it the call fails as EY_STORE_UNAVAILABLE and health turns unhealthy.
   * @defaultValue a third of `leaseMs`
   */
  storeTimeoutMs: option.optional(option.int({ min: 10, max: 3_600_000 })),
  /**
   * Deadline of every broker call (open, declare, publish with its confirms). A publish past
   * it counts as failed: the rows go to their retry policy and are published again (the
   * broker may have them already: a duplicate under the same message id).
   * @defaultValue 10000
   */
  brokerTimeoutMs: option.int({ min: 10, max: 3_600_000, default: 10_000 }),
  /**
   * First wait after an empty poll; doubles up to `idleMaxMs`.
   * @defaultValue 10
   */
  idleMinMs: option.int({ min: 0, max: 60_000, default: 10 }),
  /**
   * @defaultValue 500
   */
  idleMaxMs: option.int({ min: 1, max: 600_000, default: 500 }),
  /**
   * Create the routes' topics on start (idempotent). RabbitMQ also needs its consumers'
   * queues bound before publishing, or publishes fail as unroutable (and are retried).
   * @defaultValue true
   */
  declareTopics: option.boolean({ default: true }),
  /**
   * Run the retry mechanism's poller (ERROR → RETRY when due, expired leases reaped).
   * @defaultValue true
   */
  runRetryMechanism: option.boolean({ default: true }),
  retryMechanism: option.optional(
    option.custom('retry mechanism options', (v): v is RetryMechanismOptions => typeof v === 'object' && v !== null),
  ),
  /** @defaultValue JSON lines on stderr, warn and above */
  logger: option.custom('a logger', isLogger, { default: jsonLogger('warn') }),
};

export type OutboundOptions = OptionsInput<typeof outboundSchema>;
export type ResolvedOutboundOptions = Resolved<typeof outboundSchema>;

export function resolveOutboundOptions(input: OutboundOptions): ResolvedOutboundOptions {
  return resolveOptions('outbound processor', outboundSchema, input);
}
