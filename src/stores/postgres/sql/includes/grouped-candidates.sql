-- (included) The claim's grouped rows of the types in $8 (types with no group limit named for
-- them), joined to the ungrouped walk with UNION ALL inside the candidates' subquery.
UNION ALL
-- Grouped rows of the types in $8 (no group limit named for them): one probe of
-- messages_group_claimable per type, which holds nothing unless such rows wait. That
-- index is by group first, so these rows are sorted either way: by claim key too.
SELECT g.seq, g.claim_key
FROM unnest($8::text[]) AS t(message_type)
CROSS JOIN LATERAL (
  SELECT m.seq, m.available_at - m.priority_lead AS claim_key
  FROM {schema}.messages AS m
  WHERE m.table_name = $1
    AND m.message_type = t.message_type
    AND m.status IN ('UNPROCESSED', 'RETRY')
    AND m.group_key IS NOT NULL
    AND m.available_at <= {schema}.now_ms()
    --@include key-head
  ORDER BY m.available_at - m.priority_lead, m.seq
  LIMIT $3
  FOR UPDATE SKIP LOCKED
) AS g
