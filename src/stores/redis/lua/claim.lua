-- Claims up to `limit` claimable rows (UNPROCESSED or RETRY with AVAILABLE_AT <= now) of the
-- given types, smallest ready score first (AVAILABLE_AT − priority lead: oldest AVAILABLE_AT
-- when no priorities; then first claimable first) across the partitions
-- named by KEYS: each becomes IN_PROGRESS with ATTEMPTS + 1, a new claim token, LEASE_OWNER
-- and a lease to now + leaseMs.
-- KEYS: the `:n` key of each partition to claim from (one on Redis Cluster, where the store
--       picks each partition's quota from peek-ready first).
-- ARGV: table, limit, owner, updatedBy, leaseMs, mode, typeCount, then per type: type,
--   maxInFlight (-1: no group limit). mode 'all': grouped rows first, then the others up to
--   the limit; 'groups': grouped rows only; 'plain': ungrouped rows only (Redis Cluster
--   claims grouped rows and the others in separate calls).
-- Grouped rows (includes/groups.lua): per type, the groups of its group set are visited
-- BYLEX from the type's cursor `{p}:gc:<table>:<TYPE>` (the last group served, shared by
-- every claimer), wrapping around once; each gets its oldest rows up to its free slots
-- (maxInFlight minus its `gi` count), smallest claim key first (AVAILABLE_AT − priority
-- lead, due-ness judged by dueReady), at most max(64, 2 × limit) groups per call. Cost per
-- group visited: one ZRANGE BYLEX, one HGET, one ZRANGE of at most its free slots.
-- A row that cannot be decoded (its key holds another type, or attempts, created-at, max
-- attempts or available-at is not a number, or created-by is missing) is set aside instead
-- of failing the whole claim: it becomes FAILED with LAST_ERROR `EY_ROW_CORRUPT: ...` (the raw
-- hash fields kept in field `xr` as JSON; a value of another type is renamed to
-- `<base>:c:<row id>` and replaced by a FAILED row hash).
-- Returns: now, lease expiry, the number of rows set aside and their row ids (`<base> <id>`),
-- then per claimed row (grouped first, then by ready score), 14 values: messageType,
-- eventId, attempts, claimToken, createdBy, createdAt, maxAttempts, availableAt,
-- lastError|nil, orderingKey|nil, traceparent|nil, groupKey|nil, priority|nil, payload|nil.
-- (The fields the claim set, status, owner, updatedBy, updatedAt, and the table it was asked
-- for, the caller knows: the reply stays small. Each value sent back costs the script about
-- as much as a short string operation.)
-- A keyed row (ORDERING_KEY set) is claimed only while it is its key's head (lua/includes/
-- ordering.lua): one ZRANGE more per keyed row, none for unkeyed rows.
-- Cost per row: HMGET + HSET; per call: one ZRANGE per partition and type, one ZREM per
-- ready index, one ZADD per lease index, one INCRBY and one MGET per partition.
--@include keys
--@include now
--@include counts
--@include batch
--@include set-aside
--@include wake
--@include groups
--@include ordering
local tbl, limit, owner, updatedBy = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local leaseMs, mode, ntypes = tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7])
local now = nowMs()
local expires = now + leaseMs
local claimed = {}
local setAside = {}
local nextToken, tokenPrefix = {}, {}
-- Claims one candidate taken off `queue` (its ready index or group queue); false when the
-- row was not claimable after all (set aside, or moved meanwhile).
local function claimRow(base, mtype, member, queue, g)
  local eventId = eventOfMember(member)
  local id = rowId(mtype, eventId)
  local key = rowKey(base, id)
  queueZrem(queue, member)
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
      if row[8] then parkFailed(base, tbl, row[8], id) end
      setAside[#setAside + 1] = base .. ' ' .. id
      status = nil
    elseif row[8] and (status == 'UNPROCESSED' or status == 'RETRY') and not isHead(base, tbl, row[8], id) then
      -- A keyed row that is no longer its key's head (an earlier row was re-driven): its
      -- ready entry goes; the row is made ready again when it is head.
      status = nil
    end
  end
  if status ~= 'UNPROCESSED' and status ~= 'RETRY' then return false end
  local token = tokenPrefix[base] .. nextToken[base]
  nextToken[base] = nextToken[base] + 1
  redis.call('HSET', key, 's', 'IN_PROGRESS', 'ub', updatedBy, 'ua', str(now), 'n', str(attempts + 1), 'lo', owner,
    'le', str(expires), 'ct', token)
  count(base, tbl, mtype, status, -1)
  count(base, tbl, mtype, 'IN_PROGRESS', 1)
  queueZadd(base .. ':l', str(expires), id)
  row[1], row[2] = mtype, eventId
  claimed[#claimed + 1] = { row, attempts + 1, token, base .. ':p:' .. eventId, g or false }
  return true
end
-- Claim tokens `<partition>.<n>`: one INCRBY per partition and batch reserves a range.
local function reserveTokens(base, n)
  nextToken[base] = redis.call('INCRBY', base .. ':k', n) - n + 1
  tokenPrefix[base] = string.match(base, ':(%d+)}$') .. '.'
end

if mode ~= 'plain' then
  local maxVisits = math.max(64, 2 * limit)
  for k = 1, #KEYS do
    local base = baseOf(KEYS[k])
    for i = 1, ntypes do
      if #claimed >= limit then break end
      local mtype, maxInFlight = ARGV[6 + 2 * i], tonumber(ARGV[7 + 2 * i])
      local gs = groupSetKey(base, tbl, mtype)
      if redis.call('EXISTS', gs) == 1 then
        local gi = groupInFlightKey(base, tbl, mtype)
        local gc = base .. ':gc:' .. tbl .. ':' .. mtype
        local cursor = redis.call('GET', gc) or ''
        local first, wrapped = nil, false
        for _ = 1, maxVisits do
          if #claimed >= limit then break end
          local from = cursor == '' and '-' or ('(' .. cursor)
          local grp = redis.call('ZRANGE', gs, from, '+', 'BYLEX', 'LIMIT', 0, 1)[1]
          if not grp then
            if wrapped or cursor == '' then break end
            wrapped = true
            grp = redis.call('ZRANGE', gs, '-', '+', 'BYLEX', 'LIMIT', 0, 1)[1]
            if not grp then break end
          end
          if wrapped and first and grp >= first then break end
          first = first or grp
          cursor = grp
          local free = limit - #claimed
          if maxInFlight >= 0 then free = math.min(free, maxInFlight - (tonumber(redis.call('HGET', gi, grp)) or 0)) end
          if free > 0 then
            local gq = groupQueueKey(base, tbl, mtype, grp)
            -- score, member pairs, smallest claim key first (a prioritized row ahead)
            local hits = dueReady(gq, now, free)
            if #hits > 0 then
              reserveTokens(base, #hits / 2)
              local taken = 0
              for j = 1, #hits, 2 do
                if claimRow(base, mtype, hits[j + 1], gq, grp) then taken = taken + 1 end
              end
              flushIndexes()
              if taken > 0 then redis.call('HINCRBY', gi, grp, taken) end
              if redis.call('ZCARD', gq) == 0 then redis.call('ZREM', gs, grp) end
            end
          end
        end
        if cursor ~= '' then redis.call('SET', gc, cursor) end
      end
    end
  end
end

local left = limit - #claimed
if mode ~= 'groups' and left > 0 and #KEYS * ntypes == 1 then
  -- One ready index (one partition, one type): its due rows in score order, as they come.
  local base, mtype = baseOf(KEYS[1]), ARGV[8]
  local queue = readyKey(base, tbl, mtype)
  local hits = dueReady(queue, now, left)
  if #hits > 0 then
    reserveTokens(base, #hits / 2)
    for j = 2, #hits, 2 do claimRow(base, mtype, hits[j], queue, false) end
  end
elseif mode ~= 'groups' and left > 0 then
  local candidates = {}
  for k = 1, #KEYS do
    local base = baseOf(KEYS[k])
    for i = 1, ntypes do
      local mtype = ARGV[6 + 2 * i]
      local hits = dueReady(readyKey(base, tbl, mtype), now, left)
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
  local take = math.min(left, #candidates)
  local perBase = {}
  for c = 1, take do
    local base = candidates[c][4]
    perBase[base] = (perBase[base] or 0) + 1
  end
  for base, n in pairs(perBase) do reserveTokens(base, n) end
  for c = 1, take do
    local member, mtype, base = candidates[c][2], candidates[c][3], candidates[c][4]
    claimRow(base, mtype, member, readyKey(base, tbl, mtype), false)
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
    out[n + 1], out[n + 2], out[n + 3], out[n + 4] = row[1], row[2], claimed[j][2], claimed[j][3]
    for f = 3, 9 do out[n + 2 + f] = row[f] end
    out[n + 12] = claimed[j][5]
    out[n + 13] = row[10]
    out[n + 14] = payloads[j - i + 1]
    n = n + 14
  end
end
return out
