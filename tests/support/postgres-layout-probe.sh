#!/usr/bin/env bash
# Would a layout whose claims and completions are HOT updates drain faster on PostgreSQL?
# Measures, inside the server (no client, no network), the claim + complete statements of a
# drain on two layouts of the same 100,000 rows, claimed 256 at a time:
#
#   current: the messages table as schema versions 1–7 leave it: primary key, the unique
#            (event_id, message_type), and every partial index whose predicate names STATUS;
#            claim and complete are the store's statements (claim.sql, complete.sql) reduced
#            to their plain-row path. Every update writes a new index entry (not HOT).
#   ready:   the same table without any index on STATUS, and a narrow table of claimable
#            rows (table, type, claim key, seq) that a claim deletes from; the two updates
#            of a row may then be HOT (the count is printed).
#
# Each drain is a PL/pgSQL loop, one transaction per claim and per completion, with
# synchronous_commit off (the time is the statements', not the WAL flushes'). Prints the
# drain time of each layout per round, and its updates that were HOT.
#
#   tests/support/postgres-layout-probe.sh [rounds=2] [rows=100000]
#   PGURL=postgres://postgres@127.0.0.1:5432/test tests/support/postgres-layout-probe.sh
set -euo pipefail
rounds=${1:-2}
rows=${2:-100000}
url=${PGURL:-postgres://postgres@127.0.0.1:5432/test}
psql_() { psql -X -q -v ON_ERROR_STOP=1 "$url" "$@"; }

columns="
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id text NOT NULL, message_type text NOT NULL, table_name text NOT NULL,
  status text NOT NULL, created_by text NOT NULL, updated_by text NOT NULL,
  created_at bigint NOT NULL, updated_at bigint NOT NULL, attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL, available_at bigint NOT NULL, lease_owner text, lease_expires_at bigint,
  claim_token text, last_error text, ordering_key text, traceparent text,
  priority smallint NOT NULL DEFAULT 0, priority_lead integer NOT NULL DEFAULT 0, group_key text,
  key_skipped boolean, key_wait boolean,
  CONSTRAINT messages_event_type UNIQUE (event_id, message_type)"
storage="fillfactor = 80, autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_cost_delay = 0"

setup() { # $1 schema, $2 layout
  local s=$1
  local extra
  if [ "$2" = current ]; then
    extra="
CREATE INDEX ON $s.messages (table_name, message_type, (available_at - priority_lead), seq)
  WHERE status IN ('UNPROCESSED', 'RETRY') AND group_key IS NULL AND key_wait IS NULL;
CREATE INDEX ON $s.messages (table_name, message_type, (available_at - priority_lead), seq)
  WHERE status IN ('UNPROCESSED', 'RETRY') AND group_key IS NULL AND key_wait IS NULL AND ordering_key IS NOT NULL;
CREATE INDEX ON $s.messages (table_name, ordering_key, seq)
  WHERE ordering_key IS NOT NULL AND status <> 'COMPLETED' AND key_skipped IS NULL;
CREATE INDEX ON $s.messages (lease_expires_at) WHERE status = 'IN_PROGRESS';
CREATE INDEX ON $s.messages (available_at) WHERE status = 'ERROR';
CREATE INDEX ON $s.messages (updated_at) WHERE status IN ('COMPLETED', 'FAILED');
CREATE INDEX ON $s.messages (seq) WHERE status = 'FAILED' AND ordering_key IS NOT NULL AND key_skipped IS NULL;
CREATE INDEX ON $s.messages (table_name, message_type, group_key, available_at, seq)
  WHERE group_key IS NOT NULL AND status IN ('UNPROCESSED', 'RETRY');
CREATE INDEX ON $s.messages (table_name, message_type, group_key) WHERE group_key IS NOT NULL AND status = 'IN_PROGRESS';
CREATE INDEX ON $s.messages (table_name, ordering_key, seq) WHERE key_wait IS NOT NULL;"
  else
    extra="
CREATE TABLE $s.ready (table_name text NOT NULL, message_type text NOT NULL, claim_key bigint NOT NULL, seq bigint NOT NULL,
  PRIMARY KEY (table_name, message_type, claim_key, seq)) WITH (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_cost_delay = 0);"
  fi
  psql_ -c "SET client_min_messages = warning" -c "DROP SCHEMA IF EXISTS $s CASCADE" -c "CREATE SCHEMA $s" \
    -c "CREATE TABLE $s.messages ($columns) WITH ($storage); $extra
CREATE TABLE $s.payload (event_id text PRIMARY KEY, payload text NOT NULL);
INSERT INTO $s.messages (event_id, message_type, table_name, status, created_by, updated_by, created_at, updated_at, max_attempts, available_at)
SELECT '0190' || lpad(to_hex(i), 12, '0') || '-7abc-8def-0123456789ab', 'A', 'inbound', 'UNPROCESSED', 'svc', 'svc', 1, 1, 5, 1
FROM generate_series(1, $rows) AS i;
INSERT INTO $s.payload SELECT event_id, '{\"id\":1,\"amount\":12.5,\"note\":\"hello world\"}' FROM $s.messages;" \
    -c "$([ "$2" = ready ] && echo "INSERT INTO $s.ready SELECT table_name, message_type, available_at - priority_lead, seq FROM $s.messages" || echo "SELECT 1")" \
    -c "VACUUM ANALYZE $s.messages" -c "VACUUM ANALYZE $s.payload" -c "CHECKPOINT" >/dev/null
}

drain() { # $1 schema, $2 layout; prints ms
  local s=$1 picked
  if [ "$2" = current ]; then
    picked="picked AS (
      SELECT seq FROM $s.messages
      WHERE table_name = 'inbound' AND message_type = 'A' AND status IN ('UNPROCESSED', 'RETRY')
        AND group_key IS NULL AND key_wait IS NULL
        AND available_at - priority_lead <= 1000 AND available_at <= 1000
      ORDER BY available_at - priority_lead, seq LIMIT 256 FOR UPDATE SKIP LOCKED)"
  else
    picked="picked AS (
      DELETE FROM $s.ready AS r WHERE (r.table_name, r.message_type, r.claim_key, r.seq) IN (
        SELECT table_name, message_type, claim_key, seq FROM $s.ready
        WHERE table_name = 'inbound' AND message_type = 'A' AND claim_key <= 1000
        ORDER BY claim_key, seq LIMIT 256 FOR UPDATE SKIP LOCKED)
      RETURNING r.seq)"
  fi
  psql_ -c "SET synchronous_commit = off" -c '\timing on' -c "
