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
--@include row
--@include held
--@include groups
--@include wake
local now = nowMs()
local delay = tonumber(ARGV[3])
local nowText, avText = str(now), str(now + delay)
local out = {}
for i = 0, tonumber(ARGV[4]) - 1 do
  local a = 5 + i * 4
  local base, mtype, eventId = ARGV[a], ARGV[a + 1], ARGV[a + 2]
  local r = held(base, mtype, eventId, ARGV[a + 3])
  if r then
    local tbl = r.t
    local attempts = math.max(0, tonumber(r.n) - 1)
    local status = attempts == 0 and 'UNPROCESSED' or 'RETRY'
    -- The lease goes whole: owner, expiry and token.
    putRow(base, rowId(mtype, eventId), rowText(r, LETTER_OF[status], attempts, avText, nowText, '', '', ARGV[2], false))
    moved(base, tbl, mtype, 'IN_PROGRESS', status)
    redis.call('ZREM', base .. ':l', rowId(mtype, eventId))
    if r.g then groupDone(base, tbl, mtype, r.g) end
    makeReady(base, tbl, mtype, r.g, now + delay - r.pl, readyMember(eventId, nil, r.pl))
    if delay == 0 then markWake(tbl) end
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
flushRows()
sendWakes(ARGV[1])
flushCounts()
return out
