/**
 * Transports: the broker port, and the processors that connect the store to brokers — the
 * inbound processor (broker → inbound table) and the outbound processor (outbound table →
 * broker). Adapters are subpath exports: `eventyard/kafka`, `eventyard/rabbitmq`,
 * `eventyard/nats`; the conformance suite is `eventyard/testing/brokers`.
 */
export type {
  Broker,
  BrokerConsumer,
  BrokerFeatures,
  BrokerMessage,
  BrokerProducer,
  OutgoingMessage,
  ReceiveOptions,
  TopologyRequest,
} from './port.js';
export { Header, validTraceparent } from './headers.js';
export { derivedEventId, uuidV5, INBOUND_NAMESPACE } from './inbound/event-id.js';
export { inboundRejectedType, REJECTED_TYPE, type RejectedEnvelope } from './inbound/rejected.js';
export { createInboundProcessor, InboundProcessor, type InboundStats } from './inbound/processor.js';
export { inboundSchema, type InboundApp, type InboundOptions } from './inbound/options.js';
export { createOutboundProcessor, OutboundProcessor, type OutboundStats } from './outbound/processor.js';
export { outboundSchema, type OutboundOptions, type OutboundRoute, type OutboundRow } from './outbound/options.js';
