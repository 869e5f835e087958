/**
 * Malformed inbound messages against each real broker: invalid JSON, wrong schema,
 * oversized, missing or bad headers, binary garbage, unknown type, too deep. Each is kept
 * as a FAILED IN_REJECTED row with its raw content and a clear LAST_ERROR; the messages
 * after them keep flowing; a re-driven one becomes its intended message once it maps.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createEventyard,
  createInboundProcessor,
  Header,
  inboundRejectedType,
  silentLogger,
  type Broker,
  type Eventyard,
  type InboundProcessor,
  type OutgoingMessage,
  type RejectedEnvelope,
} from '../../src/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import { IN_ORDER } from '../../examples/abc/flow.js';
import { createBroker, BROKER_KINDS } from '../../examples/brokers/brokers.js';
import startKafka from '../support/kafka-global-setup.js';
import { allRows, waitUntil } from '../support/rows.js';

beforeAll(() => startKafka(), 600_000);

const MAX_BYTES = 4096;
const order = (n: number): string =>
  JSON.stringify({ orderId: `o-${n}`, customer: 'c', amount: n + 1, currency: 'EUR' });
const msg = (name: string, body: Buffer | string, headers: Record<string, string> = {}): OutgoingMessage => ({
  key: 'one-key',
  headers: { 'x-case': name, [Header.MESSAGE_TYPE]: 'IN_ORDER', [Header.EVENT_ID]: randomUUID(), ...headers },
  body: Buffer.isBuffer(body) ? body : Buffer.from(body),
});
const withoutType = (name: string, body: string): OutgoingMessage => {
  const m = msg(name, body);
  const { [Header.MESSAGE_TYPE]: _dropped, ...headers } = m.headers ?? {};
  return { ...m, headers };
};
const oversized = JSON.stringify({ orderId: 'big', customer: 'x'.repeat(10_000), amount: 1, currency: 'EUR' });
const deep = `${'['.repeat(100)}${']'.repeat(100)}`;
const garbage = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x7b]);

/** case name → the LAST_ERROR code it must fail with. */
const MALFORMED: readonly (readonly [OutgoingMessage, string])[] = [
  [msg('invalid-json', '{"orderId": '), 'EY_PAYLOAD_MALFORMED'],
  [msg('wrong-schema', JSON.stringify({ orderId: 'x' })), 'EY_PAYLOAD_INVALID'],
  [msg('oversized', oversized), 'EY_PAYLOAD_TOO_LARGE'],
  [withoutType('missing-type-header', order(99)), 'EY_INBOUND_UNMAPPABLE'],
  [msg('bad-event-id', order(98), { [Header.EVENT_ID]: 'not-a-uuid' }), 'EY_INBOUND_UNMAPPABLE'],
  [msg('binary-garbage', garbage), 'EY_PAYLOAD_MALFORMED'],
  [msg('unknown-type', order(97), { [Header.MESSAGE_TYPE]: 'IN_NOPE' }), 'EY_UNKNOWN_MESSAGE_TYPE'],
  [msg('too-deep', deep), 'EY_PAYLOAD_MALFORMED'],
];
const VALID_BEFORE = [msg('valid-0', order(0))];
const VALID_AFTER = [1, 2, 3, 4, 5].map((n) => msg(`valid-${n}`, order(n)));

