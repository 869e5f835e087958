-- Group claims: up to $4 groups after $3 (in text order) that have claimable rows of one
-- type, skipping from group to group with one seek of messages_group_claimable each (a
-- loose index scan: however many rows a group has waiting, it costs one seek). A group
-- whose rows are all delayed is listed too; claim-group.sql then finds nothing in it.
--
-- $1  text     the event table
-- $2  text     the grouped message type
-- $3  text     the previous group, or '' for the first (group keys are never empty)
-- $4  integer  at most this many groups
-- $5  text     stop before groups above this one, or NULL for no bound (the wrap-around)
WITH RECURSIVE g(k) AS (
  (
    SELECT m.group_key
    FROM {schema}.messages AS m
    WHERE m.table_name = $1 AND m.message_type = $2
      AND m.status IN ('UNPROCESSED', 'RETRY') AND m.group_key IS NOT NULL
      AND m.group_key > $3
    ORDER BY m.group_key
    LIMIT 1
  )
  UNION ALL
  SELECT (
    SELECT m.group_key
    FROM {schema}.messages AS m
    WHERE m.table_name = $1 AND m.message_type = $2
      AND m.status IN ('UNPROCESSED', 'RETRY') AND m.group_key IS NOT NULL
      AND m.group_key > g.k
    ORDER BY m.group_key
    LIMIT 1
  )
  FROM g
  WHERE g.k IS NOT NULL AND ($5::text IS NULL OR g.k < $5)
)
SELECT k AS group_key
FROM g
WHERE k IS NOT NULL AND ($5::text IS NULL OR k <= $5)
LIMIT $4;
