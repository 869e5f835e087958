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
--@include held
--@include wake
--@include groups
--@include ordering
local now = nowMs()
local out = {}
for i = 0, tonumber(ARGV[1]) - 1 do
  local a = 2 + i * 7
  local base, mtype, eventId = ARGV[a], ARGV[a + 1], ARGV[a + 2]
  local key, tbl, okey, g = held(base, mtype, eventId, ARGV[a + 3])
  if key then
    local id = rowId(mtype, eventId)
    local delay = ARGV[a + 6]
    redis.call('ZREM', base .. ':l', id)
    redis.call('HSET', key, 'er', ARGV[a + 5], 'le', '', 'ct', '')
    if g then groupDone(base, tbl, mtype, g) end
    if delay == '' then
      setStatus(base, key, tbl, mtype, 'IN_PROGRESS', 'FAILED', ARGV[a + 4], now)
      redis.call('ZADD', base .. ':f', now, id)
      if okey then parkFailed(base, tbl, okey, id) end
    else
      local av = now + tonumber(delay)
      setStatus(base, key, tbl, mtype, 'IN_PROGRESS', 'ERROR', ARGV[a + 4], now)
      redis.call('HSET', key, 'av', av)
      redis.call('ZADD', base .. ':x', av, id)
    end
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
flushCounts()
return out
