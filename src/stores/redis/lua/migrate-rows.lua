-- Moves rows of the layout before row texts (a hash per row, `<base>:r:<row id>`, fields
-- t s cb ub ca ua n m av lo le ct er ok kq tp g pr pl xr) into the partition's rows hash
-- (includes/row.lua), in list order, `count` index entries of `:a` from rank `start` per call.
-- Idempotent: a row already moved has no old key left and is stepped over. Every other key
-- of the partition (indexes, counts, payloads, events) is laid out as before.
-- An old row that cannot be written as a row text (a value of another type under its key, an
-- unknown status, a field that is not a number) becomes a text that does not parse, with
-- its fields as JSON: list() shows it EY_ROW_CORRUPT and a claim sets it aside, as for any
-- corrupt row. A value of another type is renamed to `<base>:c:<row id>` first.
-- KEYS[1]: the partition's `:n` key. ARGV: start, count.
-- Returns: { index entries read, rows moved }.
--@include keys
--@include row
local base = baseOf(KEYS[1])
local start, n = tonumber(ARGV[1]), tonumber(ARGV[2])
local ids = redis.call('ZRANGE', base .. ':a', start, start + n - 1)
-- An integer field as its decimal text, or nil.
local function int(v)
  local x = tonumber(v)
  if not x or x ~= math.floor(x) or x ~= x then return nil end
  return string.format('%d', x)
end
local moved = 0
for i = 1, #ids do
  local id = ids[i]
  local key = base .. ':r:' .. id
  local kind = redis.call('TYPE', key).ok
  if kind ~= 'none' then
    local text
    if kind ~= 'hash' then
      local renamed = base .. ':c:' .. id
      redis.call('RENAME', key, renamed)
      text = 'v1 row key held a ' .. kind .. ' value, moved to ' .. renamed
    else
      local flat = redis.call('HGETALL', key)
      local f = {}
      for j = 1, #flat, 2 do f[flat[j]] = flat[j + 1] end
      local letter = LETTER_OF[f.s or '']
      local attempts, av, ua, ca, m = int(f.n), int(f.av), int(f.ua), int(f.ca), int(f.m)
      local le = (f.le or '') == '' and '' or int(f.le)
      local pr, pl, kq = f.pr and int(f.pr) or '', f.pl and int(f.pl) or '', f.kq and int(f.kq) or ''
      -- Every text but LAST_ERROR must be free of the separator (identifiers always are).
      local clean = true
      for _, k in ipairs({ 't', 'ct', 'ub', 'lo', 'ok', 'g', 'cb', 'tp' }) do
        if f[k] and string.find(f[k], D, 1, true) then clean = false end
      end
      if clean and letter and attempts and av and ua and ca and m and le and pr and pl and kq and f.cb
        and (f.t or '') ~= '' then
        if pr == '0' then pr = '' end
        if pl == '0' then pl = '' end
        local flags = (f.ok and 'k' or '') .. (f.g and 'g' or '')
        text = letter .. attempts .. D .. av .. D .. ua .. D .. le .. D .. (f.ct or '') .. D .. (f.ub or f.cb) .. D ..
          (f.lo or '') .. D .. f.t .. D .. flags .. D .. ca .. D .. m .. D .. pr .. D .. pl .. D .. kq .. D ..
          (f.ok or '') .. D .. (f.g or '') .. D .. f.cb .. D .. (f.tp or '')
        if f.er then text = text .. D .. f.er end
        if f.xr then redis.call('HSET', base .. ':rx', id, f.xr) end
      else
        text = 'v1 row fields ' .. cjson.encode(f)
      end
    end
    redis.call('HSET', rowsKey(base), id, text)
    redis.call('DEL', key)
    moved = moved + 1
  end
end
return { #ids, moved }
