-- EPCIS 2.0 error declarations (CBV 2.0 §7.4.1.2 of EPCIS): an event re-sent with an `errorDeclaration` keeps its
-- hash ID, so it is not a new event but a statement about a stored one. The event store stays append-only: the
-- declaration is an annotation of the stored event, and readers show the event with its latest declaration.
-- Forward-only.

CREATE TABLE event_error_declarations (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  seq              bigint NOT NULL REFERENCES events(seq),
  -- The errorDeclaration object as captured (declarationTime, reason, correctiveEventIDs, extensions).
  declaration      jsonb NOT NULL CHECK (jsonb_typeof(declaration) = 'object'),
  capture_id       uuid REFERENCES capture_jobs(id),
  declared_by      text,
  record_time      timestamptz NOT NULL DEFAULT now()
);
-- The same declaration twice adds nothing (jsonb text is canonical: keys sorted, whitespace dropped).
CREATE UNIQUE INDEX event_error_declarations_once ON event_error_declarations (seq, md5(declaration::text));
-- Readers take an event's latest declaration: (seq, id DESC).
CREATE INDEX event_error_declarations_seq_idx ON event_error_declarations (seq, id DESC);
CREATE INDEX event_error_declarations_capture_idx ON event_error_declarations (capture_id);
CREATE TRIGGER event_error_declarations_append_only BEFORE UPDATE OR DELETE ON event_error_declarations
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- A capture job counts the declarations it recorded beside stored events and duplicates.
ALTER TABLE capture_jobs ADD COLUMN declared integer NOT NULL DEFAULT 0;
