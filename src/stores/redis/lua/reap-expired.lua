-- Expired leases: IN_PROGRESS rows with LEASE_EXPIRES_AT <= now → ERROR (the attempt counted,
-- AVAILABLE_AT = now + retryDelayMs) or FAILED when ATTEMPTS >= MAX_ATTEMPTS; LAST_ERROR names
-- the lost owner: `<prefix>: lease of <owner> expired at <ISO>`, or `<prefix>: again: lease of
-- ...` when the previous LAST_ERROR was such an expiry under another owner (the row may kill
-- its worker: src/core/lease-expiry.ts). At most `limit` over the partitions named by KEYS.
-- A keyed row keeps its place at its key's head (FAILED parks the key).
-- KEYS: the `:n` key of each partition to reap in.
-- ARGV: limit, retryDelayMs, updatedBy, error code prefix (EY_LEASE_LOST).
-- Returns: how many rows were reaped.
--@include keys
--@include now
--@include counts
--@include iso-time
--@include wake
--@include groups
--@include ordering
local now = nowMs()
local left, delay, updatedBy = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local done = 0
for k = 1, #KEYS do
  if left <= 0 then break end
  local base = baseOf(KEYS[k])
  local expired = redis.call('ZRANGE', base .. ':l', '-inf', now, 'BYSCORE', 'LIMIT', 0, left)
  for i = 1, #expired do
    local id = expired[i]
    local mtype = splitRowId(id)
    local key = rowKey(base, id)
    local row = redis.call('HMGET', key, 's', 't', 'n', 'm', 'lo', 'le', 'er', 'ok', 'g')
    redis.call('ZREM', base .. ':l', id)
    if row[1] == 'IN_PROGRESS' then
      local owner = row[5] or '(unknown)'
      local previous = row[7] or ''
      local first, again = ARGV[4] .. ': lease of ', ARGV[4] .. ': again: lease of '
      local repeated = (string.sub(previous, 1, #first) == first or string.sub(previous, 1, #again) == again)
        and string.find(previous, 'lease of ' .. owner .. ' expired at ', 1, true) == nil
      local message = (repeated and again or first) .. owner .. ' expired at ' .. isoTime(tonumber(row[6]))
      redis.call('HSET', key, 'er', message, 'le', '', 'ct', '')
      if row[9] then groupDone(base, row[2], mtype, row[9]) end
      if tonumber(row[3]) >= tonumber(row[4]) then
        setStatus(base, key, row[2], mtype, 'IN_PROGRESS', 'FAILED', updatedBy, now)
        redis.call('ZADD', base .. ':f', now, id)
        if row[8] then parkFailed(base, row[2], row[8], id) end
      else
        setStatus(base, key, row[2], mtype, 'IN_PROGRESS', 'ERROR', updatedBy, now)
        redis.call('HSET', key, 'av', now + delay)
        redis.call('ZADD', base .. ':x', now + delay, id)
      end
      done = done + 1
    end
  end
  left = left - #expired
end
flushCounts()
return done
