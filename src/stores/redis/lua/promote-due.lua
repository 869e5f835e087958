-- The retry mechanism: ERROR rows with AVAILABLE_AT <= now → RETRY (claimable at their
-- AVAILABLE_AT), at most `limit` over the partitions named by KEYS.
-- KEYS: the `:n` key of each partition to promote in.
-- ARGV: wake channel prefix, limit, updatedBy.
-- Returns: how many rows were promoted.
--@include keys
--@include now
--@include counts
--@include row
--@include wake
--@include groups
local now = nowMs()
local nowText = str(now)
local left = tonumber(ARGV[2])
local done = 0
for k = 1, #KEYS do
  if left <= 0 then break end
  local base = baseOf(KEYS[k])
  local due = redis.call('ZRANGE', base .. ':x', '-inf', now, 'BYSCORE', 'LIMIT', 0, left)
  for i = 1, #due do
    local id = due[i]
    local mtype, eventId = splitRowId(id)
    local r = getRow(base, id)
    redis.call('ZREM', base .. ':x', id)
    if r and r.S == 'E' then
      putRow(base, id, rowText(r, 'R', r.n, r.av, nowText, r.le, r.ct, ARGV[3], r.lo))
      moved(base, r.t, mtype, 'ERROR', 'RETRY')
      makeReady(base, r.t, mtype, r.g, tonumber(r.av) - r.pl, readyMember(eventId, nil, r.pl))
      markWake(r.t)
      done = done + 1
    end
  end
  left = left - #due
end
flushRows()
sendWakes(ARGV[1])
flushCounts()
return done
