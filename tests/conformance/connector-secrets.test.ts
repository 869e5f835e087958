/**
 * No connector lets a credential out: for each (Redis store, RabbitMQ, NATS, Kafka) a
 * sentinel password goes into the options of a connection that fails, and the error's
 * message, `util.inspect` (every depth), `JSON.stringify` and the JSON logger's line must
 * not hold it.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { jsonLogger } from '../../src/index.js';
import { createRedisStore } from '../../src/stores/redis/index.js';
import { createRabbitMqBroker } from '../../src/transports/rabbitmq/index.js';
import { createNatsBroker } from '../../src/transports/nats/index.js';
import { createKafkaBroker } from '../../src/transports/kafka/index.js';

const SENTINEL = 'Sentinel-Pa55word-7c1e';
const SENTINEL_NUMBER = 918273645546372;

async function failureOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

function expectNoSecret(error: unknown, secret: string): void {
  const lines: string[] = [];
  jsonLogger('debug', (l) => lines.push(l)).error({ err: error }, 'connector failed');
  const views = {
    message: error instanceof Error ? error.message : String(error),
    inspect: inspect(error, { depth: Infinity, showHidden: true }),
    json: JSON.stringify(error),
    log: lines.join(''),
  };
  for (const [view, text] of Object.entries(views)) {
    expect(text.includes(secret), `${view} holds the secret:\n${text}`).toBe(false);
  }
  // The reason still reaches the log.
  expect(views.log).toMatch(/"message":"[^"]+/);
}

describe('connector secrets', () => {
  it('redis: a wrong password (AUTH with user) is reported without it', async () => {
    const store = createRedisStore({
      host: '127.0.0.1',
      port: 6379,
      username: 'no-such-user',
      password: SENTINEL,
      keyPrefix: 'ey-secret-test',
      maxRetriesPerRequest: 0,
      connectTimeoutMs: 2000,
    });
    try {
      const error = await failureOf(() => store.now());
      expect(String((error as Error).message)).toMatch(/WRONGPASS|NOAUTH|AUTH|closed|unavailable/i);
      expectNoSecret(error, SENTINEL);
    } finally {
      await store.close();
    }
  });

  it('redis: a URL with the wrong scheme, and a non-string password, are refused without the secret', async () => {
    expectNoSecret(
      await failureOf(async () => createRedisStore({ url: `http://user:${SENTINEL}@127.0.0.1:6379` })),
      SENTINEL,
    );
    expectNoSecret(
      await failureOf(async () => createRedisStore({ password: SENTINEL_NUMBER as never })),
      String(SENTINEL_NUMBER),
    );
  });

  it('rabbitmq: a malformed URL and a wrong password are reported without it', async () => {
    for (const url of [`amqp://guest:${SENTINEL}@127.0.0.1:notaport`, `amqp://guest:${SENTINEL}@127.0.0.1:5672`]) {
      const broker = createRabbitMqBroker({ url });
      try {
        expectNoSecret(await failureOf(() => broker.declare({ topic: 'ey-secret-test' })), SENTINEL);
        const publish = async (): Promise<void> => {
          const producer = await broker.producer();
          await producer.publish('ey-secret-test', [{ id: 'm1', body: Buffer.from('{}') }]);
        };
        expectNoSecret(await failureOf(publish), SENTINEL);
      } finally {
        await broker.close();
      }
    }
  });

  it('nats: a server URL with a password that cannot connect is reported without it', async () => {
    const broker = createNatsBroker({ servers: `nats://user:${SENTINEL}@127.0.0.1:1` });
    try {
      expectNoSecret(await failureOf(() => broker.declare({ topic: 'ey-secret-test' })), SENTINEL);
    } finally {
      await broker.close();
    }
  });

  it('kafka: SASL credentials of an unreachable broker are reported without the password', async () => {
    const broker = createKafkaBroker({
      brokers: '127.0.0.1:1',
      requestTimeoutMs: 1000,
      sasl: { mechanism: 'PLAIN', username: 'user', password: SENTINEL },
    });
    try {
      expectNoSecret(await failureOf(() => broker.declare({ topic: 'ey-secret-test' })), SENTINEL);
    } finally {
      await broker.close();
    }
  });
});
