-- Retention: deletes COMPLETED and/or FAILED rows whose UPDATED_DTTM < now - olderThanMs,
-- oldest first, at most `limit` over the partitions named by KEYS; then the payload and
-- working data of events left without rows.
-- A FAILED keyed row that is not skipped (it parks its key) is never deleted.
-- KEYS: the `:n` key of each partition to purge in.
-- ARGV: statuses ('COMPLETED', 'FAILED' or 'COMPLETED,FAILED'), olderThanMs, limit.
-- Returns: how many message rows were deleted.
--@include keys
--@include now
--@include counts
--@include batch
--@include row
--@include purge-row
--@include wake
--@include groups
--@include ordering
local cutoff = '(' .. (nowMs() - tonumber(ARGV[2]))
local left = tonumber(ARGV[3])
local indexes = {}
if string.find(ARGV[1], 'COMPLETED', 1, true) then indexes[#indexes + 1] = ':c' end
if string.find(ARGV[1], 'FAILED', 1, true) then indexes[#indexes + 1] = ':f' end
local done = 0
for k = 1, #KEYS do
  local base = baseOf(KEYS[k])
  for _, suffix in ipairs(indexes) do
    if left <= 0 then break end
    local zset = base .. suffix
    -- FAILED rows that still block their ordering key are kept (and stepped over).
    local kept = 0
    while left > 0 do
      local old = redis.call('ZRANGE', zset, '-inf', cutoff, 'BYSCORE', 'LIMIT', kept, left)
      if #old == 0 then break end
      local gone = {}
      for i = 1, #old do
        if suffix == ':f' and blocksKey(base, old[i]) then
          kept = kept + 1
        else
          gone[#gone + 1] = old[i]
          left = left - 1
        end
      end
      -- Out of the index before the next ZRANGE reads it (`kept` skips the rows left in).
      zremNow(zset, gone)
      for i = 1, #gone do done = done + purgeRow(base, gone[i]) end
    end
  end
end
flushRows()
flushIndexes()
flushCounts()
return done
