import { option, resolveOptions, type OptionsInput, type Resolved } from '../../core/options.js';

export const kafkaSchema = {
  /**
   * Bootstrap brokers, comma-separated `host:port`.
   * @defaultValue '127.0.0.1:9092'
   */
  brokers: option.string({ default: '127.0.0.1:9092' }),
  /**
   * Client id sent to the brokers (shows in their logs and quotas).
   * @defaultValue 'eventyard'
   */
  clientId: option.string({ default: 'eventyard' }),
  /**
   * Partitions of the topics `declare` creates: the unit of per-key ordering and of
   * parallelism within a group.
   * @defaultValue 3
   */
  partitions: option.int({ min: 1, max: 10_000, default: 3 }),
  /**
   * Replication factor of the topics `declare` creates.
   * @defaultValue 1
   */
  replicationFactor: option.int({ min: 1, max: 100, default: 1 }),
  /**
   * A consumer whose heartbeats stop for this long leaves its group; its partitions move
   * on, from their last committed offsets.
   * @defaultValue 10000
   */
  sessionTimeoutMs: option.int({ min: 1000, max: 3_600_000, default: 10_000 }),
  /**
   * Most messages a consumer buffers locally before it pauses fetching.
   * @defaultValue 500
   */
  maxBuffered: option.int({ min: 1, max: 1_000_000, default: 500 }),
  /**
   * Request timeout of produce, commit and metadata calls.
   * @defaultValue 30000
   */
  requestTimeoutMs: option.int({ min: 100, max: 3_600_000, default: 30_000 }),
};

export type KafkaOptions = OptionsInput<typeof kafkaSchema>;
export type ResolvedKafkaOptions = Resolved<typeof kafkaSchema>;

export function resolveKafkaOptions(input?: KafkaOptions): ResolvedKafkaOptions {
  return resolveOptions('kafka', kafkaSchema, input);
}

export const brokerList = (options: ResolvedKafkaOptions): string[] => options.brokers.split(',').map((b) => b.trim());
