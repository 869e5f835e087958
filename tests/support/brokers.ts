/**
 * Where the broker tests find their servers (loopback only), and what they do when one is
 * missing: fail, never skip.
 */
export const RABBITMQ_URL = process.env.EY_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const NATS_SERVERS = process.env.EY_NATS_SERVERS ?? '127.0.0.1:4222';
export const KAFKA_BROKERS = (process.env.EY_KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
