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
-- lead, due-ness judged by dueMembers), at most max(64, 2 × limit) groups per call. Cost per
-- group visited: one ZRANGE BYLEX, one HGET, one ZRANGE of at most its free slots.
-- A row whose text does not parse (includes/row.lua) is set aside instead of failing the whole
-- claim: it becomes FAILED with LAST_ERROR `EY_ROW_CORRUPT: ...`, its text kept in the
-- partition's `:rx` hash (includes/set-aside.lua).
-- Returns: now, lease expiry, the number of rows set aside, 1 when the payloads are in the
-- reply (else 0), the rows set aside (`<base> <id>` each), then per claimed row (grouped
-- first, then by ready score): its row id (`<messageType>:<eventId>`), its new text (every
-- field of the row: the client parses it), and its payload|nil when they are in the reply.
-- A claim of more than INLINE_PAYLOADS rows leaves the payloads to the client's own MGET: a
-- payload handed through Lua is copied into a Lua string and out again, about a quarter of
-- a claim's server work per row, which a few rows' round trip outweighs.
-- A keyed row (ORDERING_KEY set) is claimed only while it is its key's head (lua/includes/
-- ordering.lua): one ZRANGE more per keyed row, none for unkeyed rows.
-- Cost per call: one HMGET and one HSET of the rows hash per partition, one ZRANGE per
-- partition and type, one ZREM per ready index, one ZADD per lease index, one INCRBY per
-- partition.
--@include keys
--@include now
--@include counts
--@include batch
--@include row
--@include set-aside
--@include wake
--@include groups
--@include ordering
local tbl, limit, owner, updatedBy = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local leaseMs, mode, ntypes = tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7])
local now = nowMs()
local expires = now + leaseMs
local nowText, expText = str(now), str(expires)
-- A claimable row (UNPROCESSED or RETRY), checked whole (includes/row.lua, ROW_PATTERN):
-- captures its letter, attempts, available at, where <table> starts and its flags, then
-- where the traceparent ends. A row the claim rewrites must parse, so that its holder can.
local CLAIMABLE = '^([UR])(%d+)\31(%-?%d+)\31%-?%d+\31%-?%d*\31[^\31]*\31[^\31]*\31[^\31]*\31()[^\31]+\31([kg]*)\31%-?%d+\31%d+\31%d*\31%d*\31%d*\31[^\31]*\31[^\31]*\31[^\31]*\31[^\31]*()'
-- The claimed rows' UPDATED_BY and LEASE_OWNER, as their texts hold them.
local byOwner = D .. updatedBy .. D .. owner .. D
-- True for a keyed row that is no longer its key's head (an earlier row was re-driven): it
-- only loses its ready entry, and is made ready again when it is head.
local function notHead(base, id, text)
  local okey = parseRow(text).ok
  return okey and not isHead(base, tbl, okey, id)
