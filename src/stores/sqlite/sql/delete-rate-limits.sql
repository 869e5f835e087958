-- Forgets a few rate-limit keys whose log no longer counts (or the one key emptied), so
-- the table stays the size of the limits in use.
-- @now  INTEGER  epoch ms, store clock
-- @key  TEXT     a key to delete whatever its expiry (its log became empty), or NULL
DELETE FROM {prefix}rate_limits
WHERE limit_key = @key
   OR limit_key IN (SELECT limit_key FROM {prefix}rate_limits WHERE expires_at <= @now LIMIT 16);
