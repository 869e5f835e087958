-- Operator skip of a parked key's blocking row: a FAILED, keyed row still in its key's FIFO
-- stays FAILED, gets LAST_ERROR `EY_KEY_SKIPPED: skipped by <updatedBy> at <ISO>; was:
-- <previous>` and leaves the FIFO, so the key's next row becomes head (claimable).
-- KEYS: the `:n` key of each partition to look in (the row's partition is its key's, which
--       the caller does not know: every partition; one per call on Redis Cluster).
-- ARGV: wake channel prefix, table, messageType, eventId, updatedBy.
-- Returns: 1 when a row was skipped, else 0 (nothing written).
--@include keys
--@include now
--@include iso-time
--@include wake
--@include groups
--@include ordering
local now = nowMs()
local tbl, mtype, eventId, updatedBy = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local id = rowId(mtype, eventId)
local done = 0
for k = 1, #KEYS do
  local base = baseOf(KEYS[k])
  local key = rowKey(base, id)
  if redis.call('EXISTS', key) == 1 and redis.call('TYPE', key).ok == 'hash' then
    local row = redis.call('HMGET', key, 's', 't', 'ok', 'er')
    if row[1] == 'FAILED' and row[2] == tbl and row[3] and redis.call('ZSCORE', fifoKey(base, tbl, row[3]), id) then
      redis.call('HSET', key, 'ub', updatedBy, 'ua', now, 'er',
        'EY_KEY_SKIPPED: skipped by ' .. updatedBy .. ' at ' .. isoTime(now) .. '; was: ' .. (row[4] or ''))
      redis.call('ZADD', base .. ':f', now, id)
      unparkFailed(base, tbl, row[3])
      dequeueKeyed(base, tbl, row[3], id)
      done = 1
      break
    end
  end
end
sendWakes(ARGV[1])
return done
