/**
 * The application: its declared message types, its store, publishing from outside a
 * service, its services, and the operator's view (list, counts, re-drive).
 */
import { ErrorCode, EventyardError } from './core/errors.js';
import { uuidV7Generator, type IdGenerator } from './core/clock.js';
import { MessageRegistry, type MessageType, type PayloadOf } from './core/message-type.js';
import { option, resolveOptions, type OptionsInput } from './core/options.js';
import { DEFAULT_PAYLOAD_LIMITS } from './core/payload.js';
import { checkIdentifier, IDENTIFIER_MAX_LENGTH } from './core/identifiers.js';
import { checkListRequest, checkRowFilter } from './store/filter.js';
import type {
  EventStore,
  ListPage,
  ListRequest,
  PublishResult,
  RedriveFilter,
  RowFilter,
  StatusCount,
} from './store/port.js';
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
  /**
   * As {@link publish}, for many messages in one store call. A message whose event already
   * has a different payload is not written and reported with `conflict: 'payload'` (where
   * `publish` throws EY_PAYLOAD_CONFLICT); the others are written.
   */
  publishMany(
    items: readonly { type: MessageType | string; payload: unknown; options?: PublishOptions }[],
  ): Promise<readonly PublishResult[]>;
  service(options: ServiceOptions): Service;
  list(request: ListRequest): Promise<ListPage>;
  countByStatus(filter?: RowFilter): Promise<readonly StatusCount[]>;
  /**
   * Operator re-drive of ERROR/FAILED rows to RETRY. The filter must name at least one of
   * table, messageType, eventId, statuses; `{ all: true }` re-drives every ERROR and FAILED
   * row (EY_FILTER_REQUIRED otherwise). An empty or malformed field is EY_INVALID_FILTER.
   */
  redrive(filter: RedriveFilter, by?: string): Promise<number>;
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
      const [result] = await app.publishMany([{ type, payload, options: publishOptions }]);
      if (result?.conflict !== undefined) {
        throw new EventyardError(
          ErrorCode.PAYLOAD_CONFLICT,
          `event ${result.eventId} already has a different payload; ${result.messageType} was not written (payloads are written once per event: publish a follow-up without one, or use a new event)`,
          { details: { eventId: result.eventId, messageType: result.messageType } },
        );
      }
      return result as PublishResult;
    },
    async publishMany(items) {
      const rows = await Promise.all(
        items.map(async ({ type, payload, options: o = {} }) => {
          if (typeof o !== 'object' || o === null) {
            throw new EventyardError(ErrorCode.INVALID_OPTION, 'publish options must be an object');
          }
          const { createdBy = 'EXTERNAL', ...messageOptions } = o;
          return builder.withPayload(nameOf(type), payload, createdBy, messageOptions);
        }),
      );
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
    list: async (request) => store.list(checkListRequest(request)),
    countByStatus: async (filter) => store.countByStatus(checkRowFilter(filter)),
    redrive: async (filter, by = 'OPERATOR') =>
      store.redrive(filter, checkIdentifier('redrive: by', by, IDENTIFIER_MAX_LENGTH.createdBy)),
    async close() {
      await Promise.all([...services].map((s) => s.stop()));
      await store.close();
    },
  };
  return app;
}
