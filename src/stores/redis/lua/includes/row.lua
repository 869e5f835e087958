-- Message rows (docs/redis.md, "Rows"). A partition keeps every row in one hash `<base>:r`:
-- field row id → the row as one text, rewritten whole by each transition, so a script that
-- touches n rows reads them with one HMGET and writes them with one HSET instead of a
-- command per row, and no per-field names cross into Lua. The fields, separated by the
-- unit separator (byte 31, `D` below):
--
--   <S><attempts> D <available at> D <updated at> D <lease expiry> D <claim token> D
--   <updated by> D <lease owner> D <table> D <flags> D <created at> D <max attempts> D
--   <priority> D <lead> D <key seq> D <ordering key> D <group key> D <created by> D
--   <traceparent> [D <last error>]
--
-- <S> is the STATUS's letter (STATUS_OF). Up to <lease owner> the fields change with
-- transitions; from <table> on they are written once, at publish, and copied as they are.
-- Numbers are decimal; lease expiry, claim token, lease owner, priority, lead, key seq,
-- ordering key, group key and traceparent are empty when absent or 0. <flags> holds `k` for
-- a keyed row and `g` for a grouped one, so the hot paths find out without reading further.
-- LAST_ERROR, the one free text, comes last and runs to the end (absent: no separator
-- after the traceparent); every other text is an identifier, which holds no control
-- character (the store refuses one that does). src/stores/redis/codec.ts reads the same.
-- Needs keys.
local STATUS_OF = { U = 'UNPROCESSED', I = 'IN_PROGRESS', C = 'COMPLETED', E = 'ERROR', R = 'RETRY', F = 'FAILED' }
local LETTER_OF = { UNPROCESSED = 'U', IN_PROGRESS = 'I', COMPLETED = 'C', ERROR = 'E', RETRY = 'R', FAILED = 'F' }
local D = '\31'
-- Every field, captured; then where <table> starts and where the traceparent ends.
local ROW_PATTERN = '^([UICERF])(%d+)\31(%-?%d+)\31(%-?%d+)\31(%-?%d*)\31([^\31]*)\31([^\31]*)\31([^\31]*)\31()([^\31]+)\31([kg]*)\31(%-?%d+)\31(%d+)\31(%d*)\31(%d*)\31(%d*)\31([^\31]*)\31([^\31]*)\31([^\31]*)\31([^\31]*)()'
-- ATTEMPTS + 1 as text. A single digit below 9 (the common case) steps its byte: tonumber
-- is a strtod, and a table of texts would be built again on every call of the script.
local function nextAttempt(n)
  if #n == 1 and n ~= '9' then return string.char(string.byte(n) + 1) end
  return tostring(tonumber(n) + 1)
end

local function rowsKey(base) return base .. ':r' end

-- A row text as a table (the fields as text, `s` the full STATUS, `pl` a number, empty
-- texts as false), or nil when it does not parse (a corrupt row). `fixed` is the text from
-- <table> through the traceparent, copied by rowText.
local function parseRow(text)
  if not text then return nil end
  local S, n, av, ua, le, ct, ub, lo, pT, t, fl, ca, m, pr, pl, kq, ok, g, cb, tp, pEnd = string.match(text, ROW_PATTERN)
  if not S then return nil end
  local er = false
  if pEnd <= #text then
    if string.byte(text, pEnd) ~= 31 then return nil end
    er = string.sub(text, pEnd + 1)
  end
  return { text = text, s = STATUS_OF[S], S = S, n = n, av = av, ua = ua, le = le, ct = ct, ub = ub, lo = lo ~= '' and lo,
    t = t, fl = fl, ca = ca, m = m, pr = pr, pl = tonumber(pl) or 0, kq = kq, ok = ok ~= '' and ok, g = g ~= '' and g,
    cb = cb, tp = tp ~= '' and tp, er = er, fixed = string.sub(text, pT, pEnd - 1) }
end

-- The row `r` (parseRow) after a transition: the changing fields as given (le, ct '' for no
-- lease; lo false for none); last error `er` kept when nil, cleared when false, else set.
local function rowText(r, S, n, av, ua, le, ct, ub, lo, er)
  if er == nil then er = r.er end
  local head = S .. n .. D .. av .. D .. ua .. D .. le .. D .. ct .. D .. ub .. D .. (lo or '') .. D .. r.fixed
  if er then return head .. D .. er end
  return head
end

-- A new row's text: attempts 0, no lease, UPDATED_BY = CREATED_BY, UPDATED_DTTM = CREATED_DTTM.
-- prio and lead are numbers; kq, okey, g, tp and er false (or nil) when absent.
local function newRowText(status, av, now, m, tbl, prio, lead, kq, okey, g, createdBy, tp, er)
  local flags = (okey and 'k' or '') .. (g and 'g' or '')
  local text = LETTER_OF[status] .. '0' .. D .. av .. D .. now .. D .. D .. D .. createdBy .. D .. D .. tbl .. D ..
    flags .. D .. now .. D .. m .. D .. (prio ~= 0 and prio or '') .. D .. (lead ~= 0 and lead or '') .. D ..
    (kq or '') .. D .. (okey or '') .. D .. (g or '') .. D .. createdBy .. D .. (tp or '')
  if er then return text .. D .. er end
  return text
end

-- Row writes and deletions collected during a script and sent as one HDEL and one HSET per
-- partition by flushRows() (a deletion is `false`); getRowText reads a row written or deleted
-- earlier in the same script from here.
local rowWrites = {}
local function putRow(base, id, text) tableAt(rowWrites, base)[id] = text end
local function deleteRow(base, id) putRow(base, id, false) end
local function flushRows()
  if next(rowWrites) == nil then return end
  for base, w in pairs(rowWrites) do
    local key, gone, flat = rowsKey(base), {}, {}
    for id, text in pairs(w) do
      if text then
        flat[#flat + 1] = id
        flat[#flat + 1] = text
      else
        gone[#gone + 1] = id
      end
    end
    for i = 1, #gone, 500 do redis.call('HDEL', key, unpack(gone, i, math.min(i + 499, #gone))) end
    for i = 1, #flat, 1000 do redis.call('HSET', key, unpack(flat, i, math.min(i + 999, #flat))) end
  end
  rowWrites = {}
end

-- The row text `id` of the partition: this script's own pending write first.
local function getRowText(base, id)
  local w = rowWrites[base]
  local text = w and w[id]
  if text ~= nil then return text or nil end
  return redis.call('HGET', rowsKey(base), id)
end

-- The stored texts of rows `ids` of the partition (false for an absent one), in order, read
-- with one HMGET per 500 ids; pending writes of this script are not looked at.
local function getRowTexts(base, ids)
  local rows, texts = rowsKey(base), {}
  for i = 1, #ids, 500 do
    local part = redis.call('HMGET', rows, unpack(ids, i, math.min(i + 499, #ids)))
    for j = 1, #part do texts[i + j - 1] = part[j] end
  end
  return texts
end

-- The row `id` of the partition, parsed; nil, text when it is absent or does not parse.
local function getRow(base, id)
  local text = getRowText(base, id)
  return parseRow(text), text
end