describe.each(BROKER_KINDS)('inbound malformed messages through %s', (kind) => {
  let dir: string;
  let app: Eventyard;
  let broker: Broker;
  let processors: InboundProcessor[] = [];

  afterEach(async () => {
    await Promise.all(processors.map((p) => p.stop()));
    processors = [];
    await broker.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores each malformed message FAILED with its raw content; later messages keep flowing; re-drive maps it again', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ey-malformed-'));
    app = createEventyard({
      store: createSqliteStore({ path: join(dir, 'in.db') }),
      messageTypes: [IN_ORDER, inboundRejectedType],
      maxPayloadBytes: MAX_BYTES,
    });
    broker = createBroker(kind);
    const topic = `ey-malformed-${randomUUID().slice(0, 8)}`;
    const group = `${topic}-a`;
    await broker.declare({ topic, groups: [group] });
    const producer = await broker.producer();
    const all = [...VALID_BEFORE, ...MALFORMED.map(([m]) => m), ...VALID_AFTER];
    await producer.publish(topic, all);

    const start = (options: { messageType?: string } = {}): InboundProcessor => {
      const p = createInboundProcessor({
        app,
        broker,
        topic,
        group,
        maxPayloadBytes: MAX_BYTES,
        receiveWaitMs: 200,
        logger: silentLogger,
        ...options,
      }).start();
      processors.push(p);
      return p;
    };
    const inbound = start();
    await waitUntil(
      'every message is acked and every rejection failed',
      async () => inbound.stats.acked >= all.length && inbound.stats.rejectedFailed >= MALFORMED.length,
      60_000,
    );

    expect(inbound.stats).toMatchObject({
      received: all.length,
      created: all.length,
      duplicates: 0,
      rejected: MALFORMED.length,
      acked: all.length,
      rejectedFailed: MALFORMED.length,
    });
    const orders = await allRows(app.store, { messageType: 'IN_ORDER' });
    expect(orders).toHaveLength(VALID_BEFORE.length + VALID_AFTER.length);
    expect(orders.every((r) => r.status === 'UNPROCESSED' && r.orderingKey === 'one-key')).toBe(true);
    const validIds = [...VALID_BEFORE, ...VALID_AFTER].map((m) => m.headers?.[Header.EVENT_ID]).sort();
    expect(orders.map((r) => r.eventId).sort()).toEqual(validIds);

    const rejected = await allRows(app.store, { messageType: 'IN_REJECTED' });
    expect(rejected).toHaveLength(MALFORMED.length);
    const byCase = new Map<string, { row: (typeof rejected)[number]; envelope: RejectedEnvelope }>();
    for (const row of rejected) {
      const envelope = JSON.parse((await app.store.getPayload(row.eventId)) ?? 'null') as RejectedEnvelope;
      byCase.set(envelope.headers['x-case'] ?? '?', { row, envelope });
    }
    for (const [sent, code] of MALFORMED) {
      const name = sent.headers?.['x-case'] ?? '?';
      const found = byCase.get(name);
      expect(found, name).toBeDefined();
      const { row, envelope } = found as NonNullable<typeof found>;
      expect(row.status, name).toBe('FAILED');
      expect(row.attempts, name).toBe(1);
      expect(row.lastError?.startsWith(`${code}:`), `${name}: ${row.lastError}`).toBe(true);
      expect(envelope.reason.startsWith(code), name).toBe(true);
      expect(envelope.broker).toBe(kind);
      expect(envelope.body.bytes, name).toBe(sent.body.length);
      expect(envelope.body.sha256).toBe(createHash('sha256').update(sent.body).digest('hex'));
      const kept = Buffer.from(envelope.body.data, envelope.body.encoding);
      if (name === 'oversized') {
        expect(envelope.body.truncated).toBe(true);
        expect(kept.equals(sent.body.subarray(0, MAX_BYTES))).toBe(true);
      } else {
        expect(envelope.body.truncated, name).toBe(false);
        expect(kept.equals(sent.body), name).toBe(true);
      }
    }
    expect(byCase.get('binary-garbage')?.envelope.body.encoding).toBe('base64');
    expect(byCase.get('invalid-json')?.envelope.body.encoding).toBe('utf8');

    // Re-drive: with the topic's type now fixed to IN_ORDER, the message that lacked its
    // type header maps, and its IN_REJECTED row completes with the IN_ORDER it was meant to be.
    await inbound.stop();
    const missing = byCase.get('missing-type-header') as NonNullable<ReturnType<typeof byCase.get>>;
    expect(await app.redrive({ eventId: missing.row.eventId })).toBe(1);
    const fixed = start({ messageType: 'IN_ORDER' });
    await waitUntil('the re-driven row is recovered', async () => fixed.stats.rejectedRecovered === 1, 30_000);
    const recovered = await allRows(app.store, { eventId: missing.envelope.eventId ?? 'none' });
    expect(recovered.map((r) => [r.messageType, r.status])).toEqual([['IN_ORDER', 'UNPROCESSED']]);
    const after = await allRows(app.store, { eventId: missing.row.eventId });
    expect(after.map((r) => r.status)).toEqual(['COMPLETED']);
    await producer.close();
  });
});
