-- Rate-limit tokens for one key (store port `takeTokens`; the rule of store/rate-log.ts):
-- the key's grant log is a string `<at>:<n>,<at>:<n>,...` (grant times ascending, tokens
-- granted at each); entries older than now - interval no longer count. One key per call,
-- so it is Cluster-safe wherever the key hashes; the key expires when its log stops counting.
-- KEYS[1]: the limit's key.
-- ARGV: max, intervalMs, N, then N wants, judged in order.
-- Returns: per want, granted, at, nextAt (epoch ms, Redis TIME).
--@include now
local key = KEYS[1]
local max, interval, count = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local now = nowMs()
local ats, ns = {}, {}
local raw = redis.call('GET', key)
if raw then
  for a, n in string.gmatch(raw, '(%d+):(%d+)') do
    local at = tonumber(a)
    if at > now - interval then
      ats[#ats + 1] = at
      ns[#ns + 1] = tonumber(n)
    end
  end
end
local out = {}
for w = 1, count do
  local want = tonumber(ARGV[3 + w])
  local used = 0
  for i = 1, #ns do used = used + ns[i] end
  local len = #ats
  local at = now
  if len > 0 and ats[len] > now then at = ats[len] end
  local granted = math.max(0, math.min(want, max - used))
  if granted > 0 then
    if len > 0 and ats[len] == at then
      ns[len] = ns[len] + granted
    else
      ats[len + 1] = at
      ns[len + 1] = granted
    end
  end
  local total = used + granted
  local nextAt = at
  if total >= max then
    local need, cum = total - max + 1, 0
    for i = 1, #ats do
      cum = cum + ns[i]
      if cum >= need then
        nextAt = ats[i] + interval
        break
      end
    end
  end
  out[#out + 1] = granted
  out[#out + 1] = at
  out[#out + 1] = nextAt
end
if #ats == 0 then
  redis.call('DEL', key)
else
  local parts = {}
  for i = 1, #ats do parts[i] = string.format('%d:%d', ats[i], ns[i]) end
  redis.call('SET', key, table.concat(parts, ','), 'PX', math.max(1, ats[#ats] + interval - now))
end
return out
