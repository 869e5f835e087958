/**
 * A worker process for the system tests: one service handling RQ_WORK on a shared store.
 * Every handler start is appended (synchronously, so it survives SIGKILL) to the log file
 * as `pid eventId attempt`. Poison rows kill their own process.
 *
 *   node --import tsx tests/support/worker.ts --store sqlite --db FILE --log FILE [options]
 */
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createEventyard, jsonLogger } from '../../src/index.js';
import { openStore } from './open-store.js';
import { workTypes } from './work-types.js';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    db: { type: 'string', default: '' },
    log: { type: 'string' },
    concurrency: { type: 'string', default: '8' },
    'lease-ms': { type: 'string', default: '2000' },
    'max-attempts': { type: 'string', default: '10' },
    'work-ms': { type: 'string', default: '0' },
  },
});
const workMs = Number(values['work-ms']);
const store = await openStore(values.store, values.db);
const app = createEventyard({
  store,
  messageTypes: workTypes(Number(values['max-attempts'])),
  logger: jsonLogger('error'),
});
const service = app
  .service({
    name: `WORKER_${process.pid}`,
    concurrency: Number(values.concurrency),
    leaseMs: Number(values['lease-ms']),
    idleMaxMs: 50,
    retryMechanism: { intervalMs: 100, reapRetryDelayMs: 0 },
  })
  .handle('RQ_WORK', async (ctx) => {
    if (values.log) appendFileSync(values.log, `${process.pid} ${ctx.message.eventId} ${ctx.message.attempt}\n`);
    const { poison } = ctx.payload as { poison?: boolean };
    if (poison === true) process.kill(process.pid, 'SIGKILL');
    if (workMs > 0) await new Promise((r) => setTimeout(r, Math.random() * workMs));
  })
  .start();

process.once('SIGTERM', () => {
  void service
    .stop()
    .then(() => app.close())
    .then(() => process.exit(0));
});
process.send?.('ready');
