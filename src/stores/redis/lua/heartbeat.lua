-- Extends leases to now + leaseMs where the claim token still holds.
-- KEYS: the `:n` key of every partition touched.
-- ARGV[1]: leaseMs; ARGV[2]: N; then per lease: base, messageType, eventId, claimToken.
-- Returns: per lease 1 (ok) or 0 (lease lost).
--@include keys
--@include now
--@include row
--@include held
local expires = str(nowMs() + tonumber(ARGV[1]))
local out = {}
for i = 0, tonumber(ARGV[2]) - 1 do
  local a = 3 + i * 4
  local base, mtype, eventId = ARGV[a], ARGV[a + 1], ARGV[a + 2]
  local r = held(base, mtype, eventId, ARGV[a + 3])
  if r then
    local id = rowId(mtype, eventId)
    putRow(base, id, rowText(r, 'I', r.n, r.av, r.ua, expires, r.ct, r.ub, r.lo))
    redis.call('ZADD', base .. ':l', expires, id)
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
flushRows()
return out
