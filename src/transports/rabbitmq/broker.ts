/**
 * The RabbitMQ adapter of the broker port. A topic is a durable topic exchange; a group is
 * a durable queue bound to it with `#` (every routing key); the message key is the routing
 * key. Manual acks, a prefetch window, persistent messages, publisher confirms.
 */
import { ErrorCode, EventyardError } from '../../core/errors.js';
import type { Broker, BrokerConsumer, BrokerFeatures, BrokerProducer, TopologyRequest } from '../port.js';
import { LazyConnection } from './connection.js';
import { RabbitMqConsumer } from './consumer.js';
import { toBrokerError } from './errors.js';
import { resolveRabbitMqOptions, type RabbitMqOptions } from './options.js';
import { RabbitMqProducer } from './producer.js';

/**
 * One queue delivers in publish order to its consumer, so one key keeps its order while
 * nothing is requeued; a requeued message goes back to its place when it can. Closing a
 * channel requeues exactly its unacknowledged deliveries, flagged `redelivered`.
 */
export const RABBITMQ_FEATURES: BrokerFeatures = Object.freeze({
  orderingPerKey: true,
  redelivery: 'per-message',
  deliveryCount: true,
});

export function createRabbitMqBroker(input?: RabbitMqOptions): Broker {
  const options = resolveRabbitMqOptions(input);
  const admin = new LazyConnection(options);
  const open = new Set<{ close(): Promise<void> }>();
  let closed = false;
  const track = <T extends { close(): Promise<void> }>(client: T): T => {
    if (closed) throw new EventyardError(ErrorCode.CLOSED, 'rabbitmq: broker closed');
    open.add(client);
    return client;
  };

  return {
    kind: 'rabbitmq',
    features: RABBITMQ_FEATURES,
    async declare(request: TopologyRequest): Promise<void> {
      const model = await admin.get();
      let channel;
      try {
        channel = await model.createChannel();
      } catch (error) {
        throw toBrokerError(error, 'open a channel');
      }
      channel.on('error', () => undefined);
      try {
        await channel.assertExchange(request.topic, 'topic', { durable: true });
        for (const group of request.groups ?? []) {
          await channel.assertQueue(group, {
            durable: true,
            arguments: { 'x-queue-type': options.queueType, ...options.queueArguments },
          });
          await channel.bindQueue(group, request.topic, '#');
        }
      } catch (error) {
        throw toBrokerError(error, `declare topic "${request.topic}"`);
      } finally {
        await channel.close().catch(() => undefined);
      }
    },
    async consumer({ group }): Promise<BrokerConsumer> {
      return track(new RabbitMqConsumer(options, group));
    },
    async producer(): Promise<BrokerProducer> {
      return track(new RabbitMqProducer(options));
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.all([...open].map((client) => client.close()));
      open.clear();
      await admin.close();
    },
  };
}
