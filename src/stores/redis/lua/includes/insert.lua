-- Inserts one message row unless `(eventId, mtype)` exists; writes the event's payload once.
-- Needs keys, counts. Returns created (1 or 0) and the row's status.
local function insertMessage(base, eventId, mtype, tbl, payload, maxAttempts, delayMs, okey, tp, createdBy, now, fifoTag)
  local id = rowId(mtype, eventId)
  local key = rowKey(base, id)
  local existing = redis.call('HGET', key, 's')
  if existing then return 0, existing end
  local av = now + delayMs
  redis.call('HSET', key, 't', tbl, 's', 'UNPROCESSED', 'cb', createdBy, 'ub', createdBy, 'ca', now, 'ua', now,
    'n', 0, 'm', maxAttempts, 'av', av)
  if okey ~= '' then redis.call('HSET', key, 'ok', okey) end
  if tp ~= '' then redis.call('HSET', key, 'tp', tp) end
  redis.call('ZADD', readyKey(base, tbl, mtype), av, readyMember(eventId, fifoTag))
  redis.call('ZADD', base .. ':a', now, id)
  local ev = base .. ':e:' .. eventId
  redis.call('HSET', ev, '@' .. mtype, tbl)
  redis.call('HINCRBY', ev, '#', 1)
  if payload then redis.call('SET', base .. ':p:' .. eventId, payload, 'NX') end
  count(base, tbl, mtype, 'UNPROCESSED', 1)
  return 1, 'UNPROCESSED'
end
