-- The store clock: Redis TIME in epoch milliseconds (scripts replicate effects, so TIME is allowed).
local clockMicros = 0
local fifoSeq = 0
-- A number as redis.call's argument text, formatted once per value and script run: Lua turns
-- a number argument into text (sprintf %.14g) on every call, which costs about as much as a
-- short command itself; the text is the same.
local numberTexts = {}
local function str(n)
  local s = numberTexts[n]
  if not s then
    s = tostring(n)
    numberTexts[n] = s
  end
  return s
end
local function nowMs()
  local t = redis.call('TIME')
  clockMicros = tonumber(t[1]) * 1000000 + tonumber(t[2])
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
-- A ready-index member `<tag>|<eventId>`: the tag (TIME in microseconds, then a counter) keeps
-- rows with equal AVAILABLE_AT in the order they became claimable.
-- A caller may pass its own tag (`fifoTag`, digits only): on Redis Cluster one publish is split
-- into per-partition calls, and only the caller knows the order of the whole batch.
-- A prioritized row's member is `<tag>+<lead>|<eventId>`: its score is AVAILABLE_AT − lead
-- (the claim order, core/priority.ts), and a claim adds the lead back to judge due-ness.
-- Tags have a fixed width, so the `+<lead>` never changes the order of equal scores.
local function readyMember(eventId, fifoTag, lead)
  local tag
  if fifoTag and fifoTag ~= '' then
    tag = fifoTag
  else
    fifoSeq = fifoSeq + 1
    tag = string.format('%016d%05d', clockMicros, fifoSeq)
  end
  if lead and lead > 0 then return tag .. '+' .. lead .. '|' .. eventId end
  return tag .. '|' .. eventId
end
-- The event id of a ready-index member: what follows the first '|' (a tag holds only digits
-- and '+'). A plain find, not a pattern: this runs once per claimed row.
local function eventOfMember(member)
  local bar = string.find(member, '|', 1, true)
  return bar and string.sub(member, bar + 1)
end
-- Up to `limit` due members of a ready index, as flat score, member pairs, smallest score
-- first. Due: score <= now, and for a prioritized member score + lead <= now (AVAILABLE_AT).
-- Prioritized rows whose score is past but AVAILABLE_AT is not (delayed, within their lead)
-- are stepped over; rows without a priority never are, so their cost is one ZRANGE as before.
local function dueReady(key, now, limit)
  local out = {}
  local offset, want = 0, limit
  while want > 0 do
    local hits = redis.call('ZRANGE', key, '-inf', now, 'BYSCORE', 'LIMIT', offset, want, 'WITHSCORES')
    local skipped = 0
    for j = 1, #hits, 2 do
      -- A plain find first (a memchr): the pattern runs only for prioritized members.
      local lead = string.find(hits[j], '+', 1, true) and string.match(hits[j], '^%d+%+(%d+)|')
      if lead and tonumber(hits[j + 1]) + tonumber(lead) > now then
        skipped = skipped + 1
      else
        out[#out + 1] = hits[j + 1]
        out[#out + 1] = hits[j]
      end
    end
    if skipped == 0 or #hits < want * 2 then break end
    offset = offset + want
    want = skipped
  end
  return out
end
-- The same due members without their scores, for a caller that only needs the members: a
-- score costs the server a float formatting and Lua a string per row. Only when a member is
-- prioritized (its due-ness needs its score) does it read them again through dueReady.
local function dueMembers(key, now, limit)
  local members = redis.call('ZRANGE', key, '-inf', now, 'BYSCORE', 'LIMIT', 0, limit)
  for j = 1, #members do
    if string.find(members[j], '+', 1, true) then
      local hits = dueReady(key, now, limit)
      members = {}
      for k = 2, #hits, 2 do members[#members + 1] = hits[k] end
      return members
    end
  end
  return members
end
