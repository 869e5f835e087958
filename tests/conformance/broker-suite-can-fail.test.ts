/**
 * The broker conformance suite can fail: brokers broken on purpose (acks that do nothing,
 * a publish that drops a message, headers lost, bodies mangled) are each caught by the case
 * about that behaviour. They wrap the real RabbitMQ adapter.
 */
import { describe, expect, it } from 'vitest';
import type { Broker, BrokerConsumer, BrokerProducer } from '../../src/index.js';
import { createRabbitMqBroker, RABBITMQ_FEATURES } from '../../src/transports/rabbitmq/index.js';
import { BROKER_CONFORMANCE_CASES, runBrokerConformanceCase } from '../../src/transports/testing/index.js';
import { RABBITMQ_URL } from '../support/brokers.js';

type Fault = {
  consumer?: (c: BrokerConsumer) => Partial<BrokerConsumer>;
  producer?: (p: BrokerProducer) => Partial<BrokerProducer>;
};

function broken(fault: Fault): () => Promise<Broker> {
  return async () => {
    const inner = createRabbitMqBroker({ url: RABBITMQ_URL });
    return {
      kind: inner.kind,
      features: inner.features,
      declare: (r) => inner.declare(r),
      close: () => inner.close(),
      async consumer(o) {
        const c = await inner.consumer(o);
        return {
          receive: (r) => c.receive(r),
          ack: (m) => c.ack(m),
          close: () => c.close(),
          ...fault.consumer?.(c),
        };
      },
      async producer() {
        const p = await inner.producer();
        return { publish: (t, m) => p.publish(t, m), close: () => p.close(), ...fault.producer?.(p) };
      },
    };
  };
}

const caseNamed = (name: string): (typeof BROKER_CONFORMANCE_CASES)[number] => {
  const found = BROKER_CONFORMANCE_CASES.find((c) => c.name.startsWith(name));
  if (found === undefined) throw new Error(`no case ${name}`);
  return found;
};
const timing = { quietMs: 500, receiveWaitMs: 200, deadlineMs: 8000 };

describe('broker conformance suite can fail', () => {
  it('catches acks that do nothing', async () => {
    const createBroker = broken({ consumer: () => ({ ack: async () => undefined }) });
    await expect(
      runBrokerConformanceCase(caseNamed('redelivery: acknowledged messages do not come again'), {
        createBroker,
        features: RABBITMQ_FEATURES,
        timing,
      }),
    ).rejects.toThrow();
  });

  it('catches a publish that drops a message yet resolves', async () => {
    const createBroker = broken({ producer: (p) => ({ publish: (t, m) => p.publish(t, m.slice(1)) }) });
    await expect(
      runBrokerConformanceCase(caseNamed('publish: a confirmed batch is consumed'), {
        createBroker,
        features: RABBITMQ_FEATURES,
        timing,
      }),
    ).rejects.toThrow(/received count/);
  });

  it('catches lost headers', async () => {
    const createBroker = broken({
      producer: (p) => ({
        publish: (t, m) =>
          p.publish(
            t,
            m.map((x) => ({ ...x, headers: {} })),
          ),
      }),
    });
    await expect(
      runBrokerConformanceCase(caseNamed('headers:'), { createBroker, features: RABBITMQ_FEATURES, timing }),
    ).rejects.toThrow(/header/);
  });

  it('catches bodies that are not binary-safe', async () => {
    const createBroker = broken({
      producer: (p) => ({
        publish: (t, m) =>
          p.publish(
            t,
            m.map((x) => ({ ...x, body: Buffer.from(x.body.toString('utf8'), 'utf8') })),
          ),
      }),
    });
    await expect(
      runBrokerConformanceCase(caseNamed('bodies:'), { createBroker, features: RABBITMQ_FEATURES, timing }),
    ).rejects.toThrow(/byte-identical/);
  });

  it('catches a publish that resolves for an undeclared topic', async () => {
    const createBroker = broken({ producer: () => ({ publish: async () => undefined }) });
    await expect(
      runBrokerConformanceCase(caseNamed('publish: to an undeclared topic'), {
        createBroker,
        features: RABBITMQ_FEATURES,
        timing,
      }),
    ).rejects.toThrow();
  });
});
