/**
 * Publishing with acks from every in-sync replica (`acks: -1`) through an idempotent
 * producer, so the client's own retries never write a message twice. The default
 * partitioner hashes the key (murmur2, as the Java client), so one key is one partition.
 */
import { Producer, ProduceAcks } from '@platformatic/kafka';
import { ErrorCode, EventyardError } from '../../core/errors.js';
import type { BrokerProducer, OutgoingMessage } from '../port.js';
import { toBrokerError } from './errors.js';
import { connectionOf, kafkaSecrets, type ResolvedKafkaOptions } from './options.js';

export class KafkaProducer implements BrokerProducer {
  readonly #producer: Producer;
  #closed = false;

  readonly #secrets: readonly string[];

  constructor(options: ResolvedKafkaOptions) {
    this.#secrets = kafkaSecrets(options);
    this.#producer = new Producer({
      clientId: `${options.clientId}-producer`,
      ...connectionOf(options),
      acks: ProduceAcks.ALL,
      idempotent: true,
      autocreateTopics: false,
      timeout: options.requestTimeoutMs,
      retries: 3,
      retryDelay: 250,
    });
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.#closed) throw new EventyardError(ErrorCode.CLOSED, 'kafka: publish after close');
    if (messages.length === 0) return;
    try {
      await this.#producer.send({
        messages: messages.map((m) => ({
          topic,
          ...(m.key === undefined ? {} : { key: Buffer.from(m.key, 'utf8') }),
          value: m.body,
          headers: new Map(Object.entries(m.headers ?? {}).map(([k, v]) => [Buffer.from(k), Buffer.from(v, 'utf8')])),
        })),
      });
    } catch (error) {
      throw toBrokerError(error, `publish to "${topic}"`, this.#secrets);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#producer.close().catch(() => undefined);
  }
}
