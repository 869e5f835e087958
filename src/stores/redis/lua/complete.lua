-- Completes claimed rows, each with its emits and working data, as one atomic write per
-- request; a request whose claim token no longer holds writes nothing.
-- KEYS: the `:n` key of every partition touched (on Redis Cluster: the one partition of the
--       completed rows; emits to other partitions go to its outbox `:o`, relayed after).
-- ARGV[1]: wake channel prefix; ARGV[2]: retainMs (-1 = keep); ARGV[3]: retainMax per
--   partition (0 = no cap); ARGV[4]: N requests; ARGV[5], ARGV[6]: the call's usual base and
--   updatedBy; ARGV[7]: R, the runs of plain requests that follow, each: messageType, n, then
--   n × (row id, claimToken). A plain request is the common completion (the usual base and
--   updatedBy, no emits, no working data): two arguments per row. Then the other requests,
--   each: messageType, eventId, claimToken, base, updatedBy, emitCount, workingDataCount,
--   then each emit: 's', messageType, table, maxAttempts, createdBy for a plain follow-up of
--   the request's own event in its partition, due now, without a payload (the common emit);
--   'd' + its message record (includes/insert.lua, readMessage) for any other; or 'o' +
--   outbox field + JSON; then each working-data write: 'e', name, value for the request's own
--   event in its partition; 'd', base, eventId, name, value for another; or 'o', outbox
--   field, JSON.
-- A keyed row leaves its key's FIFO; the next row of the key becomes claimable.
-- Returns: per request, plain ones first, in the order given: 1 (ok) or 0 (lease lost).
-- Cost per call: one HMGET and one HSET of the rows hash per partition, one ZREM, one ZADD,
-- one HINCRBY per count field.
--@include keys
--@include now
--@include counts
--@include batch
--@include row
--@include wake
--@include groups
--@include ordering
--@include insert
--@include purge-row
--@include retention
local now = nowMs()
local nowText = str(now)
local retainMs, retainMax = tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {}
local completedIn = {}
-- Per partition: its lease and completed index keys, built once per call, not once per row.
local indexKeys = {}
local usualBase, usualBy = ARGV[5], ARGV[6]
-- A held row (IN_PROGRESS) as a completion reads it: attempts, available at, claim token,
-- where the lease owner starts, table, flags (includes/row.lua, ROW_PATTERN).
local HELD = '^I(%d+)\31(%-?%d+)\31%-?%d+\31%-?%d*\31([^\31]*)\31[^\31]*\31()[^\31]*\31([^\31]+)\31([kg]*)\31'
-- Counts of a run of completions of one (partition, table, type): one count() per run.
local runBase, runTbl, runType, runN = nil, nil, nil, 0
local function endRun()
  if runN > 0 then
    count(runBase, runTbl, runType, 'IN_PROGRESS', -runN)
    count(runBase, runTbl, runType, 'COMPLETED', runN)
  end
  runN = 0
end
-- Completes row `id` (text `text` as read, nil when absent) of partition `base` when it is
-- still held under `token`; true when it was.
local function completeRow(base, id, mtype, token, updatedBy, text)
  local n, av, ct, pLo, tbl, flags
  if text then n, av, ct, pLo, tbl, flags = string.match(text, HELD) end
  if n == nil or ct ~= token then return false end
  local okey, g
  if flags ~= '' then
    local row = parseRow(text)
    okey, g = row and row.ok, row and row.g
  end
  if okey then dequeueKeyed(base, tbl, okey, id) end
  -- The lease owner stays (LEASE_OWNER reads as the last holder), expiry and token go.
  putRow(base, id, 'C' .. n .. D .. av .. D .. nowText .. D .. D .. D .. updatedBy .. D .. string.sub(text, pLo))
  if base ~= runBase or tbl ~= runTbl or mtype ~= runType then
    endRun()
    runBase, runTbl, runType = base, tbl, mtype
  end
  runN = runN + 1
  if g then groupDone(base, tbl, mtype, g) end
  local keys = indexKeys[base]
  if not keys then
    keys = { base .. ':l', base .. ':c' }
    indexKeys[base] = keys
  end
  queueZrem(keys[1], id)
  queueZadd(keys[2], nowText, id)
  completedIn[base] = (completedIn[base] or 0) + 1
  return true
