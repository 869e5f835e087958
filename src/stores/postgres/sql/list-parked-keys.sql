-- One page of parked ordering keys: per (table, key), its earliest FAILED row nobody skipped
-- (the head), in the head's publish order (seq) after the cursor $1, with `waiting`, the
-- key's later rows that are not COMPLETED or FAILED. The heads come from the small partial
-- index messages_parked; each costs two probes of messages_ordering (is there an earlier
-- parked row of its key; how many rows wait behind it). The caller asks one key more than
-- the page to know whether a next page exists.
--
-- $1  bigint   the seq of the previous page's last head, or -1 for the first page
-- $2  integer  at most this many keys
-- $3  text     only keys of this event table, or NULL for all
SELECT
  h.seq, h.event_id, h.message_type, h.table_name, h.status, h.created_by, h.updated_by,
  h.created_at, h.updated_at, h.attempts, h.max_attempts, h.available_at, h.lease_owner,
  h.lease_expires_at, h.claim_token, h.last_error, h.ordering_key, h.traceparent,
  h.group_key, h.priority,
  (SELECT count(*)::integer
   FROM {schema}.messages AS w
   WHERE w.table_name = h.table_name
     AND w.ordering_key = h.ordering_key
     AND w.seq > h.seq
     AND w.ordering_key IS NOT NULL
     AND w.status <> 'COMPLETED'
     AND w.key_skipped IS NULL
     AND w.status <> 'FAILED') AS waiting
FROM {schema}.messages AS h
WHERE h.status = 'FAILED'
  AND h.ordering_key IS NOT NULL
  AND h.key_skipped IS NULL
  AND h.seq > $1
  AND ($3::text IS NULL OR h.table_name = $3)
  AND NOT EXISTS (
    SELECT 1
    FROM {schema}.messages AS e
    WHERE e.table_name = h.table_name
      AND e.ordering_key = h.ordering_key
      AND e.seq < h.seq
      AND e.ordering_key IS NOT NULL
      AND e.status = 'FAILED'
      AND e.key_skipped IS NULL
  )
ORDER BY h.seq
LIMIT $2;
