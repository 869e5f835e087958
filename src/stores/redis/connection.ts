/**
 * Connections of the Redis store: the command connection (single server or cluster), how
 * the store's scripts run on it, a lazily opened subscriber connection for wake-ups, and the
 * one function that turns client errors into EventyardError.
 *
 * Scripts run as functions of one library (`FCALL`; Redis 7 `FUNCTION LOAD`, named after its
 * content, so releases side by side each find their own): the library defines every shared
 * helper once, when it loads, where a script sent by EVAL builds the helpers it keeps on every
 * call. A server without the library (new, restarted without persistence, a node that joined
 * a cluster) answers "Function not found"; the library is then loaded (on every primary of a
 * cluster) and the call sent again. Where FUNCTION LOAD or FCALL is refused (an ACL without
 * them, a server that lacks them), the store runs the same scripts by EVALSHA from then on
 * (ioredis falls back to EVAL on NOSCRIPT, e.g. after a restart or failover).
 *
 * Reconnects: ioredis reconnects forever with a capped back-off (50 ms → 2 s). A command
 * sent while the connection is down waits in the offline queue and is re-sent after
 * reconnecting, at most `maxRetriesPerRequest` times; then it rejects and the store throws
 * EY_STORE_UNAVAILABLE. Processors log it, back off and poll again, and resume once Redis
 * answers. Every command has a deadline (`commandTimeoutMs`, offline-queue time included),
 * so a connection that stalls without closing fails calls instead of hanging them; TCP
 * keepalive is on for every connection. A script either ran whole or not at all, so a retry after a lost reply is safe:
 * publish reports `created: false`, a repeated completion reports `lease_lost`.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { ErrorCode, EventyardError, isEventyardError } from '../../core/errors.js';
import { redactedError, redactError, secretsOf, secretsOfUrl } from '../../core/redact.js';
import * as scripts from './generated/scripts.js';
import { functionNames, library, readOnlyScripts } from './generated/library.js';
import type { Arg } from './codec.js';
import type { ResolvedRedisStoreOptions } from './options.js';

export type ScriptName = keyof typeof scripts;
type Client = Redis | Cluster;
type ScriptFunction = (numKeys: number, ...keysAndArgs: Arg[]) => Promise<unknown>;

const READ_ONLY: ReadonlySet<string> = new Set(readOnlyScripts);

/** The server has no function of that name: the library is not loaded there (yet, or any more). */
const isFunctionMissing = (error: unknown): boolean =>
  error instanceof Error && /\bFunction not found\b/i.test(error.message);
