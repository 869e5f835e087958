-- The row a holder presents, when its claim token still holds: key, table, ordering key (or
-- false), group key (or false); or nil. Needs keys.
local function held(base, mtype, eventId, token)
  local key = rowKey(base, rowId(mtype, eventId))
  local row = redis.call('HMGET', key, 's', 'ct', 't', 'ok', 'g')
  if row[1] ~= 'IN_PROGRESS' or row[2] ~= token then return nil end
  return key, row[3], row[4], row[5]
end
