-- Deletes one terminal row (member `id` of the status index `zset`), then the event's payload
-- and working data when it was the event's last row. Needs keys, counts.
local function purgeRow(base, id, zset)
  local mtype, eventId = splitRowId(id)
  local key = rowKey(base, id)
  local row = redis.call('HMGET', key, 't', 's')
  redis.call('ZREM', zset, id)
  if not row[1] then return 0 end
  redis.call('DEL', key)
  redis.call('ZREM', base .. ':a', id)
  count(base, row[1], mtype, row[2], -1)
  local ev = base .. ':e:' .. eventId
  redis.call('HDEL', ev, '@' .. mtype)
  if redis.call('HINCRBY', ev, '#', -1) <= 0 then
    redis.call('DEL', ev, base .. ':p:' .. eventId)
  end
  return 1
end
