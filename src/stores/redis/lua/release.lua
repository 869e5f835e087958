-- Releases claimed-but-unstarted rows, fenced: ATTEMPTS - 1, back to UNPROCESSED (no attempt
-- left counted) or RETRY, lease cleared, claimable at once or after a delay (a rate-limited
-- row waiting for its slot: its ready-index score is its AVAILABLE_AT − priority lead, as for a
-- delayed publish; due-ness is judged on AVAILABLE_AT, includes/now.lua dueReady).
-- KEYS: the `:n` key of every partition touched.
-- ARGV[1]: wake channel prefix; ARGV[2]: updatedBy; ARGV[3]: delay ms (0: at once, and a
--   wake-up); ARGV[4]: N; then per lease: base,
--   messageType, eventId, claimToken.
-- Returns: per lease 1 (ok) or 0 (lease lost).
--@include keys
--@include now
--@include counts
--@include held
--@include groups
--@include wake
local now = nowMs()
local delay = tonumber(ARGV[3])
local out = {}
for i = 0, tonumber(ARGV[4]) - 1 do
  local a = 5 + i * 4
  local base, mtype, eventId = ARGV[a], ARGV[a + 1], ARGV[a + 2]
  local key, tbl, _, g = held(base, mtype, eventId, ARGV[a + 3])
  if key then
    local fields = redis.call('HMGET', key, 'n', 'pl')
    local attempts = math.max(0, tonumber(fields[1]) - 1)
    local lead = tonumber(fields[2]) or 0
    local status = attempts == 0 and 'UNPROCESSED' or 'RETRY'
    setStatus(base, key, tbl, mtype, 'IN_PROGRESS', status, ARGV[2], now)
    redis.call('HSET', key, 'n', attempts, 'av', now + delay)
    redis.call('HDEL', key, 'lo', 'le', 'ct')
    redis.call('ZREM', base .. ':l', rowId(mtype, eventId))
    if g then groupDone(base, tbl, mtype, g) end
    makeReady(base, tbl, mtype, g, now + delay - lead, readyMember(eventId, nil, lead))
    if delay == 0 then markWake(tbl) end
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
sendWakes(ARGV[1])
flushCounts()
return out
