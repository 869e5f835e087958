-- The working data of one event, by name.
--
-- $1  text  EVENT_ID
SELECT name, value FROM {schema}.working_data WHERE event_id = $1 ORDER BY name;
