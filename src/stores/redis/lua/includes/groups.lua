-- Group concurrency (docs/redis.md, "Groups"). Needs keys. A grouped row (field `g`, its
-- GROUP_KEY) is never in the type's ready index: while claimable it is in its group's queue
-- `{p}:gq:<table>:<TYPE>:<group>` (same members and scores as the ready index), and the group
-- is in the type's group set `{p}:gs:<table>:<TYPE>` (score 0, walked BYLEX by claims) while
-- its queue is not empty; `{p}:gi:<table>:<TYPE>` counts each group's rows IN_PROGRESS. On
-- Redis Cluster all rows of a group live in the group's partition, so these keys are exact.
local function groupQueueKey(base, tbl, mtype, g) return base .. ':gq:' .. tbl .. ':' .. mtype .. ':' .. g end
local function groupSetKey(base, tbl, mtype) return base .. ':gs:' .. tbl .. ':' .. mtype end
local function groupInFlightKey(base, tbl, mtype) return base .. ':gi:' .. tbl .. ':' .. mtype end
-- A row becomes claimable: into its group's queue, or the type's ready index, with `score`
-- AVAILABLE_AT − priority lead and `member` readyMember(eventId, tag, lead) (includes/now.lua).
local function makeReady(base, tbl, mtype, g, score, member)
  if g and g ~= '' then
    redis.call('ZADD', groupQueueKey(base, tbl, mtype, g), score, member)
    redis.call('ZADD', groupSetKey(base, tbl, mtype), 0, g)
  else
    redis.call('ZADD', readyKey(base, tbl, mtype), '+inf', INDEX_ANCHOR, score, member)
  end
end
-- A row leaves IN_PROGRESS: its group's slot is free.
local function groupDone(base, tbl, mtype, g)
  if not g or g == '' then return end
  local key = groupInFlightKey(base, tbl, mtype)
  if redis.call('HINCRBY', key, g, -1) <= 0 then redis.call('HDEL', key, g) end
end
