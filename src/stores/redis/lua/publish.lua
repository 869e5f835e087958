-- Publishes messages: per message atomic and idempotent on (EVENT_ID, MESSAGE_TYPE).
-- KEYS: the `:n` key of every partition written (`{<prefix>:<n>}:n`); on Redis Cluster the
--       store calls once per partition.
-- ARGV[1]: wake channel prefix; ARGV[2]: the call's time in epoch ms ('' = this script's TIME;
--   on Redis Cluster a batch split over partitions passes one TIME read for all its calls, so
--   the whole batch shares CREATED_DTTM and AVAILABLE_AT as it would on one server);
--   ARGV[3]: N; then N message records (includes/insert.lua, readMessage).
-- Returns: N × (created 1|0, status or PAYLOAD_CONFLICT).
--@include keys
--@include now
--@include counts
--@include batch
--@include row
--@include groups
--@include wake
--@include ordering
--@include insert
local now = nowMs()
if ARGV[2] ~= '' then now = tonumber(ARGV[2]) end
local out = {}
local a = 4
local n = tonumber(ARGV[3])
-- One message: its index and count writes go at once (includes/counts.lua).
writeThrough = n == 1
for _ = 1, n do
  local base, eventId, mtype, tbl, payload, maxAttempts, delay, okey, tp, createdBy, fifoTag, g, failure, prio, lead, after =
    readMessage(a)
  a = after
  local created, status = insertMessage(base, eventId, mtype, tbl, payload, maxAttempts, delay, okey, tp, createdBy,
    now, fifoTag, false, g, failure, prio, lead)
  if created == 1 and delay <= 0 and status ~= 'FAILED' then markWake(tbl) end
  out[#out + 1] = created
  out[#out + 1] = status
end
flushRows()
flushIndexes()
sendWakes(ARGV[1])
flushCounts()
return out
