/**
 * The A → B → C example end to end through a real broker:
 *
 *   upstream producer ──orders──▶ A's inbound processor → IN_ORDER → A → RQ_B_STP → B →
 *   RQ_C_POST → C → OUT_POSTED → outbound processor ──postings──▶ downstream consumer
 *
 *   npx tsx examples/brokers/main.ts --broker kafka|rabbitmq|nats [--events 500] [--fail-rate 0.05]
 *
 * Kafka needs tests/support/kafka/start-kafka.sh first. Exits 0 when every upstream order
 * reached downstream; prints the downstream count, duplicates (explained), and the table.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  createEventyard,
  createInboundProcessor,
  createOutboundProcessor,
  Header,
  inboundRejectedType,
  jsonLogger,
} from '../../src/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import { buildService, messageTypes, type Order } from '../abc/flow.js';
import { summaryTable } from '../abc/report.js';
import { createBroker, isBrokerKind } from './brokers.js';
import { declareTopology, topologyFor, upstreamOrders } from './topology.js';

const { values } = parseArgs({
  options: {
    broker: { type: 'string', default: 'rabbitmq' },
    events: { type: 'string', default: '500' },
    'fail-rate': { type: 'string', default: '0.05' },
    'timeout-s': { type: 'string', default: '120' },
  },
});
const events = Number(values.events);
const failRate = Number(values['fail-rate']);
if (!isBrokerKind(values.broker) || !Number.isSafeInteger(events) || events < 1 || !(failRate >= 0 && failRate < 1)) {
  console.error('usage: --broker kafka|rabbitmq|nats --events <n> --fail-rate <0..1>');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'eventyard-brokers-'));
const app = createEventyard({
  store: createSqliteStore({ path: join(dir, 'example.db') }),
  messageTypes: [...messageTypes, inboundRejectedType],
  logger: jsonLogger('error'),
});
const broker = createBroker(values.broker);
const topology = topologyFor(`ey-example-${randomUUID().slice(0, 8)}`);
await declareTopology(broker, topology);

const noDeliver = (): void => undefined;
const services = (['A', 'B', 'C'] as const).map((key) =>
  buildService(app, key, { failRate, deliver: noDeliver }).start(),
);
const inbound = createInboundProcessor({
  app,
  broker,
  topic: topology.orders,
  group: topology.serviceA,
  messageType: 'IN_ORDER',
  serviceName: 'SERVICE_A_INBOUND',
}).start();
const outbound = createOutboundProcessor({
  app,
  broker,
  serviceName: 'OUTBOUND_RELAY',
  routes: {
    OUT_POSTED: {
      topic: topology.postings,
      render: async (row) => {
        const data = await row.workingData();
        const posted = data.get('c.posted') as { net: number } | undefined;
        return { order: row.payload as Order, fee: data.get('b.fee') ?? 0, net: posted?.net ?? 0 };
      },
    },
  },
}).start();

// The downstream system: counts deliveries per EVENT_ID (at least once: duplicates are counted).
const delivered = new Map<string, number>();
const downstream = await broker.consumer({ topic: topology.postings, group: topology.downstream });
let downstreamDone = false;
const downstreamLoop = (async () => {
  while (!downstreamDone) {
    const batch = await downstream.receive({ max: 200, maxWaitMs: 250 });
    for (const m of batch) {
      const id = m.headers[Header.EVENT_ID] ?? 'missing';
      delivered.set(id, (delivered.get(id) ?? 0) + 1);
    }
    if (batch.length > 0) await downstream.ack(batch);
  }
})();

console.log(`Eventyard A → B → C through ${values.broker}: ${events} orders, fail rate ${failRate}`);
const upstream = await broker.producer();
const sent = new Set<string>();
for (let from = 0; from < events; from += 100) {
  const batch = upstreamOrders(from, Math.min(100, events - from));
  await upstream.publish(topology.orders, batch);
  for (const m of batch) sent.add(m.headers?.[Header.EVENT_ID] ?? '');
}
console.log(`  upstream published ${sent.size} orders (confirmed by the broker)`);

const deadline = Date.now() + Number(values['timeout-s']) * 1000;
while (delivered.size < events && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
downstreamDone = true;
await downstreamLoop;
await inbound.stop();
await outbound.stop();
await Promise.all(services.map((s) => s.stop()));

console.log(`\nSummary per message type and status:\n`);
console.log(summaryTable(await app.countByStatus()));
const duplicates = [...delivered.values()].reduce((n, c) => n + c - 1, 0);
const missing = [...sent].filter((id) => !delivered.has(id)).length;
console.log(
  `\ndownstream: ${delivered.size} distinct of ${events} sent, ${missing} missing, ${duplicates} duplicate deliveries` +
    (duplicates > 0 ? ' (a batch re-published after a lost confirm or lease: at-least-once)' : ''),
);
console.log(`inbound: ${JSON.stringify(inbound.stats)}\noutbound: ${JSON.stringify(outbound.stats)}`);
await upstream.close();
await downstream.close();
await broker.close();
await app.close();
rmSync(dir, { recursive: true, force: true });
process.exitCode = missing === 0 && delivered.size === events ? 0 : 1;
