-- One step of moving a key prefix's rows to the row-text layout (src/stores/redis/migration.ts),
-- under the migration lock: only its holder changes the layout key.
-- KEYS[1]: `{<keyPrefix>:layout}`; KEYS[2]: the migration lock, `{<keyPrefix>:layout}:migration`.
-- ARGV: step ('begin', 'renew' or 'finish'), owner, lockMs, the layout before, the layout
--   while moving, the layout after.
-- 'begin': the layout key becomes "moving" (processes of earlier releases refuse it), when it
--   says "before" or "moving" (a migration that died half-way is taken over);
-- 'renew': the lock lives lockMs more; 'finish': the layout key says "after", the lock goes.
-- Returns: 1, or 0 when the caller does not hold the lock (or 'begin' found another layout).
local step, owner, lockMs = ARGV[1], ARGV[2], ARGV[3]
if redis.call('GET', KEYS[2]) ~= owner then return 0 end
if step == 'begin' then
  local now = redis.call('GET', KEYS[1])
  if now ~= ARGV[4] and now ~= ARGV[5] then return 0 end
  redis.call('SET', KEYS[1], ARGV[5])
  redis.call('PEXPIRE', KEYS[2], lockMs)
elseif step == 'renew' then
  redis.call('PEXPIRE', KEYS[2], lockMs)
else
  redis.call('SET', KEYS[1], ARGV[6])
  redis.call('DEL', KEYS[2])
end
return 1
