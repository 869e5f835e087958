-- Completes a batch of claimed rows in one statement, each with its emits and working data:
-- IN_PROGRESS → COMPLETED where the presented claim token still holds (fencing), and only
-- for those rows the messages they emitted (ON CONFLICT DO NOTHING: an emit that exists is a
-- no-op) with their payloads, and their working data (last write per name wins). One
-- statement is one atomic write: a request whose token is stale writes nothing at all.
-- The lease owner is kept (who completed it).
--
-- Requests are numbered 1..n by position; emits and working data name their request.
-- Returns the numbers of the requests that completed (the rest are lease_lost), each with
-- its row's table and ORDERING_KEY. A keyed row that completed was its key's head: the
-- statement also lets each such key's next row into the claim index (`promoted`, below),
-- so a keyed completion stays one round trip and one transaction.
-- The notification names each table that got a new row; it is delivered at commit.
--
-- $1  bigint[]  per request: the row's seq, as its claim token names it (-1: never issued)
-- $2  text[]    per request: the claim token presented
-- $3  text[]    per request: EVENT_ID of the lease reference
-- $4  text[]    per request: MESSAGE_TYPE of the lease reference
-- $5  text[]    per request: UPDATED_BY, the completing service
-- $6  integer[] per emit: the request (1-based) it belongs to
-- $7  text[]    per emit: EVENT_ID
-- $8  text[]    per emit: MESSAGE_TYPE
-- $9  text[]    per emit: event table
-- $10 text[]    per emit: CREATED_BY
-- $11 integer[] per emit: MAX_ATTEMPTS
-- $12 bigint[]  per emit: delay in ms (AVAILABLE_AT = now + delay)
-- $13 text[]    per emit: ORDERING_KEY or NULL
-- $14 text[]    per emit: TRACEPARENT or NULL
-- $15 text[]    per emit: payload JSON text or NULL
-- $16 integer[] per working-data write: the request (1-based) it belongs to
-- $17 text[]    per working-data write: EVENT_ID
-- $18 text[]    per working-data write: name
-- $19 text[]    per working-data write: value (JSON text)
-- $20 text      the wake-up channel (pg_notify), or NULL to send no notification
-- $21 text[]    per emit: GROUP_KEY or NULL
-- $22 text[]    per emit: failure or NULL (the row is written FAILED with it as LAST_ERROR)
-- $23 smallint[] per emit: priority 0..9, or NULL when no emit has one (then all 0)
-- $24 integer[] per emit: priority lead in ms (priority × aging step), or NULL as $23
WITH request AS (
  SELECT r.*
  FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])
       WITH ORDINALITY AS r(seq, claim_token, event_id, message_type, updated_by, req)
),
done AS (
  UPDATE {schema}.messages AS m
  SET status = 'COMPLETED',
      claim_token = NULL,
      lease_expires_at = NULL,
      updated_by = r.updated_by,
      updated_at = {schema}.now_ms()
  FROM request AS r
  WHERE m.seq = r.seq
    AND m.claim_token = r.claim_token
    AND m.event_id = r.event_id
    AND m.message_type = r.message_type
    -- A subquery, not the constant: PostgreSQL then cannot use messages_leases (partial on
    -- this status) to find the rows, which generic plans made from statistics that saw no
    -- row in progress did, walking every row in progress for each requested row
    -- (docs/postgres.md, "Plans made on near-empty tables").
    AND m.status = (SELECT 'IN_PROGRESS')
  RETURNING r.req, m.table_name, m.ordering_key
),
emit AS (
  SELECT e.*, {schema}.now_ms() AS now
  FROM unnest($6::integer[], $7::text[], $8::text[], $9::text[], $10::text[], $11::integer[],
              $12::bigint[], $13::text[], $14::text[], $15::text[], $21::text[], $22::text[],
              $23::smallint[], $24::integer[])
       WITH ORDINALITY AS e(req, event_id, message_type, table_name, created_by, max_attempts,
                            delay_ms, ordering_key, traceparent, payload, group_key, failure,
                            priority, priority_lead, ord)
  WHERE e.req IN (SELECT req FROM done)
),
emitted AS (
  INSERT INTO {schema}.messages (
    event_id, message_type, table_name, status, created_by, updated_by, created_at, updated_at,
    attempts, max_attempts, available_at, ordering_key, traceparent, group_key, last_error,
    priority, priority_lead
  )
  SELECT event_id, message_type, table_name, CASE WHEN failure IS NULL THEN 'UNPROCESSED' ELSE 'FAILED' END,
         created_by, created_by, now, now, 0, max_attempts, now + delay_ms, ordering_key, traceparent,
         CASE WHEN failure IS NULL THEN group_key END, failure,
         coalesce(priority, 0), coalesce(priority_lead, 0)
  FROM emit
  ORDER BY req, ord
  ON CONFLICT (event_id, message_type) DO NOTHING
  RETURNING table_name
),
payloads AS (
  INSERT INTO {schema}.payload (event_id, payload)
  SELECT DISTINCT ON (event_id) event_id, payload
  FROM emit
  WHERE payload IS NOT NULL
  ORDER BY event_id, req, ord
  ON CONFLICT (event_id) DO NOTHING
),
working AS (
  INSERT INTO {schema}.working_data (event_id, name, value)
  SELECT DISTINCT ON (w.event_id, w.name) w.event_id, w.name, w.value
  FROM unnest($16::integer[], $17::text[], $18::text[], $19::text[])
       WITH ORDINALITY AS w(req, event_id, name, value, ord)
  WHERE w.req IN (SELECT req FROM done)
  ORDER BY w.event_id, w.name, w.req DESC, w.ord DESC
  ON CONFLICT (event_id, name) DO UPDATE SET value = excluded.value
),
-- key_promote (schema-v6.sql) takes the keys' advisory locks, then clears key_wait on each
-- key's first holding row. Its queries see this statement's completions above (a VOLATILE
-- function's query runs after a command-counter step, as a trigger's would) and, under READ
-- COMMITTED, every commit before its locks were granted; the locks are held until this
-- statement commits, so a demotion waiting for them sees the completion. Called once, and
-- only when a keyed row completed (HAVING): a CTE that calls a volatile function is never
-- inlined.
promoted AS (
  SELECT {schema}.key_promote(array_agg(table_name), array_agg(ordering_key)) AS n
  FROM done
  WHERE ordering_key IS NOT NULL
  HAVING count(*) > 0
)
SELECT
  d.req,
  d.table_name,
  d.ordering_key,
  (SELECT count(pg_notify($20, t.table_name))
   FROM (SELECT DISTINCT table_name FROM emitted) AS t
   WHERE $20 IS NOT NULL) AS notified,
  (SELECT n FROM promoted) AS promoted
FROM done AS d;
