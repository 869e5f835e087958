-- Operator skip of a parked key's blocking row: a FAILED, keyed row still in its key's FIFO
-- stays FAILED, gets LAST_ERROR `EY_KEY_SKIPPED: skipped by <updatedBy> at <ISO>; was:
-- <previous>` and leaves the FIFO, so the key's next row becomes head (claimable).
-- KEYS: the `:n` key of each partition to look in (the row's partition is its key's, which
--       the caller does not know: every partition; one per call on Redis Cluster).
-- ARGV: wake channel prefix, table, messageType, eventId, updatedBy.
-- Returns: 1 when a row was skipped, else 0 (nothing written).
--@include keys
--@include now
--@include row
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
  local r = getRow(base, id)
  if r and r.S == 'F' and r.t == tbl and r.ok and redis.call('ZSCORE', fifoKey(base, tbl, r.ok), id) then
    local nowText = str(now)
    putRow(base, id, rowText(r, 'F', r.n, r.av, nowText, r.le, r.ct, updatedBy, r.lo,
      'EY_KEY_SKIPPED: skipped by ' .. updatedBy .. ' at ' .. isoTime(now) .. '; was: ' .. (r.er or '')))
    redis.call('ZADD', base .. ':f', nowText, id)
    unparkFailed(base, tbl, r.ok)
    dequeueKeyed(base, tbl, r.ok, id)
    done = 1
    break
  end
end
flushRows()
sendWakes(ARGV[1])
return done
