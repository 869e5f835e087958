-- The first pass of a claim over several message types: the first @limit candidates of one
-- type, as (seq, available_at). The store merges the types' lists, oldest first, and the
-- limit-th entry becomes the cutoff (@maxAvailableAt, @maxSeq) of claim-batch.sql, which
-- then claims per type exactly the rows of the merged top @limit. A single-type claim skips
-- this pass. The filter is the same as claim-batch.sql's candidates: keep the two in step.
--
-- @table        TEXT     the event table (inbound, request, response, outbound)
-- @messageType  TEXT     one of the message types to claim
-- @now          INTEGER  epoch ms, store clock: due when available_at <= @now
-- @limit        INTEGER  at most this many rows
SELECT m.seq AS seq, m.available_at AS availableAt
FROM {prefix}messages AS m INDEXED BY {prefix}messages_claimable
WHERE m.table_name = @table
  AND m.message_type = @messageType
  AND m.status IN ('UNPROCESSED', 'RETRY')
  AND m.group_key IS NULL
  AND m.available_at <= @now
  AND (
    m.ordering_key IS NULL
    OR NOT EXISTS (
      SELECT 1
      FROM {prefix}messages AS earlier
      WHERE earlier.table_name = m.table_name
        AND earlier.ordering_key = m.ordering_key
        AND earlier.seq < m.seq
        AND earlier.ordering_key IS NOT NULL
        AND earlier.status <> 'COMPLETED'
        AND earlier.key_skipped IS NULL
    )
  )
ORDER BY m.available_at, m.seq
-- +@limit: keeps the statement from being compiled again on every call (claim-batch.sql)
LIMIT +@limit;
