-- Every read of trace data is recorded: who, in which role, what was asked, when, how many records came back.
CREATE TABLE query_log (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at               timestamptz NOT NULL DEFAULT now(),
  actor_id         text,
  actor_role       text NOT NULL,
  operator_id      uuid REFERENCES operators(id),
  -- The division the asker belongs to (a regulator's jurisdiction, an operator's division) and the division
  -- of what was asked about, when known: a regulator sees entries where either lies in its jurisdiction.
  actor_division   text,
  subject_division text,
  kind             text NOT NULL,
  query            jsonb NOT NULL,
  result_count     integer NOT NULL
);
CREATE INDEX query_log_at_idx ON query_log (at);
CREATE INDEX query_log_operator_idx ON query_log (operator_id, at);
CREATE INDEX query_log_actor_division_idx ON query_log (actor_division text_pattern_ops, at);
CREATE INDEX query_log_subject_division_idx ON query_log (subject_division text_pattern_ops, at);
CREATE TRIGGER query_log_append_only BEFORE UPDATE OR DELETE ON query_log FOR EACH ROW EXECUTE FUNCTION refuse_change();
