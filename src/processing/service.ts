/**
 * A service: a name (it fills CREATED_BY / UPDATED_BY), handlers for its message types,
 * one event processor per table it reads, and the retry mechanism's poller.
 */
import { hostname } from 'node:os';
import { ErrorCode, EventyardError } from '../core/errors.js';
import type { MessageType, PayloadArg, Table, TypeArg } from '../core/message-type.js';
import type { RateLimit } from '../core/rate-limit.js';
import { option, resolveOptions, type OptionsInput } from '../core/options.js';
import type { EventStore } from '../store/port.js';
import type { Handler } from './handler-context.js';
import { Hooks, type HookListener, type HookName, type Observable } from './hooks.js';
import type { Logger } from './logger.js';
import type { MessageBuilder } from './message-builder.js';
import type { MessageTracer } from './tracing.js';
import { EventProcessor } from './processor.js';
import type { ProcessorStats } from './outcome-report.js';
import {
  processorSchema,
  resolveProcessorOptions,
  storeDeadlineMs,
  type ProcessorOptions,
} from './processor-options.js';
import {
  resolveRetryMechanismOptions,
  RetryMechanism,
  type RetryMechanismOptions,
  type RetryMechanismStats,
} from './retry-mechanism.js';
import { deadlineCheckHandler, deadlineChecksFor } from './deadline-check.js';
import { resolveSchedule, ScheduleRunner, type ScheduleOptions, type ScheduleSpec } from './schedule.js';
import { unwatchSignals, watchSignals } from './signals.js';
import { OutageWatch, storeWithDeadline } from './store-deadline.js';
import { sleep } from './timing.js';

export const SERVICE_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

export const serviceSchema = {
  /** The service's name, written to CREATED_BY and UPDATED_BY. */
  name: option.required(option.string({ pattern: SERVICE_NAME })),
  ...processorSchema,
  /**
   * Stop gracefully on SIGINT/SIGTERM, then exit by that signal.
   * @defaultValue false
   */
  handleSignals: option.boolean({ default: false }),
  /**
   * Run the retry mechanism's poller in this service.
   * @defaultValue true
   */
  runRetryMechanism: option.boolean({ default: true }),
  /** Options of the retry mechanism's poller. */
  retryMechanism: option.optional(
    option.custom(
      'retry mechanism options object',
      (v): v is RetryMechanismOptions => typeof v === 'object' && v !== null,
    ),
  ),
};
export type ServiceOptions = OptionsInput<typeof serviceSchema>;

export interface ServiceDeps {
  readonly store: EventStore;
  readonly builder: MessageBuilder;
  readonly logger: Logger;
  readonly newId: () => string;
  readonly onLocalPublish: (table: Table, wake: () => void) => () => void;
  /** The app's hooks: the service's events go on to them. */
  readonly hooks: Hooks;
  /** The app's tracer, when tracing is on. */
  readonly tracer: MessageTracer | undefined;
}

export interface ServiceHealth {
  readonly name: string;
  readonly running: boolean;
  readonly healthy: boolean;
  readonly processors: ReturnType<EventProcessor['health']>[];
}

/** A service of an app whose declared message types are `T` (handlers' emits are typed by them). */
export class Service<T extends MessageType = MessageType> implements Observable {
  readonly name: string;
  readonly #deps: ServiceDeps;
  readonly #hooks: Hooks;
  readonly #options;
  readonly #handlers = new Map<Table, Map<string, Handler<never>>>();
  #processors: EventProcessor[] = [];
  #retry: RetryMechanism | undefined;
  readonly #schedules = new Map<string, ScheduleSpec>();
  #runners: ScheduleRunner[] = [];
  /** Deadline checks this service runs (of requests whose timeout type it handles), set at start. */
  #checks = new Map<string, Handler<never>>();
  #watch: OutageWatch | undefined;
  #started = false;

