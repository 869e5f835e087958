/** The pure parts of the transports: UUIDv5 event ids, Kafka's commit tracker, option validation. */
import { describe, expect, it } from 'vitest';
import { createEventyard, defineMessageType, inboundRejectedType } from '../../src/index.js';
import { derivedEventId, uuidV5 } from '../../src/store/index.js';
import { createMemoryStore } from '../../src/testing/index.js';
import { CommitTracker } from '../../src/transports/kafka/commit-tracker.js';
import { createInboundProcessor } from '../../src/transports/inbound/processor.js';
import { createRabbitMqBroker } from '../../src/transports/rabbitmq/index.js';
import { IN_ORDER } from '../../examples/abc/flow.js';

describe('uuidV5', () => {
  it('matches the RFC 9562 test vector (DNS namespace, www.example.com)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });
  it('derives one EVENT_ID per broker identity, stable and distinct', () => {
    expect(derivedEventId('kafka', 't/0/5')).toBe(derivedEventId('kafka', 't/0/5'));
    expect(derivedEventId('kafka', 't/0/5')).not.toBe(derivedEventId('kafka', 't/0/6'));
    expect(derivedEventId('kafka', 't/0/5')).not.toBe(derivedEventId('nats', 't/0/5'));
  });
});

describe('Kafka CommitTracker', () => {
  it('commits only up to the first unacknowledged offset of each partition', () => {
    const t = new CommitTracker<string>();
    for (const o of [5n, 6n, 7n, 8n]) t.delivered('p0', o, `m${o}`);
    t.delivered('p1', 0n, 'q0');
    expect(t.acknowledged([{ partition: 'p0', offset: 6n }]).size).toBe(0); // 5 still open
    const first = t.acknowledged([
      { partition: 'p0', offset: 5n },
      { partition: 'p1', offset: 0n },
    ]);
    expect([...first].map(([p, c]) => [p, c.offset, c.item])).toEqual([
      ['p0', 6n, 'm6'],
      ['p1', 0n, 'q0'],
    ]);
    expect([...t.acknowledged([{ partition: 'p0', offset: 8n }])]).toEqual([]);
    expect([...t.acknowledged([{ partition: 'p0', offset: 7n }])].map(([, c]) => c.offset)).toEqual([8n]);
  });
  it('ignores a refetch of offsets already committed', () => {
    const t = new CommitTracker<string>();
    t.delivered('p', 1n, 'a');
    t.acknowledged([{ partition: 'p', offset: 1n }]);
    t.delivered('p', 1n, 'again');
    expect(t.acknowledged([{ partition: 'p', offset: 1n }]).size).toBe(0);
  });
});

describe('inbound processor options', () => {
  const broker = createRabbitMqBroker();
  it('refuses an app without inboundRejectedType', () => {
    const app = createEventyard({ store: createMemoryStore(), messageTypes: [IN_ORDER] });
    expect(() => createInboundProcessor({ app, broker, topic: 't', group: 'g' })).toThrow(
      /declare inboundRejectedType/,
    );
  });
  it('refuses unknown options and an undeclared fixed type', () => {
    const app = createEventyard({ store: createMemoryStore(), messageTypes: [IN_ORDER, inboundRejectedType] });
    expect(() => createInboundProcessor({ app, broker, topic: 't', group: 'g', ...({ batch: 5 } as object) })).toThrow(
      /unknown option "batch"/,
    );
    expect(() => createInboundProcessor({ app, broker, topic: 't', group: 'g', messageType: 'IN_NOPE' })).toThrow(
      /unknown message type "IN_NOPE"/,
    );
  });
  it('refuses a fixed message type that is not an inbound type (or is IN_REJECTED itself)', () => {
    const RQ_ELSEWHERE = defineMessageType({ name: 'RQ_ELSEWHERE', schema: IN_ORDER.schema });
    const app = createEventyard({
      store: createMemoryStore(),
      messageTypes: [IN_ORDER, RQ_ELSEWHERE, inboundRejectedType],
    });
    for (const messageType of ['RQ_ELSEWHERE', 'IN_REJECTED']) {
      expect(() => createInboundProcessor({ app, broker, topic: 't', group: 'g', messageType })).toThrow(
        /is not an inbound message type/,
      );
    }
  });
});
