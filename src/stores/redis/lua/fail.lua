-- Fails claimed rows, fenced by the claim token: IN_PROGRESS → ERROR (AVAILABLE_AT = now +
-- retryDelayMs, for the retry mechanism) or → FAILED when retryDelayMs is ''.
-- KEYS: the `:n` key of every partition touched.
-- ARGV[1]: N; then per request: base, messageType, eventId, claimToken, updatedBy, error,
--   retryDelayMs ('' = FAILED).
-- A keyed row stays its key's head either way: ERROR holds the key, FAILED parks it.
-- Returns: per request 1 (ok) or 0 (lease lost).
--@include keys
--@include now
--@include counts
--@include row
--@include held
--@include wake
--@include groups
--@include ordering
local now = nowMs()
local nowText = str(now)
local out = {}
for i = 0, tonumber(ARGV[1]) - 1 do
  local a = 2 + i * 7
  local base, mtype, eventId = ARGV[a], ARGV[a + 1], ARGV[a + 2]
  local r = held(base, mtype, eventId, ARGV[a + 3])
  if r then
    local id = rowId(mtype, eventId)
    local tbl, delay, by, error = r.t, ARGV[a + 6], ARGV[a + 4], ARGV[a + 5]
    redis.call('ZREM', base .. ':l', id)
    if r.g then groupDone(base, tbl, mtype, r.g) end
    if delay == '' then
      putRow(base, id, rowText(r, 'F', r.n, r.av, nowText, '', '', by, r.lo, error))
      moved(base, tbl, mtype, 'IN_PROGRESS', 'FAILED')
      redis.call('ZADD', base .. ':f', nowText, id)
      if r.ok then parkFailed(base, tbl, r.ok, id) end
    else
      local av = str(now + tonumber(delay))
      putRow(base, id, rowText(r, 'E', r.n, av, nowText, '', '', by, r.lo, error))
      moved(base, tbl, mtype, 'IN_PROGRESS', 'ERROR')
      redis.call('ZADD', base .. ':x', av, id)
    end
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
flushRows()
flushCounts()
return out
