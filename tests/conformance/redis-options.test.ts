/**
 * The Redis store's own contract beyond the port: option validation, the partition-count
 * check under one key prefix, errors when Redis is unreachable or the store is closed, and
 * the key layout (every key under the prefix's hash tags, one slot per partition).
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode, isEventyardError } from '../../src/index.js';
import type { LeaseRef } from '../../src/store/port.js';
import { createRedisStore } from '../../src/stores/redis/index.js';
import { functionNames, libraryName } from '../../src/stores/redis/generated/library.js';
import * as scripts from '../../src/stores/redis/generated/scripts.js';
import { KeyLayout } from '../../src/stores/redis/layout.js';
import { resolveRedisStoreOptions } from '../../src/stores/redis/options.js';
import { claimRequest, newMessage, sleep, TEST_TABLE, TEST_TYPE } from '../../src/testing/index.js';
import { deletePrefix, randomPrefix, SINGLE_REDIS } from '../support/redis-keys.js';

const admin = new Redis({ ...SINGLE_REDIS, maxRetriesPerRequest: 1 });
admin.on('error', () => undefined);
afterAll(async () => {
  await admin.quit();
});

async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return isEventyardError(error) ? error.code : `not an EventyardError: ${String(error)}`;
  }
  return 'no error';
}

describe('redis store options', () => {
  it('rejects unknown keys, bad prefixes, url with cluster, db on a cluster', () => {
    const invalid = [
      { keyPrefix: 'has space' },
      { keyPrefix: 'brace{' },
      { keyPrefix: '' },
      { partitions: 0 },
      { url: 'http://x' },
      { url: 'redis://a', cluster: [{ host: 'a', port: 1 }] },
      { cluster: [{ host: 'a', port: 1 }], db: 2 },
      { cluster: [] },
      { retainCompletedMs: -2 },
      { nope: 1 },
    ];
    for (const options of invalid) {
      expect(() => resolveRedisStoreOptions(options as never), JSON.stringify(options)).toThrow(
        expect.objectContaining({ code: ErrorCode.INVALID_OPTION }) as Error,
      );
    }
  });

  it('defaults: 1 partition on one server, 16 on a cluster, prefix eventyard, one hour of COMPLETED rows', () => {
    const single = resolveRedisStoreOptions({});
    expect([single.partitionCount, single.keyPrefix, single.retainCompletedMs]).toEqual([1, 'eventyard', 3_600_000]);
    expect(resolveRedisStoreOptions({ cluster: [{ host: '127.0.0.1', port: 7000 }] }).partitionCount).toBe(16);
  });
});

describe('redis store key layout', () => {
  it('spreads events over partitions and keeps every key of a partition in one hash tag', () => {
    const layout = new KeyLayout('shop', 16);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(layout.partitionOf(`event-${i}`));
    expect(seen.size).toBe(16);
    const p = layout.partitionOf('e-1');
    expect(layout.payloadKey('e-1')).toBe(`{shop:${p}}:p:e-1`);
    expect(layout.eventKey('e-1')).toBe(`{shop:${p}}:e:e-1`);
    expect(layout.routeKey(p)).toBe(`{shop:${p}}:n`);
  });

  it('writes only keys under the prefix hash tags', async () => {
    const keyPrefix = randomPrefix('layout');
    const store = createRedisStore({ ...SINGLE_REDIS, keyPrefix, partitions: 4 });
    try {
      await store.publish(Array.from({ length: 20 }, () => newMessage()));
      const keys = await admin.keys(`*${keyPrefix}*`);
      expect(keys.length).toBeGreaterThan(20);
      expect(keys.filter((k) => !k.startsWith(`{${keyPrefix}:`))).toEqual([]);
    } finally {
      await store.close();
      await deletePrefix(admin, keyPrefix);
    }
  });
});

describe('redis ready and lease indexes', () => {
  // A small sorted set is a listpack, where a batched ZADD or ZREM scans and moves entries
  // per member; an anchor member keeps the ready and lease indexes skiplists, and no claim
  // or sweep may ever take it for a row.
  it('a ready index is a skiplist from the first publish on, and its anchor is never claimed', async () => {
    const keyPrefix = randomPrefix('ready');
    const store = createRedisStore({ ...SINGLE_REDIS, keyPrefix });
    const ready = `{${keyPrefix}:0}:q:${TEST_TABLE}:${TEST_TYPE}`;
    try {
      await store.publish(Array.from({ length: 3 }, () => newMessage()));
      expect(await admin.object('ENCODING', ready)).toBe('skiplist');
      expect(await admin.zcard(ready)).toBe(4);
      const claimed = await store.claim(claimRequest({ limit: 10 }));
      expect(claimed).toHaveLength(3);
      expect(await store.claim(claimRequest({ limit: 10 }))).toEqual([]);
      expect(await admin.zcard(ready)).toBe(1);
      // Made claimable again through makeReady (a release), then claimed again.
      expect(await store.release([claimed[0]!], 'test')).toEqual(['ok']);
      expect(await admin.object('ENCODING', ready)).toBe('skiplist');
      expect(await store.claim(claimRequest({ limit: 10 }))).toHaveLength(1);
      expect(await admin.zcard(ready)).toBe(1);
    } finally {
      await store.close();
      await deletePrefix(admin, keyPrefix);
    }
  });

  it('the lease index is a skiplist from the first claim on, and its anchor is never reaped', async () => {
    const keyPrefix = randomPrefix('leases');
    const store = createRedisStore({ ...SINGLE_REDIS, keyPrefix });
    const leases = `{${keyPrefix}:0}:l`;
    try {
      await store.publish(Array.from({ length: 6 }, () => newMessage()));
      const first = await store.claim(claimRequest({ limit: 3 }));
      expect(first).toHaveLength(3);
      expect(await admin.object('ENCODING', leases)).toBe('skiplist');
      expect(await admin.zcard(leases)).toBe(4);
      const outcomes = await store.complete(
        first.map((ref) => ({ ref, updatedBy: 'test', emits: [], workingData: [] })),
      );
      expect(outcomes).toEqual(['ok', 'ok', 'ok']);
      expect(await admin.zcard(leases)).toBe(1);
      expect(await admin.object('ENCODING', leases)).toBe('skiplist');
      const second = await store.claim(claimRequest({ limit: 3, leaseMs: 1 }));
      expect(second).toHaveLength(3);
      await sleep(5);
      expect(await store.reapExpiredLeases({ limit: 100, retryDelayMs: 0, updatedBy: 'test' })).toBe(3);
      expect(await store.reapExpiredLeases({ limit: 100, retryDelayMs: 0, updatedBy: 'test' })).toBe(0);
      expect(await admin.zcard(leases)).toBe(1);
      const counts = Object.fromEntries((await store.countByStatus()).map((c) => [c.status, c.count]));
      expect(counts).toMatchObject({ COMPLETED: 3, ERROR: 3 });
      expect(counts['IN_PROGRESS'] ?? 0).toBe(0);
    } finally {
      await store.close();
      await deletePrefix(admin, keyPrefix);
    }
  });
});

describe('redis scripts as functions', () => {
  const complete = (refs: readonly LeaseRef[]) =>
    refs.map((ref) => ({ ref, updatedBy: 'test', emits: [], workingData: [] }));

  it('run as functions of one library, loaded again on a server that lost it', async () => {
    const keyPrefix = randomPrefix('functions');
    const store = createRedisStore({ ...SINGLE_REDIS, keyPrefix });
    /** The library's functions on the server, each with its flags (none when not loaded). */
    const loaded = async (): Promise<Map<string, unknown[]>> => {
      const listed = (await admin.call('FUNCTION', 'LIST', 'LIBRARYNAME', libraryName)) as unknown[][];
      const ours = listed.find((entry) => entry[1] === libraryName) ?? [];
      return new Map(((ours[5] ?? []) as unknown[][]).map((f) => [f[1] as string, f[5] as unknown[]]));
    };
    try {
      // As after a restart without persistence: the library is gone, the next call loads it.
      await admin.call('FUNCTION', 'DELETE', libraryName).catch(() => undefined);
      await store.publish([newMessage(), newMessage()]);
      expect((await loaded()).size).toBe(Object.keys(functionNames).length);
      await admin.call('FUNCTION', 'DELETE', libraryName);
      const claimed = await store.claim(claimRequest({ limit: 10 }));
      expect(claimed).toHaveLength(2);
      await admin.call('FUNCTION', 'DELETE', libraryName);
      expect(await store.complete(complete(claimed))).toEqual(['ok', 'ok']);
      // Calls that find it missing at the same moment all succeed (the connection loads it once).
      await admin.call('FUNCTION', 'DELETE', libraryName);
      const results = await Promise.all(Array.from({ length: 20 }, () => store.publish([newMessage()])));
      expect(results.every((r) => r[0]?.created === true)).toBe(true);
      const functions = await loaded();
      expect(functions.size).toBe(Object.keys(functionNames).length);
      // Scripts that write nothing are no-writes functions (FCALL_RO and replicas may run them).
      expect(functions.get(functionNames.listRows)).toEqual(['no-writes']);
      expect(functions.get(functionNames.complete)).toEqual([]);
    } finally {
      await store.close();
      await deletePrefix(admin, keyPrefix);
    }
  });

  it('run by EVALSHA where the ACL refuses functions', async () => {
    const keyPrefix = randomPrefix('no-functions');
    const user = `ey-no-functions-${keyPrefix.slice(-12)}`;
    await admin.call(
      'ACL',
      'SETUSER',
      user,
      'on',
      '>secret-pw',
      '~*',
      '&*',
      '+@all',
      '-@scripting',
      '+eval',
      '+evalsha',
      '+script|load',
    );
    const store = createRedisStore({ ...SINGLE_REDIS, username: user, password: 'secret-pw', keyPrefix });
    // No script cached before: whoever else runs one sends its text again (NOSCRIPT → EVAL).
    await admin.call('SCRIPT', 'FLUSH');
    try {
      await store.publish([newMessage(), newMessage(), newMessage()]);
      const claimed = await store.claim(claimRequest({ limit: 10 }));
      expect(claimed).toHaveLength(3);
      expect(await store.complete(complete(claimed))).toEqual(['ok', 'ok', 'ok']);
      const counts = Object.fromEntries((await store.countByStatus()).map((c) => [c.status, c.count]));
      expect(counts).toMatchObject({ COMPLETED: 3 });
      // The user ran the scripts themselves: their texts are cached under their SHAs.
      const sha = createHash('sha1').update(scripts.complete).digest('hex');
      expect(await admin.call('SCRIPT', 'EXISTS', sha)).toEqual([1]);
    } finally {
      await store.close();
      await admin.call('ACL', 'DELUSER', user);
      await deletePrefix(admin, keyPrefix);
    }
  });
});

