import { option, resolveOptions, type OptionsInput, type Resolved } from '../../core/options.js';

export const natsSchema = {
  /**
   * NATS servers, comma-separated `host:port`.
   * @defaultValue '127.0.0.1:4222'
   */
  servers: option.string({ default: '127.0.0.1:4222' }),
  /**
   * How long the server waits for an ack before redelivering (consumer `ack_wait`). The
   * inbound processor sends in-progress acks while its write runs, so this bounds only
   * how late a crashed consumer's messages come again.
   * @defaultValue 30000
   */
  ackWaitMs: option.int({ min: 1000, max: 12 * 3600_000, default: 30_000 }),
  /**
   * Unacknowledged deliveries a durable consumer allows at once, over all its clients
   * (consumer `max_ack_pending`); also bounds each client's local buffer.
   * @defaultValue 256
   */
  maxAckPending: option.int({ min: 1, max: 1_000_000, default: 256 }),
  /**
   * How long a publish waits for the stream's PubAck.
   * @defaultValue 10000
   */
  publishTimeoutMs: option.int({ min: 10, max: 3_600_000, default: 10_000 }),
  /**
   * Retention of the streams `declare` creates (`max_age`); 0 keeps messages forever.
   * @defaultValue 604800000 (7 days)
   */
  streamMaxAgeMs: option.int({ min: 0, max: 10 * 365 * 24 * 3600_000, default: 7 * 24 * 3600_000 }),
  /**
   * JetStream's duplicate window (`duplicate_window`) of created streams: a publish whose
   * message id was seen within it is acknowledged but not stored again.
   * @defaultValue 120000
   */
  duplicateWindowMs: option.int({ min: 1000, max: 24 * 3600_000, default: 120_000 }),
};

export type NatsOptions = OptionsInput<typeof natsSchema>;
export type ResolvedNatsOptions = Resolved<typeof natsSchema>;

export function resolveNatsOptions(input?: NatsOptions): ResolvedNatsOptions {
  return resolveOptions('nats', natsSchema, input);
}

/** Stream names may not hold `.`, `*`, `>`, spaces or path separators; subjects may. */
export function streamName(topic: string): string {
  return topic.replace(/[.*>\s/\\]/g, '_');
}

/** The header carrying the message key (JetStream messages have no key of their own). */
export const KEY_HEADER = 'ey-key';
