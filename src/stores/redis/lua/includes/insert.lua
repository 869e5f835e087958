-- Inserts one message row unless `(eventId, mtype)` exists; writes the event's payload once.
-- Needs keys, now, counts, batch, groups, ordering. A row with `failure` is written FAILED with
-- it as LAST_ERROR (claimable never, and never in a key's FIFO: it holds no key up); a row with
-- a group key `g` goes to its group's queue; a keyed row joins its key's FIFO and is made ready
-- only as the head. Returns created (1 or 0) and the row's status; 0, 'PAYLOAD_CONFLICT' when
-- the row is new but its event already has a different payload (nothing is written), unless
-- `keepPayload` (a completion's emit: the row is written, the event's payload kept).
-- `prio` 0..9 and `lead` (prio × aging step, ms): a prioritized row keeps both in its hash
-- (`pr`, `pl`) and is scored AVAILABLE_AT − lead in its ready index or group queue (as
-- makeReady does); 0, 0 writes neither.
-- The row's index entries (ready index or group queue and group set, and `:a`) are queued
-- (includes/batch.lua), not written: the caller runs flushIndexes() before it returns, so N
-- new rows cost one variadic ZADD per index instead of N commands each.
local function insertMessage(base, eventId, mtype, tbl, payload, maxAttempts, delayMs, okey, tp, createdBy, now, fifoTag,
    keepPayload, g, failure, prio, lead)
  local id = rowId(mtype, eventId)
  local key = rowKey(base, id)
  local existing = redis.call('HGET', key, 's')
  if existing then return 0, existing end
  if payload then
    local pkey = base .. ':p:' .. eventId
    if not redis.call('SET', pkey, payload, 'NX') and not keepPayload and redis.call('GET', pkey) ~= payload then
      return 0, 'PAYLOAD_CONFLICT'
    end
  end
  local av = now + delayMs
  local status = 'UNPROCESSED'
  if failure and failure ~= '' then status = 'FAILED' end
  local nowText = str(now)
  redis.call('HSET', key, 't', tbl, 's', status, 'cb', createdBy, 'ub', createdBy, 'ca', nowText, 'ua', nowText,
    'n', '0', 'm', str(maxAttempts), 'av', str(av))
  if tp ~= '' then redis.call('HSET', key, 'tp', tp) end
  if lead > 0 then
    redis.call('HSET', key, 'pr', prio, 'pl', lead)
  elseif prio > 0 then
    redis.call('HSET', key, 'pr', prio)
  end
  if status == 'FAILED' then
    redis.call('HSET', key, 'er', failure)
    redis.call('ZADD', base .. ':f', now, id)
  else
    if g and g ~= '' then redis.call('HSET', key, 'g', g) end
    local ready = true
    if okey ~= '' then
      local seq
      seq, ready = enqueueKeyed(base, tbl, okey, id)
      redis.call('HSET', key, 'ok', okey, 'kq', seq)
    end
    if ready then
      local score, member = str(av - lead), readyMember(eventId, fifoTag, lead)
      if g and g ~= '' then
        queueZadd(groupQueueKey(base, tbl, mtype, g), score, member)
        queueZadd(groupSetKey(base, tbl, mtype), '0', g)
      else
        queueZadd(readyKey(base, tbl, mtype), score, member)
      end
    end
  end
  queueZadd(base .. ':a', nowText, id)
  local ev = base .. ':e:' .. eventId
  redis.call('HSET', ev, '@' .. mtype, tbl)
  redis.call('HINCRBY', ev, '#', '1')
  count(base, tbl, mtype, status, 1)
  return 1, status
end
