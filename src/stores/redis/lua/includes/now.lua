-- The store clock: Redis TIME in epoch milliseconds (scripts replicate effects, so TIME is allowed).
local clockMicros = 0
local fifoSeq = 0
local function nowMs()
  local t = redis.call('TIME')
  clockMicros = tonumber(t[1]) * 1000000 + tonumber(t[2])
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
-- A ready-index member `<tag>|<eventId>`: the tag (TIME in microseconds, then a counter) keeps
-- rows with equal AVAILABLE_AT in the order they became claimable.
-- A caller may pass its own tag (`fifoTag`, digits only): on Redis Cluster one publish is split
-- into per-partition calls, and only the caller knows the order of the whole batch.
local function readyMember(eventId, fifoTag)
  if fifoTag and fifoTag ~= '' then return fifoTag .. '|' .. eventId end
  fifoSeq = fifoSeq + 1
  return string.format('%016d%05d|', clockMicros, fifoSeq) .. eventId
end
local function eventOfMember(member) return string.match(member, '^%d+|(.*)$') end
