/**
 * Schedules on every store of the factory list (memory, SQLite, Redis, PostgreSQL);
 * the cases are in tests/support/flow-control-schedules-cases.ts (flow-control-cluster.test.ts runs them on a Redis Cluster).
 */
import { STORE_FACTORIES } from '../support/store-factories.js';
import { scheduleSuite } from '../support/flow-control-schedules-cases.js';

for (const factory of STORE_FACTORIES) scheduleSuite(factory);
