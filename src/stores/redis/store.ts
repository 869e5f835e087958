/**
 * The Redis store: the store port on one Redis server or a Redis Cluster. Every state
 * change is one Lua script (lua/*.lua, generated into generated/scripts.ts); time is Redis
 * `TIME` inside the scripts. See docs/redis.md for the key layout, memory per event,
 * retention and reconnect behaviour.
 */
import { checkListRequest, checkPurgeRequest, checkRedriveFilter, checkRowFilter } from '../../store/filter.js';
import { checkPriorities } from '../../core/priority.js';
import type {
  EventStore,
  NewMessage,
  PublishResult,
  StoreFeatures,
  StoreTuning,
  TokenGrant,
  TokenRequest,
} from '../../store/port.js';
import { checkTokenRequests, checkTokenReturns } from '../../store/rate-log.js';
import { asNumber, checkMessageTexts, checkRowText } from './codec.js';
import { RedisConnection } from './connection.js';
import { KeyLayout } from './layout.js';
import { checkLayout } from './migration.js';
import { resolveRedisStoreOptions, type RedisStoreOptions } from './options.js';
import { ParkedKeys } from './parked.js';
import { RowReads } from './reads.js';
import { PartitionSweeps } from './sweeps.js';
import { WakeListener } from './wake.js';
import { RowWrites } from './writes.js';
import { Coalescer } from '../coalescer.js';

/** Outbox entries relayed per partition by each `reapExpiredLeases` call (cluster crash recovery). */
const RELAY_BATCH = 100;

/**
 * Two claims on their way while a backlog lasts: Redis runs the second while the process
 * reads the first's rows and starts their handlers (docs/redis.md, "Claims in flight").
 */
const REDIS_TUNING: StoreTuning = Object.freeze({ claimsInFlight: 2 });

export interface RedisStore extends EventStore {
  /** `waitForMessages` is always there on the Redis store. */
  waitForMessages: NonNullable<EventStore['waitForMessages']>;
  /** How the store runs: the partition count and whether it talks to a cluster. */
  readonly topology: { readonly partitions: number; readonly cluster: boolean; readonly keyPrefix: string };
}

/**
 * Creates a Redis store. Connections open at once; the first operation also checks that
 * the partition count matches what other processes recorded under this key prefix.
 *
 * ```ts
 * const store = createRedisStore({ url: 'redis://127.0.0.1:6379', keyPrefix: 'shop' });
 * ```
 */
/** An error reply from Redis (ioredis ReplyError), kept by name through the store's redacted copy. */
const answeredByRedis = (error: unknown): boolean =>
  error instanceof Error &&
  (error.name === 'ReplyError' || (error.cause instanceof Error && error.cause.name === 'ReplyError'));