  constructor(deps: ServiceDeps, options: ServiceOptions) {
    this.#options = resolveOptions('service', serviceSchema, options);
    // Everything start() will resolve is resolved here, so bad options fail at construction.
    resolveProcessorOptions(pickProcessorOptions(this.#options), deps.store.tuning);
    resolveRetryMechanismOptions(this.#options.retryMechanism);
    this.name = this.#options.name;
    this.#deps = deps;
    this.#hooks = new Hooks(deps.logger, deps.hooks);
  }

  /**
   * Listens to what happens to this service's messages (completed, retryScheduled, failed,
   * leaseLost, ...); the app's listeners hear them too. Returns the function that removes it.
   */
  on<K extends HookName>(name: K, listener: HookListener<K>): () => void {
    return this.#hooks.on(name, listener);
  }

  /** Registers the handler of a message type (one per type per service). */
  handle<M extends T | string>(type: TypeArg<M, T>, handler: Handler<PayloadArg<M>, T>): this {
    if (this.#started)
      throw new EventyardError(ErrorCode.INVALID_STATE, `service ${this.name}: handle() after start()`);
    const name: string = typeof type === 'string' ? type : type.name;
    const declared = this.#deps.builder.registry.get(name);
    const forTable = this.#handlers.get(declared.table) ?? new Map<string, Handler<never>>();
    if (forTable.has(declared.name)) {
      throw new EventyardError(
        ErrorCode.DUPLICATE_HANDLER,
        `service ${this.name}: ${declared.name} already has a handler`,
      );
    }
    forTable.set(declared.name, handler);
    this.#handlers.set(declared.table, forTable);
    return this;
  }

  /**
   * Publishes a message of `type` on every slot of a cron expression while the service runs
   * (see {@link ScheduleOptions}; docs/flow-control.md). Any number of processes may run
   * the same schedule: each slot is written once. Declaration errors are thrown here:
   * EY_INVALID_CRON, EY_INVALID_TIMEZONE, EY_DUPLICATE_SCHEDULE, EY_UNKNOWN_MESSAGE_TYPE.
   */
  schedule<M extends T | string>(type: TypeArg<M, T>, options: ScheduleOptions<PayloadArg<M>>): this {
    const where = `service ${this.name}: schedule`;
    if (this.#started) throw new EventyardError(ErrorCode.INVALID_STATE, `${where}() after start()`);
    const declared = this.#deps.builder.registry.get(typeof type === 'string' ? type : type.name);
    const spec = resolveSchedule(declared, options, where, this.#deps.builder.limits);
    if (this.#schedules.has(spec.name)) {
      throw new EventyardError(
        ErrorCode.DUPLICATE_SCHEDULE,
        `${where}: a schedule named ${spec.name} exists; give the second one its own \`name\``,
        { details: { schedule: spec.name } },
      );
    }
    this.#schedules.set(spec.name, spec);
    return this;
  }

  start(): this {
    if (this.#started) return this;
    try {
      this.#started = true;
      return this.#start();
    } catch (error) {
      this.#started = false;
      this.#processors = [];
      this.#retry = undefined;
      this.#runners = [];
      this.#checks = new Map();
      throw error;
    }
  }

  #start(): this {
    const owner = `${this.name}/${hostname()}/${process.pid}/${this.#deps.newId().slice(0, 8)}`;
    const options = resolveProcessorOptions(pickProcessorOptions(this.#options), this.#deps.store.tuning);
    const deadlineMs = storeDeadlineMs(options);
    const watch = new OutageWatch(this.#deps.logger, `service ${this.name}`);
    const store = storeWithDeadline(this.#deps.store, deadlineMs, watch);
    this.#watch = watch;
    this.#checks = this.#deadlineChecks(store);
    const tables = new Map(this.#handlers);
    if (this.#checks.size > 0) tables.set('request', new Map([...(tables.get('request') ?? []), ...this.#checks]));
    const rateLimits = this.#rateLimits(tables);
    this.#processors = [...tables].map(
      ([table, handlers]) =>
        new EventProcessor({
          rateLimits,
          store,
          watch,
          storeDeadlineMs: deadlineMs,
          builder: this.#deps.builder,
          logger: this.#deps.logger,
          serviceName: this.name,
          owner,
          table,
          handlers,
          options,
          hooks: this.#hooks,
          tracer: this.#deps.tracer,
          onLocalPublish: this.#deps.onLocalPublish,
        }),
    );
    // Everything that can throw is built before anything starts: a failed start leaves
    // nothing running and the service not started.
    if (this.#options.runRetryMechanism) {
      this.#retry = new RetryMechanism(store, this.name, this.#deps.logger, this.#options.retryMechanism, watch);
    }
    const { builder, logger, tracer } = this.#deps;
    const runnerDeps = { store, builder, logger, tracer, hooks: this.#hooks };
    this.#runners = [...this.#schedules.values()].map(
      (spec) => new ScheduleRunner({ ...runnerDeps, serviceName: this.name }, spec),
    );
    for (const processor of this.#processors) processor.start();
    this.#retry?.start();
    for (const runner of this.#runners) runner.start();
    if (this.#options.handleSignals) watchSignals(this);
    return this;
  }

  /**
   * Graceful stop: see {@link EventProcessor.stop}; its deadline holds even while a store
   * call hangs. The retry mechanism's pass in progress is abandoned at the same deadline
   * (its sweeps are atomic: a pass cut short is simply redone by the next poller). Idempotent.
   */
  async stop(): Promise<void> {
    if (!this.#started) return;
    const retry = this.#retry?.stop();
    const runners = Promise.all(this.#runners.map((r) => r.stop()));
    await Promise.all(this.#processors.map((p) => p.stop()));
    const cancel = new AbortController();
    await Promise.race([Promise.all([retry, runners]), sleep(this.#options.shutdownTimeoutMs, cancel.signal)]);
    cancel.abort();
    unwatchSignals(this);
    this.#started = false;
  }

  /** Whether start() was called and stop() not since. */
  get running(): boolean {
    return this.#started;
  }

  /** The message types this service handles, by table (deadline checks it runs included, once started). */
  handledTypes(): ReadonlyMap<Table, readonly string[]> {
    const types = new Map([...this.#handlers].map(([table, handlers]) => [table, [...handlers.keys()]]));
    if (this.#checks.size > 0) types.set('request', [...(types.get('request') ?? []), ...this.#checks.keys()]);
    return types;
  }

  /** The deadline checks of requests whose timeout type this service handles. */
  /**
   * The rate limits of the handled types. A store without the token primitive cannot share
   * a limit between processes, and a limit kept per process would not be the declared one:
   * refused here, before anything starts (EY_UNSUPPORTED_FEATURE).
   */
  #rateLimits(tables: ReadonlyMap<Table, ReadonlyMap<string, unknown>>): Map<string, RateLimit> {
    const { registry } = this.#deps.builder;
    const limits = new Map<string, RateLimit>();
    for (const handlers of tables.values()) {
      for (const name of handlers.keys()) {
        const limit = registry.has(name) ? registry.get(name).rateLimit : undefined;
        if (limit !== undefined) limits.set(name, limit);
      }
    }
    const { store } = this.#deps;
    if (limits.size > 0 && (typeof store.takeTokens !== 'function' || typeof store.returnTokens !== 'function')) {
      const names = [...limits.keys()].join(', ');
      throw new EventyardError(
        ErrorCode.UNSUPPORTED_FEATURE,
        `service ${this.name}: ${names} declare a rate limit, and the store has no takeTokens/returnTokens to share it`,
        { details: { messageTypes: [...limits.keys()] } },
      );
    }
    return limits;
  }

  #deadlineChecks(store: EventStore): Map<string, Handler<never>> {
    const handled = new Set([...this.#handlers.values()].flatMap((handlers) => [...handlers.keys()]));
    const checks = deadlineChecksFor(this.#deps.builder.registry, handled);
    return new Map(checks.map((check) => [check.checkType, deadlineCheckHandler(store, check) as Handler<never>]));
  }

  /** Attempts of this process not finished yet (handler running or outcome not written). */
  get inFlight(): number {
    return this.#processors.reduce((n, p) => n + p.inFlight, 0);
  }

  health(): ServiceHealth {
    const processors = this.#processors.map((p) => p.health());
    return {
      name: this.name,
      running: this.#started,
      healthy: this.#started && (this.#watch?.healthy ?? true) && processors.every((p) => p.healthy),
      processors,
    };
  }

  stats(): { processors: Record<string, ProcessorStats>; retry: RetryMechanismStats | undefined } {
    return {
      processors: Object.fromEntries(this.#processors.map((p) => [p.table, { ...p.stats }])),
      retry: this.#retry ? { ...this.#retry.stats } : undefined,
    };
  }
}

function pickProcessorOptions(options: Record<string, unknown>): ProcessorOptions {
  return Object.fromEntries(Object.keys(processorSchema).map((k) => [k, options[k]]));
}
