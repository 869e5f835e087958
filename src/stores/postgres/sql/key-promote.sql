-- Promotes the head of each ordering key named: key_promote (schema-v6.sql) locks the keys
-- and clears key_wait on each key's first holding row. Runs in the transaction of the skip
-- that released the key (key-waits.ts); a completion calls key_promote itself (complete.sql).
-- Returns how many rows it promoted.
--
-- $1  text[]  per key: the event table
-- $2  text[]  per key: the ordering key
SELECT {schema}.key_promote($1::text[], $2::text[]) AS promoted;
