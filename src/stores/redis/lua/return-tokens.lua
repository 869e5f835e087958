-- Gives back unused rate-limit tokens of one key (store port `returnTokens`): removes up to
-- count entries recorded at `at` from the key's grant log (see take-tokens.lua); the
-- key's expiry is kept.
-- KEYS[1]: the limit's key.
-- ARGV: N, then N pairs at, count.
-- Returns: 1.
local key = KEYS[1]
local raw = redis.call('GET', key)
if not raw then return 1 end
local ats, ns = {}, {}
for a, n in string.gmatch(raw, '(%d+):(%d+)') do
  ats[#ats + 1] = tonumber(a)
  ns[#ns + 1] = tonumber(n)
end
for r = 0, tonumber(ARGV[1]) - 1 do
  local at, give = tonumber(ARGV[2 + r * 2]), tonumber(ARGV[3 + r * 2])
  for i = 1, #ats do
    if ats[i] == at then
      ns[i] = ns[i] - math.min(give, ns[i])
      break
    end
  end
end
local parts = {}
for i = 1, #ats do
  if ns[i] > 0 then parts[#parts + 1] = string.format('%d:%d', ats[i], ns[i]) end
end
if #parts == 0 then
  redis.call('DEL', key)
else
  redis.call('SET', key, table.concat(parts, ','), 'KEEPTTL')
end
return 1
