-- Claims up to `limit` claimable rows (UNPROCESSED or RETRY with AVAILABLE_AT <= now) of the
-- given types, oldest AVAILABLE_AT first (then first claimable first) across the partitions named by KEYS: each becomes
-- IN_PROGRESS with ATTEMPTS + 1, a new claim token, LEASE_OWNER and a lease to now + leaseMs.
-- KEYS: the `:n` key of each partition to claim from (one on Redis Cluster, where the store
--       picks each partition's quota from peek-ready first).
-- ARGV: table, limit, owner, updatedBy, leaseMs, typeCount, type...
-- Returns: per claimed row, oldest first: messageType, eventId, HGETALL of the row, payload|nil.
--@include keys
--@include now
--@include counts
local tbl, limit, owner, updatedBy = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local leaseMs, ntypes = tonumber(ARGV[5]), tonumber(ARGV[6])
local now = nowMs()
local candidates = {}
for k = 1, #KEYS do
  local base = baseOf(KEYS[k])
  for i = 1, ntypes do
    local mtype = ARGV[6 + i]
    local hits = redis.call('ZRANGE', readyKey(base, tbl, mtype), '-inf', now, 'BYSCORE', 'LIMIT', 0, limit, 'WITHSCORES')
    for j = 1, #hits, 2 do
      candidates[#candidates + 1] = { tonumber(hits[j + 1]), hits[j], mtype, base }
    end
  end
end
if #KEYS * ntypes > 1 then
  table.sort(candidates, function(x, y)
    if x[1] ~= y[1] then return x[1] < y[1] end
    if x[2] ~= y[2] then return x[2] < y[2] end
    return x[3] < y[3]
  end)
end
local out = {}
local expires = now + leaseMs
for c = 1, math.min(limit, #candidates) do
  local member, mtype, base = candidates[c][2], candidates[c][3], candidates[c][4]
  local eventId = eventOfMember(member)
  local id = rowId(mtype, eventId)
  local key = rowKey(base, id)
  redis.call('ZREM', readyKey(base, tbl, mtype), member)
  local row = redis.call('HMGET', key, 's', 'n')
  if row[1] == 'UNPROCESSED' or row[1] == 'RETRY' then
    local token = string.match(base, ':(%d+)}$') .. '.' .. redis.call('INCR', base .. ':k')
    setStatus(base, key, tbl, mtype, row[1], 'IN_PROGRESS', updatedBy, now)
    redis.call('HSET', key, 'n', tonumber(row[2]) + 1, 'lo', owner, 'le', expires, 'ct', token)
    redis.call('ZADD', base .. ':l', expires, id)
    out[#out + 1] = mtype
    out[#out + 1] = eventId
    out[#out + 1] = redis.call('HGETALL', key)
    out[#out + 1] = redis.call('GET', base .. ':p:' .. eventId)
  end
end
return out
