/**
 * The main job: the A → B → C example on the embedded SQLite store, in one process.
 *
 *   npm start                      # 3,000 events
 *   npm start -- --events 20000 --fail-rate 0.1 --db ./abc.db
 *
 * Exits 0 when every event reached OUT_POSTED COMPLETED and was delivered exactly once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createEventyard, jsonLogger } from '../../src/index.js';
import { buildService, feedOrders, messageTypes, OrderCheck, type Order, type ServiceKey } from './flow.js';
import { eventTable, sampleRows, summaryTable } from './report.js';
import { purgeRun, storeFromEnv, storeKindFromEnv } from './store-from-env.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '3000' },
    'fail-rate': { type: 'string', default: '0.05' },
    db: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});
const events = Number(values.events);
const failRate = Number(values['fail-rate']);
if (!Number.isSafeInteger(events) || events < 1 || !(failRate >= 0 && failRate < 1)) {
  console.error('usage: --events <positive integer> --fail-rate <0..1>');
  process.exit(2);
}
const tempDir = values.db === undefined ? mkdtempSync(join(tmpdir(), 'eventyard-abc-')) : undefined;
const dbPath = values.db ?? join(tempDir as string, 'abc.db');

const store = await storeFromEnv(dbPath);
const app = createEventyard({ store, messageTypes, logger: jsonLogger('error') });
const delivered = new Map<string, number>();
const order = new OrderCheck();
const deliver = ({ eventId, order: posted }: { eventId: string; order: Order }): void => {
  delivered.set(eventId, (delivered.get(eventId) ?? 0) + 1);
  order.record(posted);
};
const services = (['A', 'B', 'C', 'OUT'] as ServiceKey[]).map((key) =>
  buildService(app, key, { failRate, deliver, service: { handleSignals: true } }).start(),
);

console.log(`Eventyard A → B → C: ${events} events on ${storeKindFromEnv()} (${dbPath}), fail rate ${failRate}`);
const started = performance.now();
await feedOrders(app, events);

const outboundDone = async (): Promise<{ completed: number; failed: number }> => {
  const counts = await app.countByStatus();
  const sum = (status: string): number =>
    counts
      .filter((c) => c.status === status && (status === 'FAILED' || c.messageType === 'OUT_POSTED'))
      .reduce((n, c) => n + c.count, 0);
  return { completed: sum('COMPLETED'), failed: sum('FAILED') };
};
for (let last = performance.now(); ;) {
  const { completed, failed } = await outboundDone();
  if (completed + failed >= events) break;
  if (!values.quiet && performance.now() - last >= 500) {
    last = performance.now();
    const seconds = (last - started) / 1000;
    console.log(`  ${completed}/${events} flows done, ${failed} failed, ${(completed / seconds).toFixed(0)} flows/s`);
  }
  await new Promise((r) => setTimeout(r, 50));
}
const seconds = (performance.now() - started) / 1000;
await Promise.all(services.map((s) => s.stop()));

const counts = await app.countByStatus();
const retries = services.reduce(
  (n, s) => n + Object.values(s.stats().processors).reduce((m, p) => m + p.retried, 0),
  0,
);
console.log(`\nEvent table (first 3 events and 2 that were retried):\n`);
console.log(eventTable(await sampleRows(app, 3, 2)));
console.log(`\nSummary per message type and status:\n`);
console.log(summaryTable(counts));

const duplicates = [...delivered.values()].filter((n) => n > 1).length;
const { completed, failed } = await outboundDone();
console.log(
  `\n${events} events in ${seconds.toFixed(2)} s: ${(events / seconds).toFixed(0)} flows/s, ` +
    `${((events * 4) / seconds).toFixed(0)} messages/s; ${retries} retried attempts; ` +
    `${delivered.size} delivered downstream, ${duplicates} delivered twice, ${failed} failed; ` +
    `${order.customers} customers, ${order.outOfOrder.size} with orders delivered out of order`,
);
await purgeRun(store);
await app.close();
if (tempDir) rmSync(tempDir, { recursive: true, force: true });
process.exitCode =
  completed === events && delivered.size === events && duplicates === 0 && order.outOfOrder.size === 0 ? 0 : 1;
