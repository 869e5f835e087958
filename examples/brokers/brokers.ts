/**
 * Picks the broker by flag (`kafka`, `rabbitmq`, `nats`), on loopback. Kafka is the test
 * broker of tests/support/kafka/start-kafka.sh (127.0.0.1:19092).
 */
import { createKafkaBroker } from '../../src/transports/kafka/index.js';
import { createNatsBroker } from '../../src/transports/nats/index.js';
import { createRabbitMqBroker } from '../../src/transports/rabbitmq/index.js';
import type { Broker } from '../../src/index.js';

export const BROKER_KINDS = ['kafka', 'rabbitmq', 'nats'] as const;
export type BrokerKind = (typeof BROKER_KINDS)[number];

export function isBrokerKind(value: unknown): value is BrokerKind {
  return typeof value === 'string' && (BROKER_KINDS as readonly string[]).includes(value);
}

export interface BrokerEndpoints {
  readonly kafka?: string | undefined;
  readonly rabbitmq?: string | undefined;
  readonly nats?: string | undefined;
}

export function createBroker(kind: BrokerKind, endpoints: BrokerEndpoints = {}): Broker {
  switch (kind) {
    case 'kafka':
      return createKafkaBroker({
        brokers: endpoints.kafka ?? process.env.EY_KAFKA_BROKERS ?? '127.0.0.1:19092',
        clientId: 'eventyard-example',
        sessionTimeoutMs: 6000,
      });
    case 'rabbitmq':
      return createRabbitMqBroker({
        url: endpoints.rabbitmq ?? process.env.EY_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
      });
    case 'nats':
      return createNatsBroker({
        servers: endpoints.nats ?? process.env.EY_NATS_SERVERS ?? '127.0.0.1:4222',
        ackWaitMs: 5000,
      });
  }
}
