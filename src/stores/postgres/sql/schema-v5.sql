-- Schema version 5: rate-limit grant logs (store port `takeTokens` / `returnTokens`). Run
-- by migrations.ts inside the migration transaction, under the schema's advisory lock.
-- {schema} is the validated, quoted schema name. Parameters: none. (Versions 2 to 4 belong
-- to other parts of flow control; migrate() skips the numbers it does not have.)
--
-- One row per limit key: its grant log as two parallel arrays (grant times ascending, and
-- tokens granted at each), and when the log stops counting (newest grant + interval). The
-- rule is store/rate-log.ts's, in PL/pgSQL so a request is one statement: the key's row is
-- created or locked by an upsert (FOR UPDATE semantics: concurrent callers of one key
-- queue on it, callers of other keys do not wait), judged by the server's clock read
-- after the lock (clock_timestamp(), not the transaction's start), and written back.
CREATE TABLE IF NOT EXISTS {schema}.rate_limits (
  limit_key  text      PRIMARY KEY,
  grant_at   bigint[]  NOT NULL,
  grant_n    integer[] NOT NULL,
  expires_at bigint    NOT NULL
);

CREATE INDEX IF NOT EXISTS rate_limits_expiry ON {schema}.rate_limits (expires_at);

CREATE OR REPLACE FUNCTION {schema}.take_tokens(
  p_key text, p_max integer, p_interval bigint, p_want integer,
  OUT granted integer, OUT at bigint, OUT next_at bigint
) LANGUAGE plpgsql AS $fn$
DECLARE
  ats bigint[];
  ns integer[];
  now_ms bigint;
  len integer;
  keep integer := 1;
  used integer := 0;
  total integer;
  need integer;
  cum integer := 0;
BEGIN
  INSERT INTO {schema}.rate_limits AS r (limit_key, grant_at, grant_n, expires_at)
  VALUES (p_key, '{}', '{}', 0)
  ON CONFLICT (limit_key) DO UPDATE SET limit_key = r.limit_key
  RETURNING r.grant_at, r.grant_n INTO ats, ns;
  now_ms := floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint;
  -- Keys whose log stopped counting, a few per call, skipping any another caller holds.
  DELETE FROM {schema}.rate_limits
  WHERE limit_key IN (
    SELECT d.limit_key FROM {schema}.rate_limits AS d
    WHERE d.expires_at <= now_ms AND d.limit_key <> p_key
    ORDER BY d.expires_at
    LIMIT 4
    FOR UPDATE SKIP LOCKED
  );
  len := coalesce(array_length(ats, 1), 0);
  WHILE keep <= len AND ats[keep] <= now_ms - p_interval LOOP
    keep := keep + 1;
  END LOOP;
  IF keep > 1 THEN
    ats := ats[keep:len];
    ns := ns[keep:len];
    len := len - keep + 1;
  END IF;
  FOR i IN 1..len LOOP
    used := used + ns[i];
  END LOOP;
  at := CASE WHEN len = 0 THEN now_ms ELSE greatest(now_ms, ats[len]) END;
  granted := greatest(0, least(p_want, p_max - used));
  IF granted > 0 THEN
    IF len > 0 AND ats[len] = at THEN
      ns[len] := ns[len] + granted;
    ELSE
      ats := ats || at;
      ns := ns || granted;
      len := len + 1;
    END IF;
  END IF;
  total := used + granted;
  next_at := at;
  IF total >= p_max THEN
    need := total - p_max + 1;
    FOR i IN 1..len LOOP
      cum := cum + ns[i];
      IF cum >= need THEN
        next_at := ats[i] + p_interval;
        EXIT;
      END IF;
    END LOOP;
  END IF;
  UPDATE {schema}.rate_limits
  SET grant_at = coalesce(ats, '{}'), grant_n = coalesce(ns, '{}'),
      expires_at = CASE WHEN len = 0 THEN now_ms ELSE ats[len] + p_interval END
  WHERE limit_key = p_key;
END
$fn$;

CREATE OR REPLACE FUNCTION {schema}.return_tokens(p_key text, p_at bigint, p_count integer)
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  ats bigint[];
  ns integer[];
  idx integer;
BEGIN
  SELECT r.grant_at, r.grant_n INTO ats, ns FROM {schema}.rate_limits AS r WHERE r.limit_key = p_key FOR UPDATE;
  IF NOT FOUND OR p_count <= 0 THEN
    RETURN;
  END IF;
  idx := array_position(ats, p_at);
  IF idx IS NULL THEN
    RETURN;
  END IF;
  ns[idx] := ns[idx] - least(p_count, ns[idx]);
  IF ns[idx] = 0 THEN
    ats := ats[1:idx - 1] || ats[idx + 1:array_length(ats, 1)];
    ns := ns[1:idx - 1] || ns[idx + 1:array_length(ns, 1)];
  END IF;
  UPDATE {schema}.rate_limits SET grant_at = coalesce(ats, '{}'), grant_n = coalesce(ns, '{}') WHERE limit_key = p_key;
END
$fn$;
