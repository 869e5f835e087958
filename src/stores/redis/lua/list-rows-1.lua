-- Read only. Rows of one partition after a cursor, oldest CREATED_DTTM first (ties by row id),
-- matching the filter; scans at most `budget` index entries per call.
-- KEYS[1]: the partition's `:n` key.
-- ARGV: afterScore ('' = from the start), afterId, limit, budget, table ('' = any),
--   messageType ('' = any), statuses (',UNPROCESSED,RETRY,' or '' = any), eventId ('' = any).
-- Returns: { done 1|0, lastScore, lastId, then per row: messageType, eventId, table, list
--   score (CREATED_DTTM), row text }. A text that does not parse (includes/row.lua) is listed
--   as a FAILED row of its event's table, created at its list score (the client flags it
--   EY_ROW_CORRUPT); nothing is written.
--@include keys
--@include row
local base = baseOf(KEYS[1])
local afterScore, afterId = ARGV[1], ARGV[2]
local limit, budget = tonumber(ARGV[3]), tonumber(ARGV[4])
local tblFilter, typeFilter, statuses, eventFilter = ARGV[5], ARGV[6], ARGV[7], ARGV[8]
-- Status letter and table of a row text (includes/row.lua, ROW_HEAD).
local LIST_HEAD = '^(%u)%d+\31[^\31]*\31[^\31]*\31[^\31]*\31[^\31]*\31[^\31]*\31[^\31]*\31([^\31]+)\31'
local entries = {}
local complete = 1
if eventFilter ~= '' then
  local fields = redis.call('HKEYS', base .. ':e:' .. eventFilter)
  for i = 1, #fields do
    if string.sub(fields[i], 1, 1) == '@' then
      local id = rowId(string.sub(fields[i], 2), eventFilter)
      local score = redis.call('ZSCORE', base .. ':a', id)
      if score then entries[#entries + 1] = { tonumber(score), id } end
    end
  end
  table.sort(entries, function(x, y) if x[1] ~= y[1] then return x[1] < y[1] end return x[2] < y[2] end)
else
  -- From the cursor row's rank while it exists (rows sharing one millisecond are common);
  -- by score, skipping what the cursor passed, when it was purged meanwhile.
  local rank = afterId ~= '' and redis.call('ZRANK', base .. ':a', afterId) or false
  local hits
  if rank then
    hits = redis.call('ZRANGE', base .. ':a', rank + 1, rank + budget, 'WITHSCORES')
  else
    local from = afterScore == '' and '-inf' or afterScore
    hits = redis.call('ZRANGE', base .. ':a', from, '+inf', 'BYSCORE', 'LIMIT', 0, budget, 'WITHSCORES')
  end
  for j = 1, #hits, 2 do entries[#entries + 1] = { tonumber(hits[j + 1]), hits[j] } end
  if #entries >= budget then complete = 0 end
end
local out = { 0, '', '' }
local found = 0
local after = afterScore ~= '' and tonumber(afterScore) or nil
for i = 1, #entries do
  local score, id = entries[i][1], entries[i][2]
  if after == nil or score > after or (score == after and id > afterId) then
    local mtype, eventId = splitRowId(id)
    if typeFilter == '' or typeFilter == mtype then
      local text = redis.call('HGET', rowsKey(base), id)
      if text then
        local S, tbl = string.match(text, LIST_HEAD)
        local status = S and STATUS_OF[S]
        if not status then
          status = 'FAILED'
          tbl = redis.call('HGET', base .. ':e:' .. eventId, '@' .. mtype) or ''
        end
        if (tblFilter == '' or tblFilter == tbl)
          and (statuses == '' or string.find(statuses, ',' .. status .. ',', 1, true)) then
          out[#out + 1] = mtype
          out[#out + 1] = eventId
          out[#out + 1] = tbl
          out[#out + 1] = score
          out[#out + 1] = text
          found = found + 1
        end
      end
    end
  end
  out[2], out[3] = tostring(score), id
  if found >= limit then
    if i < #entries then complete = 0 end
    break
  end
end
out[1] = complete
return out
