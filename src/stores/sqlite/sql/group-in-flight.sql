-- Group claims: how many rows of a group are IN_PROGRESS, a seek of the partial index
-- {prefix}messages_group_in_flight over at most those rows.
--
-- @table        TEXT  the event table
-- @messageType  TEXT  the grouped message type
-- @groupKey     TEXT  the group
SELECT count(*) AS n
FROM {prefix}messages AS m INDEXED BY {prefix}messages_group_in_flight
WHERE m.table_name = @table
  AND m.message_type = @messageType
  AND m.group_key = @groupKey
  AND m.status = 'IN_PROGRESS'
  AND m.group_key IS NOT NULL;
