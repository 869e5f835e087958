-- Writes a batch of messages: one call of publish_batch() (schema-v7.sql, where the
-- statement and what it does are described), on the store's pool (autocommit: one
-- transaction) or inside the caller's open transaction (publish inside the user's
-- transaction: then it is the one extra round trip, and the rows, payloads and the wake-up
-- notification become visible at the caller's COMMIT, or never). The statement is the
-- migration's, its one copy: to change it, add a migration that replaces the function
-- (CREATE OR REPLACE FUNCTION with the same arguments and result).
--
-- $1  text[]    EVENT_IDs
-- $2  text[]    MESSAGE_TYPEs
-- $3  text[]    event tables (inbound, request, response, outbound)
-- $4  text[]    CREATED_BY (and UPDATED_BY)
-- $5  integer[] MAX_ATTEMPTS
-- $6  bigint[]  delays in ms: AVAILABLE_AT = now + delay (server clock)
-- $7  text[]    ORDERING_KEYs, NULL entries for none
-- $8  text[]    TRACEPARENTs, NULL entries for none
-- $9  text      payload JSON texts, NULL entries for none (an existing payload is kept), as a
--               text list (array-literal.ts, textList: joined, nothing escaped; or a literal)
-- $10 text      the wake-up channel (pg_notify), or NULL to send no notification
-- $11 text[]    GROUP_KEYs, NULL entries for none
-- $12 text[]    failures, NULL entries for none: such a row is written FAILED with it as LAST_ERROR
-- $13 smallint[] priorities 0..9, or NULL when no message has one (then all 0)
-- $14 integer[] priority leads in ms (priority × aging step), or NULL as $13
-- Returns one row per input, in input order: created, status, conflict (publish_batch).
SELECT created, status, conflict
FROM {schema}.publish_batch($1::text[], $2::text[], $3::text[], $4::text[], $5::integer[], $6::bigint[],
                            $7::text[], $8::text[],
                            CASE WHEN left($9::text, 1) = '{' THEN $9::text::text[] ELSE (string_to_array(substr($9::text, 3), substr($9::text, 1, 1), substr($9::text, 2, 1)))[2:] END,
                            $10::text, $11::text[], $12::text[], $13::smallint[], $14::integer[])
ORDER BY ord;
