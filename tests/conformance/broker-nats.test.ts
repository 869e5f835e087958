import { afterEach, beforeEach, describe, it } from 'vitest';
import { createNatsBroker, NATS_FEATURES } from '../../src/transports/nats/index.js';
import { runBrokerConformance } from '../../src/transports/testing/index.js';
import { NATS_SERVERS } from '../support/brokers.js';

runBrokerConformance({
  name: 'nats',
  createBroker: async () => createNatsBroker({ servers: NATS_SERVERS, streamMaxAgeMs: 3600_000 }),
  features: NATS_FEATURES,
  test: { describe, it, beforeEach, afterEach },
});