DO \$\$
DECLARE seqs bigint[]; toks text[]; n int; k int := 0;
BEGIN
  LOOP
    k := k + 1;
    WITH $picked,
    claimed AS (
      UPDATE $s.messages AS m
      SET status = 'IN_PROGRESS', attempts = m.attempts + 1, lease_owner = 'o', lease_expires_at = 99999,
          claim_token = 'tok' || k || '.' || m.seq, updated_by = 'svc', updated_at = 2
      WHERE m.seq = ANY (ARRAY(SELECT picked.seq FROM picked)) AND m.available_at <= 1000
      RETURNING m.seq, m.claim_token, (SELECT p.payload FROM $s.payload AS p WHERE p.event_id = m.event_id) AS payload
    )
    SELECT array_agg(c.seq), array_agg(c.claim_token), count(*) INTO seqs, toks, n FROM claimed AS c;
    COMMIT;
    EXIT WHEN n = 0;
    UPDATE $s.messages AS m
    SET status = 'COMPLETED', claim_token = NULL, lease_expires_at = NULL, updated_by = 'svc', updated_at = 3
    FROM unnest(seqs, toks) AS r(seq, tok)
    WHERE m.seq = r.seq AND m.claim_token = r.tok AND m.status = (SELECT 'IN_PROGRESS');
    COMMIT;
  END LOOP;
END \$\$;" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
}

for round in $(seq 1 "$rounds"); do
  for layout in current ready; do
    schema="ey_layout_probe_$layout"
    setup "$schema" "$layout"
    ms=$(drain "$schema" "$layout")
    hot=$(psql_ -At -c "SELECT n_tup_hot_upd || ' of ' || n_tup_upd FROM pg_stat_user_tables WHERE schemaname = '$schema' AND relname = 'messages'")
    echo "round $round  $layout  $rows rows drained in $ms ms  (HOT updates: $hot)"
    psql_ -c "SET client_min_messages = warning" -c "DROP SCHEMA $schema CASCADE"
  done
done
