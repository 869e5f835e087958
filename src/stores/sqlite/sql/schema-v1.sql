-- Schema version 1: the message rows, payloads and working data (see docs/concepts.md).
-- A migration script, run by migrations.ts with db.exec inside the migration transaction.
-- {prefix} is replaced by the validated table prefix (option tablePrefix, default ey_).
-- Parameters: none.
--
-- Timestamps are integer epoch milliseconds of the store's clock. `seq` (the rowid) is the
-- publish order: list pages by it and ordering keys compare it.

CREATE TABLE {prefix}messages (
  seq              INTEGER PRIMARY KEY,
  event_id         TEXT    NOT NULL,
  message_type     TEXT    NOT NULL,
  table_name       TEXT    NOT NULL CHECK (table_name IN ('inbound', 'request', 'response', 'outbound')),
  status           TEXT    NOT NULL CHECK (status IN ('UNPROCESSED', 'IN_PROGRESS', 'COMPLETED', 'ERROR', 'RETRY', 'FAILED')),
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
  UNIQUE (event_id, message_type)
);

-- Claim: only claimable rows are indexed, so COMPLETED rows piling up cost claim nothing.
CREATE INDEX {prefix}messages_claimable ON {prefix}messages (table_name, message_type, available_at, seq)
  WHERE status IN ('UNPROCESSED', 'RETRY');

-- Ordering keys: the head (smallest seq) of each key's rows that are not yet terminal.
CREATE INDEX {prefix}messages_ordering ON {prefix}messages (table_name, ordering_key, seq)
  WHERE ordering_key IS NOT NULL AND status NOT IN ('COMPLETED', 'FAILED');

-- The reaper: leases by expiry.
CREATE INDEX {prefix}messages_leases ON {prefix}messages (lease_expires_at)
  WHERE status = 'IN_PROGRESS';

-- The retry mechanism: ERROR rows by due time.
CREATE INDEX {prefix}messages_errors ON {prefix}messages (available_at)
  WHERE status = 'ERROR';

-- Purge by retention and re-drive of FAILED rows: terminal rows by age. Partial, so a claim
-- (UNPROCESSED → IN_PROGRESS) does not touch it.
CREATE INDEX {prefix}messages_terminal ON {prefix}messages (status, updated_at)
  WHERE status IN ('COMPLETED', 'FAILED');

CREATE TABLE {prefix}payload (
  event_id TEXT PRIMARY KEY,
  payload  TEXT NOT NULL
);

CREATE TABLE {prefix}working_data (
  event_id TEXT NOT NULL,
  name     TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (event_id, name)
) WITHOUT ROWID;