end
-- The claimed rows, in claim order: row id, event id, new text, partition, order (the
-- candidate's place across partitions, or false).
local cId, cEvent, cText, cBase, cOrder = {}, {}, {}, {}, {}
-- Claims of at most this many rows return their payloads (see the end).
local INLINE_PAYLOADS = 4
local nClaimed = 0
local setAside = {}
-- Claim tokens `<partition>.<batch>.<j>`: one INCRBY per partition and batch numbers the
-- batch, and its j-th row's token adds j, written as digits by string.char below 100: a
-- number turned into text (sprintf %.14g) costs several times that, once per claimed row.
-- Tokens of earlier releases (`<partition>.<n>`, one dot) never equal these.
local function batchTokenPrefix(base)
  return string.match(base, ':(%d+)}$') .. '.' .. redis.call('INCRBY', base .. ':k', 1) .. '.'
end
local function tokenSuffix(j)
  if j < 10 then return string.char(48 + j) end
  if j < 100 then
    local d = j % 10
    return string.char(48 + (j - d) / 10, 48 + d)
  end
  return tostring(j)
end
-- ATTEMPTS + 1 for the common counts, looked up (nextAttempt for the rest).
local NEXT = { ['0'] = '1', ['1'] = '2', ['2'] = '3', ['3'] = '4', ['4'] = '5', ['5'] = '6', ['6'] = '7', ['7'] = '8',
  ['8'] = '9' }
-- Claims rows of one type taken off one queue (its ready index or a group's queue) of one
-- partition: `members` from the queue, `orders` their places across partitions or nil. One
-- ZREM takes them off the queue, one HMGET reads their rows, one HSET writes the claimed
-- ones and one ZADD leases them. Returns how many were claimed; the others were not
-- claimable after all (set aside, moved meanwhile, or a keyed row not its key's head).
local function claimBatch(base, mtype, queue, members, orders)
  zremNow(queue, members)
  local ids, events = {}, {}
  for j = 1, #members do
    local eventId = eventOfMember(members[j])
    events[j], ids[j] = eventId, mtype .. ':' .. eventId
  end
  local texts = getRowTexts(base, ids)
  local sets, leases = {}, { '+inf', INDEX_ANCHOR }
  local fromU, fromR = 0, 0
  local prefix, token = batchTokenPrefix(base), 0
  -- A keyed row may be in its queue twice (made head, then not, then head again, before a
  -- claim came by): its texts are read before any is written, so its second entry is
  -- dropped here (the ZREM took both). Only keyed rows can be, so only they (and the rare
  -- row set aside) are remembered.
  local keyedSeen, asideSeen
  for j = 1, #ids do
    local id, text = ids[j], texts[j]
    local S, n, av, pT, flags, pEnd
    if text then S, n, av, pT, flags, pEnd = string.match(text, CLAIMABLE) end
    if S and pEnd <= #text and string.byte(text, pEnd) ~= 31 then S = nil end
    if text and not S then
      local letter = string.sub(text, 1, 1)
      if letter ~= 'I' and letter ~= 'C' and letter ~= 'E' and letter ~= 'F' and not (asideSeen and asideSeen[id]) then
        -- Claimable by its letter (or by none), and it does not parse: set aside.
        asideSeen = asideSeen or {}
        asideSeen[id] = true
        setAsideCorrupt(base, id, tbl, mtype, text, updatedBy, now)
        setAside[#setAside + 1] = base .. ' ' .. id
      end
    elseif S and flags ~= '' and string.find(flags, 'k', 1, true) then
      keyedSeen = keyedSeen or {}
      if keyedSeen[id] or notHead(base, id, text) then S = nil end
      keyedSeen[id] = true
    end
    if S then
      token = token + 1
      local new = 'I' .. (NEXT[n] or nextAttempt(n)) .. D .. av .. D .. nowText .. D .. expText .. D .. prefix ..
        tokenSuffix(token) .. byOwner .. string.sub(text, pT)
      sets[#sets + 1] = id
      sets[#sets + 1] = new
      leases[#leases + 1] = expText
      leases[#leases + 1] = id
      if S == 'U' then fromU = fromU + 1 else fromR = fromR + 1 end
      nClaimed = nClaimed + 1
      cId[nClaimed], cEvent[nClaimed], cText[nClaimed] = id, events[j], new
      cBase[nClaimed], cOrder[nClaimed] = base, orders and orders[j]
    end
  end
  local taken = fromU + fromR
  if taken > 0 then
    for i = 1, #sets, 1000 do redis.call('HSET', rowsKey(base), unpack(sets, i, math.min(i + 999, #sets))) end
    for i = 1, #leases, 1000 do redis.call('ZADD', base .. ':l', unpack(leases, i, math.min(i + 999, #leases))) end
    if fromU > 0 then count(base, tbl, mtype, 'UNPROCESSED', -fromU) end
    if fromR > 0 then count(base, tbl, mtype, 'RETRY', -fromR) end
    count(base, tbl, mtype, 'IN_PROGRESS', taken)
  end
  return taken
end

if mode ~= 'plain' then
  local maxVisits = math.max(64, 2 * limit)
  for k = 1, #KEYS do
    local base = baseOf(KEYS[k])
    for i = 1, ntypes do
      if nClaimed >= limit then break end
      local mtype, maxInFlight = ARGV[6 + 2 * i], tonumber(ARGV[7 + 2 * i])
      local gs = groupSetKey(base, tbl, mtype)
      if redis.call('EXISTS', gs) == 1 then
        local gi = groupInFlightKey(base, tbl, mtype)
        local gc = base .. ':gc:' .. tbl .. ':' .. mtype
        local cursor = redis.call('GET', gc) or ''
        local first, wrapped = nil, false
        for _ = 1, maxVisits do
          if nClaimed >= limit then break end
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
          local free = limit - nClaimed
          if maxInFlight >= 0 then free = math.min(free, maxInFlight - (tonumber(redis.call('HGET', gi, grp)) or 0)) end
          if free > 0 then
            local gq = groupQueueKey(base, tbl, mtype, grp)
            -- its due members, smallest claim key first (a prioritized row ahead)
            local members = dueMembers(gq, now, free)
            if #members > 0 then
              local taken = claimBatch(base, mtype, gq, members, nil)
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

local left = limit - nClaimed
if mode ~= 'groups' and left > 0 and #KEYS * ntypes == 1 then
  -- One ready index (one partition, one type): its due rows in score order, as they come.
  local base, mtype = baseOf(KEYS[1]), ARGV[8]
  local queue = readyKey(base, tbl, mtype)
  local members = dueMembers(queue, now, left)
  if #members > 0 then claimBatch(base, mtype, queue, members, nil) end
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
  table.sort(candidates, function(x, y)
    if x[1] ~= y[1] then return x[1] < y[1] end
    if x[2] ~= y[2] then return x[2] < y[2] end
    return x[3] < y[3]
  end)
  -- The first `left` candidates, one batch per partition and type, then back in claim order.
  local batches, order = {}, {}
  for c = 1, math.min(left, #candidates) do
    local member, mtype, base = candidates[c][2], candidates[c][3], candidates[c][4]
    local key = base .. ' ' .. mtype
    local b = batches[key]
    if not b then
      b = { base, mtype, {}, {} }
      batches[key] = b
      order[#order + 1] = key
    end
    b[3][#b[3] + 1] = member
    b[4][#b[4] + 1] = c
  end
  local first = nClaimed + 1
  for _, key in ipairs(order) do
    local b = batches[key]
    claimBatch(b[1], b[2], readyKey(b[1], tbl, b[2]), b[3], b[4])
  end
  if #order > 1 then
    local idx = {}
    for i = first, nClaimed do idx[#idx + 1] = i end
    table.sort(idx, function(x, y) return cOrder[x] < cOrder[y] end)
    local t, e, x, b = {}, {}, {}, {}
    for i, at in ipairs(idx) do t[i], e[i], x[i], b[i] = cId[at], cEvent[at], cText[at], cBase[at] end
    for i = 1, #idx do
      local at = first + i - 1
      cId[at], cEvent[at], cText[at], cBase[at] = t[i], e[i], x[i], b[i]
    end
  end
end
flushRows()
flushIndexes()
flushCounts()
-- A claim of a few rows (a worker keeping up, where latency counts) returns their payloads
-- itself: the round trip of a separate MGET would cost more than the copies. A larger one
-- leaves them to the client's MGET.
local inline = nClaimed <= INLINE_PAYLOADS
local out = { now, expires, #setAside, inline and 1 or 0 }
for i = 1, #setAside do out[#out + 1] = setAside[i] end
local payloads = {}
if inline and nClaimed > 0 then
  local keys = {}
  for i = 1, nClaimed do keys[i] = cBase[i] .. ':p:' .. cEvent[i] end
  payloads = redis.call('MGET', unpack(keys))
end
for i = 1, nClaimed do
  out[#out + 1] = cId[i]
  out[#out + 1] = cText[i]
  if inline then out[#out + 1] = payloads[i] end
end
return out
