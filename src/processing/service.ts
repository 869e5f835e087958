/**
 * A service: a name (it fills CREATED_BY / UPDATED_BY), handlers for its message types,
 * one event processor per table it reads, and the retry mechanism's poller.
 */
import { hostname } from 'node:os';
import { ErrorCode, EventyardError } from '../core/errors.js';
import type { MessageType, PayloadOf, Table } from '../core/message-type.js';
import { option, resolveOptions, type OptionsInput } from '../core/options.js';
import type { EventStore } from '../store/port.js';
import type { Handler } from './handler-context.js';
import { Hooks, type HookListener, type HookName, type Observable } from './hooks.js';
import type { Logger } from './logger.js';
import type { MessageBuilder } from './message-builder.js';
import type { MessageTracer } from './tracing.js';
import { EventProcessor, type ProcessorStats } from './processor.js';
import { processorSchema, resolveProcessorOptions } from './processor-options.js';
import { RetryMechanism, type RetryMechanismOptions, type RetryMechanismStats } from './retry-mechanism.js';
import { unwatchSignals, watchSignals } from './signals.js';

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

export class Service implements Observable {
  readonly name: string;
  readonly #deps: ServiceDeps;
  readonly #hooks: Hooks;
  readonly #options;
  readonly #handlers = new Map<Table, Map<string, Handler<never>>>();
  #processors: EventProcessor[] = [];
  #retry: RetryMechanism | undefined;
  #started = false;

  constructor(deps: ServiceDeps, options: ServiceOptions) {
    this.#options = resolveOptions('service', serviceSchema, options);
    resolveProcessorOptions(pickProcessorOptions(this.#options));
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
  handle<T extends MessageType>(type: T | string, handler: Handler<PayloadOf<T>>): this {
    if (this.#started)
      throw new EventyardError(ErrorCode.INVALID_OPTION, `service ${this.name}: handle() after start()`);
    const declared = this.#deps.builder.registry.get(typeof type === 'string' ? type : type.name);
    const forTable = this.#handlers.get(declared.table) ?? new Map<string, Handler<never>>();
    if (forTable.has(declared.name)) {
      throw new EventyardError(
        ErrorCode.INVALID_OPTION,
        `service ${this.name}: ${declared.name} already has a handler`,
      );
    }
    forTable.set(declared.name, handler);
    this.#handlers.set(declared.table, forTable);
    return this;
  }

  start(): this {
    if (this.#started) return this;
    this.#started = true;
    const owner = `${this.name}/${hostname()}/${process.pid}/${this.#deps.newId().slice(0, 8)}`;
    const options = resolveProcessorOptions(pickProcessorOptions(this.#options));
    this.#processors = [...this.#handlers].map(
      ([table, handlers]) =>
        new EventProcessor({
          store: this.#deps.store,
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
    for (const processor of this.#processors) processor.start();
    if (this.#options.runRetryMechanism) {
      this.#retry = new RetryMechanism(this.#deps.store, this.name, this.#deps.logger, this.#options.retryMechanism);
      this.#retry.start();
    }
    if (this.#options.handleSignals) watchSignals(this);
    return this;
  }

  /** Graceful stop: see {@link EventProcessor.stop}. Idempotent. */
  async stop(): Promise<void> {
    if (!this.#started) return;
    await Promise.all(this.#processors.map((p) => p.stop()));
    await this.#retry?.stop();
    unwatchSignals(this);
    this.#started = false;
  }

  health(): ServiceHealth {
    const processors = this.#processors.map((p) => p.health());
    return {
      name: this.name,
      running: this.#started,
      healthy: this.#started && processors.every((p) => p.healthy),
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

function pickProcessorOptions(options: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(Object.keys(processorSchema).map((k) => [k, options[k] as number]));
}
