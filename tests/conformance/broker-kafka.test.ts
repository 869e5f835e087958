import { afterEach, beforeAll, beforeEach, describe, it } from 'vitest';
import { createKafkaBroker, KAFKA_FEATURES } from '../../src/transports/kafka/index.js';
import { runBrokerConformance } from '../../src/transports/testing/index.js';
import { KAFKA_BROKERS } from '../support/brokers.js';
import startKafka from '../support/kafka-global-setup.js';

// Starts the broker if .ci/run (or a developer) has not: idempotent, fails loudly.
beforeAll(() => startKafka(), 600_000);

runBrokerConformance({
  name: 'kafka',
  createBroker: async () =>
    createKafkaBroker({ brokers: KAFKA_BROKERS.join(','), clientId: 'ey-conformance', sessionTimeoutMs: 6000 }),
  features: KAFKA_FEATURES,
  test: { describe, it, beforeEach, afterEach },
});