/** The server or the user's ACL refuses functions: run the scripts by EVALSHA instead. */
const isFunctionRefused = (error: unknown): boolean =>
  error instanceof Error &&
  /^NOPERM\b.*'(fcall|function\|load)'|unknown command ['`](fcall|function)['`]|unknown subcommand/i.test(
    error.message,
  );

/** The one translation of client errors: EY_STORE_UNAVAILABLE, message and cause chain redacted. */
export function toStoreError(error: unknown, what: string, secrets: readonly string[] = []): EventyardError {
  if (isEventyardError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return redactedError(ErrorCode.STORE_UNAVAILABLE, `redis store: ${what} failed: ${message}`, {
    cause: error,
    secrets,
  });
}

/** Every credential the options hold: password, the URL's password, a TLS key passphrase. */
function secretsOfOptions(options: ResolvedRedisStoreOptions): string[] {
  const tls = typeof options.tls === 'object' ? (options.tls as { passphrase?: unknown }) : undefined;
  return secretsOf(options.password, tls?.passphrase, ...secretsOfUrl(options.url));
}

const retryStrategy = (times: number): number => Math.min(50 * 2 ** Math.min(times, 6), 2000);

/**
 * RedisOptions without `replyMapping` (ioredis 6 declares it `?: Mode | undefined` there but
 * `?: Mode` on the constructors, which exactOptionalPropertyTypes refuses): we keep the default.
 */
type ConnectionOptions = Omit<RedisOptions, 'replyMapping'>;

function redisOptions(options: ResolvedRedisStoreOptions): ConnectionOptions {
  return {
    connectTimeout: options.connectTimeoutMs,
    commandTimeout: options.commandTimeoutMs,
    keepAlive: options.keepAliveMs,
    maxRetriesPerRequest: options.maxRetriesPerRequest,
    retryStrategy,
    // No auto-pipelining: ioredis would hold every command until setImmediate and build a
    // Pipeline object (copying every defined script onto it) per flush. The store batches
    // its own work into few script calls, so that bought nothing and cost, on one server:
    // drain at concurrency 1 2,980 → 4,676 events/s without it, single publishes 4,400 →
    // 5,800/s, 64 publishes in flight 15,700 → 25,500/s, W5 3,100 → 3,600 flows/s.
    // Commands are still written back to back without waiting for replies.
    enableAutoPipelining: false,
    ...(options.username !== undefined && { username: options.username }),
    ...(options.password !== undefined && { password: options.password }),
    ...(options.tls !== undefined && options.tls !== false && { tls: options.tls === true ? {} : { ...options.tls } }),
  };
}

function createClient(options: ResolvedRedisStoreOptions): Client {
  const base = redisOptions(options);
  if (options.cluster !== undefined) {
    // No auto-pipelining on a cluster either (besides the above, ioredis would refuse batches
    // whose keys map to other nodes, "same slots allocation group").
    return new Cluster(
      options.cluster.map((n) => ({ host: n.host, port: n.port })),
      {
        redisOptions: base,
        enableAutoPipelining: false,
        maxRedirections: 32,
        retryDelayOnClusterDown: 200,
        retryDelayOnFailover: 200,
        clusterRetryStrategy: retryStrategy,
      },
    );
  }
  if (options.url !== undefined) return new Redis(options.url, base);
  return new Redis({ ...base, host: options.host, port: options.port, db: options.db });
}

export class RedisConnection {
  readonly client: Client;
  readonly cluster: boolean;
  #subscriber: Client | undefined;
  #closed = false;
  #evalOnly = false;
  #loading: Promise<void> | undefined;
  lastError: unknown;

  /** Credentials to redact from every error this connection reports. */
  readonly #secrets: readonly string[];

  constructor(options: ResolvedRedisStoreOptions) {
    this.cluster = options.cluster !== undefined;
    this.#secrets = secretsOfOptions(options);
    this.client = createClient(options);
    this.client.on('error', (error: unknown) => {
      this.lastError = redactError(error, this.#secrets);
    });
    for (const [name, lua] of Object.entries(scripts)) {
      this.client.defineCommand(name, { lua, readOnly: READ_ONLY.has(name) });
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  assertOpen(): void {
    if (this.#closed) throw new EventyardError(ErrorCode.CLOSED, 'the redis store is closed');
  }

  /**
   * Runs a script: FCALL of its function in the store's library (loading the library where it
   * is missing), or by SHA (EVAL on NOSCRIPT) once functions were refused. Errors become
   * EY_STORE_UNAVAILABLE.
   */
  async script(name: ScriptName, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
    this.assertOpen();
    try {
      if (!this.#evalOnly) {
        try {
          return await this.client.fcall(functionNames[name], keys.length, ...keys, ...args);
        } catch (error) {
          if (isFunctionRefused(error)) this.#evalOnly = true;
          else if (!isFunctionMissing(error)) throw error;
          else await this.#loadLibrary();
          if (!this.#evalOnly) return await this.client.fcall(functionNames[name], keys.length, ...keys, ...args);
        }
      }
      const fn = (this.client as unknown as Record<ScriptName, ScriptFunction>)[name];
      return await fn.call(this.client, keys.length, ...keys, ...args);
    } catch (error) {
      throw toStoreError(error, name, this.#secrets);
    }
  }

  /** FUNCTION LOAD REPLACE of the library, on every primary of a cluster; one load at a time. */
  #loadLibrary(): Promise<void> {
    this.#loading ??= (async () => {
      try {
        const nodes = this.client instanceof Cluster ? this.client.nodes('master') : [this.client];
        await Promise.all(nodes.map((node) => node.call('FUNCTION', 'LOAD', 'REPLACE', library)));
      } catch (error) {
        if (!isFunctionRefused(error)) throw error;
        this.#evalOnly = true;
      } finally {
        this.#loading = undefined;
      }
    })();
    return this.#loading;
  }

  /** Runs a plain command through `fn`, translating errors. */
  async run<T>(what: string, fn: (client: Client) => Promise<T>): Promise<T> {
    this.assertOpen();
    try {
      return await fn(this.client);
    } catch (error) {
      throw toStoreError(error, what, this.#secrets);
    }
  }

  /** The connection for SUBSCRIBE, separate from commands; opened on first use. */
  subscriber(): Client {
    this.assertOpen();
    if (this.#subscriber === undefined) {
      const sub = this.cluster ? (this.client as Cluster).duplicate() : (this.client as Redis).duplicate();
      sub.on('error', (error: unknown) => {
        this.lastError = redactError(error, this.#secrets);
      });
      this.#subscriber = sub;
    }
    return this.#subscriber;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const clients = [this.client, this.#subscriber].filter((c): c is Client => c !== undefined);
    await Promise.all(
      clients.map(async (c) => {
        try {
          await c.quit();
        } catch {
          c.disconnect();
        }
      }),
    );
  }
}
