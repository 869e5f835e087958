/**
 * The flow with A, B and C as three separate OS processes sharing one SQLite file; this
 * process is the upstream source and the outbound relay (it counts deliveries).
 *
 *   npm run example:multi -- --events 5000
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createEventyard, jsonLogger } from '../../src/index.js';
import { buildService, feedOrders, messageTypes, OrderCheck } from './flow.js';
import { eventTable, sampleRows, summaryTable } from './report.js';
import { purgeRun, storeFromEnv } from './store-from-env.js';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '5000' }, 'fail-rate': { type: 'string', default: '0.05' } },
});
const events = Number(values.events);
const dir = mkdtempSync(join(tmpdir(), 'eventyard-abc-multi-'));
const db = join(dir, 'abc.db');

const app = createEventyard({ store: await storeFromEnv(db), messageTypes, logger: jsonLogger('error') });
const delivered = new Map<string, number>();
const order = new OrderCheck();
const relay = buildService(app, 'OUT', {
  failRate: 0,
  deliver: ({ eventId, order: posted }) => {
    delivered.set(eventId, (delivered.get(eventId) ?? 0) + 1);
    order.record(posted);
  },
}).start();

const children: ChildProcess[] = (['A', 'B', 'C'] as const).map((service) =>
  fork(
    new URL('./service-process.ts', import.meta.url),
    ['--service', service, '--db', db, '--fail-rate', values['fail-rate']],
    {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  ),
);
await Promise.all(children.map((c) => new Promise((resolve) => c.once('message', resolve))));
console.log(`A, B, C running as pids ${children.map((c) => c.pid).join(', ')} on ${db}`);

const started = performance.now();
await feedOrders(app, events);
while (delivered.size < events) await new Promise((r) => setTimeout(r, 100));
const seconds = (performance.now() - started) / 1000;

await Promise.all(children.map((c) => new Promise((resolve) => (c.once('exit', resolve), c.kill('SIGTERM')))));
await relay.stop();
console.log(eventTable(await sampleRows(app, 3, 1)));
console.log(summaryTable(await app.countByStatus()));
const duplicates = [...delivered.values()].filter((n) => n > 1).length;
console.log(
  `${events} events through 3 processes in ${seconds.toFixed(2)} s (${(events / seconds).toFixed(0)} flows/s), ${duplicates} delivered twice, ` +
    `${order.outOfOrder.size} customers with orders delivered out of order`,
);
await purgeRun(app.store);
await app.close();
rmSync(dir, { recursive: true, force: true });
process.exitCode = duplicates === 0 && order.outOfOrder.size === 0 ? 0 : 1;
