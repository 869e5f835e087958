-- Inserts one message row unless `(eventId, mtype)` exists; writes the event's payload once.
-- Needs keys, counts. Returns created (1 or 0) and the row's status; 0, 'PAYLOAD_CONFLICT' when
-- the row is new but its event already has a different payload (nothing is written), unless
-- `keepPayload` (a completion's emit: the row is written, the event's payload kept).
-- `prio` 0..9 and `lead` (prio × aging step, ms): a prioritized row keeps both in its hash
-- (`pr`, `pl`) and is scored AVAILABLE_AT − lead in the ready index; 0, 0 writes neither.
local function insertMessage(base, eventId, mtype, tbl, payload, maxAttempts, delayMs, okey, tp, createdBy, now, fifoTag,
    prio, lead, keepPayload)
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
  redis.call('HSET', key, 't', tbl, 's', 'UNPROCESSED', 'cb', createdBy, 'ub', createdBy, 'ca', now, 'ua', now,
    'n', 0, 'm', maxAttempts, 'av', av)
  if okey ~= '' then redis.call('HSET', key, 'ok', okey) end
  if tp ~= '' then redis.call('HSET', key, 'tp', tp) end
  if lead > 0 then
    redis.call('HSET', key, 'pr', prio, 'pl', lead)
    redis.call('ZADD', readyKey(base, tbl, mtype), av - lead, readyMember(eventId, fifoTag, lead))
  else
    if prio > 0 then redis.call('HSET', key, 'pr', prio) end
    redis.call('ZADD', readyKey(base, tbl, mtype), av, readyMember(eventId, fifoTag))
  end
  redis.call('ZADD', base .. ':a', now, id)
  local ev = base .. ':e:' .. eventId
  redis.call('HSET', ev, '@' .. mtype, tbl)
  redis.call('HINCRBY', ev, '#', 1)
  count(base, tbl, mtype, 'UNPROCESSED', 1)
  return 1, 'UNPROCESSED'
end
