-- Deletes one terminal row that its caller has already taken out of its status index, then
-- the event's payload and working data when it was the event's last row. Needs keys, counts,
-- batch: the row key's DEL, its `:a` entry and the event's keys are queued, and the caller
-- runs flushIndexes() before it returns (per purged row: HMGET, HDEL, HINCRBY; per call: one
-- ZREM of `:a` and one DEL per 500 keys). Returns 1, or 0 for an index entry without a row.
local function purgeRow(base, id)
  local mtype, eventId = splitRowId(id)
  local key = rowKey(base, id)
  local row = redis.call('HMGET', key, 't', 's')
  if not row[1] then return 0 end
  queueDel(key)
  queueZrem(base .. ':a', id)
  count(base, row[1], mtype, row[2], -1)
  local ev = base .. ':e:' .. eventId
  redis.call('HDEL', ev, '@' .. mtype)
  if redis.call('HINCRBY', ev, '#', -1) <= 0 then
    queueDel(ev)
    queueDel(base .. ':p:' .. eventId)
  end
  return 1
end
