/** `eventyard/nats`: the NATS JetStream adapter of the broker port (client: @nats-io/jetstream). */
export { createNatsBroker, NATS_FEATURES } from './broker.js';
export type { NatsOptions } from './options.js';
