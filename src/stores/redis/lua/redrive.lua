-- Operator re-drive: ERROR or FAILED rows matching the filter → RETRY with ATTEMPTS = 0,
-- claimable at once, LAST_ERROR kept. Scans the partition's ERROR (`:x`) and FAILED (`:f`)
-- indexes, or only the event's rows when an event id is given; moves at most `limit` rows per
-- call (the store calls again while a call returns `limit`).
-- A keyed row goes back to its place in its key's FIFO (a parked head is head again, a
-- skipped row blocks its key again) and is made ready only when it is the head.
-- KEYS[1]: the partition's `:n` key.
-- ARGV: wake channel prefix, updatedBy, limit, statuses ('ERROR', 'FAILED' or 'ERROR,FAILED'),
--   table ('' = any), messageType ('' = any), eventId ('' = any).
-- Returns: how many rows were moved.
--@include keys
--@include now
--@include counts
--@include row
--@include wake
--@include groups
--@include ordering
local base = baseOf(KEYS[1])
local now = nowMs()
local nowText = str(now)
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
    local r = getRow(base, id)
    local status = r and r.s
    local tbl, okey = r and r.t, r and r.ok
    if ((status == 'ERROR' and wantError) or (status == 'FAILED' and wantFailed))
      and (tblFilter == '' or tblFilter == tbl) then
      putRow(base, id, rowText(r, 'R', 0, nowText, nowText, r.le, r.ct, updatedBy, r.lo))
      moved(base, tbl, mtype, status, 'RETRY')
      redis.call('ZREM', base .. (status == 'ERROR' and ':x' or ':f'), id)
      local ready = true
      if okey then
        -- Back at its place in its key's FIFO (a skipped row blocks its key again).
        local fifo = fifoKey(base, tbl, okey)
        if redis.call('ZSCORE', fifo, id) then
          if status == 'FAILED' then unparkFailed(base, tbl, okey) end
        else
          redis.call('ZADD', fifo, tonumber(r.kq) or redis.call('INCR', base .. ':ks'), id)
        end
        ready = isHead(base, tbl, okey, id)
      end
      if ready then
        makeReady(base, tbl, mtype, r.g, now - r.pl, readyMember(eventId, nil, r.pl))
        markWake(tbl)
      end
      done = done + 1
    end
  end
end
flushRows()
flushCounts()
sendWakes(ARGV[1])
return done
