/**
 * The Kafka adapter of the broker port (client: @platformatic/kafka). A topic is a Kafka
 * topic, a group a consumer group; the message key picks the partition, which is what
 * keeps one key's messages in order.
 */
import { Admin } from '@platformatic/kafka';
import { ErrorCode, EventyardError } from '../../core/errors.js';
import type { Broker, BrokerConsumer, BrokerFeatures, BrokerProducer, TopologyRequest } from '../port.js';
import { KafkaConsumer } from './consumer.js';
import { isAlreadyExists, toBrokerError } from './errors.js';
import { connectionOf, kafkaSecrets, resolveKafkaOptions, type KafkaOptions } from './options.js';
import { KafkaProducer } from './producer.js';

/**
 * One key → one partition → one consumer at a time, in offset order. Acks are committed
 * offsets, so a consumer that dies redelivers from the first unacknowledged offset of each
 * partition. Kafka does not count deliveries.
 */
export const KAFKA_FEATURES: BrokerFeatures = Object.freeze({
  orderingPerKey: true,
  redelivery: 'from-first-unacked',
  deliveryCount: false,
});

export function createKafkaBroker(input?: KafkaOptions): Broker {
  const options = resolveKafkaOptions(input);
  const open = new Set<{ close(): Promise<void> }>();
  let closed = false;
  const track = <T extends { close(): Promise<void> }>(client: T): T => {
    if (closed) throw new EventyardError(ErrorCode.CLOSED, 'kafka: broker closed');
    open.add(client);
    return client;
  };

  return {
    kind: 'kafka',
    features: KAFKA_FEATURES,
    /** Creates the topic; groups need nothing up front (a new group starts at the earliest offset). */
    async declare(request: TopologyRequest): Promise<void> {
      const admin = new Admin({
        clientId: `${options.clientId}-admin`,
        ...connectionOf(options),
        timeout: options.requestTimeoutMs,
      });
      try {
        await admin.createTopics({
          topics: [request.topic],
          partitions: options.partitions,
          replicas: options.replicationFactor,
        });
      } catch (error) {
        if (!isAlreadyExists(error))
          throw toBrokerError(error, `create topic "${request.topic}"`, kafkaSecrets(options));
      } finally {
        await admin.close().catch(() => undefined);
      }
    },
    async consumer({ topic, group }): Promise<BrokerConsumer> {
      return track(new KafkaConsumer(options, topic, group));
    },
    async producer(): Promise<BrokerProducer> {
      return track(new KafkaProducer(options));
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.all([...open].map((client) => client.close()));
      open.clear();
    },
  };
}
