-- Row counts per `<table> <MESSAGE_TYPE> <STATUS>` in the partition's `:n` hash, kept exact by
-- every script that changes a status; countByStatus reads them without scanning rows. Deltas
-- are summed during the script in nested tables (base → table → type → status: lookups
-- only, no field string built per row) and written once per field by flushCounts() at its
-- end (one HINCRBY per field instead of two per row). Needs keys.
-- `writeThrough` (set by a script that writes a single row, e.g. a publish of one message):
-- count() and the index queues of includes/batch.lua then write at once. With nothing to
-- merge with, building the queues and walking them back costs more than it saves.
local writeThrough = false
local countDeltas = {}
local function count(base, tbl, mtype, status, delta)
  if writeThrough then
    if delta ~= 0 then redis.call('HINCRBY', base .. ':n', tbl .. ' ' .. mtype .. ' ' .. status, delta) end
    return
  end
  local byStatus = tableAt(tableAt(tableAt(countDeltas, base), tbl), mtype)
  byStatus[status] = (byStatus[status] or 0) + delta
end
local function flushCounts()
  if next(countDeltas) == nil then return end
  for base, byTable in pairs(countDeltas) do
    for tbl, byType in pairs(byTable) do
      for mtype, byStatus in pairs(byType) do
        for status, delta in pairs(byStatus) do
          if delta ~= 0 then redis.call('HINCRBY', base .. ':n', tbl .. ' ' .. mtype .. ' ' .. status, delta) end
        end
      end
    end
  end
  countDeltas = {}
end
-- One row moves from status `from` to `to`.
local function moved(base, tbl, mtype, from, to)
  count(base, tbl, mtype, from, -1)
  count(base, tbl, mtype, to, 1)
end
