-- Inserts one message row unless `(eventId, mtype)` exists; writes the event's payload once.
-- Needs keys, now, counts, batch, groups, ordering, row (the caller runs flushRows()).
-- A row with `failure` is written FAILED with it as LAST_ERROR (claimable never, and never in a key's FIFO: it holds no key up); a row with
-- a group key `g` goes to its group's queue; a keyed row joins its key's FIFO and is made ready
-- only as the head. Returns created (1 or 0) and the row's status; 0, 'PAYLOAD_CONFLICT' when
-- the row is new but its event already has a different payload (nothing is written), unless
-- `keepPayload` (a completion's emit: the row is written, the event's payload kept).
-- `prio` 0..9 and `lead` (prio × aging step, ms): a prioritized row keeps both in its text
-- and is scored AVAILABLE_AT − lead in its ready index or group queue (as makeReady does).
-- The row's index entries (ready index or group queue and group set, and `:a`) are queued
-- (includes/batch.lua), not written: the caller runs flushIndexes() before it returns, so N
-- new rows cost one variadic ZADD per index instead of N commands each.
-- `maxAttempts` is its text (the row field as written), `delayMs` a number.
local function insertMessage(base, eventId, mtype, tbl, payload, maxAttempts, delayMs, okey, tp, createdBy, now, fifoTag,
    keepPayload, g, failure, prio, lead)
  local id = rowId(mtype, eventId)
  local status = 'UNPROCESSED'
  if failure and failure ~= '' then status = 'FAILED' end
  -- A FAILED row is never in a key's FIFO nor a group's queue: it keeps neither key.
  local keyed = okey ~= '' and status ~= 'FAILED'
  local nowText = str(now)
  local av = now + delayMs
  local avText = delayMs == 0 and nowText or str(av)
  local text
  if keyed then
    -- Its key's sequence goes into its text: the row is checked for first, written after.
    local existing = getRowText(base, id)
    if existing then return 0, STATUS_OF[string.sub(existing, 1, 1)] or 'FAILED' end
  else
    -- One HSETNX checks for the row and writes it (taken back on a payload conflict).
    text = newRowText(status, avText, nowText, maxAttempts, tbl, prio, lead, false, false,
      status ~= 'FAILED' and g ~= '' and g, createdBy, tp ~= '' and tp, status == 'FAILED' and failure)
    -- (A row written earlier in this call must be in Redis for HSETNX to see it.)
    if rowWrites[base] and rowWrites[base][id] then flushRows() end
    if redis.call('HSETNX', rowsKey(base), id, text) == 0 then
      return 0, STATUS_OF[string.sub(redis.call('HGET', rowsKey(base), id), 1, 1)] or 'FAILED'
    end
  end
  if payload then
    local pkey = base .. ':p:' .. eventId
    if not redis.call('SET', pkey, payload, 'NX') and not keepPayload and redis.call('GET', pkey) ~= payload then
      if not keyed then redis.call('HDEL', rowsKey(base), id) end
      return 0, 'PAYLOAD_CONFLICT'
    end
  end
  local kq
  if status == 'FAILED' then
    redis.call('ZADD', base .. ':f', nowText, id)
  else
    local ready = true
    if keyed then kq, ready = enqueueKeyed(base, tbl, okey, id) end
    if ready then
      local score, member = str(av - lead), readyMember(eventId, fifoTag, lead)
      if g and g ~= '' then
        queueZadd(groupQueueKey(base, tbl, mtype, g), score, member)
        queueZadd(groupSetKey(base, tbl, mtype), '0', g)
      else
        queueReady(readyKey(base, tbl, mtype), score, member)
      end
    end
  end
  if keyed then
    putRow(base, id, newRowText(status, avText, nowText, maxAttempts, tbl, prio, lead, kq, okey, g ~= '' and g,
      createdBy, tp ~= '' and tp, false))
  end
  queueZadd(base .. ':a', nowText, id)
  local ev = base .. ':e:' .. eventId
  redis.call('HSET', ev, '@' .. mtype, tbl)
  redis.call('HINCRBY', ev, '#', '1')
  count(base, tbl, mtype, status, 1)
  return 1, status
end

-- Reads the message record at ARGV[a] (src/stores/redis/codec.ts, messageArgs). Its first
-- argument is its shape:
--   'p' base, eventId, type, table, payload, maxAttempts, delayMs, createdBy
--   'q' the same without a payload (a follow-up row of an event that has one)
--   'f' base, eventId, type, table, hasPayload ('1'|'0'), payload, maxAttempts, delayMs,
--       orderingKey, traceparent, createdBy, fifoTag, groupKey, failure, priority, lead
-- A plain message (no key, trace, group, failure, priority or tag of its own) is 'p' or 'q':
-- each argument costs a script about as much as a short command's own work, so the common
-- message sends 9 instead of 16. Returns the 15 fields insertMessage takes from a message
-- (payload false when absent, delayMs, priority and lead as numbers), then the index after
-- the record.
local function readMessage(a)
  local shape = ARGV[a]
  if shape == 'p' or shape == 'q' then
    local payload, k = false, a + 5
    if shape == 'p' then payload, k = ARGV[a + 5], a + 6 end
    local delay = ARGV[k + 1]
    return ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], payload, ARGV[k],
      delay == '0' and 0 or tonumber(delay), '', '', ARGV[k + 2], '', '', '', 0, 0, k + 3
  end
  local payload = false
  if ARGV[a + 5] == '1' then payload = ARGV[a + 6] end
  return ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], payload, ARGV[a + 7], tonumber(ARGV[a + 8]),
    ARGV[a + 9], ARGV[a + 10], ARGV[a + 11], ARGV[a + 12], ARGV[a + 13], ARGV[a + 14], tonumber(ARGV[a + 15]),
    tonumber(ARGV[a + 16]), a + 17
end
