import { option, resolveOptions, type OptionsInput, type Resolved } from '../../core/options.js';

/** SASL authentication: PLAIN or SCRAM with a user name and password. */
export interface KafkaSasl {
  readonly mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  readonly username: string;
  readonly password: string;
}

const isSasl = (v: unknown): v is KafkaSasl =>
  typeof v === 'object' &&
  v !== null &&
  ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'].includes((v as KafkaSasl).mechanism) &&
  typeof (v as KafkaSasl).username === 'string' &&
  typeof (v as KafkaSasl).password === 'string' &&
  Object.keys(v).every((k) => ['mechanism', 'username', 'password'].includes(k));

export const kafkaSchema = {
  /** SASL credentials; every error the broker reports has the password redacted. */
  sasl: option.optional(option.custom('{ mechanism: PLAIN|SCRAM-SHA-256|SCRAM-SHA-512, username, password }', isSasl)),
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
   * Request timeout of produce, commit and metadata calls. A consumer with partitions that
   * hears no fetch answer for this plus 500 ms (the fetch max wait) takes its connection for
   * hung: its next empty receive fails as EY_BROKER_UNAVAILABLE.
   * @defaultValue 30000
   */
  requestTimeoutMs: option.int({ min: 100, max: 3_600_000, default: 30_000 }),
};

export type KafkaOptions = OptionsInput<typeof kafkaSchema>;
export type ResolvedKafkaOptions = Resolved<typeof kafkaSchema>;

export function resolveKafkaOptions(input?: KafkaOptions): ResolvedKafkaOptions {
  return resolveOptions('kafka', kafkaSchema, input);
}

/** Connection options shared by the admin, producer and consumer clients. */
export function connectionOf(options: ResolvedKafkaOptions): { bootstrapBrokers: string[]; sasl?: KafkaSasl } {
  return { bootstrapBrokers: brokerList(options), ...(options.sasl !== undefined && { sasl: { ...options.sasl } }) };
}

/** Secrets to redact from this broker's errors. */
export const kafkaSecrets = (options: ResolvedKafkaOptions): string[] =>
  options.sasl === undefined ? [] : [options.sasl.password];

export const brokerList = (options: ResolvedKafkaOptions): string[] => options.brokers.split(',').map((b) => b.trim());
