/**
 * The store conformance suite, unchanged, against the PostgreSQL server (EVENTYARD_POSTGRES_URL,
 * default 127.0.0.1:5432/test): each case in a fresh schema, dropped after. Once with
 * LISTEN/NOTIFY wake-ups, once without (polling only: no waitForMessages).
 */
import { afterEach, beforeEach, describe, it } from 'vitest';
import { runStoreConformance } from '../../src/testing/index.js';
import { storeInFreshSchema } from '../support/postgres.js';

const test = { describe, it, beforeEach, afterEach };

runStoreConformance({
  name: 'postgres',
  createStore: () => storeInFreshSchema({}, 'c'),
  features: { multiProcess: true, orderingKeys: true },
  test,
});

runStoreConformance({
  name: 'postgres (notify off)',
  createStore: () => storeInFreshSchema({ notify: false }, 'cn'),
  features: { multiProcess: true, orderingKeys: true, waitForMessages: false },
  test,
});
