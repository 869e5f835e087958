-- Gives back unused rate-limit tokens: up to count entries recorded at `at` per key
-- ({schema}.return_tokens, schema-v5.sql).
--
-- $1  text[]     limit keys
-- $2  bigint[]   the grants' times (TokenGrant.at)
-- $3  integer[]  how many tokens go back
SELECT count({schema}.return_tokens(r.key, r.at, r.n)) AS done
FROM unnest($1::text[], $2::bigint[], $3::integer[]) WITH ORDINALITY AS r(key, at, n, i);
