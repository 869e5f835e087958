-- Schema version 8: the message table's CHECK constraints, written so SQLite tests them with
-- comparisons. A migration script, run by migrations.ts with db.exec inside the migration
-- transaction. {prefix} is replaced by the validated table prefix. Parameters: none.
--
-- Why: version 1 wrote `status IN (six values)` and `table_name IN (four values)`. SQLite
-- tests a constant list of more than two values through a temporary b-tree, and in a CHECK
-- constraint it builds that b-tree again for every row written: every claim, completion,
-- failure and release (they change STATUS) and every insert (both constraints) opened one
-- and inserted the six values, for each row. Written as `=` terms joined by OR, the same
-- rule costs a few comparisons (measured: docs/sqlite.md, "Layout").
--
-- SQLite cannot change a constraint in place: the table is built again (its documented
-- twelve-step procedure, in this one transaction) with the same columns in the same order,
-- the same types, defaults and UNIQUE key, every row copied with its seq, and every index
-- of versions 1 to 7 created again as it stood, token for token (the claim statements name
-- and match them). Nothing else references the table (no view, trigger or foreign key).
--
-- Cost: one pass over the table, writing every row and index entry again
-- (tests/support/sqlite-migration-cost.ts times it; docs/sqlite.md, "Layout").

CREATE TABLE {prefix}messages_v8 (
  seq              INTEGER PRIMARY KEY,
  event_id         TEXT    NOT NULL,
  message_type     TEXT    NOT NULL,
  table_name       TEXT    NOT NULL CHECK (
    table_name = 'inbound' OR table_name = 'request' OR table_name = 'response' OR table_name = 'outbound'
  ),
  status           TEXT    NOT NULL CHECK (
    status = 'UNPROCESSED' OR status = 'IN_PROGRESS' OR status = 'COMPLETED'
    OR status = 'ERROR' OR status = 'RETRY' OR status = 'FAILED'
  ),
  created_by       TEXT    NOT NULL,
  updated_by       TEXT    NOT NULL,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  max_attempts     INTEGER NOT NULL,
  available_at     INTEGER NOT NULL,
  lease_owner      TEXT,
  lease_expires_at INTEGER,
  claim_token      TEXT,
  last_error       TEXT,
  ordering_key     TEXT,
  traceparent      TEXT,
  payload_id       INTEGER,
  priority         INTEGER NOT NULL DEFAULT 0,
  priority_lead    INTEGER NOT NULL DEFAULT 0,
  group_key        TEXT,
  key_skipped      INTEGER,
  key_wait         INTEGER,
  UNIQUE (event_id, message_type)
);

INSERT INTO {prefix}messages_v8 (
  seq, event_id, message_type, table_name, status, created_by, updated_by, created_at, updated_at,
  attempts, max_attempts, available_at, lease_owner, lease_expires_at, claim_token, last_error,
  ordering_key, traceparent, payload_id, priority, priority_lead, group_key, key_skipped, key_wait
)
SELECT
  seq, event_id, message_type, table_name, status, created_by, updated_by, created_at, updated_at,
  attempts, max_attempts, available_at, lease_owner, lease_expires_at, claim_token, last_error,
  ordering_key, traceparent, payload_id, priority, priority_lead, group_key, key_skipped, key_wait
FROM {prefix}messages
ORDER BY seq;

DROP TABLE {prefix}messages;

ALTER TABLE {prefix}messages_v8 RENAME TO {prefix}messages;

-- The indexes as versions 1, 4, 5 and 7 left them.
CREATE INDEX {prefix}messages_leases ON {prefix}messages (lease_expires_at)
  WHERE status = 'IN_PROGRESS';

CREATE INDEX {prefix}messages_errors ON {prefix}messages (available_at)
  WHERE status = 'ERROR';

CREATE INDEX {prefix}messages_terminal ON {prefix}messages (status, updated_at)
  WHERE status IN ('COMPLETED', 'FAILED');

CREATE INDEX {prefix}messages_group_in_flight ON {prefix}messages (table_name, message_type, group_key)
  WHERE group_key IS NOT NULL AND status = 'IN_PROGRESS';

CREATE INDEX {prefix}messages_ordering ON {prefix}messages (table_name, ordering_key, seq)
  WHERE ordering_key IS NOT NULL AND status <> 'COMPLETED' AND key_skipped IS NULL;

CREATE INDEX {prefix}messages_claimable ON {prefix}messages (
  table_name,
  message_type,
  group_key,
  (CASE WHEN priority_lead = 0 OR typeof(available_at) = 'text' THEN available_at ELSE available_at - priority_lead END),
  seq
) WHERE status IN ('UNPROCESSED', 'RETRY') AND key_wait IS NULL;
