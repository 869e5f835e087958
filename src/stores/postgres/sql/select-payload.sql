-- The payload JSON text of one event (no row: the event has none).
--
-- $1  text  EVENT_ID
SELECT payload FROM {schema}.payload WHERE event_id = $1;
