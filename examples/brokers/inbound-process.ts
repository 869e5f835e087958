/**
 * Service A's inbound processor as a process of its own: consumes the upstream topic into
 * the inbound table of a SQLite file, printing its stats as a JSON line every 100 ms. The
 * SIGKILL system test starts, kills and restarts it; `--ack-delay-ms` holds each ack back
 * (announced by a `{"phase":"ack-wait"}` line) so the test can kill it between the durable
 * write and the ack, the window in which a crash makes the broker redeliver written rows.
 *
 *   npx tsx examples/brokers/inbound-process.ts --broker nats --db ./a.db --topic t --group g
 */
import { parseArgs } from 'node:util';
import {
  createEventyard,
  createInboundProcessor,
  inboundRejectedType,
  jsonLogger,
  type Broker,
} from '../../src/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import { IN_ORDER } from '../abc/flow.js';
import { createBroker, isBrokerKind } from './brokers.js';

const { values } = parseArgs({
  options: {
    broker: { type: 'string' },
    db: { type: 'string' },
    topic: { type: 'string' },
    group: { type: 'string' },
    batch: { type: 'string', default: '20' },
    'ack-delay-ms': { type: 'string', default: '0' },
  },
});
const { broker: kind, db, topic, group } = values;
if (!isBrokerKind(kind) || db === undefined || topic === undefined || group === undefined) {
  console.error('usage: --broker kafka|rabbitmq|nats --db <file> --topic <t> --group <g> [--batch n]');
  process.exit(2);
}

const app = createEventyard({
  store: createSqliteStore({ path: db }),
  messageTypes: [IN_ORDER, inboundRejectedType],
  logger: jsonLogger('error'),
});
const broker = withAckDelay(createBroker(kind), Number(values['ack-delay-ms']));
const inbound = createInboundProcessor({
  app,
  broker,
  topic,
  group,
  messageType: 'IN_ORDER',
  serviceName: 'SERVICE_A_INBOUND',
  batchSize: Number(values.batch),
  receiveWaitMs: 200,
  logger: jsonLogger('error'),
}).start();

const report = (): void => {
  process.stdout.write(`${JSON.stringify({ pid: process.pid, ...inbound.stats })}\n`);
};
const timer = setInterval(report, 100);
process.once('SIGTERM', () => {
  clearInterval(timer);
  void (async () => {
    await inbound.stop();
    report();
    await broker.close();
    await app.close();
    process.exit(0);
  })();
});

/** The broker, with every consumer's ack held back `ms` after announcing it. */
function withAckDelay(inner: Broker, ms: number): Broker {
  if (ms <= 0) return inner;
  return {
    ...inner,
    declare: (request) => inner.declare(request),
    producer: () => inner.producer(),
    close: () => inner.close(),
    async consumer(options) {
      const consumer = await inner.consumer(options);
      return {
        receive: (o) => consumer.receive(o),
        close: () => consumer.close(),
        ...(consumer.keepAlive ? { keepAlive: (m) => consumer.keepAlive?.(m) ?? Promise.resolve() } : {}),
        async ack(messages) {
          process.stdout.write(`${JSON.stringify({ phase: 'ack-wait' })}\n`);
          await new Promise((resolve) => setTimeout(resolve, ms));
          await consumer.ack(messages);
        },
      };
    },
  };
}
