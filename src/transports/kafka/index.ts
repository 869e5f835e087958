/** `eventyard/kafka`: the Kafka adapter of the broker port (client: @platformatic/kafka). */
export { createKafkaBroker, KAFKA_FEATURES } from './broker.js';
export type { KafkaOptions } from './options.js';
