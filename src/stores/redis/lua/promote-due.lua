-- The retry mechanism: ERROR rows with AVAILABLE_AT <= now → RETRY (claimable at their
-- AVAILABLE_AT), at most `limit` over the partitions named by KEYS.
-- KEYS: the `:n` key of each partition to promote in.
-- ARGV: wake channel prefix, limit, updatedBy.
-- Returns: how many rows were promoted.
--@include keys
--@include now
--@include counts
--@include wake
--@include groups
local now = nowMs()
local left = tonumber(ARGV[2])
local done = 0
for k = 1, #KEYS do
  if left <= 0 then break end
  local base = baseOf(KEYS[k])
  local due = redis.call('ZRANGE', base .. ':x', '-inf', now, 'BYSCORE', 'LIMIT', 0, left)
  for i = 1, #due do
    local id = due[i]
    local mtype, eventId = splitRowId(id)
    local key = rowKey(base, id)
    local row = redis.call('HMGET', key, 's', 't', 'av', 'g', 'pl')
    redis.call('ZREM', base .. ':x', id)
    if row[1] == 'ERROR' then
      setStatus(base, key, row[2], mtype, 'ERROR', 'RETRY', ARGV[3], now)
      local lead = tonumber(row[5]) or 0
      makeReady(base, row[2], mtype, row[4], tonumber(row[3]) - lead, readyMember(eventId, nil, lead))
      markWake(row[2])
      done = done + 1
    end
  end
  left = left - #due
end
sendWakes(ARGV[1])
flushCounts()
return done
