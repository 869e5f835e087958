-- Deletes a payload no row points at (written for an emit whose row turned out to exist).
--
-- @payloadId  INTEGER  the payload's id
DELETE FROM {prefix}payload
WHERE id = @payloadId;
