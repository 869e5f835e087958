-- Completes claimed rows, each with its emits and working data, as one atomic write per
-- request; a request whose claim token no longer holds writes nothing.
-- KEYS: the `:n` key of every partition touched (on Redis Cluster: the one partition of the
--       completed rows; emits to other partitions go to its outbox `:o`, relayed after).
-- ARGV[1]: wake channel prefix; ARGV[2]: retainMs (-1 = keep); ARGV[3]: retainMax per
--   partition (0 = no cap); ARGV[4]: N requests; ARGV[5], ARGV[6]: the call's usual base and
--   updatedBy; then per request: messageType, eventId, claimToken, and
--   - '' for a request of the usual base and updatedBy with no emits and no working data
--     (the common completion: four arguments instead of eight);
--   - or 'x', base, updatedBy, emitCount, workingDataCount, then each emit: 'd' + its
--     message record (includes/insert.lua, readMessage), or 'o' + outbox field + JSON; then
--     each working-data write: 'd', base, eventId, name, value, or 'o', outbox field, JSON.
-- A keyed row leaves its key's FIFO; the next row of the key becomes claimable.
-- Returns: per request 1 (ok) or 0 (lease lost).
-- Cost per completed row: HMGET + HSET; per call: one ZREM, one ZADD, one HINCRBY per field.
--@include keys
--@include now
--@include counts
--@include batch
--@include wake
--@include groups
--@include ordering
--@include insert
--@include held
--@include purge-row
--@include retention
local now = nowMs()
local retainMs, retainMax = tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {}
local completedIn = {}
-- Per partition: its lease and completed index keys, built once per call, not once per row.
local indexKeys = {}
local usualBase, usualBy = ARGV[5], ARGV[6]
local a = 7
for r = 1, tonumber(ARGV[4]) do
  local mtype, eventId, token = ARGV[a], ARGV[a + 1], ARGV[a + 2]
  local base, updatedBy, nEmits, nData = usualBase, usualBy, 0, 0
  if ARGV[a + 3] == '' then
    a = a + 4
  else
    base, updatedBy, nEmits, nData = ARGV[a + 4], ARGV[a + 5], tonumber(ARGV[a + 6]), tonumber(ARGV[a + 7])
    a = a + 8
  end
  local key, tbl, okey, g = held(base, mtype, eventId, token)
  local ok = key ~= nil
  if ok then
    local id = rowId(mtype, eventId)
    if okey then dequeueKeyed(base, tbl, okey, id) end
    -- Empty lease fields read as null: one HSET instead of HSET + HDEL on the hot path.
    redis.call('HSET', key, 's', 'COMPLETED', 'ub', updatedBy, 'ua', str(now), 'le', '', 'ct', '')
    count(base, tbl, mtype, 'IN_PROGRESS', -1)
    count(base, tbl, mtype, 'COMPLETED', 1)
    if g then groupDone(base, tbl, mtype, g) end
    local keys = indexKeys[base]
    if not keys then
      keys = { base .. ':l', base .. ':c' }
      indexKeys[base] = keys
    end
    queueZrem(keys[1], id)
    queueZadd(keys[2], str(now), id)
    completedIn[base] = (completedIn[base] or 0) + 1
  end
  for _ = 1, nEmits do
    if ARGV[a] == 'd' then
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
    if ARGV[a] == 'd' then
      if ok then redis.call('HSET', ARGV[a + 1] .. ':e:' .. ARGV[a + 2], 'w:' .. ARGV[a + 3], ARGV[a + 4]) end
      a = a + 5
    else
      if ok then redis.call('HSET', base .. ':o', ARGV[a + 1], ARGV[a + 2]) end
      a = a + 3
    end
  end
  out[#out + 1] = ok and 1 or 0
end
flushIndexes()
for base, n in pairs(completedIn) do trimCompleted(base, n, now, retainMs, retainMax) end
flushIndexes()
flushCounts()
sendWakes(ARGV[1])
return out
