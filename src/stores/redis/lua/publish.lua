-- Publishes messages: per message atomic and idempotent on (EVENT_ID, MESSAGE_TYPE).
-- KEYS: the `:n` key of every partition written (`{<prefix>:<n>}:n`); on Redis Cluster the
--       store calls once per partition.
-- ARGV[1]: wake channel prefix; ARGV[2]: the call's time in epoch ms ('' = this script's TIME;
--   on Redis Cluster a batch split over partitions passes one TIME read for all its calls, so
--   the whole batch shares CREATED_DTTM and AVAILABLE_AT as it would on one server);
--   ARGV[3]: N; then N × 16 fields per message:
--   base, eventId, messageType, table, hasPayload ('1'|'0'), payload, maxAttempts,
--   delayMs, orderingKey ('' = none), traceparent ('' = none), createdBy,
--   fifoTag (digits ordering equal AVAILABLE_AT; '' = the script's TIME),
--   groupKey ('' = none), failure ('' = none; else the row is written FAILED with it)
--   priority (0..9), priority lead in ms (priority × aging step)
-- Returns: N × (created 1|0, status or PAYLOAD_CONFLICT).
--@include keys
--@include now
--@include counts
--@include batch
--@include groups
--@include wake
--@include ordering
--@include insert
local now = nowMs()
if ARGV[2] ~= '' then now = tonumber(ARGV[2]) end
local out = {}
local n = tonumber(ARGV[3])
for i = 0, n - 1 do
  local a = 4 + i * 16
  local payload = false
  if ARGV[a + 4] == '1' then payload = ARGV[a + 5] end
  local delay = tonumber(ARGV[a + 7])
  local created, status = insertMessage(ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], payload,
    tonumber(ARGV[a + 6]), delay, ARGV[a + 8], ARGV[a + 9], ARGV[a + 10], now, ARGV[a + 11], false,
    ARGV[a + 12], ARGV[a + 13], tonumber(ARGV[a + 14]), tonumber(ARGV[a + 15]))
  if created == 1 and delay <= 0 and status ~= 'FAILED' then markWake(ARGV[a + 3]) end
  out[#out + 1] = created
  out[#out + 1] = status
end
flushIndexes()
sendWakes(ARGV[1])
flushCounts()
return out
