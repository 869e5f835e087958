-- Wake-up hints: one PUBLISH per table that got claimable rows, on `<wake prefix><table>`.
-- Subscribers are a latency hint only; polling stays correct without them.
local wakeTables = {}
local function markWake(tbl) wakeTables[tbl] = true end
local function sendWakes(prefix)
  for tbl in pairs(wakeTables) do redis.call('PUBLISH', prefix .. tbl, '1') end
end
