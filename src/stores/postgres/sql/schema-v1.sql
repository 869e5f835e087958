-- Schema version 1: message rows, payloads, working data, the wake-up channel's helper
-- and one view per event table. Run by migrations.ts inside the migration transaction,
-- under the schema's advisory lock. {schema} is the validated, quoted schema name.
-- Parameters: none.
--
-- Times are bigint epoch milliseconds of the server's clock ({schema}.now_ms()), the same
-- unit the store port speaks; the views show them as timestamptz.
--
-- Layout under churn (docs/postgres.md, "Table health"): every row is rewritten three or
-- four times (claim, complete, purge), so
-- - the indexes that serve the hot paths are partial: claimable rows, leases, errors,
--   ordering-key heads. A row leaves them when it completes, so they stay the size of the
--   backlog, not of the table;
-- - fillfactor 80 leaves room on each page for the new row versions of claim and complete;
-- - autovacuum runs on this table after 1 % of its rows (not the 20 % default) changed,
--   without cost-based sleeps, so dead versions are reclaimed while they are few.
CREATE FUNCTION {schema}.now_ms() RETURNS bigint
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT floor(extract(epoch FROM now()) * 1000)::bigint $$;

CREATE TABLE {schema}.messages (
  seq              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id         text    NOT NULL,
  message_type     text    NOT NULL,
  table_name       text    NOT NULL CHECK (table_name IN ('inbound', 'request', 'response', 'outbound')),
  status           text    NOT NULL CHECK (status IN ('UNPROCESSED', 'IN_PROGRESS', 'COMPLETED', 'ERROR', 'RETRY', 'FAILED')),
  created_by       text    NOT NULL,
  updated_by       text    NOT NULL,
  created_at       bigint  NOT NULL,
  updated_at       bigint  NOT NULL,
  attempts         integer NOT NULL DEFAULT 0,
  max_attempts     integer NOT NULL,
  available_at     bigint  NOT NULL,
  lease_owner      text,
  lease_expires_at bigint,
  claim_token      text,
  last_error       text,
  ordering_key     text,
  traceparent      text,
  CONSTRAINT messages_event_type UNIQUE (event_id, message_type)
) WITH (
  fillfactor = 80,
  autovacuum_vacuum_scale_factor = 0.01,
  autovacuum_vacuum_threshold = 1000,
  autovacuum_vacuum_insert_scale_factor = 0.05,
  autovacuum_analyze_scale_factor = 0.02,
  autovacuum_vacuum_cost_delay = 0
);

-- Claim: only claimable rows are indexed, so COMPLETED rows piling up cost a claim nothing.
CREATE INDEX messages_claimable ON {schema}.messages (table_name, message_type, available_at, seq)
  WHERE status IN ('UNPROCESSED', 'RETRY');

-- Ordering keys: the head (smallest seq) of each key's rows that are not yet terminal.
CREATE INDEX messages_ordering ON {schema}.messages (table_name, ordering_key, seq)
  WHERE ordering_key IS NOT NULL AND status NOT IN ('COMPLETED', 'FAILED');

-- The reaper: leases by expiry.
CREATE INDEX messages_leases ON {schema}.messages (lease_expires_at)
  WHERE status = 'IN_PROGRESS';

-- The retry mechanism: ERROR rows by due time.
CREATE INDEX messages_errors ON {schema}.messages (available_at)
  WHERE status = 'ERROR';

-- Retention purge and re-drive of FAILED rows: terminal rows by age.
CREATE INDEX messages_terminal ON {schema}.messages (updated_at)
  WHERE status IN ('COMPLETED', 'FAILED');

CREATE TABLE {schema}.payload (
  event_id text PRIMARY KEY,
  payload  text NOT NULL
) WITH (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_cost_delay = 0);

CREATE TABLE {schema}.working_data (
  event_id text NOT NULL,
  name     text NOT NULL,
  value    text NOT NULL,
  PRIMARY KEY (event_id, name)
) WITH (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_cost_delay = 0);

-- What an operator reads with psql: one view per event table, with the seed's columns.
CREATE VIEW {schema}.all_messages AS
SELECT
  m.event_id                                        AS "EVENT_ID",
  m.message_type                                    AS "MESSAGE_TYPE",
  m.status                                          AS "STATUS",
  m.created_by                                      AS "CREATED_BY",
  to_timestamp(m.created_at / 1000.0)               AS "CREATED_DTTM",
  m.updated_by                                      AS "UPDATED_BY",
  to_timestamp(m.updated_at / 1000.0)               AS "UPDATED_DTTM",
  m.attempts                                        AS "ATTEMPTS",
  m.max_attempts                                    AS "MAX_ATTEMPTS",
  to_timestamp(m.available_at / 1000.0)             AS "AVAILABLE_AT",
  m.lease_owner                                     AS "LEASE_OWNER",
  to_timestamp(m.lease_expires_at / 1000.0)         AS "LEASE_EXPIRES_AT",
  m.claim_token                                     AS "CLAIM_TOKEN",
  m.last_error                                      AS "LAST_ERROR",
  m.ordering_key                                    AS "ORDERING_KEY",
  m.traceparent                                     AS "TRACEPARENT",
  m.table_name                                      AS "TABLE_NAME",
  m.seq                                             AS "SEQ"
FROM {schema}.messages AS m;

CREATE VIEW {schema}.inbound AS SELECT * FROM {schema}.all_messages WHERE "TABLE_NAME" = 'inbound';
CREATE VIEW {schema}.request AS SELECT * FROM {schema}.all_messages WHERE "TABLE_NAME" = 'request';
CREATE VIEW {schema}.response AS SELECT * FROM {schema}.all_messages WHERE "TABLE_NAME" = 'response';
CREATE VIEW {schema}.outbound AS SELECT * FROM {schema}.all_messages WHERE "TABLE_NAME" = 'outbound';
