/**
 * The application: its declared message types, its store, publishing from outside a
 * service, its services, and the operator's view (list, counts, re-drive).
 */
import { ErrorCode, EventyardError } from './core/errors.js';
import { uuidV7Generator, type IdGenerator } from './core/clock.js';
import {
  MessageRegistry,
  type MessageType,
  type NameOf,
  type PayloadArg,
  type Table,
  type TypeArg,
} from './core/message-type.js';
import { option, resolveOptions, type OptionsInput } from './core/options.js';
import { DEFAULT_PAYLOAD_LIMITS } from './core/payload.js';
import { checkIdentifier, IDENTIFIER_MAX_LENGTH } from './core/identifiers.js';
import { checkListRequest, checkRowFilter } from './store/filter.js';
import type {
  EventStore,
  ListPage,
  ListRequest,
  NewMessage,
  ParkedKeysPage,
  PublishResult,
  RedriveFilter,
  RowFilter,
  StatusCount,
} from './store/port.js';
import { Hooks, type HookListener, type HookName } from './processing/hooks.js';
import { waitUntilIdle, type IdleOptions } from './processing/idle.js';
import { LocalWakeups } from './processing/local-wakeups.js';
import { jsonLogger, type Logger } from './processing/logger.js';
import { MessageBuilder, type MessageOptions } from './processing/message-builder.js';
import { rowsWithDeadlineCheck, withDeadlineChecks } from './processing/deadline-check.js';
import { checkAt, delayUntil, type PublishAt } from './processing/publish-at.js';
import { Service, type ServiceOptions } from './processing/service.js';
import type { MessageTracer } from './processing/tracing.js';

const isStore = (v: unknown): v is EventStore =>
  typeof v === 'object' && v !== null && typeof (v as EventStore).claim === 'function';
const isTypeList = (v: unknown): v is readonly MessageType[] => Array.isArray(v);
const isLogger = (v: unknown): v is Logger =>
  typeof v === 'object' && v !== null && typeof (v as Logger).warn === 'function';
const isTracer = (v: unknown): v is MessageTracer =>
  typeof v === 'object' && v !== null && typeof (v as MessageTracer).attempt === 'function';
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
  /**
   * Traces publishes, attempts, emits and broker hops: `createTracer()` from `eventyard/tracing`.
   * @defaultValue none (no tracing work at all)
   */
  tracer: option.optional(option.custom('a MessageTracer', isTracer)),
};
export type EventyardOptions = OptionsInput<typeof eventyardSchema>;

