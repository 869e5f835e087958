/** Several OS processes on one SQLite file (tests/support/processes-scenario.ts). */
import { join } from 'node:path';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import { describeProcessesScenario } from '../support/processes-scenario.js';

describeProcessesScenario({
  title: 'SQLite',
  store: 'sqlite',
  events: 20_000,
  concurrency: 16,
  fresh: (tmp) => join(tmp, 'work.db'),
  open: (path) => createSqliteStore({ path }),
  cleanup: () => undefined,
});
