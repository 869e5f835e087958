-- Deletes one terminal row that its caller has already taken out of its status index, then
-- the event's payload and working data when it was the event's last row. Needs keys, counts,
-- batch, row: the row's HDEL (flushRows), its `:a` entry and the event's keys are queued, and
-- the caller runs flushRows() and flushIndexes() before it returns (per purged row: HGET,
-- HDEL, HINCRBY, and HDEL of `:rx` for a FAILED row; per call: one HDEL of the rows hash, one ZREM of `:a` and one DEL per 500
-- keys). A row whose text does not parse is deleted too (it is counted under the status its
-- first letter names, as set-aside rows are). Returns 1, or 0 for an index entry without a row.
local function purgeRow(base, id)
  local mtype, eventId = splitRowId(id)
  local text = getRowText(base, id)
  if not text then return 0 end
  local r = parseRow(text)
  deleteRow(base, id)
  queueZrem(base .. ':a', id)
  if r then count(base, r.t, mtype, r.s, -1) end
  if not r or r.S == 'F' then redis.call('HDEL', base .. ':rx', id) end
  local ev = base .. ':e:' .. eventId
  redis.call('HDEL', ev, '@' .. mtype)
  if redis.call('HINCRBY', ev, '#', -1) <= 0 then
    queueDel(ev)
    queueDel(base .. ':p:' .. eventId)
  end
  return 1
end
