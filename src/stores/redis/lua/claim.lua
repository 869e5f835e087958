-- Claims up to `limit` claimable rows (UNPROCESSED or RETRY with AVAILABLE_AT <= now) of the
-- given types, smallest ready score first (AVAILABLE_AT − priority lead: oldest AVAILABLE_AT
-- when no priorities; then first claimable first) across the partitions
-- named by KEYS: each becomes IN_PROGRESS with ATTEMPTS + 1, a new claim token, LEASE_OWNER
-- and a lease to now + leaseMs.
-- KEYS: the `:n` key of each partition to claim from (one on Redis Cluster, where the store
--       picks each partition's quota from peek-ready first).
-- ARGV: table, limit, owner, updatedBy, leaseMs, typeCount, type...
-- A row that cannot be decoded (its key holds another type, or attempts, created-at, max
-- attempts or available-at is not a number, or created-by is missing) is set aside instead
-- of failing the whole claim: it becomes FAILED with LAST_ERROR `EY_ROW_CORRUPT: ...` (the raw
-- hash fields kept in field `xr` as JSON; a value of another type is renamed to
-- `<base>:c:<row id>` and replaced by a FAILED row hash).
-- Returns: now, lease expiry, the number of rows set aside and their row ids (`<base> <id>`),
-- then per claimed row, in claim order, 14 values: messageType,
-- eventId, attempts, claimToken, table, createdBy, createdAt, maxAttempts, availableAt,
-- lastError|nil, orderingKey|nil, traceparent|nil, priority|nil, payload|nil. (The fields the claim set,
-- status, owner, updatedBy, updatedAt, the caller knows: the reply stays small.)
-- Cost per row: HMGET + HSET; per call: one ZRANGE per partition and type, one ZREM per
-- ready index, one ZADD per lease index, one INCRBY and one MGET per partition.
--@include keys
--@include now
--@include counts
--@include batch
--@include set-aside
local tbl, limit, owner, updatedBy = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local leaseMs, ntypes = tonumber(ARGV[5]), tonumber(ARGV[6])
local now = nowMs()
local candidates = {}
for k = 1, #KEYS do
  local base = baseOf(KEYS[k])
  for i = 1, ntypes do
    local mtype = ARGV[6 + i]
    local hits = dueReady(readyKey(base, tbl, mtype), now, limit)
    for j = 1, #hits, 2 do
      candidates[#candidates + 1] = { tonumber(hits[j]), hits[j + 1], mtype, base }
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
local take = math.min(limit, #candidates)
-- Claim tokens `<partition>.<n>`: one INCRBY per partition reserves a range.
local perBase = {}
for c = 1, take do
  local base = candidates[c][4]
  perBase[base] = (perBase[base] or 0) + 1
end
local nextToken, tokenPrefix = {}, {}
for base, n in pairs(perBase) do
  nextToken[base] = redis.call('INCRBY', base .. ':k', n) - n + 1
  tokenPrefix[base] = string.match(base, ':(%d+)}$') .. '.'
end
local expires = now + leaseMs
local claimed = {}
local setAside = {}
for c = 1, take do
  local member, mtype, base = candidates[c][2], candidates[c][3], candidates[c][4]
  local eventId = eventOfMember(member)
  local id = rowId(mtype, eventId)
  local key = rowKey(base, id)
  queueZrem(readyKey(base, tbl, mtype), member)
  -- The row's table is not read: the ready index it came from is the table's own.
  local row = redis.pcall('HMGET', key, 's', 'n', 'cb', 'ca', 'm', 'av', 'er', 'ok', 'tp', 'pr')
  local status, attempts
  if row.err then
    setAsideWrongType(base, key, id, tbl, mtype, updatedBy, now)
    setAside[#setAside + 1] = base .. ' ' .. id
    status = nil
  else
    status, attempts = row[1], tonumber(row[2])
    if (status == 'UNPROCESSED' or status == 'RETRY')
      and not (attempts and tonumber(row[4]) and tonumber(row[5]) and tonumber(row[6]) and row[3]) then
      setAsideBadFields(base, key, id, tbl, mtype, status, row, updatedBy, now)
      setAside[#setAside + 1] = base .. ' ' .. id
      status = nil
    end
  end
  if status == 'UNPROCESSED' or status == 'RETRY' then
    local token = tokenPrefix[base] .. nextToken[base]
    nextToken[base] = nextToken[base] + 1
    redis.call('HSET', key, 's', 'IN_PROGRESS', 'ub', updatedBy, 'ua', now, 'n', attempts + 1, 'lo', owner,
      'le', expires, 'ct', token)
    count(base, tbl, mtype, status, -1)
    count(base, tbl, mtype, 'IN_PROGRESS', 1)
    queueZadd(base .. ':l', expires, id)
    row[1], row[2] = mtype, eventId
    claimed[#claimed + 1] = { row, attempts + 1, token, base .. ':p:' .. eventId }
  end
end
flushIndexes()
flushCounts()
local out = { now, expires, #setAside }
for i = 1, #setAside do out[#out + 1] = setAside[i] end
local n = #out
for i = 1, #claimed, 200 do
  local keys = {}
  for j = i, math.min(i + 199, #claimed) do keys[#keys + 1] = claimed[j][4] end
  local payloads = redis.call('MGET', unpack(keys))
  for j = i, math.min(i + 199, #claimed) do
    local row = claimed[j][1]
    out[n + 1], out[n + 2], out[n + 3], out[n + 4], out[n + 5] = row[1], row[2], claimed[j][2], claimed[j][3], tbl
    for f = 3, 10 do out[n + 3 + f] = row[f] end
    out[n + 14] = payloads[j - i + 1]
    n = n + 14
  end
end
return out
