/**
 * Rate limits on every store of the factory list (memory, SQLite, Redis, PostgreSQL); the
 * cases are in tests/support/flow-control-rate-cases.ts (flow-control-cluster.test.ts runs
 * them on a Redis Cluster).
 */
import { STORE_FACTORIES } from '../support/store-factories.js';
import { rateLimitSuite } from '../support/flow-control-rate-cases.js';

for (const factory of STORE_FACTORIES) rateLimitSuite(factory);
