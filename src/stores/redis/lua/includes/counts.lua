-- Row counts per `<table> <MESSAGE_TYPE> <STATUS>` in the partition's `:n` hash, kept exact by
-- every script that changes a status; countByStatus reads them without scanning rows. Deltas
-- are summed during the script and written once per field by flushCounts() at its end (one
-- HINCRBY per field instead of two per row).
local countDeltas = {}
local function count(base, tbl, mtype, status, delta)
  local fields = countDeltas[base]
  if not fields then
    fields = {}
    countDeltas[base] = fields
  end
  local field = tbl .. ' ' .. mtype .. ' ' .. status
  fields[field] = (fields[field] or 0) + delta
end
local function flushCounts()
  for base, fields in pairs(countDeltas) do
    for field, delta in pairs(fields) do
      if delta ~= 0 then redis.call('HINCRBY', base .. ':n', field, delta) end
    end
  end
  countDeltas = {}
end
local function setStatus(base, key, tbl, mtype, from, to, updatedBy, now)
  redis.call('HSET', key, 's', to, 'ub', updatedBy, 'ua', now)
  count(base, tbl, mtype, from, -1)
  count(base, tbl, mtype, to, 1)
end