describe('redis store purge', () => {
  // Purge and retention delete in batches (one ZREM, DEL per up to 500 keys): a purge of more
  // rows than Lua can unpack at once must still go through in one call, and leave no key of a
  // deleted row, payload or event behind.
  it('one purge call deletes 9,000 COMPLETED rows and every key they held', async () => {
    const keyPrefix = randomPrefix('purge');
    const store = createRedisStore({ ...SINGLE_REDIS, keyPrefix, retainCompletedMs: -1 });
    const total = 9_000;
    try {
      for (let i = 0; i < total; i += 1_000) {
        await store.publish(Array.from({ length: 1_000 }, () => newMessage()));
      }
      const rowKeys = async (): Promise<string[]> =>
        (await admin.keys(`{${keyPrefix}:*`)).filter((k) => /:(p|e):/.test(k));
      const rows = `{${keyPrefix}:0}:r`;
      // Each event holds a row (a field of the partition's rows hash), a payload and an event hash.
      expect((await rowKeys()).length).toBe(2 * total);
      expect(await admin.hlen(rows)).toBe(total);
      for (;;) {
        const batch = await store.claim(claimRequest({ limit: 1_000 }));
        if (batch.length === 0) break;
        const outcomes = await store.complete(
          batch.map((ref) => ({ ref, updatedBy: 'test', emits: [], workingData: [] })),
        );
        expect(outcomes.every((o) => o === 'ok')).toBe(true);
      }
      await sleep(5);
      expect(await store.purge({ statuses: ['COMPLETED'], olderThanMs: 0, limit: 20_000 })).toBe(total);
      expect(await rowKeys()).toEqual([]);
      expect(await admin.exists(rows)).toBe(0);
      expect(await admin.zcard(`{${keyPrefix}:0}:a`)).toBe(0);
      expect(await admin.zcard(`{${keyPrefix}:0}:c`)).toBe(0);
    } finally {
      await store.close();
      await deletePrefix(admin, keyPrefix);
    }
  }, 60_000);
});

