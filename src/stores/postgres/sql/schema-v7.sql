-- Schema version 7: publish_batch(), the publish statement as a PL/pgSQL function. Run by
-- migrations.ts inside the migration transaction, under the schema's advisory lock.
-- {schema} is the validated, quoted schema name. Parameters: none.
--
-- Why a function: inside a user's transaction (publishInTransaction) the statement runs on
-- the caller's connection, where the store cannot set plan_cache_mode, and PostgreSQL's
-- default (auto) planned it anew on every call, its custom plans always looking cheaper:
-- planning took about as long as running it for one message. PL/pgSQL keeps the plan of
-- its statement for the session, and the function's own SET makes it the generic plan
-- (the same index walks) for every caller, on the pool and in a user's transaction alike;
-- the statement the client sends (publish.sql) is a call that plans in microseconds.
-- SECURITY INVOKER (the default): it runs with the caller's rights.
--
-- Writes a batch of messages in one statement, each as UNPROCESSED (FAILED with its
-- failure as LAST_ERROR when it carries one, e.g. EY_INVALID_GROUP_KEY) with its event's
-- payload; an existing (event_id, message_type) is left untouched. Runs on the store's pool
-- (autocommit: one transaction) or inside the caller's open transaction (publish inside
-- the user's transaction: then it is the one extra round trip, and the rows, payloads and
-- the wake-up notification become visible at the caller's COMMIT, or never).
--
-- Payloads are written once per event. An input whose row does not exist yet, carrying a
-- payload different from its event's payload (the stored one, or else the first one of
-- this batch), is a payload conflict: its row is not written. The payload insert is
-- ON CONFLICT DO UPDATE ... WHERE the texts differ, so it reads the latest committed
-- payload (waiting for a concurrent writer of the same event, as ON CONFLICT does) and
-- returns it only when it differs (a no-op rewrite of that payload row, the rare case).
--
-- Returns one row per input, in input order (ord, from 1): whether this input created its
-- row (the first of duplicates within the batch does), the row's status (an existing row's
-- status as this statement's snapshot saw it; UNPROCESSED for a row committed by a
-- concurrent writer after that snapshot, which ON CONFLICT waited for; NULL for a
-- conflict), and whether it was a payload conflict.
-- The notification names each table that got a new row; it is delivered at commit.
--
-- $1  text[]    EVENT_IDs
-- $2  text[]    MESSAGE_TYPEs
-- $3  text[]    event tables (inbound, request, response, outbound)
-- $4  text[]    CREATED_BY (and UPDATED_BY)
-- $5  integer[] MAX_ATTEMPTS
-- $6  bigint[]  delays in ms: AVAILABLE_AT = now + delay (server clock)
-- $7  text[]    ORDERING_KEYs, NULL entries for none
-- $8  text[]    TRACEPARENTs, NULL entries for none
-- $9  text[]    payload JSON texts, NULL entries for none (an existing payload is kept)
-- $10 text      the wake-up channel (pg_notify), or NULL to send no notification
-- $11 text[]    GROUP_KEYs, NULL entries for none
-- $12 text[]    failures, NULL entries for none: such a row is written FAILED with it as LAST_ERROR
-- $13 smallint[] priorities 0..9, or NULL when no message has one (then all 0)
-- $14 integer[] priority leads in ms (priority × aging step), or NULL as $13
--
-- An input that did not create its row reads the existing row's status (a seek on the
-- unique key); a created one reads nothing: the gate is tested before the seek (LIMIT 1
-- keeps the planner from turning the lookup into a join, which scanned the whole table
-- when its statistics said it was small).
CREATE FUNCTION {schema}.publish_batch(
  text[], text[], text[], text[], integer[], bigint[], text[], text[], text[], text, text[], text[],
  smallint[], integer[]
) RETURNS TABLE (ord bigint, created boolean, status text, conflict boolean, notified bigint)
  LANGUAGE plpgsql VOLATILE
  SET plan_cache_mode = force_generic_plan
