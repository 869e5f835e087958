/** Publishing with confirms, consuming, groups and the receive contract. */
import assert from 'node:assert/strict';
import { ErrorCode, isEventyardError } from '../../../core/errors.js';
import { bodyText, collectCount, numbered, sortedBodies } from '../collect.js';
import type { BrokerConformanceCase } from '../types.js';

export const publishCases: readonly BrokerConformanceCase[] = [
  {
    name: 'features: the broker declares the features it is tested with',
    async run({ broker, features }) {
      assert.deepEqual({ ...broker.features }, { ...features });
      assert.equal(typeof broker.kind, 'string');
    },
  },
  {
    name: 'publish: a confirmed batch is consumed, each message exactly once',
    async run({ broker, timing, newTopic, newGroup }) {
      const topic = newTopic();
      const group = newGroup();
      await broker.declare({ topic, groups: [group] });
      const producer = await broker.producer();
      const sent = [0, 1, 2, 3].flatMap((k) => numbered(10, `k${k}`, `key-${k}`));
      await producer.publish(topic, sent.slice(0, 25));
      await producer.publish(topic, sent.slice(25));
      const consumer = await broker.consumer({ topic, group });
      const received = await collectCount(consumer, timing, sent.length);
      assert.equal(received.length, sent.length, 'received count');
      assert.deepEqual(sortedBodies(received), sent.map((m) => m.body.toString()).sort());
      assert.equal(new Set(received.map((m) => m.id)).size, sent.length, 'identities are distinct');
      for (const m of received) {
        assert.equal(m.topic, topic);
        assert.equal(m.key, `key-${bodyText(m).slice(1, 2)}`, 'key kept');
      }
      await consumer.ack(received);
    },
  },
  {
    name: 'publish: to an undeclared topic rejects with EY_BROKER_REJECTED, never a silent drop',
    async run({ broker, newTopic, newGroup }) {
      const producer = await broker.producer();
      await assert.rejects(producer.publish(newTopic(), numbered(2, 'lost')), (error: unknown) =>
        isEventyardError(error, ErrorCode.BROKER_REJECTED),
      );
      // The producer stays usable after a refused publish.
      const topic = newTopic();
      await broker.declare({ topic, groups: [newGroup()] });
      await producer.publish(topic, numbered(1, 'after'));
    },
  },
  {
    name: 'publish: an empty batch resolves at once',
    async run({ broker, newTopic }) {
      const topic = newTopic();
      await broker.declare({ topic, groups: [] });
      const producer = await broker.producer();
      await producer.publish(topic, []);
    },
  },
  {
    name: 'groups: every group of a topic receives every message',
    async run({ broker, timing, newTopic, newGroup }) {
      const topic = newTopic();
      const groups = [newGroup(), newGroup()];
      await broker.declare({ topic, groups });
      await broker.declare({ topic, groups }); // idempotent
      const producer = await broker.producer();
      await producer.publish(topic, numbered(6, 'fan'));
      for (const group of groups) {
        const consumer = await broker.consumer({ topic, group });
        const received = await collectCount(consumer, timing, 6);
        assert.deepEqual(
          sortedBodies(received),
          numbered(6, 'fan')
            .map((m) => m.body.toString())
            .sort(),
          group,
        );
        await consumer.ack(received);
      }
    },
  },
  {
    name: 'receive: at most max messages per call, and an empty batch after maxWaitMs when idle',
    async run({ broker, timing, newTopic, newGroup }) {
      const topic = newTopic();
      const group = newGroup();
      await broker.declare({ topic, groups: [group] });
      const producer = await broker.producer();
      await producer.publish(topic, numbered(7, 'max', 'one-key'));
      const consumer = await broker.consumer({ topic, group });
      const got = [];
      const deadline = Date.now() + timing.deadlineMs;
      while (got.length < 7 && Date.now() < deadline) {
        const batch = await consumer.receive({ max: 3, maxWaitMs: timing.receiveWaitMs });
        assert.ok(batch.length <= 3, `receive returned ${batch.length} > max 3`);
        got.push(...batch);
      }
      assert.equal(got.length, 7);
      await consumer.ack(got);
      const started = Date.now();
      const idle = await consumer.receive({ max: 10, maxWaitMs: 300 });
      assert.equal(idle.length, 0, 'nothing left');
      assert.ok(Date.now() - started >= 250, 'an idle receive waits about maxWaitMs');
      const aborted = new AbortController();
      setTimeout(() => aborted.abort(), 50);
      const stopped = await consumer.receive({ max: 10, maxWaitMs: 60_000, signal: aborted.signal });
      assert.equal(stopped.length, 0, 'an aborted receive returns');
    },
  },
];
