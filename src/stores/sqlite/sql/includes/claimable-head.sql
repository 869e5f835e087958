-- (included) A claim candidate's last tests, for the candidate `m` found in the claim index:
-- not waiting behind its key (key_wait, schema-v7.sql), due (its claim key, the index's
-- expression token for token, and its AVAILABLE_AT), and, when keyed, its key's head: no
-- earlier row of the same table and key still holds it (one probe of messages_ordering,
-- whose WHERE the probe repeats word for word so SQLite uses it).
AND m.key_wait IS NULL
AND (CASE WHEN m.priority_lead = 0 OR typeof(m.available_at) = 'text' THEN m.available_at ELSE m.available_at - m.priority_lead END) <= @now
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
