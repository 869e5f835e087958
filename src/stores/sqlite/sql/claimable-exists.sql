-- Wake-up hint: whether a table has any claimable, due row (any message type); one probe of
-- the partial index {prefix}messages_claimable, then of {prefix}messages_group_claimable.
--
-- @table  TEXT     the event table
-- @now    INTEGER  epoch ms, store clock
SELECT EXISTS (
  SELECT 1
  FROM {prefix}messages
  WHERE table_name = @table
    AND status IN ('UNPROCESSED', 'RETRY')
    AND group_key IS NULL
    AND key_wait IS NULL
    AND available_at <= @now
) OR EXISTS (
  SELECT 1
  FROM {prefix}messages
  WHERE table_name = @table
    AND status IN ('UNPROCESSED', 'RETRY')
    AND group_key IS NOT NULL
    AND key_wait IS NULL
    AND available_at <= @now
) AS found;