export interface PublishOptions extends MessageOptions {
  /**
   * CREATED_BY of the row.
   * @defaultValue 'EXTERNAL'
   */
  readonly createdBy?: string | undefined;
  /**
   * Not claimable before this time (a Date or epoch ms), judged by the store's clock: the
   * absolute form of `delayMs` (give one or the other). A time in the past means at once;
   * at most one year ahead. Costs one read of the store's clock per publish call.
   */
  readonly at?: PublishAt | undefined;
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

/** An application whose declared message types are `T`. */
export interface Eventyard<T extends MessageType = MessageType> {
  readonly registry: MessageRegistry;
  /** The store, wrapped with in-process wake-ups. */
  readonly store: EventStore;
  /** The tracer given in the options (the broker processors use it too), or undefined. */
  readonly tracer: MessageTracer | undefined;
  /**
   * Publishes the first message of an event (or another message of `options.eventId`)
   * with its payload, validated against the type's schema. Idempotent per
   * `(eventId, messageType)`: a second call reports `created: false` and writes nothing.
   */
  publish<M extends T | string>(
    type: TypeArg<M, T>,
    payload: PayloadArg<M>,
    options?: PublishOptions,
  ): Promise<PublishResult>;
  /**
   * As {@link publish}, for many messages in one store call. A message whose event already
   * has a different payload is not written and reported with `conflict: 'payload'` (where
   * `publish` throws EY_PAYLOAD_CONFLICT); the others are written.
   */
  publishMany(
    items: readonly { type: T | NameOf<T>; payload: unknown; options?: Omit<PublishOptions, 'transaction'> }[],
    options?: PublishManyOptions,
  ): Promise<readonly PublishResult[]>;
  service(options: ServiceOptions): Service<T>;
  /**
   * Listens to what happens to the messages of every service of this app: `completed`,
   * `retryScheduled`, `failed`, `leaseLost`, `published`, `claimed`, `started`, `released`.
   * Returns the function that removes the listener.
   */
  on<K extends HookName>(name: K, listener: HookListener<K>): () => void;
  /**
   * Resolves when the running services of this app have nothing left to do: no row of a
   * type they handle is UNPROCESSED, RETRY, ERROR or IN_PROGRESS (whichever process holds
   * it, delayed rows included) and no attempt of this process is still being written.
   * Rejects with EY_IDLE_TIMEOUT after `timeoutMs` (default 30 s), with EY_INVALID_STATE
   * when no service is running. For scripts and tests: `await app.idle()` before reading
   * results or closing.
   */
  idle(options?: IdleOptions): Promise<void>;
  list(request: ListRequest): Promise<ListPage>;
  countByStatus(filter?: RowFilter): Promise<readonly StatusCount[]>;
  /**
   * Operator re-drive of ERROR/FAILED rows to RETRY. The filter must name at least one of
   * table, messageType, eventId, statuses; `{ all: true }` re-drives every ERROR and FAILED
   * row (EY_FILTER_REQUIRED otherwise). An empty or malformed field is EY_INVALID_FILTER.
   */
  redrive(filter: RedriveFilter, by?: string): Promise<number>;
  /**
   * Ordering keys parked by a FAILED head (their later rows wait), in the head's publish
   * order, paged: `limit` defaults to 100, `after` is the previous page's `next`. Re-drive
   * a head (`redrive({ eventId, messageType })`) to try it again first, or skip it with
   * {@link skipParkedHead}. EY_UNSUPPORTED_FEATURE on a store without ordering keys.
   */
  parkedKeys(request?: { table?: Table; limit?: number; after?: string }): Promise<ParkedKeysPage>;
  /**
   * Lets a parked key continue without its FAILED head: the row stays FAILED with LAST_ERROR
   * `EY_KEY_SKIPPED: skipped by <by> at <time>; was: ...`. false when the row is not a FAILED,
   * keyed, not yet skipped row (nothing changed).
   */
  skipParkedHead(row: { table: Table; messageType: string; eventId: string }, by?: string): Promise<boolean>;
  /** Stops every service created here, then closes the store. */
  close(): Promise<void>;
}

export function createEventyard<T extends MessageType>(
  input: EventyardOptions & { readonly messageTypes: readonly T[] },
): Eventyard<T> {
  const options = resolveOptions('eventyard', eventyardSchema, input);
  const registry = new MessageRegistry(withDeadlineChecks(options.messageTypes));
  const wakeups = new LocalWakeups();
  const store = wakeups.wrap(options.store);
  const newId = (): string => options.ids.next();
  const builder = new MessageBuilder(
    registry,
    { maxBytes: options.maxPayloadBytes, maxDepth: options.maxPayloadDepth },
    newId,
    store.features,
  );
  const services = new Set<Service>();
  const hooks = new Hooks(options.logger);
  const { tracer } = options;
  const nameOf = (type: MessageType | string): string => (typeof type === 'string' ? type : type.name);

  const app: Eventyard<T> = {
    registry,
    store,
    tracer,
    async publish(type, payload, publishOptions = {}) {
      const { transaction, ...options } = publishOptions;
      const [result] = await app.publishMany([{ type: type as T, payload, options }], { transaction });
      if (result?.conflict !== undefined) {
        throw new EventyardError(
          ErrorCode.PAYLOAD_CONFLICT,
          `event ${result.eventId} already has a different payload; ${result.messageType} was not written (payloads are written once per event: publish a follow-up without one, or use a new event)`,
          { details: { eventId: result.eventId, messageType: result.messageType } },
        );
      }
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
      const ats = items.map(({ options: o }) => {
        if (typeof o !== 'object' || o === null) {
          if (o === undefined) return undefined;
          throw new EventyardError(ErrorCode.INVALID_OPTION, 'publish options must be an object');
        }
        return checkAt(o.at, o.delayMs);
      });
      const storeNow = ats.some((at) => at !== undefined) ? await store.now() : 0;
      const built = await Promise.all(
        items.map(async ({ type, payload, options: o = {} }, i) => {
          const { createdBy = 'EXTERNAL', at: _at, ...messageOptions } = o;
          const at = ats[i];
          const timed = at === undefined ? messageOptions : { ...messageOptions, delayMs: delayUntil(at, storeNow) };
          return builder.withPayload(nameOf(type), payload, createdBy, timed);
        }),
      );
      const spans = tracer === undefined ? undefined : built.map((row) => tracer.publish(row, row.createdBy));
      const rows = spans === undefined ? built : built.map((row, i) => withTraceparent(row, spans[i]?.traceparent));
      // A request with a reply deadline is written with its deadline check (just before it).
      const written = rows.flatMap((row) => rowsWithDeadlineCheck(registry, row));
      let results: readonly PublishResult[];
      try {
        const all =
          transaction !== undefined && store.publishInTransaction
            ? await store.publishInTransaction(transaction, written)
            : await store.publish(written);
        if (written.length === rows.length) {
          results = all;
        } else {
          const asked = new Set(rows);
          results = all.filter((_, i) => asked.has(written[i] as NewMessage));
        }
      } catch (error) {
        spans?.forEach((span) => span.end(error as Error));
        throw error;
      }
      spans?.forEach((span) => span.end());
      if (hooks.listening('published')) {
        rows.forEach((row, i) => {
          const { eventId, messageType, table, createdBy: service } = row;
          const created = results[i]?.created;
          hooks.emit('published', { via: 'publish', service, eventId, messageType, table, created });
        });
      }
      return results;
    },
    service(serviceOptions) {
      const service = new Service<T>(
        {
          store,
          builder,
          logger: options.logger,
          newId,
          hooks,
          tracer,
          onLocalPublish: (t, wake) => wakeups.subscribe(t, wake),
        },
        serviceOptions,
      );
      services.add(service);
      return service;
    },
    on: (name, listener) => hooks.on(name, listener),
    idle: (idleOptions) => waitUntilIdle(store, services, idleOptions),
    list: async (request) => store.list(checkListRequest(request)),
    countByStatus: async (filter) => store.countByStatus(checkRowFilter(filter)),
    redrive: async (filter, by = 'OPERATOR') =>
      store.redrive(filter, checkIdentifier('redrive: by', by, IDENTIFIER_MAX_LENGTH.createdBy)),
    parkedKeys: async (request = {}) => store.listParkedKeys({ limit: 100, ...request }),
    skipParkedHead: async (row, by = 'OPERATOR') =>
      store.skipParkedHead({
        table: row.table,
        messageType: row.messageType,
        eventId: row.eventId,
        updatedBy: checkIdentifier('skipParkedHead: by', by, IDENTIFIER_MAX_LENGTH.createdBy),
      }),
    async close() {
      await Promise.all([...services].map((s) => s.stop()));
      await store.close();
    },
  };
  return app;
}

function withTraceparent(row: NewMessage, traceparent: string | undefined): NewMessage {
  return traceparent === undefined ? row : { ...row, traceparent };
}
