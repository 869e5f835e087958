-- Schema version 3: group concurrency (docs/flow-control.md, "Group concurrency"). Run by
-- migrations.ts inside the migration transaction, under the schema's advisory lock.
-- {schema} is the validated, quoted schema name. Parameters: none. (Version 2 belongs to
-- priorities and runs first.)
--
-- GROUP_KEY (group_key) is set on rows of a type declared with `group`. Grouped rows get
-- partial indexes of their own and leave messages_claimable, so an ungrouped claim walks
-- exactly the rows it walked before and a hot group's backlog is never in its way:
-- - messages_claimable: as in version 2 (claim key available_at − priority_lead), for rows
--   without a group key;
-- - messages_group_claimable: claimable grouped rows by (table, type, group, due, seq): a
--   claim skips from group to group (one seek each) and takes a group's oldest rows (FIFO
--   by available_at within a group: priorities do not reorder a group's rows);
-- - messages_group_in_flight: IN_PROGRESS grouped rows: a group's count reads at most its
--   in-flight rows.
-- Rebuilding messages_claimable reads the table once.
ALTER TABLE {schema}.messages ADD COLUMN group_key text;

DROP INDEX {schema}.messages_claimable;

-- The claim key is version 2's (priorities): version 3 runs after it, and claim.sql walks
-- the index by (available_at - priority_lead).
CREATE INDEX messages_claimable ON {schema}.messages (table_name, message_type, (available_at - priority_lead), seq)
  WHERE status IN ('UNPROCESSED', 'RETRY') AND group_key IS NULL;

CREATE INDEX messages_group_claimable
  ON {schema}.messages (table_name, message_type, group_key, available_at, seq)
  WHERE group_key IS NOT NULL AND status IN ('UNPROCESSED', 'RETRY');

CREATE INDEX messages_group_in_flight ON {schema}.messages (table_name, message_type, group_key)
  WHERE group_key IS NOT NULL AND status = 'IN_PROGRESS';

-- The operator's view shows the group too (a new last column, after version 2's
-- "PRIORITY"; the per-table views keep their version-2 columns).
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
  m.priority                                        AS "PRIORITY",
  m.group_key                                       AS "GROUP_KEY"
FROM {schema}.messages AS m;
