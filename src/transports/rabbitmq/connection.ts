/**
 * One AMQP connection that reconnects on demand: `get()` opens it when there is none (or
 * the last one closed), and fails fast with EY_BROKER_UNAVAILABLE when the server is
 * down. No background reconnect loop: the processors' own retry pacing decides when to
 * try again, so a broker restart is just a few failed calls.
 */
import { connect, type ChannelModel } from 'amqplib';
import { ErrorCode, EventyardError } from '../../core/errors.js';
import { redactError, secretsOfUrl } from '../../core/redact.js';
import { toBrokerError } from './errors.js';
import type { ResolvedRabbitMqOptions } from './options.js';

export class LazyConnection {
  #model: ChannelModel | undefined;
  #opening: Promise<ChannelModel> | undefined;
  #closed = false;
  /** The last connection-level error, for diagnostics. */
  lastError: Error | undefined;

  constructor(private readonly options: ResolvedRabbitMqOptions) {}

  async get(): Promise<ChannelModel> {
    if (this.#closed) throw new EventyardError(ErrorCode.CLOSED, 'rabbitmq: the connection was closed');
    if (this.#model !== undefined) return this.#model;
    this.#opening ??= this.#open().finally(() => (this.#opening = undefined));
    return this.#opening;
  }

  async #open(): Promise<ChannelModel> {
    let model: ChannelModel;
    try {
      const url = new URL(this.options.url);
      url.searchParams.set('heartbeat', String(this.options.heartbeatSeconds));
      // TCP keepalive: a peer that vanished without closing is noticed by the OS too (AMQP
      // heartbeats, `heartbeatSeconds`, are the first line).
      model = await connect(url.toString(), { timeout: 10_000, keepAlive: true, keepAliveDelay: 10_000 });
    } catch (error) {
      throw toBrokerError(error, 'connect', secretsOfUrl(this.options.url));
    }
    model.on('error', (error: Error) => (this.lastError = redactError(error, secretsOfUrl(this.options.url)) as Error));
    model.on('close', () => {
      if (this.#model === model) this.#model = undefined;
    });
    if (this.#closed) {
      await model.close().catch(() => undefined);
      throw new EventyardError(ErrorCode.CLOSED, 'rabbitmq: the connection was closed');
    }
    this.#model = model;
    return model;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const model = this.#model ?? (await this.#opening?.catch(() => undefined));
    this.#model = undefined;
    await model?.close().catch(() => undefined);
  }
}
