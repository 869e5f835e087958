import { afterEach, beforeEach, describe, it } from 'vitest';
import { createRabbitMqBroker, RABBITMQ_FEATURES } from '../../src/transports/rabbitmq/index.js';
import { runBrokerConformance } from '../../src/transports/testing/index.js';
import { RABBITMQ_URL } from '../support/brokers.js';

runBrokerConformance({
  name: 'rabbitmq',
  createBroker: async () => createRabbitMqBroker({ url: RABBITMQ_URL, prefetch: 200 }),
  features: RABBITMQ_FEATURES,
  test: { describe, it, beforeEach, afterEach },
});
