-- Writes a rate-limit key's grant log (JSON) and when it stops counting.
-- @key        TEXT     the limit key
-- @grants     TEXT     the log, `[[at, n], ...]`
-- @expiresAt  INTEGER  epoch ms, store clock: the newest grant + the interval
INSERT INTO {prefix}rate_limits (limit_key, grants, expires_at)
VALUES (@key, @grants, @expiresAt)
ON CONFLICT (limit_key) DO UPDATE SET grants = excluded.grants, expires_at = excluded.expires_at;
