-- Group claims (store/group-claim.ts): the first group after @after that has a claimable row
-- of the type, one seek of {prefix}messages_claimable (however many rows a group has; the
-- ungrouped rows' range, group_key NULL, comes first and is not looked at).
-- A group whose rows are all delayed is returned too; its claim then finds nothing.
--
-- @table        TEXT  the event table
-- @messageType  TEXT  the grouped message type
-- @after        TEXT  the previous group, or '' for the first (group keys are never empty)
SELECT m.group_key AS groupKey
FROM {prefix}messages AS m INDEXED BY {prefix}messages_claimable
WHERE m.table_name = @table
  AND m.message_type = @messageType
  AND m.status IN ('UNPROCESSED', 'RETRY')
  AND m.group_key IS NOT NULL
  AND m.key_wait IS NULL
  AND m.group_key > @after
ORDER BY m.group_key
LIMIT 1;
