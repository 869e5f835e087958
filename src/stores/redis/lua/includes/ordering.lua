-- Ordering keys (docs/redis.md, "Ordering keys"). A keyed row lives in the partition of its
-- ORDERING_KEY, next to its key's FIFO `<base>:K:<table>:<key>`: a sorted set of the key's
-- rows that are not COMPLETED and not skipped (member row id, score the publish sequence from
-- `<base>:ks`). Only the FIFO's first row (the head) is ever put in a ready index; the claim
-- script checks headness, so a stale ready entry of a row that is no longer head is dropped.
-- Parked keys: `<base>:kf` (hash `<table>|<key>` → FAILED rows in the key's FIFO) and
-- `<base>:pk` (sorted set of the same fields, score 0, read by member for listParkedKeys).
-- Needs keys, now, row, wake, groups.
local function fifoKey(base, tbl, okey) return base .. ':K:' .. tbl .. ':' .. okey end
-- True when `id` is its key's head. An empty FIFO also answers true: a keyed row written
-- before ordering keys existed on Redis is in no FIFO and stays claimable, unordered.
local function isHead(base, tbl, okey, id)
  local head = redis.call('ZRANGE', fifoKey(base, tbl, okey), 0, 0)
  return head[1] == nil or head[1] == id
end
-- Appends a new row to its key's FIFO; returns its sequence and whether it is the head.
local function enqueueKeyed(base, tbl, okey, id)
  local seq = redis.call('INCR', base .. ':ks')
  local fifo = fifoKey(base, tbl, okey)
  redis.call('ZADD', fifo, seq, id)
  return seq, redis.call('ZCARD', fifo) == 1
end
-- Makes a key's new head claimable when it is UNPROCESSED or RETRY (after the head left).
-- A grouped head goes to its group's queue (makeReady, includes/groups.lua); a prioritized
-- head is scored AVAILABLE_AT − lead with a `+<lead>` member (includes/now.lua).
local function makeHeadReady(base, tbl, head)
  local r = getRow(base, head)
  if r and (r.S == 'U' or r.S == 'R') then
    local mtype, eventId = splitRowId(head)
    makeReady(base, tbl, mtype, r.g, tonumber(r.av) - r.pl, readyMember(eventId, nil, r.pl))
    markWake(tbl)
  end
end
-- Takes a row out of its key's FIFO (completed or skipped); the next row becomes head.
-- When it was the head: ZRANGE, ZREM, HGET, ZADD.
local function dequeueKeyed(base, tbl, okey, id)
  local fifo = fifoKey(base, tbl, okey)
  local firstTwo = redis.call('ZRANGE', fifo, 0, 1)
  redis.call('ZREM', fifo, id)
  if firstTwo[1] == id and firstTwo[2] then makeHeadReady(base, tbl, firstTwo[2]) end
end
local function keyField(tbl, okey) return tbl .. '|' .. okey end
-- A keyed row in its FIFO went FAILED: its key counts one more FAILED row (parks when head).
local function parkFailed(base, tbl, okey, id)
  if not redis.call('ZSCORE', fifoKey(base, tbl, okey), id) then return end
  local field = keyField(tbl, okey)
  redis.call('HINCRBY', base .. ':kf', field, 1)
  redis.call('ZADD', base .. ':pk', 0, field)
end
-- A FAILED row of the key's FIFO left FAILED (re-drive) or the FIFO (skip).
local function unparkFailed(base, tbl, okey)
  local field = keyField(tbl, okey)
  if redis.call('HINCRBY', base .. ':kf', field, -1) <= 0 then
    redis.call('HDEL', base .. ':kf', field)
    redis.call('ZREM', base .. ':pk', field)
  end
end
-- True when a FAILED row still blocks its key (keyed and not skipped): purge keeps it.
local function blocksKey(base, id)
  local r = getRow(base, id)
  if not r or not r.ok then return false end
  return redis.call('ZSCORE', fifoKey(base, r.t, r.ok), id) ~= false
end
