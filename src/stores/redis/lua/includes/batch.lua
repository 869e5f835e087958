-- Index writes and key deletions collected during a script and sent as one variadic ZADD /
-- ZREM per key and one DEL per 500 keys by flushIndexes(), instead of one command per row. A
-- script flushes before it reads an index it queued writes to or a key it queued to delete.
-- Needs keys, counts (`writeThrough`: the ZADDs go at once, the ZREMs and DELs stay queued).
local zaddQueue, zremQueue, delQueue = {}, {}, {}
local function queueZadd(key, score, member)
  if writeThrough then
    redis.call('ZADD', key, score, member)
    return
  end
  local q = tableAt(zaddQueue, key)
  q[#q + 1] = score
  q[#q + 1] = member
end
-- queueZadd into a ready index: its anchor (includes/keys.lua) first, once per call.
local function queueReady(key, score, member)
  if writeThrough then
    redis.call('ZADD', key, '+inf', INDEX_ANCHOR, score, member)
    return
  end
  if not zaddQueue[key] then queueZadd(key, '+inf', INDEX_ANCHOR) end
  queueZadd(key, score, member)
end
local function queueZrem(key, member)
  local q = tableAt(zremQueue, key)
  q[#q + 1] = member
end
local function queueDel(key) delQueue[#delQueue + 1] = key end
-- ZREM of a list of members now (not queued), 500 per command: unpack has a stack limit.
local function zremNow(key, members)
  for i = 1, #members, 500 do redis.call('ZREM', key, unpack(members, i, math.min(i + 499, #members))) end
end
-- A queue that was never used is kept, not replaced: a new table is garbage for Lua to collect.
local function flushIndexes()
  if next(zremQueue) ~= nil then
    for key, q in pairs(zremQueue) do zremNow(key, q) end
    zremQueue = {}
  end
  if next(zaddQueue) ~= nil then
    for key, q in pairs(zaddQueue) do
      for i = 1, #q, 1000 do redis.call('ZADD', key, unpack(q, i, math.min(i + 999, #q))) end
    end
    zaddQueue = {}
  end
  if #delQueue > 0 then
    for i = 1, #delQueue, 500 do redis.call('DEL', unpack(delQueue, i, math.min(i + 499, #delQueue))) end
    delQueue = {}
  end
end