export function createRedisStore(input?: RedisStoreOptions): RedisStore {
  const options = resolveRedisStoreOptions(input);
  const layout = new KeyLayout(options.keyPrefix, options.partitionCount);
  const conn = new RedisConnection(options);
  const writes = new RowWrites(conn, layout, options);
  // Concurrent publishes share script calls (../coalescer.ts); a lone one goes at once.
  const publishes = new Coalescer<NewMessage, PublishResult>((messages) => writes.publish(messages), answeredByRedis);
  const sweeps = new PartitionSweeps(conn, layout, options.logger);
  const reads = new RowReads(conn, layout);
  const wakes = new WakeListener(conn, layout);
  const parked = new ParkedKeys(conn, layout);

  let checked: Promise<void> | undefined;
  const ready = (): Promise<void> => {
    conn.assertOpen();
    checked ??= checkLayout(conn, layout, options.logger).catch((error: unknown) => {
      checked = undefined;
      throw error;
    });
    return checked;
  };

  const features: StoreFeatures = Object.freeze({ multiProcess: true, orderingKeys: true });
  /**
   * A rate limit's key: one string key per limit, outside the partitions (take-tokens.lua),
   * its own hash tag (so limits spread over a cluster's slots) starting like every key of the
   * prefix, `{<keyPrefix>:`.
   */
  const rateKey = (key: string): string => `{${layout.prefix}:rate:${key}}`;
  return {
    features,
    tuning: REDIS_TUNING,
    topology: Object.freeze({ partitions: layout.partitions, cluster: conn.cluster, keyPrefix: layout.prefix }),
    async now() {
      await ready();
      return reads.now();
    },
    async publish(messages) {
      if (messages.length === 0) return [];
      checkPriorities(messages);
      for (const m of messages) checkMessageTexts(m);
      await ready();
      return publishes.add(messages);
    },
    async claim(request) {
      checkRowText(request.owner, 'owner');
      checkRowText(request.updatedBy, 'updatedBy');
      await ready();
      return wakes.claiming(request.table, () => sweeps.claim(request));
    },
    async heartbeat(refs, leaseMs) {
      if (refs.length === 0) return [];
      await ready();
      return writes.heartbeat(refs, leaseMs);
    },
    async complete(requests) {
      if (requests.length === 0) return [];
      for (const r of requests) {
        checkRowText(r.updatedBy, 'updatedBy');
        for (const m of r.emits) checkMessageTexts(m);
      }
      await ready();
      return writes.complete(requests);
    },
    async fail(requests) {
      if (requests.length === 0) return [];
      for (const r of requests) checkRowText(r.updatedBy, 'updatedBy');
      await ready();
      return writes.fail(requests);
    },
    async release(refs, updatedBy, delayMs = 0) {
      if (refs.length === 0) return [];
      checkRowText(updatedBy, 'updatedBy');
      await ready();
      return writes.release(refs, updatedBy, delayMs);
    },
    async takeTokens(requests) {
      checkTokenRequests(requests);
      if (requests.length === 0) return [];
      await ready();
      // One script call per key (Cluster-safe wherever the key hashes), keys in parallel;
      // the wants of one key go in one call, judged in input order.
      const byKey = new Map<string, { request: TokenRequest; index: number }[]>();
      requests.forEach((request, index) => {
        const list = byKey.get(request.key) ?? [];
        list.push({ request, index });
        byKey.set(request.key, list);
      });
      const grants = new Array<TokenGrant>(requests.length);
      await Promise.all(
        [...byKey].map(async ([key, items]) => {
          const first = (items[0] as { request: TokenRequest }).request;
          const reply = await conn.script(
            'takeTokens',
            [rateKey(key)],
            [first.max, first.intervalMs, items.length, ...items.map((i) => i.request.want)],
          );
          const values = Array.isArray(reply) ? reply : [];
          items.forEach(({ index }, i) => {
            grants[index] = {
              granted: asNumber(values[i * 3], 'granted'),
              at: asNumber(values[i * 3 + 1], 'at'),
              nextAt: asNumber(values[i * 3 + 2], 'nextAt'),
            };
          });
        }),
      );
      return grants;
    },
    async returnTokens(returns) {
      checkTokenReturns(returns);
      if (returns.length === 0) return;
      await ready();
      const byKey = new Map<string, (string | number)[]>();
      for (const r of returns) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r.at, r.count]);
      await Promise.all(
        [...byKey].map(([key, pairs]) => conn.script('returnTokens', [rateKey(key)], [pairs.length / 2, ...pairs])),
      );
    },
    async promoteDueRetries(limit, updatedBy) {
      checkRowText(updatedBy, 'updatedBy');
      await ready();
      return sweeps.promoteDueRetries(limit, updatedBy);
    },
    async reapExpiredLeases(request) {
      checkRowText(request.updatedBy, 'updatedBy');
      await ready();
      await writes.relayPending(RELAY_BATCH);
      return sweeps.reapExpiredLeases(request);
    },
    async redrive(filter, updatedBy) {
      const checked = checkRedriveFilter(filter);
      checkRowText(updatedBy, 'updatedBy');
      await ready();
      return sweeps.redrive(checked, updatedBy);
    },
    async list(request) {
      const checked = checkListRequest(request);
      await ready();
      return reads.list(checked);
    },
    async countByStatus(filter) {
      const checked = checkRowFilter(filter);
      await ready();
      return reads.countByStatus(checked);
    },
    async getPayload(eventId) {
      await ready();
      return reads.getPayload(eventId);
    },
    async getWorkingData(eventId) {
      await ready();
      return reads.getWorkingData(eventId);
    },
    async purge(request) {
      const checked = checkPurgeRequest(request);
      await ready();
      return sweeps.purge(checked);
    },
    async listParkedKeys(request) {
      await ready();
      return parked.list(request);
    },
    async skipParkedHead(request) {
      checkRowText(request.updatedBy, 'updatedBy');
      await ready();
      return parked.skip(request);
    },
    async waitForMessages(table, timeoutMs, signal) {
      return wakes.wait(table, timeoutMs, signal);
    },
    async close() {
      wakes.close();
      await conn.close();
    },
  };
}
