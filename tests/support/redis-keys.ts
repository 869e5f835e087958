/**
 * Test isolation in Redis: a random key prefix per store, and deletion of every key under
 * it afterwards (on a single server or on every master of a cluster).
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Cluster } from 'ioredis';

export const SINGLE_REDIS = { host: '127.0.0.1', port: 6379 } as const;

export function randomPrefix(what = 'test'): string {
  return `ey-${what}-${randomBytes(6).toString('hex')}`;
}

async function deleteMatching(node: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    // One DEL per key: on a cluster node, keys of one prefix span several slots.
    for (const key of keys) deleted += await node.del(key);
  } while (cursor !== '0');
  return deleted;
}

/** Deletes every key of the store with this key prefix (all keys start with `{<prefix>:`). */
export async function deletePrefix(client: Redis | Cluster, prefix: string): Promise<number> {
  const pattern = `{${prefix}:*`;
  if (client instanceof Cluster) {
    const counts = await Promise.all(client.nodes('master').map((node) => deleteMatching(node, pattern)));
    return counts.reduce((a, b) => a + b, 0);
  }
  return deleteMatching(client, pattern);
}

/** Fails (never skips) when the server does not answer. */
export async function assertReachable(client: Redis | Cluster, what: string): Promise<void> {
  try {
    await client.ping();
  } catch (error) {
    throw new Error(`${what} is not reachable: the Redis tests need it running`, { cause: error });
  }
}
