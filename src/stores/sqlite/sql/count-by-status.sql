-- Row counts by table, message type and status for rows matching the filter. Groups that
-- have no rows do not appear (zero counts left out).
--
-- @table        TEXT  filter by event table, or NULL for all
-- @messageType  TEXT  filter by message type, or NULL for all
-- @eventId      TEXT  filter by event id, or NULL for all
-- @statuses     TEXT  statuses as '|A|B|', or NULL for all
SELECT table_name AS "table", message_type AS messageType, status, count(*) AS count
FROM {prefix}messages
WHERE (@table IS NULL OR table_name = @table)
  AND (@messageType IS NULL OR message_type = @messageType)
  AND (@eventId IS NULL OR event_id = @eventId)
  AND (@statuses IS NULL OR instr(@statuses, '|' || status || '|') > 0)
GROUP BY table_name, message_type, status
ORDER BY table_name, message_type, status;
