/** Acknowledgement and redelivery: what comes again after a consumer closes. */
import assert from 'node:assert/strict';
import type { BrokerMessage } from '../../port.js';
import { bodyText, collectCount, collectToSentinel, isSentinel, numbered, sentinel, sortedBodies } from '../collect.js';
import type { BrokerCaseContext, BrokerConformanceCase } from '../types.js';

const KEY = 'redelivery-key';
const COUNT = 10;

/**
 * Publishes COUNT messages of one key, receives all of them with a first consumer,
 * acknowledges `pick(index)` ones, closes it, publishes a sentinel, and returns what a
 * second consumer of the same group receives (acknowledged, so the case leaves no debt).
 */
async function redeliveredAfter(
  ctx: BrokerCaseContext,
  pick: (index: number) => boolean,
): Promise<{ first: BrokerMessage[]; second: BrokerMessage[] }> {
  const { broker, timing } = ctx;
  const topic = ctx.newTopic();
  const group = ctx.newGroup();
  await broker.declare({ topic, groups: [group] });
  const producer = await broker.producer();
  await producer.publish(topic, numbered(COUNT, 'r', KEY));
  const consumer = await broker.consumer({ topic, group });
  const first = await collectCount(consumer, timing, COUNT);
  assert.equal(first.length, COUNT, 'first consumer received every message once');
  const byIndex = (m: BrokerMessage): number => Number(m.headers.seq);
  const toAck = first.filter((m) => pick(byIndex(m)));
  if (toAck.length > 0) await consumer.ack(toAck);
  await consumer.close();
  await producer.publish(topic, [sentinel(KEY)]);
  const again = await broker.consumer({ topic, group });
  const second = await collectToSentinel(again, timing);
  await again.ack(second);
  await again.close();
  return { first, second };
}

const expected = (indexes: number[]): string[] => [...indexes.map((i) => `r-${i}`), 'sentinel'].sort();
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

export const redeliveryCases: readonly BrokerConformanceCase[] = [
  {
    name: 'redelivery: messages never acknowledged come again, same identity and body, after the consumer closes',
    async run(ctx) {
      const { first, second } = await redeliveredAfter(ctx, () => false);
      assert.deepEqual(sortedBodies(second), expected(range(0, COUNT)));
      const firstIds = new Map(first.map((m) => [m.id, bodyText(m)]));
      for (const m of second.filter((x) => !isSentinel(x))) {
        assert.equal(firstIds.get(m.id), bodyText(m), `identity ${m.id} is stable across redelivery`);
      }
    },
  },
  {
    name: 'redelivery: acknowledged messages do not come again',
    async run(ctx) {
      const { second } = await redeliveredAfter(ctx, () => true);
      assert.deepEqual(sortedBodies(second), ['sentinel']);
    },
  },
  {
    name: 'redelivery: after acknowledging a prefix, exactly the rest comes again',
    async run(ctx) {
      const { second } = await redeliveredAfter(ctx, (i) => i < 4);
      assert.deepEqual(sortedBodies(second), expected(range(4, COUNT)));
    },
  },
  {
    name: 'redelivery (per-message): exactly the unacknowledged messages come again',
    requires: 'redelivery:per-message',
    async run(ctx) {
      const { second } = await redeliveredAfter(ctx, (i) => i % 2 === 0);
      assert.deepEqual(sortedBodies(second), expected([1, 3, 5, 7, 9]));
    },
  },
  {
    name: 'redelivery (from-first-unacked): acknowledgements behind an unacknowledged message are not kept',
    requires: 'redelivery:from-first-unacked',
    async run(ctx) {
      const { second } = await redeliveredAfter(ctx, (i) => i !== 0);
      assert.deepEqual(sortedBodies(second), expected(range(0, COUNT)));
    },
  },
  {
    name: 'redelivery: deliveryCount is 1 on first delivery and greater after a redelivery',
    requires: 'deliveryCount',
    async run(ctx) {
      const { first, second } = await redeliveredAfter(ctx, () => false);
      assert.deepEqual(
        first.map((m) => m.deliveryCount),
        first.map(() => 1),
      );
      for (const m of second.filter((x) => !isSentinel(x))) {
        assert.ok((m.deliveryCount ?? 0) > 1, `deliveryCount ${String(m.deliveryCount)} after redelivery`);
      }
    },
  },
];
