-- EPCIS REST capture: the events table keeps only each event's body, but extension fields in a body are
-- `prefix:name` keys whose prefixes only the capture document's @context declares. The capture job keeps that
-- @context so a query document can declare the prefixes of every event it returns. Forward-only.

ALTER TABLE capture_jobs ADD COLUMN context jsonb;

-- GET /epcis/capture lists jobs newest first, page by page.
CREATE INDEX capture_jobs_created_idx ON capture_jobs (created_at, id);
