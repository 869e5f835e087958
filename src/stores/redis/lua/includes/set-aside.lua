-- Setting aside rows that cannot be decoded, so one corrupt row never blocks its table.
-- Needs keys, counts. The row leaves every index but the FAILED one (`:f`), where an operator
-- finds it (list, countByStatus, re-drive once repaired).
local function setAsideBadFields(base, key, id, tbl, mtype, status, row, updatedBy, now)
  local raw = cjson.encode({ s = row[1] or false, n = row[2] or false, cb = row[3] or false, ca = row[4] or false,
    m = row[5] or false, av = row[6] or false })
  local bad = {}
  if not tonumber(row[2]) then bad[#bad + 1] = 'attempts' end
  if not row[3] then bad[#bad + 1] = 'created-by' end
  if not tonumber(row[4]) then bad[#bad + 1] = 'created-at' end
  if not tonumber(row[5]) then bad[#bad + 1] = 'max-attempts' end
  if not tonumber(row[6]) then bad[#bad + 1] = 'available-at' end
  redis.call('HSET', key, 's', 'FAILED', 'ub', updatedBy, 'ua', now, 't', tbl, 'xr', raw,
    'n', tonumber(row[2]) or 0, 'cb', row[3] or '', 'ca', tonumber(row[4]) or now, 'm', tonumber(row[5]) or 1,
    'av', tonumber(row[6]) or now, 'le', '', 'ct', '',
    'er', 'EY_ROW_CORRUPT: ' .. table.concat(bad, ', ') .. ' not readable; raw fields kept in field xr: ' .. raw)
  count(base, tbl, mtype, status, -1)
  count(base, tbl, mtype, 'FAILED', 1)
  redis.call('ZADD', base .. ':f', now, id)
end

local function setAsideWrongType(base, key, id, tbl, mtype, updatedBy, now)
  local kind = redis.call('TYPE', key).ok or 'unknown'
  local moved = base .. ':c:' .. id
  redis.call('RENAME', key, moved)
  redis.call('HSET', key, 't', tbl, 's', 'FAILED', 'cb', '', 'ub', updatedBy, 'ca', now, 'ua', now, 'n', 0, 'm', 1,
    'av', now, 'le', '', 'ct', '',
    'er', 'EY_ROW_CORRUPT: the row key held a ' .. kind .. ' value, not a row hash; it was moved to ' .. moved)
  count(base, tbl, mtype, 'FAILED', 1)
  redis.call('ZADD', base .. ':f', now, id)
end
