-- Rate-limit tokens for a batch of requests, judged in order by {schema}.take_tokens
-- (schema-v5.sql: the rule of store/rate-log.ts). One statement, one transaction: each
-- key's row stays locked until it commits. The caller sorts requests by key so two
-- batches lock shared keys in the same order.
--
-- $1  text[]     limit keys
-- $2  integer[]  max per interval
-- $3  bigint[]   interval, ms
-- $4  integer[]  tokens wanted
SELECT r.i AS req, t.granted, t.at, t.next_at AS "nextAt"
FROM unnest($1::text[], $2::integer[], $3::bigint[], $4::integer[]) WITH ORDINALITY AS r(key, max, interval_ms, want, i)
CROSS JOIN LATERAL {schema}.take_tokens(r.key, r.max, r.interval_ms, r.want) AS t
ORDER BY r.i;
