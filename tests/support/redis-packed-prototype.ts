/**
 * A prototype of the Redis layout the store would move to (docs/redis.md, "What a packed
 * layout would buy"), for measuring only: the plain path of publish, claim and complete
 * (no ordering keys, groups, priorities, emits or working data), doing per row what the
 * store's scripts do today on that path, on per-partition hashes instead of a hash per row.
 *
 * Where today's layout keeps a row in its own hash of 10–15 fields, this one keeps it in two
 * fields of two partition-wide hashes, each field holding one packed text:
 * - `{p}:s` row id → state, rewritten by every transition:
 *   `<S><attempts>|<available at>|<updated by>|<updated at>|<lease owner>|<lease expiry>|<token>`
 *   (`<S>`: one letter of the STATUS; `updated by` empty while it is CREATED_BY);
 * - `{p}:i` row id → what never changes after the publish, passed to the client as it is:
 *   `<created at>|<table>|<created by>|<max attempts>`.
 *
 * So a claim of n rows reads the states in one HMGET and the fixed parts in another, writes
 * the new states in one HSET: a constant number of commands per call instead of an HMGET and
 * an HSET per row, and no field names crossing into Lua and back. Every other index of
 * today's layout is kept and written as today: the ready index, the list order `:a`, the
 * lease index `:l`, the completed index `:c`, the event hash (`@<type>`, `#`), the payload,
 * the counts hash `:n`, the token counter `:k` and the wake-up PUBLISH.
 */
import { Redis } from 'ioredis';
import type {
  ClaimedMessage,
  ClaimRequest,
  CompleteRequest,
  EventStore,
  LeaseOutcome,
  PublishResult,
} from '../../src/store/port.js';
import type { Status } from '../../src/core/status.js';
import { STATUS_OF } from '../../src/stores/redis/codec.js';

