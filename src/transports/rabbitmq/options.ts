import { option, resolveOptions, type OptionsInput, type Resolved } from '../../core/options.js';

const isArguments = (v: unknown): v is Readonly<Record<string, string | number | boolean>> =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  Object.values(v).every((x) => ['string', 'number', 'boolean'].includes(typeof x));

export const rabbitMqSchema = {
  /**
   * The AMQP 0-9-1 URL.
   * @defaultValue 'amqp://guest:guest@127.0.0.1:5672'
   */
  url: option.string({ default: 'amqp://guest:guest@127.0.0.1:5672' }),
  /**
   * Unacknowledged deliveries a consumer holds at most (AMQP `basic.qos`): the bound of
   * what a crash leaves for redelivery, and of the consumer's local buffer.
   * @defaultValue 100
   */
  prefetch: option.int({ min: 1, max: 65_535, default: 100 }),
  /**
   * A publish whose confirms have not all come after this long fails with
   * EY_BROKER_UNAVAILABLE.
   * @defaultValue 30000
   */
  confirmTimeoutMs: option.int({ min: 10, max: 3_600_000, default: 30_000 }),
  /**
   * Type of the queues `declare` creates for groups.
   * @defaultValue 'classic'
   */
  queueType: option.oneOf(['classic', 'quorum'] as const, { default: 'classic' }),
  /**
   * Extra `x-` arguments of the queues `declare` creates, e.g.
   * `{ 'x-dead-letter-exchange': 'dlx' }` (see docs/brokers.md on dead-lettering).
   * @defaultValue {}
   */
  queueArguments: option.custom('an object of string, number or boolean values', isArguments, { default: {} }),
  /**
   * Heartbeat interval negotiated with the server, in seconds (0 disables).
   * @defaultValue 10
   */
  heartbeatSeconds: option.int({ min: 0, max: 600, default: 10 }),
};

export type RabbitMqOptions = OptionsInput<typeof rabbitMqSchema>;
export type ResolvedRabbitMqOptions = Resolved<typeof rabbitMqSchema>;

export function resolveRabbitMqOptions(input?: RabbitMqOptions): ResolvedRabbitMqOptions {
  return resolveOptions('rabbitmq', rabbitMqSchema, input);
}
