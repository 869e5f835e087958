-- Wake-up hint: whether a table has any claimable, due row (any message type), grouped or
-- not: a walk of the partial index {prefix}messages_claimable that stops at the first due row.
--
-- @table  TEXT     the event table
-- @now    INTEGER  epoch ms, store clock
SELECT EXISTS (
  SELECT 1
  FROM {prefix}messages
  WHERE table_name = @table
    AND status IN ('UNPROCESSED', 'RETRY')
    AND key_wait IS NULL
    AND available_at <= @now
) AS found;
