/** What a message carries: headers, key, binary bodies, and order per key. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { OutgoingMessage } from '../../port.js';
import { collectCount } from '../collect.js';
import type { BrokerConformanceCase } from '../types.js';

export const contentCases: readonly BrokerConformanceCase[] = [
  {
    name: 'headers: names and UTF-8 values round trip, with the key',
    async run({ broker, timing, newTopic, newGroup }) {
      const topic = newTopic();
      const group = newGroup();
      await broker.declare({ topic, groups: [group] });
      const headers = {
        'ey-event-id': '0b7c4d2e-8f43-4f0e-9a53-2f2a8f1f6b1e',
        'ey-message-type': 'OUT_POSTED',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        'x-unicode': 'ünïcødé ✓ 日本',
        'x-empty': '',
      };
      const producer = await broker.producer();
      await producer.publish(topic, [
        { key: 'order-42', headers, body: Buffer.from('{}') },
        { body: Buffer.from('no key, no headers') },
      ]);
      const consumer = await broker.consumer({ topic, group });
      const received = await collectCount(consumer, timing, 2);
      assert.equal(received.length, 2);
      const withHeaders = received.find((m) => m.key === 'order-42');
      assert.ok(withHeaders, 'the keyed message came with its key');
      for (const [name, value] of Object.entries(headers)) {
        assert.equal(withHeaders.headers[name], value, `header ${name}`);
      }
      const bare = received.find((m) => m.body.toString() === 'no key, no headers');
      assert.ok(bare);
      assert.equal(bare.key, undefined, 'no key');
      await consumer.ack(received);
    },
  },
  {
    name: 'bodies: binary-safe (every byte value, invalid UTF-8, empty, 512 KiB)',
    async run({ broker, timing, newTopic, newGroup }) {
      const topic = newTopic();
      const group = newGroup();
      await broker.declare({ topic, groups: [group] });
      const bodies = [
        Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
        Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0x00, 0x80]),
        Buffer.alloc(0),
        randomBytes(512 * 1024),
      ];
      const producer = await broker.producer();
      await producer.publish(
        topic,
        bodies.map((body, i) => ({ headers: { i: String(i) }, body })),
      );
      const consumer = await broker.consumer({ topic, group });
      const received = await collectCount(consumer, timing, bodies.length);
      assert.equal(received.length, bodies.length);
      for (const m of received) {
        const sent = bodies[Number(m.headers.i)];
        assert.ok(sent, 'header i names a sent body');
        assert.ok(Buffer.isBuffer(m.body), 'body is a Buffer');
        assert.ok(m.body.equals(sent), `body ${m.headers.i} is byte-identical (${m.body.length} vs ${sent.length})`);
      }
      await consumer.ack(received);
    },
  },
  {
    name: 'ordering: messages of one key reach the group in publish order',
    requires: 'orderingPerKey',
    async run({ broker, timing, newTopic, newGroup }) {
      const topic = newTopic();
      const group = newGroup();
      await broker.declare({ topic, groups: [group] });
      const producer = await broker.producer();
      const keys = ['a', 'b', 'c', 'd'];
      const perKey = 25;
      const all: OutgoingMessage[] = [];
      for (let i = 0; i < perKey; i++) {
        for (const key of keys) all.push({ key, headers: { n: String(i) }, body: Buffer.from(`${key}${i}`) });
      }
      for (let start = 0; start < all.length; start += 20) await producer.publish(topic, all.slice(start, start + 20));
      const consumer = await broker.consumer({ topic, group });
      const received = await collectCount(consumer, timing, all.length);
      assert.equal(received.length, all.length);
      for (const key of keys) {
        const order = received.filter((m) => m.key === key).map((m) => Number(m.headers.n));
        assert.deepEqual(
          order,
          Array.from({ length: perKey }, (_, i) => i),
          `order of key ${key}`,
        );
      }
      await consumer.ack(received);
    },
  },
];