const PUBLISH = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tag = t[1] .. string.format('%06d', tonumber(t[2]))
local base = string.match(KEYS[1], '^({[^}]*})')
local nowText = tostring(now)
local S, I = base .. ':s', base .. ':i'
local out, ready, listed, counts, wake = {}, {}, {}, {}, {}
local seq = 0
local a = 3
for _ = 1, tonumber(ARGV[2]) do
  local eventId, mtype, tbl, payload, fixed, delay = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5]
  a = a + 6
  local id = mtype .. ':' .. eventId
  local av = delay == '0' and nowText or tostring(now + tonumber(delay))
  if redis.call('HSETNX', S, id, 'U0|' .. av .. '||' .. nowText .. '|||') == 0 then
    out[#out + 1] = 0
    out[#out + 1] = redis.call('HGET', S, id)
  else
    local pkey = base .. ':p:' .. eventId
    if not redis.call('SET', pkey, payload, 'NX') and redis.call('GET', pkey) ~= payload then
      redis.call('HDEL', S, id)
      out[#out + 1] = 0
      out[#out + 1] = 'PAYLOAD_CONFLICT'
    else
      redis.call('HSET', I, id, nowText .. '|' .. fixed)
      local q = base .. ':q:' .. tbl .. ':' .. mtype
      local r = ready[q]
      if not r then r = {}; ready[q] = r end
      seq = seq + 1
      r[#r + 1] = av
      r[#r + 1] = tag .. string.format('%05d', seq) .. '|' .. eventId
      listed[#listed + 1] = nowText
      listed[#listed + 1] = id
      local ev = base .. ':e:' .. eventId
      redis.call('HSET', ev, '@' .. mtype, tbl)
      redis.call('HINCRBY', ev, '#', 1)
      local f = tbl .. ' ' .. mtype .. ' UNPROCESSED'
      counts[f] = (counts[f] or 0) + 1
      wake[tbl] = true
      out[#out + 1] = 1
      out[#out + 1] = 'UNPROCESSED'
    end
  end
end
for q, r in pairs(ready) do redis.call('ZADD', q, unpack(r)) end
if #listed > 0 then redis.call('ZADD', base .. ':a', unpack(listed)) end
for f, d in pairs(counts) do redis.call('HINCRBY', base .. ':n', f, d) end
for tbl in pairs(wake) do redis.call('PUBLISH', ARGV[1] .. tbl, '1') end
return out`;

const CLAIM = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tbl, limit, owner, updatedBy, leaseMs, mtype = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6]
local base = string.match(KEYS[1], '^({[^}]*})')
local expires = now + leaseMs
local q = base .. ':q:' .. tbl .. ':' .. mtype
local hits = redis.call('ZRANGE', q, '-inf', now, 'BYSCORE', 'LIMIT', 0, limit)
if #hits == 0 then return { now, expires } end
redis.call('ZREM', q, unpack(hits))
local ids, eventIds = {}, {}
for j = 1, #hits do
  local e = string.sub(hits[j], string.find(hits[j], '|', 1, true) + 1)
  eventIds[j] = e
  ids[j] = mtype .. ':' .. e
end
local states = redis.call('HMGET', base .. ':s', unpack(ids))
local first = redis.call('INCRBY', base .. ':k', #ids) - #ids
local prefix = string.match(base, ':(%d+)}$') .. '.'
local mid = '|' .. updatedBy .. '|' .. now .. '|' .. owner .. '|' .. expires .. '|' .. prefix
local expText = tostring(expires)
local sets, leases, taken, out = {}, {}, {}, { now, expires, prefix .. first }
local fromUnprocessed, fromRetry = 0, 0
for j = 1, #ids do
  local s = states[j]
  local code = s and string.byte(s, 1)
  if code == 85 or code == 82 then
    local b1 = string.find(s, '|', 2, true)
    local b2 = string.find(s, '|', b1 + 1, true)
    local n = tonumber(string.sub(s, 2, b1 - 1))
    if n then
      n = n + 1
      local k = first + j
      sets[#sets + 1] = ids[j]
      sets[#sets + 1] = 'I' .. n .. string.sub(s, b1, b2 - 1) .. mid .. k
      leases[#leases + 1] = expText
      leases[#leases + 1] = ids[j]
      taken[#taken + 1] = ids[j]
      out[#out + 1] = eventIds[j]
      out[#out + 1] = n
      out[#out + 1] = k
      out[#out + 1] = string.sub(s, b1 + 1, b2 - 1)
      if code == 85 then fromUnprocessed = fromUnprocessed + 1 else fromRetry = fromRetry + 1 end
    end
  end
end
if #taken == 0 then return { now, expires } end
redis.call('HSET', base .. ':s', unpack(sets))
redis.call('ZADD', base .. ':l', unpack(leases))
local n = base .. ':n'
local f = tbl .. ' ' .. mtype .. ' '
if fromUnprocessed > 0 then redis.call('HINCRBY', n, f .. 'UNPROCESSED', -fromUnprocessed) end
if fromRetry > 0 then redis.call('HINCRBY', n, f .. 'RETRY', -fromRetry) end
redis.call('HINCRBY', n, f .. 'IN_PROGRESS', #taken)
local fixed = redis.call('HMGET', base .. ':i', unpack(taken))
local pkeys = {}
for j = 1, #taken do pkeys[j] = base .. ':p:' .. string.sub(taken[j], #mtype + 2) end
local payloads = redis.call('MGET', unpack(pkeys))
for j = 1, #taken do
  out[#out + 1] = fixed[j]
  out[#out + 1] = payloads[j]
end
return out`;

const COMPLETE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local base = string.match(KEYS[1], '^({[^}]*})')
local tbl, updatedBy = ARGV[1], ARGV[2]
local ids, tokens = {}, {}
local a = 3
for j = 1, (#ARGV - 2) / 3 do
  ids[j] = ARGV[a] .. ':' .. ARGV[a + 1]
  tokens[j] = ARGV[a + 2]
  a = a + 3
end
local states = redis.call('HMGET', base .. ':s', unpack(ids))
local tail = '|' .. updatedBy .. '|' .. now .. '|||'
local nowText = tostring(now)
local sets, done, completed, out, perType = {}, {}, {}, {}, {}
for j = 1, #ids do
  local s = states[j]
  local token = tokens[j]
  local ok = s and string.byte(s, 1) == 73 and string.sub(s, -#token - 1) == '|' .. token
  if ok then
    local b1 = string.find(s, '|', 2, true)
    local b2 = string.find(s, '|', b1 + 1, true)
    sets[#sets + 1] = ids[j]
    sets[#sets + 1] = 'C' .. string.sub(s, 2, b2 - 1) .. tail
    done[#done + 1] = ids[j]
    completed[#completed + 1] = nowText
    completed[#completed + 1] = ids[j]
    local mtype = ARGV[3 * j]
    perType[mtype] = (perType[mtype] or 0) + 1
    out[j] = 1
  else
    out[j] = 0
  end
end
if #done > 0 then
  redis.call('HSET', base .. ':s', unpack(sets))
  redis.call('ZREM', base .. ':l', unpack(done))
  redis.call('ZADD', base .. ':c', unpack(completed))
  for mtype, d in pairs(perType) do
    redis.call('HINCRBY', base .. ':n', tbl .. ' ' .. mtype .. ' IN_PROGRESS', -d)
    redis.call('HINCRBY', base .. ':n', tbl .. ' ' .. mtype .. ' COMPLETED', d)
  end
end
return out`;

/** A new row's status, or an existing row's from its state's first letter. */
function created(state: string): Status {
  return state === 'UNPROCESSED' ? 'UNPROCESSED' : (STATUS_OF[state[0] ?? ''] ?? 'UNPROCESSED');
}

type Script = 'pPublish' | 'pClaim' | 'pComplete';
type ProtoRedis = Redis & Record<Script, (...args: (string | number)[]) => Promise<unknown[]>>;

/** The subset of the store port the callgrind A/B drives: publish, claim, complete, close. */
export type PrototypeStore = Pick<EventStore, 'publish' | 'claim' | 'complete' | 'close'>;

/** One partition (a single server), keys under `{<keyPrefix>:0}`. */
export function createPackedPrototype(options: { port: number; keyPrefix: string }): PrototypeStore {
  const redis = new Redis({ port: options.port, commandTimeout: 30_000 }) as ProtoRedis;
  redis.defineCommand('pPublish', { numberOfKeys: 1, lua: PUBLISH });
  redis.defineCommand('pClaim', { numberOfKeys: 1, lua: CLAIM });
  redis.defineCommand('pComplete', { numberOfKeys: 1, lua: COMPLETE });
  const route = `{${options.keyPrefix}:0}:n`;
  const wake = `${options.keyPrefix}:wake:`;
  return {
    async publish(messages) {
      const args: (string | number)[] = [wake, messages.length];
      for (const m of messages) {
        if (m.payload === undefined) throw new Error('the prototype publishes messages with a payload only');
        const extras = [m.orderingKey, m.groupKey, m.traceparent, m.priority, m.delayMs, m.failure];
        if (extras.some((x) => x !== undefined && x !== 0))
          throw new Error('the prototype publishes plain messages only');
        args.push(m.eventId, m.messageType, m.table, m.payload, `${m.table}|${m.createdBy}|${m.maxAttempts}`, 0);
      }
      const reply = await redis.pPublish(route, ...args);
      return messages.map((m, i): PublishResult => {
        const { eventId, messageType } = m;
        const status = String(reply[i * 2 + 1]);
        if (status === 'PAYLOAD_CONFLICT')
          return { eventId, messageType, created: false, status: null, conflict: 'payload' };
        return { eventId, messageType, created: reply[i * 2] === 1, status: created(status) };
      });
    },
    async claim(request: ClaimRequest): Promise<readonly ClaimedMessage[]> {
      const [messageType] = request.messageTypes;
      if (messageType === undefined || request.messageTypes.length > 1) throw new Error('one type per claim');
      const reply = await redis.pClaim(
        route,
        request.table,
        request.limit,
        request.owner,
        request.updatedBy,
        request.leaseMs,
        messageType,
      );
      if (reply.length <= 2) return [];
      const now = Number(reply[0]);
      const leaseExpiresAt = Number(reply[1]);
      const prefix = String(reply[2]).split('.')[0] as string;
      const n = (reply.length - 3) / 6;
      const rows: ClaimedMessage[] = [];
      for (let j = 0; j < n; j++) {
        const head = 3 + j * 4;
        const tailAt = 3 + n * 4 + j * 2;
        const [createdAt, , createdBy, maxAttempts] = String(reply[tailAt]).split('|');
        rows.push({
          eventId: String(reply[head]),
          messageType,
          table: request.table,
          status: 'IN_PROGRESS',
          createdBy: createdBy as string,
          createdAt: Number(createdAt),
          updatedBy: request.updatedBy,
          updatedAt: now,
          attempts: Number(reply[head + 1]),
          maxAttempts: Number(maxAttempts),
          availableAt: Number(reply[head + 3]),
          leaseOwner: request.owner,
          leaseExpiresAt,
          claimToken: `${prefix}.${String(reply[head + 2])}`,
          lastError: null,
          orderingKey: null,
          groupKey: null,
          traceparent: null,
          priority: 0,
          payload: reply[tailAt + 1] === null ? null : String(reply[tailAt + 1]),
        });
      }
      return rows;
    },
    async complete(requests: readonly CompleteRequest[]): Promise<readonly LeaseOutcome[]> {
      const first = requests[0];
      if (first === undefined) return [];
      const args: string[] = [first.ref.table, first.updatedBy];
      for (const r of requests) {
        if (r.emits.length > 0 || r.workingData.length > 0) throw new Error('the prototype completes without emits');
        if (r.ref.table !== first.ref.table || r.updatedBy !== first.updatedBy) {
          throw new Error('the prototype completes rows of one table and one updatedBy per call');
        }
        args.push(r.ref.messageType, r.ref.eventId, r.ref.claimToken);
      }
      const reply = await redis.pComplete(route, ...args);
      return reply.map((x) => (x === 1 ? 'ok' : 'lease_lost'));
    },
    async close() {
      redis.disconnect();
    },
  };
}
