/**
 * The Redis floor: the fewest commands that still lease and fence, as a minimal Lua pair
 * on ioredis. It is what every W2 figure is read against ("x% of floor"), not a product.
 *
 * Keys: `f:ready` list of pending ids, `f:data` hash id → payload, `f:lease` zset id →
 * lease expiry, `f:tok` hash id → claim token, `f:done` counter, `f:seq` id and token counter.
 * - Publish: `HSET f:data`, `RPUSH f:ready` (one pipeline; a batch is one pipeline).
 * - Claim (one script call, five commands whatever the batch): `LPOP n`, `INCR` (the
 *   token), `ZADD` of all leases, `HSET` of all tokens, `HMGET` of the payloads.
 * - Complete (one script call per batch): `HMGET` of the tokens, then for the jobs still
 *   held `HDEL` tokens, `ZREM` leases, `INCRBY f:done`. A stale holder's token no longer
 *   matches, so it completes nothing.
 * - Leases: a reaper script every leaseMs / 2 puts expired leases back on `f:ready`.
 * XREADGROUP/XACK would be fewer commands, but XACK does not fence: a holder whose entry was
 * XAUTOCLAIMed by another consumer still acks it.
 */
import { Redis } from 'ioredis';
import type { BenchPayload } from '../harness/payloads.js';
import { FloorLoop, FLOOR_POLL_MS } from './floor-loop.js';
import { SystemName, type QueueSystem, type StoreCounts, type SystemOptions } from './types.js';

const KEYS = ['f:ready', 'f:data', 'f:lease', 'f:tok', 'f:done', 'f:seq'];

const CLAIM = `
local ids = redis.call('LPOP', KEYS[1], tonumber(ARGV[1]))
if not ids then return {} end
local token = redis.call('INCR', KEYS[6])
local z, t = {}, {}
for i, id in ipairs(ids) do
  z[#z + 1] = ARGV[2]; z[#z + 1] = id
  t[#t + 1] = id; t[#t + 1] = token
end
redis.call('ZADD', KEYS[3], unpack(z))
redis.call('HSET', KEYS[4], unpack(t))
local payloads = redis.call('HMGET', KEYS[2], unpack(ids))
local out = {token}
for i, id in ipairs(ids) do out[#out + 1] = id; out[#out + 1] = payloads[i] end
return out`;

const COMPLETE = `
local n = #ARGV / 2
local ids = {}
for i = 1, n do ids[i] = ARGV[i * 2 - 1] end
local held = redis.call('HMGET', KEYS[4], unpack(ids))
local ok, out = {}, {}
for i = 1, n do
  if held[i] == ARGV[i * 2] then ok[#ok + 1] = ids[i]; out[i] = 1 else out[i] = 0 end
end
if #ok > 0 then
  redis.call('HDEL', KEYS[4], unpack(ok))
  redis.call('ZREM', KEYS[3], unpack(ok))
  redis.call('INCRBY', KEYS[5], #ok)
end
return out`;

const REAP = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[1], 'LIMIT', 0, 1000)
if #ids == 0 then return 0 end
redis.call('ZREM', KEYS[3], unpack(ids))
redis.call('HDEL', KEYS[4], unpack(ids))
redis.call('RPUSH', KEYS[1], unpack(ids))
return #ids`;

type FloorRedis = Redis & {
  floorClaim(...args: (string | number)[]): Promise<(string | number)[]>;
  floorComplete(...args: (string | number)[]): Promise<number[]>;
  floorReap(...args: (string | number)[]): Promise<number>;
};

export async function createFloorRedis(options: SystemOptions): Promise<QueueSystem> {
  if (options.redisPort === undefined) throw new Error('the Redis floor needs a port');
  const redis = new Redis({ host: '127.0.0.1', port: options.redisPort, commandTimeout: 10_000 }) as FloorRedis;
  redis.defineCommand('floorClaim', { numberOfKeys: KEYS.length, lua: CLAIM });
  redis.defineCommand('floorComplete', { numberOfKeys: KEYS.length, lua: COMPLETE });
  redis.defineCommand('floorReap', { numberOfKeys: KEYS.length, lua: REAP });
  let seq = 0;
  const add = (pipeline: ReturnType<Redis['pipeline']>, payload: BenchPayload): void => {
    const id = String(++seq);
    pipeline.hset('f:data', id, JSON.stringify(payload)).rpush('f:ready', id);
  };
  const loop = new FloorLoop({
    claim: async (limit) => {
      const reply = await redis.floorClaim(...KEYS, limit, Date.now() + options.leaseMs);
      const token = String(reply[0] ?? '');
      const jobs = [];
      for (let i = 1; i + 1 < reply.length; i += 2) {
        jobs.push({ id: String(reply[i]), token, payload: String(reply[i + 1]) });
      }
      return jobs;
    },
    complete: async (jobs) => {
      if (jobs.length === 0) return [];
      const reply = await redis.floorComplete(...KEYS, ...jobs.flatMap((j) => [j.id, j.token]));
      return reply.map((x) => x === 1);
    },
  });
  const reaperMs = Math.max(FLOOR_POLL_MS, options.leaseMs / 2);
  const reaper = setInterval(() => void redis.floorReap(...KEYS, Date.now()).catch(() => undefined), reaperMs);
  reaper.unref();

  return {
    name: SystemName.FLOOR_REDIS,
    settings: {
      what: 'floor: minimal Lua claim (LPOP n, INCR, ZADD, HSET, HMGET) and fenced complete (HMGET, HDEL, ZREM, INCRBY)',
      claim: 'up to concurrency ids per claim, token per claim call',
      pollMs: FLOOR_POLL_MS,
      reaperMs,
    },
    async publish(payload) {
      const pipeline = redis.pipeline();
      add(pipeline, payload);
      await pipeline.exec();
    },
    async publishBatch(payloads) {
      const pipeline = redis.pipeline();
      for (const p of payloads) add(pipeline, p);
      await pipeline.exec();
    },
    ...loop.workerMethods(),
    async counts(): Promise<StoreCounts> {
      const [pending, active, completed] = await Promise.all([
        redis.llen('f:ready'),
        redis.zcard('f:lease'),
        redis.get('f:done'),
      ]);
      return { pending, active, completed: Number(completed ?? 0), retrying: 0, failed: 0 };
    },
    async close() {
      clearInterval(reaper);
      redis.disconnect();
    },
  };
}
