-- Releases claimed-but-unstarted rows, fenced: ATTEMPTS - 1, back to UNPROCESSED (no attempt
-- left counted) or RETRY, lease cleared, claimable at once.
-- KEYS: the `:n` key of every partition touched.
-- ARGV[1]: wake channel prefix; ARGV[2]: updatedBy; ARGV[3]: N; then per lease: base,
--   messageType, eventId, claimToken.
-- Returns: per lease 1 (ok) or 0 (lease lost).
--@include keys
--@include now
--@include counts
--@include held
--@include wake
local now = nowMs()
local out = {}
for i = 0, tonumber(ARGV[3]) - 1 do
  local a = 4 + i * 4
  local base, mtype, eventId = ARGV[a], ARGV[a + 1], ARGV[a + 2]
  local key, tbl = held(base, mtype, eventId, ARGV[a + 3])
  if key then
    local fields = redis.call('HMGET', key, 'n', 'pl')
    local attempts = math.max(0, tonumber(fields[1]) - 1)
    local lead = tonumber(fields[2]) or 0
    local status = attempts == 0 and 'UNPROCESSED' or 'RETRY'
    setStatus(base, key, tbl, mtype, 'IN_PROGRESS', status, ARGV[2], now)
    redis.call('HSET', key, 'n', attempts, 'av', now)
    redis.call('HDEL', key, 'lo', 'le', 'ct')
    redis.call('ZREM', base .. ':l', rowId(mtype, eventId))
    redis.call('ZADD', readyKey(base, tbl, mtype), now - lead, readyMember(eventId, nil, lead))
    markWake(tbl)
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
sendWakes(ARGV[1])
flushCounts()
return out
