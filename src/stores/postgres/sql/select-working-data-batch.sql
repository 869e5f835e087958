-- The working data of several events in one statement, by event and name: the store answers
-- every getWorkingData call made in the same turn of the event loop with one round trip (the
-- handlers of a claimed batch usually ask at once). The primary key (event_id, name) serves it.
--
-- $1  text[]  EVENT_IDs
SELECT event_id, name, value
FROM {schema}.working_data
WHERE event_id = ANY ($1::text[])
ORDER BY event_id, name;
