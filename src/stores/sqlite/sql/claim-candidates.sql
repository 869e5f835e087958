-- The first pass of a claim over several message types: the first @limit candidates of one
-- type, as (seq, claim key). The store merges the types' lists, smallest claim key first,
-- and the limit-th entry becomes the cutoff (@maxClaimKey, @maxSeq) of claim-batch.sql,
-- which then claims per type exactly the rows of the merged top @limit. A single-type claim
-- skips this pass. The filter is claim-batch.sql's (includes/claimable-head.sql); the claim
-- key expression in SELECT and ORDER BY is the claim index's, token for token (schema-v7.sql).
--
-- @table        TEXT     the event table (inbound, request, response, outbound)
-- @messageType  TEXT     one of the message types to claim
-- @now          INTEGER  epoch ms, store clock: due when available_at <= @now
-- @limit        INTEGER  at most this many rows
SELECT m.seq AS seq, (CASE WHEN m.priority_lead = 0 OR typeof(m.available_at) = 'text' THEN m.available_at ELSE m.available_at - m.priority_lead END) AS claimKey
FROM {prefix}messages AS m INDEXED BY {prefix}messages_claimable
WHERE m.table_name = @table
  AND m.message_type = @messageType
  AND m.status IN ('UNPROCESSED', 'RETRY')
  AND m.group_key IS NULL
  --@include claimable-head
ORDER BY (CASE WHEN m.priority_lead = 0 OR typeof(m.available_at) = 'text' THEN m.available_at ELSE m.available_at - m.priority_lead END), m.seq
-- +@limit: keeps the statement from being compiled again on every call (claim-batch.sql)
LIMIT +@limit;