describe('redis store errors', () => {
  it('refuses a control character in any text a row text holds, before sending anything', async () => {
    const keyPrefix = randomPrefix('texts');
    const store = createRedisStore({ ...SINGLE_REDIS, keyPrefix });
    try {
      const bad = 'a\x1fb';
      for (const field of ['createdBy', 'orderingKey', 'groupKey', 'traceparent'] as const) {
        expect(await errorCode(store.publish([newMessage({ [field]: bad })])), field).toBe(
          ErrorCode.INVALID_IDENTIFIER,
        );
      }
      expect(await errorCode(store.claim(claimRequest({ owner: 'worker\n1' })))).toBe(ErrorCode.INVALID_IDENTIFIER);
      expect(await errorCode(store.claim(claimRequest({ updatedBy: bad })))).toBe(ErrorCode.INVALID_IDENTIFIER);
      expect(await errorCode(store.redrive({ statuses: ['FAILED'] }, bad))).toBe(ErrorCode.INVALID_IDENTIFIER);
      // Nothing was written, not even the layout key.
      expect(await admin.keys(`{${keyPrefix}:*`)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('refuses a partition count other than the one recorded under the prefix', async () => {
    const keyPrefix = randomPrefix('layout');
    const first = createRedisStore({ ...SINGLE_REDIS, keyPrefix, partitions: 4 });
    const second = createRedisStore({ ...SINGLE_REDIS, keyPrefix, partitions: 8 });
    try {
      await first.publish([newMessage()]);
      expect(await errorCode(second.publish([newMessage()]))).toBe(ErrorCode.INVALID_OPTION);
    } finally {
      await Promise.all([first.close(), second.close()]);
      await deletePrefix(admin, keyPrefix);
    }
  });

  it('an unreachable server gives EY_STORE_UNAVAILABLE, a closed store EY_CLOSED', async () => {
    const store = createRedisStore({ host: '127.0.0.1', port: 1, maxRetriesPerRequest: 0, connectTimeoutMs: 500 });
    expect(await errorCode(store.now())).toBe(ErrorCode.STORE_UNAVAILABLE);
    await store.close();
    await store.close();
    expect(await errorCode(store.publish([newMessage()]))).toBe(ErrorCode.CLOSED);
  });
});

describe('redis store wake-up subscription', () => {
  const channelsOf = (keyPrefix: string): string[] =>
    ['inbound', 'request', 'response', 'outbound'].map((table) => new KeyLayout(keyPrefix, 1).wakePrefix() + table);
  const subscribers = async (keyPrefix: string): Promise<number> => {
    const reply = (await admin.pubsub('NUMSUB', ...channelsOf(keyPrefix))) as (string | number)[];
    return reply.filter((_, i) => i % 2 === 1).reduce<number>((sum, n) => sum + Number(n), 0);
  };

  it('a store that only publishes subscribes to nothing; its first claim subscribes', async () => {
    const keyPrefix = randomPrefix('wake');
    const store = createRedisStore({ ...SINGLE_REDIS, keyPrefix });
    try {
      for (let i = 0; i < 20; i++) await store.publish([newMessage()]);
      await sleep(100);
      expect(await subscribers(keyPrefix)).toBe(0);
      await store.claim(claimRequest({ limit: 1 }));
      const deadline = Date.now() + 5_000;
      while ((await subscribers(keyPrefix)) < 4 && Date.now() < deadline) await sleep(10);
      expect(await subscribers(keyPrefix)).toBe(4);
    } finally {
      await store.close();
      await deletePrefix(admin, keyPrefix);
    }
  });

  it('a wait after a claim made before the subscription was confirmed is woken once it is', async () => {
    // That claim may have missed a publish no message announced: its processor must claim again.
    const keyPrefix = randomPrefix('wake');
    const store = createRedisStore({ ...SINGLE_REDIS, keyPrefix });
    try {
      await store.claim(claimRequest({ limit: 1, table: 'request' }));
      const started = performance.now();
      await store.waitForMessages?.('request', 10_000, new AbortController().signal);
      expect(performance.now() - started).toBeLessThan(5_000);
      // Subscribed now: a wait without a publish lasts until its timeout.
      const again = performance.now();
      await store.waitForMessages?.('request', 300, new AbortController().signal);
      expect(performance.now() - again).toBeGreaterThanOrEqual(250);
    } finally {
      await store.close();
      await deletePrefix(admin, keyPrefix);
    }
  });
});
