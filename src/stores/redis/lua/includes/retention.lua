-- Automatic retention of COMPLETED rows, amortised over completions: each completion in a
-- partition deletes at most two rows that are older than `retainMs` or beyond `retainMax`
-- (per partition), so the completed index never grows without bound and no call runs long.
-- Needs keys, counts, batch, purge-row; the caller flushes (flushIndexes) after it.
local function trimCompleted(base, completions, now, retainMs, retainMax)
  local budget = completions * 2
  local zset = base .. ':c'
  if retainMs >= 0 then
    local old = redis.call('ZRANGE', zset, '-inf', '(' .. (now - retainMs), 'BYSCORE', 'LIMIT', 0, budget)
    zremNow(zset, old)
    for i = 1, #old do purgeRow(base, old[i]) end
    budget = budget - #old
  end
  if retainMax > 0 and budget > 0 then
    local excess = math.min(redis.call('ZCARD', zset) - retainMax, budget)
    if excess > 0 then
      local oldest = redis.call('ZRANGE', zset, 0, excess - 1)
      zremNow(zset, oldest)
      for i = 1, #oldest do purgeRow(base, oldest[i]) end
    end
  end
end
