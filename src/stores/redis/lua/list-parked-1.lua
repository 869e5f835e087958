-- Read only. Parked ordering keys of one partition, by `<table>|<key>` (byte order) after a
-- cursor: keys whose FIFO head is FAILED (not skipped). Scans at most `budget` candidates
-- of `<base>:pk` (keys with a FAILED row in their FIFO) per call.
-- KEYS[1]: the partition's `:n` key.
-- ARGV: min, max (ZRANGE BYLEX bounds), limit, budget.
-- Returns: { done 1|0, last candidate scanned, then per parked key: field, messageType,
--   eventId, head row text, waiting }. waiting = FIFO rows after the head not FAILED.
--@include keys
--@include row
local base = baseOf(KEYS[1])
local min, max, limit, budget = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local candidates = redis.call('ZRANGE', base .. ':pk', min, max, 'BYLEX', 'LIMIT', 0, budget)
local out = { #candidates < budget and 1 or 0, '' }
local found = 0
for i = 1, #candidates do
  local field = candidates[i]
  out[2] = field
  local at = string.find(field, '|', 1, true)
  local fifo = base .. ':K:' .. string.sub(field, 1, at - 1) .. ':' .. string.sub(field, at + 1)
  local head = redis.call('ZRANGE', fifo, 0, 0)[1]
  local text = head and redis.call('HGET', rowsKey(base), head)
  if text and string.sub(text, 1, 1) == 'F' then
    local mtype, eventId = splitRowId(head)
    local failed = tonumber(redis.call('HGET', base .. ':kf', field)) or 1
    out[#out + 1] = field
    out[#out + 1] = mtype
    out[#out + 1] = eventId
    out[#out + 1] = text
    out[#out + 1] = redis.call('ZCARD', fifo) - failed
    found = found + 1
    if found >= limit then
      if i < #candidates then out[1] = 0 end
      break
    end
  end
end
return out
