-- Row counts per `<table> <MESSAGE_TYPE> <STATUS>` in the partition's `:n` hash, kept exact by
-- every script that changes a status; countByStatus reads them without scanning rows.
local function count(base, tbl, mtype, status, delta)
  redis.call('HINCRBY', base .. ':n', tbl .. ' ' .. mtype .. ' ' .. status, delta)
end
local function setStatus(base, key, tbl, mtype, from, to, updatedBy, now)
  redis.call('HSET', key, 's', to, 'ub', updatedBy, 'ua', now)
  count(base, tbl, mtype, from, -1)
  count(base, tbl, mtype, to, 1)
end
