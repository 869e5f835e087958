-- Operator re-drive: ERROR or FAILED rows matching the filter → RETRY with ATTEMPTS = 0,
-- claimable at once, LAST_ERROR kept. Scans the partition's ERROR (`:x`) and FAILED (`:f`)
-- indexes, or only the event's rows when an event id is given; moves at most `limit` rows per
-- call (the store calls again while a call returns `limit`).
-- KEYS[1]: the partition's `:n` key.
-- ARGV: wake channel prefix, updatedBy, limit, statuses ('ERROR', 'FAILED' or 'ERROR,FAILED'),
--   table ('' = any), messageType ('' = any), eventId ('' = any).
-- Returns: how many rows were moved.
--@include keys
--@include now
--@include counts
--@include wake
local base = baseOf(KEYS[1])
local now = nowMs()
local updatedBy, limit = ARGV[2], tonumber(ARGV[3])
local wantError = string.find(ARGV[4], 'ERROR', 1, true) ~= nil
local wantFailed = string.find(ARGV[4], 'FAILED', 1, true) ~= nil
local tblFilter, typeFilter, eventFilter = ARGV[5], ARGV[6], ARGV[7]
local ids = {}
if eventFilter ~= '' then
  local fields = redis.call('HKEYS', base .. ':e:' .. eventFilter)
  for i = 1, #fields do
    if string.sub(fields[i], 1, 1) == '@' then ids[#ids + 1] = rowId(string.sub(fields[i], 2), eventFilter) end
  end
else
  if wantError then ids = redis.call('ZRANGE', base .. ':x', 0, -1) end
  if wantFailed then
    local failed = redis.call('ZRANGE', base .. ':f', 0, -1)
    for i = 1, #failed do ids[#ids + 1] = failed[i] end
  end
end
local done = 0
for i = 1, #ids do
  if done >= limit then break end
  local id = ids[i]
  local mtype, eventId = splitRowId(id)
  if typeFilter == '' or typeFilter == mtype then
    local key = rowKey(base, id)
    local row = redis.call('HMGET', key, 's', 't', 'pl')
    local status, tbl = row[1], row[2]
    if ((status == 'ERROR' and wantError) or (status == 'FAILED' and wantFailed))
      and (tblFilter == '' or tblFilter == tbl) then
      setStatus(base, key, tbl, mtype, status, 'RETRY', updatedBy, now)
      redis.call('HSET', key, 'n', 0, 'av', now)
      redis.call('ZREM', base .. (status == 'ERROR' and ':x' or ':f'), id)
      local lead = tonumber(row[3]) or 0
      redis.call('ZADD', readyKey(base, tbl, mtype), now - lead, readyMember(eventId, nil, lead))
      markWake(tbl)
      done = done + 1
    end
  end
end
flushCounts()
sendWakes(ARGV[1])
return done
