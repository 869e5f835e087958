/**
 * One service of the flow as its own OS process, on a shared SQLite file:
 *
 *   node --import tsx examples/abc/service-process.ts --service B --db ./abc.db
 *
 * Runs until SIGINT/SIGTERM, then stops gracefully and prints its stats as JSON.
 */
import { parseArgs } from 'node:util';
import { createEventyard, jsonLogger } from '../../src/index.js';
import { buildService, messageTypes, type ServiceKey } from './flow.js';
import { storeFromEnv } from './store-from-env.js';

const { values } = parseArgs({
  options: {
    service: { type: 'string' },
    db: { type: 'string' },
    'fail-rate': { type: 'string', default: '0.05' },
  },
});
const key = values.service as ServiceKey;
if (!['A', 'B', 'C', 'OUT'].includes(key) || values.db === undefined) {
  console.error('usage: --service A|B|C|OUT --db <sqlite file>');
  process.exit(2);
}
const app = createEventyard({ store: await storeFromEnv(values.db), messageTypes, logger: jsonLogger('error') });
const service = buildService(app, key, { failRate: Number(values['fail-rate']), deliver: () => {} }).start();

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void service.stop().then(async () => {
      console.log(JSON.stringify({ service: service.name, pid: process.pid, ...service.stats() }));
      await app.close();
    });
  });
}
process.send?.('ready');
