-- Schema version 2: message priorities (core/priority.ts, docs/flow-control.md "Priorities").
-- Run by migrations.ts inside the migration transaction, under the schema's advisory lock.
-- {schema} is the validated, quoted schema name. Parameters: none.
--
-- priority       0..9, what the row was published with (shown, kept across retries).
-- priority_lead  ms the row is claimed ahead of its AVAILABLE_AT: priority × the writing
--                store's priorityAgingStepMs, fixed at write time (integer: at most
--                9 × one day; 6 bytes a row for both columns instead of 10 with a bigint).
--
-- The claim index keeps its name and stays the one index a claim walks; its third key is
-- the row's *claim key*, available_at − priority_lead, which is available_at itself for
-- every row without a priority (their order is as in version 1). Due-ness is still judged
-- on available_at: claim.sql filters on both, the index range on the claim key.
--
-- ADD COLUMN with a constant default rewrites no row (PostgreSQL 11+). Rebuilding the
-- partial index reads the claimable rows (the backlog) and holds the table's write lock
-- while it does; the views gain a "PRIORITY" column at their end.

ALTER TABLE {schema}.messages
  ADD COLUMN priority smallint NOT NULL DEFAULT 0,
  ADD COLUMN priority_lead integer NOT NULL DEFAULT 0;

DROP INDEX {schema}.messages_claimable;

CREATE INDEX messages_claimable ON {schema}.messages (table_name, message_type, (available_at - priority_lead), seq)
  WHERE status IN ('UNPROCESSED', 'RETRY');

CREATE OR REPLACE VIEW {schema}.all_messages AS
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
  m.seq                                             AS "SEQ",
  m.priority                                        AS "PRIORITY"
FROM {schema}.messages AS m;

CREATE OR REPLACE VIEW {schema}.inbound AS SELECT * FROM {schema}.all_messages WHERE "TABLE_NAME" = 'inbound';
CREATE OR REPLACE VIEW {schema}.request AS SELECT * FROM {schema}.all_messages WHERE "TABLE_NAME" = 'request';
CREATE OR REPLACE VIEW {schema}.response AS SELECT * FROM {schema}.all_messages WHERE "TABLE_NAME" = 'response';
CREATE OR REPLACE VIEW {schema}.outbound AS SELECT * FROM {schema}.all_messages WHERE "TABLE_NAME" = 'outbound';