AS $publish$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH input AS (
    SELECT i.*, {schema}.now_ms() AS now
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::integer[], $6::bigint[],
                $7::text[], $8::text[], $9::text[], $11::text[], $12::text[], $13::smallint[], $14::integer[])
         WITH ORDINALITY AS i(event_id, message_type, table_name, created_by, max_attempts, delay_ms,
                              ordering_key, traceparent, payload, group_key, failure, priority, priority_lead, ord)
  ),
  first_payload AS (
    SELECT DISTINCT ON (event_id) event_id, payload
    FROM input
    WHERE payload IS NOT NULL
    ORDER BY event_id, ord
  ),
  payloads AS (
    INSERT INTO {schema}.payload AS p (event_id, payload)
    SELECT event_id, payload
    FROM first_payload
    ON CONFLICT (event_id) DO UPDATE SET payload = p.payload
      WHERE p.payload IS DISTINCT FROM excluded.payload
    RETURNING p.event_id, p.payload
  ),
  checked AS (
    SELECT i.*,
           (i.payload IS NULL OR i.payload = coalesce(ps.payload, fp.payload)) AS fits
    FROM input AS i
    LEFT JOIN first_payload AS fp ON fp.event_id = i.event_id
    LEFT JOIN payloads AS ps ON ps.event_id = i.event_id
  ),
  inserted AS (
    INSERT INTO {schema}.messages (
      event_id, message_type, table_name, status, created_by, updated_by, created_at, updated_at,
      attempts, max_attempts, available_at, ordering_key, traceparent, group_key, last_error,
      priority, priority_lead
    )
    SELECT event_id, message_type, table_name, CASE WHEN failure IS NULL THEN 'UNPROCESSED' ELSE 'FAILED' END,
           created_by, created_by, now, now, 0, max_attempts, now + delay_ms, ordering_key, traceparent,
           CASE WHEN failure IS NULL THEN group_key END, failure,
           coalesce(priority, 0), coalesce(priority_lead, 0)
    FROM checked
    WHERE fits
    ORDER BY ord
    ON CONFLICT (event_id, message_type) DO NOTHING
    RETURNING event_id, message_type, table_name
  ),
  firsts AS (
    SELECT ord, fits,
           fits AND row_number() OVER (PARTITION BY event_id, message_type, fits ORDER BY ord) = 1 AS first,
           coalesce(bool_or(fits) OVER (PARTITION BY event_id, message_type ORDER BY ord
                                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), false) AS earlier_fit
    FROM checked
  ),
  results AS (
    SELECT i.ord, i.event_id, i.message_type, i.failure, f.fits, f.earlier_fit,
           (ins.event_id IS NOT NULL AND f.first) AS created
    FROM input AS i
    JOIN firsts AS f ON f.ord = i.ord
    LEFT JOIN inserted AS ins ON ins.event_id = i.event_id AND ins.message_type = i.message_type
  )
  SELECT
    r.ord,
    r.created,
    CASE WHEN r.created AND r.failure IS NOT NULL THEN 'FAILED'
         WHEN r.created THEN 'UNPROCESSED'
         WHEN NOT r.fits AND m.status IS NULL AND NOT r.earlier_fit THEN NULL
         ELSE coalesce(m.status, 'UNPROCESSED') END AS status,
    (NOT r.created AND NOT r.fits AND m.status IS NULL AND NOT r.earlier_fit) AS conflict,
    (SELECT count(pg_notify($10, t.table_name))
     FROM (SELECT DISTINCT table_name FROM inserted) AS t
     WHERE $10 IS NOT NULL) AS notified
  FROM results AS r
  LEFT JOIN LATERAL (
    SELECT e.status
    FROM {schema}.messages AS e
    WHERE NOT r.created AND e.event_id = r.event_id AND e.message_type = r.message_type
    LIMIT 1
  ) AS m ON true
  ORDER BY r.ord;
END
$publish$;
