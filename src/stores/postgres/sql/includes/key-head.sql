-- (included) A claim candidate `m` that is keyed must be its key's head: no earlier row of the
-- same table and key still holds it (not COMPLETED, not skipped). One probe of
-- messages_ordering, whose WHERE the probe repeats word for word so PostgreSQL uses it.
AND (
  m.ordering_key IS NULL
  OR NOT EXISTS (
    SELECT 1
    FROM {schema}.messages AS earlier
    WHERE earlier.table_name = m.table_name
      AND earlier.ordering_key = m.ordering_key
      AND earlier.seq < m.seq
      AND earlier.ordering_key IS NOT NULL
      AND earlier.status <> 'COMPLETED'
      AND earlier.key_skipped IS NULL
  )
)
