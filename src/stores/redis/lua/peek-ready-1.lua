-- Read only. Up to `limit` due claimable rows per type in one partition, so a claimer on
-- Redis Cluster can pick each partition's share of the oldest rows across the cluster.
-- KEYS[1]: the partition's `:n` key. ARGV: table, limit, typeCount, type...
-- Returns: 1 when a type has grouped rows waiting in this partition (its group set exists:
-- the store then claims them here with mode 'groups'), else 0; then score, ready member
-- pairs (ordered per type).
--@include keys
--@include now
--@include groups
local base = baseOf(KEYS[1])
local tbl, limit, ntypes = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local now = nowMs()
local out = { 0 }
for i = 1, ntypes do
  if redis.call('EXISTS', groupSetKey(base, tbl, ARGV[3 + i])) == 1 then out[1] = 1 end
end
for i = 1, ntypes do
  local hits = dueReady(readyKey(base, tbl, ARGV[3 + i]), now, limit)
  for j = 1, #hits do out[#out + 1] = hits[j] end
end
return out
