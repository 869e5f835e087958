-- Extends leases to now + leaseMs where the claim token still holds.
-- KEYS: the `:n` key of every partition touched.
-- ARGV[1]: leaseMs; ARGV[2]: N; then per lease: base, messageType, eventId, claimToken.
-- Returns: per lease 1 (ok) or 0 (lease lost).
--@include keys
--@include now
--@include held
local expires = nowMs() + tonumber(ARGV[1])
local out = {}
for i = 0, tonumber(ARGV[2]) - 1 do
  local a = 3 + i * 4
  local base, mtype, eventId = ARGV[a], ARGV[a + 1], ARGV[a + 2]
  local key = held(base, mtype, eventId, ARGV[a + 3])
  if key then
    redis.call('HSET', key, 'le', str(expires))
    redis.call('ZADD', base .. ':l', str(expires), rowId(mtype, eventId))
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
