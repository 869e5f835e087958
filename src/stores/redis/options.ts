/**
 * Options of the Redis store: one schema is the source of the type, the defaults and the
 * rejection of unknown or invalid keys.
 */
import { jsonLogger, type Logger } from '../../processing/logger.js';
import { ErrorCode, EventyardError } from '../../core/errors.js';
import { DEFAULT_PRIORITY_AGING_STEP_MS, MAX_PRIORITY_AGING_STEP_MS } from '../../core/priority.js';
import { option, resolveOptions, type OptionsInput, type Resolved } from '../../core/options.js';

/** A Redis Cluster seed node. */
export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

/** TLS settings handed to Node's `tls.connect` (ca, cert, key, servername, ...), or `true` for defaults. */
export type RedisTls = boolean | Readonly<Record<string, unknown>>;

const isNodeList = (v: unknown): v is readonly RedisNode[] =>
  Array.isArray(v) &&
  v.length > 0 &&
  v.every(
    (n: unknown) =>
      typeof n === 'object' &&
      n !== null &&
      typeof (n as RedisNode).host === 'string' &&
      Number.isInteger((n as RedisNode).port) &&
      (n as RedisNode).port > 0 &&
      (n as RedisNode).port < 65536,
  );

const isLogger = (v: unknown): v is Logger =>
  typeof v === 'object' && v !== null && typeof (v as Logger).warn === 'function';
const isTls = (v: unknown): v is RedisTls =>
  typeof v === 'boolean' || (typeof v === 'object' && v !== null && !Array.isArray(v));

export const KEY_PREFIX = /^[A-Za-z0-9:_-]+$/;

export const redisStoreSchema = {
  /**
   * `redis://[user:password@]host:port/db` or `rediss://...` for TLS. Exclusive with `host` and `cluster`.
   */
  url: option.optional(option.string({ pattern: /^rediss?:\/\// })),
  /** Server host, when no `url` is given. @defaultValue `127.0.0.1` */
  host: option.string({ default: '127.0.0.1' }),
  /** @defaultValue 6379 */
  port: option.int({ min: 1, max: 65535, default: 6379 }),
  /** ACL user name (AUTH user password). */
  username: option.optional(option.string()),
  /** AUTH password. */
  password: option.optional(option.string()),
  /**
   * Where the store reports rows it sets aside as corrupt (one warning per row).
   * @defaultValue JSON lines on stderr, warn and above
   */
  logger: option.custom<Logger>('a logger', isLogger, { default: jsonLogger('warn') }),
  /** Logical database (single server only). @defaultValue 0 */
  db: option.int({ min: 0, max: 255, default: 0 }),
  /** TLS: `true` or Node TLS options. */
  tls: option.optional(option.custom<RedisTls>('boolean or TLS options object', isTls)),
  /** Redis Cluster seed nodes: the store runs in cluster mode (one partition per script call). */
  cluster: option.optional(option.custom<readonly RedisNode[]>('non-empty list of { host, port }', isNodeList)),
  /**
   * Every key lives under the hash tag `{<keyPrefix>:<partition>}`.
   * @defaultValue `eventyard`
   */
  keyPrefix: option.string({ pattern: KEY_PREFIX, default: 'eventyard' }),
  /**
   * Partitions per table. A message's partition is a hash of its EVENT_ID, so an event's rows,
   * payload and working data share one slot. Every process sharing the data must use the
   * same number (checked against a layout key at first use).
   * @defaultValue 1 on a single server (nothing to spread), 16 on a cluster
   */
  partitions: option.optional(option.int({ min: 1, max: 1024 })),
  /**
   * COMPLETED rows older than this are deleted automatically, two per completion in the
   * same partition (amortised, so memory stays bounded at steady state). -1 keeps them for
   * `purge` alone.
   * @defaultValue 3600000 (one hour)
   */
  retainCompletedMs: option.int({ min: -1, default: 3_600_000 }),
  /**
   * At most this many COMPLETED rows kept per partition (oldest deleted first, amortised as
   * above). 0: no cap.
   * @defaultValue 0
   */
  retainCompletedPerPartition: option.int({ min: 0, default: 0 }),
  /**
   * Aging of message priorities: a row of priority p is claimed as if it had become
   * available p × this many ms earlier, so a priority-0 row waits at most 9 steps behind
   * newer higher-priority rows (docs/flow-control.md, "Priorities"). Fixed per row when it
   * is written.
   * @defaultValue 60000
   */
  priorityAgingStepMs: option.int({ min: 1, max: MAX_PRIORITY_AGING_STEP_MS, default: DEFAULT_PRIORITY_AGING_STEP_MS }),
  /** Connect timeout of each connection. @defaultValue 10000 */
  connectTimeoutMs: option.int({ min: 100, max: 600_000, default: 10_000 }),
  /**
   * Deadline of every command and script call (ioredis `commandTimeout`), counted from the
   * moment it is issued, time in the offline queue included. A call that has not been
   * answered by then fails with EY_STORE_UNAVAILABLE; the script may still run on the server
   * later, which is safe (every write is fenced or idempotent). Processors set their own,
   * shorter deadline from the lease on top (`storeTimeoutMs`); this one also bounds calls
   * made outside processors (publish, list, purge).
   * @defaultValue 10000
   */
  commandTimeoutMs: option.int({ min: 10, max: 600_000, default: 10_000 }),
  /**
   * TCP keepalive on every connection: probes start after this long idle, so a peer that
   * vanished without closing (a dead host, a dropped NAT entry) is noticed by the OS.
   * 0: the OS's default delay.
   * @defaultValue 10000
   */
  keepAliveMs: option.int({ min: 0, max: 3_600_000, default: 10_000 }),
  /**
   * How often ioredis re-sends a command across reconnects before it rejects (then the store
   * throws EY_STORE_UNAVAILABLE and processors back off).
   * @defaultValue 2
   */
  maxRetriesPerRequest: option.int({ min: 0, max: 100, default: 2 }),
};

export type RedisStoreOptions = OptionsInput<typeof redisStoreSchema>;
export type ResolvedRedisStoreOptions = Resolved<typeof redisStoreSchema> & { readonly partitionCount: number };

export function resolveRedisStoreOptions(input?: RedisStoreOptions): ResolvedRedisStoreOptions {
  const resolved = resolveOptions('redis store', redisStoreSchema, input);
  if (resolved.cluster !== undefined && resolved.url !== undefined) {
    throw new EventyardError(ErrorCode.INVALID_OPTION, 'redis store: give either "url" or "cluster", not both', {
      details: { option: 'cluster' },
    });
  }
  if (resolved.cluster !== undefined && resolved.db !== 0) {
    throw new EventyardError(ErrorCode.INVALID_OPTION, 'redis store: "db" must be 0 on Redis Cluster', {
      details: { option: 'db' },
    });
  }
  const partitionCount = resolved.partitions ?? (resolved.cluster === undefined ? 1 : 16);
  return Object.freeze({ ...resolved, partitionCount });
}
