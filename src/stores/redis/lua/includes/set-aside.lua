-- Setting aside rows whose text does not parse (includes/row.lua), so one corrupt row never
-- blocks its table. Needs keys, now, counts, row. The row becomes FAILED with LAST_ERROR
-- `EY_ROW_CORRUPT: ...` and leaves every index but the FAILED one (`:f`), where an operator
-- finds it (list, countByStatus, re-drive once repaired); its text is kept whole in the
-- partition's `:rx` hash (field row id), and the start of it in LAST_ERROR. It came off a
-- ready index, so it was counted UNPROCESSED, or RETRY when its first letter still says so.
local function setAsideCorrupt(base, id, tbl, mtype, text, updatedBy, now)
  count(base, tbl, mtype, string.sub(text, 1, 1) == 'R' and 'RETRY' or 'UNPROCESSED', -1)
  count(base, tbl, mtype, 'FAILED', 1)
  redis.call('HSET', base .. ':rx', id, text)
  local nowText = str(now)
  local error = 'EY_ROW_CORRUPT: the row text does not parse; kept whole in ' .. base .. ':rx, field ' .. id ..
    '; it began: ' .. string.sub(text, 1, 200)
  -- Created at its list score, so list cursors still pass it in order.
  local created = redis.call('ZSCORE', base .. ':a', id) or nowText
  local r = parseRow(newRowText('FAILED', nowText, created, '1', tbl, 0, 0, nil, false, false, '', false, error))
  putRow(base, id, rowText(r, 'F', 0, nowText, nowText, '', '', updatedBy, false))
  redis.call('ZADD', base .. ':f', nowText, id)
end
