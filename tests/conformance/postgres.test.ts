/**
 * The store conformance suite, unchanged, against the PostgreSQL server (EVENTYARD_POSTGRES_URL,
 * default 127.0.0.1:5432/test): each case in a fresh schema, dropped after. Once with
 * LISTEN/NOTIFY wake-ups, once without (polling only: no waitForMessages). The margin past
 * due times is 300 ms instead of 150: the shared server answers slowly when the machine is
 * loaded, and cases that age rows by real time (purge cutoffs) then flaked.
 */
import { afterEach, beforeEach, describe, it } from 'vitest';
import { runStoreConformance } from '../../src/testing/index.js';
import { storeInFreshSchema } from '../support/postgres.js';

const test = { describe, it, beforeEach, afterEach };

runStoreConformance({
  name: 'postgres',
  createStore: () => storeInFreshSchema({ priorityAgingStepMs: 100 }, 'c'),
  features: { multiProcess: true, orderingKeys: true },
  timing: { marginMs: 300 },
  test,
});

runStoreConformance({
  name: 'postgres (notify off)',
  createStore: () => storeInFreshSchema({ notify: false, priorityAgingStepMs: 100 }, 'cn'),
  features: { multiProcess: true, orderingKeys: true, waitForMessages: false },
  timing: { marginMs: 300 },
  test,
});
