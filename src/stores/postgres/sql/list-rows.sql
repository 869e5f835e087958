-- One page of rows matching the filter, in publish order (seq), after the cursor $1
-- (keyset paging: a range scan of the primary key, never an OFFSET). The caller asks one
-- row more than the page to know whether a next page exists.
--
-- $1  bigint   the seq of the previous page's last row, or -1 for the first page
-- $2  integer  at most this many rows
-- $3  text     filter by event table, or NULL for all
-- $4  text     filter by message type, or NULL for all
-- $5  text     filter by event id, or NULL for all (then the unique index finds the rows)
-- $6  text[]   filter by statuses, or NULL for all
SELECT
  seq, event_id, message_type, table_name, status, created_by, updated_by, created_at,
  updated_at, attempts, max_attempts, available_at, lease_owner, lease_expires_at,
  claim_token, last_error, ordering_key, traceparent, group_key, priority
FROM {schema}.messages
WHERE seq > $1
  AND ($3::text IS NULL OR table_name = $3)
  AND ($4::text IS NULL OR message_type = $4)
  AND ($5::text IS NULL OR event_id = $5)
  AND ($6::text[] IS NULL OR status = ANY ($6::text[]))
ORDER BY seq
LIMIT $2;
