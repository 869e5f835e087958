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
--@include row
--@include iso-time
--@include wake
--@include groups
--@include ordering
local now = nowMs()
local nowText = str(now)
local left, delay, updatedBy = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local done = 0
for k = 1, #KEYS do
  if left <= 0 then break end
  local base = baseOf(KEYS[k])
  local expired = redis.call('ZRANGE', base .. ':l', '-inf', now, 'BYSCORE', 'LIMIT', 0, left)
  for i = 1, #expired do
    local id = expired[i]
    local mtype = splitRowId(id)
    local r = getRow(base, id)
    redis.call('ZREM', base .. ':l', id)
    if r and r.S == 'I' then
      local owner = r.lo or '(unknown)'
      local previous = r.er or ''
      local first, again = ARGV[4] .. ': lease of ', ARGV[4] .. ': again: lease of '
      local repeated = (string.sub(previous, 1, #first) == first or string.sub(previous, 1, #again) == again)
        and string.find(previous, 'lease of ' .. owner .. ' expired at ', 1, true) == nil
      local message = (repeated and again or first) .. owner .. ' expired at ' .. isoTime(tonumber(r.le))
      local tbl = r.t
      if r.g then groupDone(base, tbl, mtype, r.g) end
      if tonumber(r.n) >= tonumber(r.m) then
        putRow(base, id, rowText(r, 'F', r.n, r.av, nowText, '', '', updatedBy, r.lo, message))
        moved(base, tbl, mtype, 'IN_PROGRESS', 'FAILED')
        redis.call('ZADD', base .. ':f', nowText, id)
        if r.ok then parkFailed(base, tbl, r.ok, id) end
      else
        local av = str(now + delay)
        putRow(base, id, rowText(r, 'E', r.n, av, nowText, '', '', updatedBy, r.lo, message))
        moved(base, tbl, mtype, 'IN_PROGRESS', 'ERROR')
        redis.call('ZADD', base .. ':x', av, id)
      end
      done = done + 1
    end
  end
  left = left - #expired
end
flushRows()
flushCounts()
return done