end
-- The plain requests: their rows read with one HMGET before anything is written, then
-- completed in the order given.
local a = 8
do
  local ids, tokens, types = {}, {}, {}
  for _ = 1, tonumber(ARGV[7]) do
    local mtype = ARGV[a]
    local last = a + 2 * tonumber(ARGV[a + 1])
    for i = a + 2, last, 2 do
      local k = #ids + 1
      ids[k], tokens[k], types[k] = ARGV[i], ARGV[i + 1], mtype
    end
    a = last + 2
  end
  local texts = getRowTexts(usualBase, ids)
  local w = rowWrites[usualBase]
  for k = 1, #ids do
    local id, text = ids[k], texts[k]
    -- A row named twice in the call: its second request reads what the first wrote.
    if w and w[id] ~= nil then text = w[id] or nil end
    out[k] = completeRow(usualBase, id, types[k], tokens[k], usualBy, text) and 1 or 0
    w = rowWrites[usualBase]
  end
end
-- The other requests, each with its own partition, updatedBy, emits and working data.
for _ = #out + 1, tonumber(ARGV[4]) do
  local mtype, eventId, token, base, updatedBy = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
  local nEmits, nData = tonumber(ARGV[a + 5]), tonumber(ARGV[a + 6])
  a = a + 7
  local id = mtype .. ':' .. eventId
  local ok = completeRow(base, id, mtype, token, updatedBy, getRowText(base, id))
  for _ = 1, nEmits do
    local kind = ARGV[a]
    if kind == 's' then
      if ok then
        local tblOf = ARGV[a + 2]
        if insertMessage(base, eventId, ARGV[a + 1], tblOf, false, ARGV[a + 3], 0, '', '', ARGV[a + 4], now, '', true, '',
            '', 0, 0) == 1 then
          markWake(tblOf)
        end
      end
      a = a + 5
    elseif kind == 'd' then
      local mbase, eventIdOf, mtypeOf, tblOf, payload, maxAttempts, delay, okeyOf, tp, createdBy, fifoTag, gOf, failure,
        prio, lead, after = readMessage(a + 1)
      if ok then
        local created, status = insertMessage(mbase, eventIdOf, mtypeOf, tblOf, payload, maxAttempts, delay, okeyOf, tp,
          createdBy, now, fifoTag, true, gOf, failure, prio, lead)
        if created == 1 and delay <= 0 and status ~= 'FAILED' then markWake(tblOf) end
      end
      a = after
    else
      if ok then redis.call('HSET', base .. ':o', ARGV[a + 1], ARGV[a + 2]) end
      a = a + 3
    end
  end
  for _ = 1, nData do
    local kind = ARGV[a]
    if kind == 'e' then
      if ok then redis.call('HSET', base .. ':e:' .. eventId, 'w:' .. ARGV[a + 1], ARGV[a + 2]) end
      a = a + 3
    elseif kind == 'd' then
      if ok then redis.call('HSET', ARGV[a + 1] .. ':e:' .. ARGV[a + 2], 'w:' .. ARGV[a + 3], ARGV[a + 4]) end
      a = a + 5
    else
      if ok then redis.call('HSET', base .. ':o', ARGV[a + 1], ARGV[a + 2]) end
      a = a + 3
    end
  end
  out[#out + 1] = ok and 1 or 0
end
endRun()
flushIndexes()
for base, n in pairs(completedIn) do trimCompleted(base, n, now, retainMs, retainMax) end
flushRows()
flushIndexes()
flushCounts()
sendWakes(ARGV[1])
return out
