/**
 * The application: its declared message types, its store, publishing from outside a
 * service, its services, and the operator's view (list, counts, re-drive).
 */
import { uuidV7Generator, type IdGenerator } from './core/clock.js';
import { MessageRegistry, type MessageType, type PayloadOf } from './core/message-type.js';
import { option, resolveOptions, type OptionsInput } from './core/options.js';
import { DEFAULT_PAYLOAD_LIMITS } from './core/payload.js';
import { ErrorCode, EventyardError } from './core/errors.js';
import { Status } from './core/status.js';
import type { EventStore, ListPage, ListRequest, PublishResult, RowFilter, StatusCount } from './store/port.js';
import { LocalWakeups } from './processing/local-wakeups.js';
import { jsonLogger, type Logger } from './processing/logger.js';
import { MessageBuilder, type MessageOptions } from './processing/message-builder.js';
import { Service, type ServiceOptions } from './processing/service.js';

const isStore = (v: unknown): v is EventStore =>
  typeof v === 'object' && v !== null && typeof (v as EventStore).claim === 'function';
const isTypeList = (v: unknown): v is readonly MessageType[] => Array.isArray(v);
const isLogger = (v: unknown): v is Logger =>
  typeof v === 'object' && v !== null && typeof (v as Logger).warn === 'function';
const isIdGenerator = (v: unknown): v is IdGenerator =>
  typeof v === 'object' && v !== null && typeof (v as IdGenerator).next === 'function';

export const eventyardSchema = {
  /** Where messages live: `createSqliteStore()`, `createRedisStore()`, ... */
  store: option.required(option.custom('an EventStore', isStore)),
  /** Every message type the application uses. */
  messageTypes: option.required(option.custom('an array of message types', isTypeList)),
  /**
   * Largest payload accepted, in bytes of JSON.
   * @defaultValue 1048576 (1 MiB)
   */
  maxPayloadBytes: option.int({ min: 64, max: 512 * 1024 * 1024, default: DEFAULT_PAYLOAD_LIMITS.maxBytes }),
  /**
   * Deepest nesting of a payload.
   * @defaultValue 64
   */
  maxPayloadDepth: option.int({ min: 1, max: 10_000, default: DEFAULT_PAYLOAD_LIMITS.maxDepth }),
  /**
   * Structured logger (pino-compatible).
   * @defaultValue JSON lines on stderr, warn and above
   */
  logger: option.custom('a logger', isLogger, { default: jsonLogger('warn') }),
  /**
   * Generates EVENT_IDs (of published events and of events handlers create) and worker ids.
   * @defaultValue time-ordered UUIDv7s (new rows land at the end of the id indexes)
   */
  ids: option.custom('an IdGenerator', isIdGenerator, { default: uuidV7Generator }),
};
export type EventyardOptions = OptionsInput<typeof eventyardSchema>;

export interface PublishOptions extends MessageOptions {
  /**
   * CREATED_BY of the row.
   * @defaultValue 'EXTERNAL'
   */
  readonly createdBy?: string | undefined;
  /**
   * The caller's open transaction on the store's database: the message commits or rolls
   * back with it (the transactional outbox). PostgreSQL: a pg `Client`/`PoolClient` after
   * BEGIN, `drizzleTransaction(tx)` or `kyselyTransaction(trx)` from `eventyard/postgres`.
   * A store without that capability refuses it with EY_TRANSACTION_UNSUPPORTED.
   */
  readonly transaction?: unknown;
}

/** Options of a whole {@link Eventyard.publishMany} call. */
export interface PublishManyOptions {
  /** As {@link PublishOptions.transaction}, for every message of the call. */
  readonly transaction?: unknown;
}

export interface Eventyard {
  readonly registry: MessageRegistry;
  /** The store, wrapped with in-process wake-ups. */
  readonly store: EventStore;
  /**
   * Publishes the first message of an event (or another message of `options.eventId`)
   * with its payload, validated against the type's schema. Idempotent per
   * `(eventId, messageType)`: a second call reports `created: false` and writes nothing.
   */
  publish<T extends MessageType>(type: T, payload: PayloadOf<T>, options?: PublishOptions): Promise<PublishResult>;
  publish(type: string, payload: unknown, options?: PublishOptions): Promise<PublishResult>;
  /** As {@link publish}, for many messages in one store call. */
  publishMany(
    items: readonly { type: MessageType | string; payload: unknown; options?: Omit<PublishOptions, 'transaction'> }[],
    options?: PublishManyOptions,
  ): Promise<readonly PublishResult[]>;
  service(options: ServiceOptions): Service;
  list(request: ListRequest): Promise<ListPage>;
  countByStatus(filter?: RowFilter): Promise<readonly StatusCount[]>;
  /** Operator re-drive of ERROR/FAILED rows to RETRY. */
  redrive(filter: RowFilter, by?: string): Promise<number>;
  /** Stops every service created here, then closes the store. */
  close(): Promise<void>;
}

export function createEventyard(input: EventyardOptions): Eventyard {
  const options = resolveOptions('eventyard', eventyardSchema, input);
  const registry = new MessageRegistry(options.messageTypes);
  const wakeups = new LocalWakeups();
  const store = wakeups.wrap(options.store);
  const newId = (): string => options.ids.next();
  const builder = new MessageBuilder(
    registry,
    { maxBytes: options.maxPayloadBytes, maxDepth: options.maxPayloadDepth },
    newId,
  );
  const services = new Set<Service>();
  const nameOf = (type: MessageType | string): string => (typeof type === 'string' ? type : type.name);

  const app: Eventyard = {
    registry,
    store,
    async publish(type: MessageType | string, payload: unknown, publishOptions: PublishOptions = {}) {
      const { transaction, ...options } = publishOptions;
      const [result] = await app.publishMany([{ type, payload, options }], { transaction });
      return result as PublishResult;
    },
    async publishMany(items, manyOptions = {}) {
      const { transaction } = manyOptions;
      const inTransaction = store.publishInTransaction !== undefined;
      if (transaction !== undefined && !inTransaction) {
        throw new EventyardError(
          ErrorCode.TRANSACTION_UNSUPPORTED,
          'this store cannot publish inside your transaction (PostgreSQL can); publish without `transaction`',
        );
      }
      const rows = await Promise.all(
        items.map(({ type, payload, options: o = {} }) => {
          const { createdBy = 'EXTERNAL', ...messageOptions } = o;
          return builder.withPayload(nameOf(type), payload, createdBy, messageOptions);
        }),
      );
      if (transaction !== undefined && store.publishInTransaction) return store.publishInTransaction(transaction, rows);
      return store.publish(rows);
    },
    service(serviceOptions) {
      const service = new Service(
        { store, builder, logger: options.logger, newId, onLocalPublish: (t, wake) => wakeups.subscribe(t, wake) },
        serviceOptions,
      );
      services.add(service);
      return service;
    },
    list: (request) => store.list(request),
    countByStatus: (filter) => store.countByStatus(filter),
    redrive: (filter, by = 'OPERATOR') =>
      store.redrive({ ...filter, statuses: filter.statuses ?? [Status.ERROR, Status.FAILED] }, by),
    async close() {
      await Promise.all([...services].map((s) => s.stop()));
      await store.close();
    },
  };
  return app;
}
