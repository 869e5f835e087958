-- (included) The claim's walk over one message type's ungrouped rows (claim.sql and
-- claim-keyed.sql, as the body of a LATERAL over unnest($2) AS t(message_type)): claimable,
-- due, not waiting behind its key (key_wait), and, when keyed, its key's head (no earlier
-- row of the table and key still holds it); by claim key, then seq; at most $3, locked
-- with SKIP LOCKED. $1 the table, $3 the limit.
SELECT m.seq, m.available_at - m.priority_lead AS claim_key
FROM {schema}.messages AS m
WHERE m.table_name = $1
  AND m.message_type = t.message_type
  AND m.status IN ('UNPROCESSED', 'RETRY')
  AND m.group_key IS NULL
  AND m.key_wait IS NULL
  AND m.available_at - m.priority_lead <= {schema}.now_ms()
  AND m.available_at <= {schema}.now_ms()
  --@include key-head
ORDER BY m.available_at - m.priority_lead, m.seq
LIMIT $3
FOR UPDATE SKIP LOCKED
