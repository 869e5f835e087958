/** `eventyard/rabbitmq`: the RabbitMQ adapter of the broker port (client: amqplib). */
export { createRabbitMqBroker, RABBITMQ_FEATURES } from './broker.js';
export type { RabbitMqOptions } from './options.js';
