-- The event store: every supply-chain step as an append-only EPCIS 2.0 event, numbered by a per-node
-- sequence, idempotent by the CBV 2.0 event hash ID. Native records, ledgers and EPCIS capture all land here.

CREATE TABLE capture_jobs (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  status          text NOT NULL CHECK (status IN ('queued','running','succeeded','failed')),
  error_behaviour text NOT NULL CHECK (error_behaviour IN ('rollback','proceed')),
  source          text NOT NULL CHECK (source IN ('epcis','native','ledger')),
  actor_id        text,
  actor_role      text NOT NULL,
  operator_id     uuid REFERENCES operators(id),
  document        jsonb,            -- kept until processed, for asynchronous jobs
  event_count     integer NOT NULL DEFAULT 0,
  stored          integer NOT NULL DEFAULT 0,
  duplicates      integer NOT NULL DEFAULT 0,
  errors          jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz
);
CREATE INDEX capture_jobs_operator_idx ON capture_jobs (operator_id);
CREATE INDEX capture_jobs_queued_idx ON capture_jobs (created_at) WHERE status IN ('queued','running');

CREATE TABLE events (
  seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hash_id         text NOT NULL,
  event_id        text NOT NULL,
  event_type      text NOT NULL CHECK (event_type IN ('ObjectEvent','AggregationEvent','TransactionEvent','TransformationEvent','AssociationEvent')),
  action          text CHECK (action IN ('ADD','OBSERVE','DELETE')),
  biz_step        text,
  disposition     text,
  event_time      timestamptz NOT NULL,
  record_time     timestamptz NOT NULL DEFAULT now(),
  read_point      text,
  biz_location    text,
  -- Who the record belongs to (the recording operator) and where (its site's or its own division):
  -- the who-sees-what rules read these columns, never the JSON body.
  operator_id     uuid REFERENCES operators(id),
  division_code   text,
  -- The other party of a hand-over (ship to, receive from, sell to): one-up/one-down visibility.
  counterparty_id uuid REFERENCES operators(id),
  source          text NOT NULL CHECK (source IN ('epcis','native','ledger')),
  capture_id      uuid REFERENCES capture_jobs(id),
  captured_by     text,
  body            jsonb NOT NULL,
  CONSTRAINT events_hash_key UNIQUE (hash_id),
  CONSTRAINT events_event_id_key UNIQUE (event_id)
);
CREATE INDEX events_time_idx ON events (event_time);
CREATE INDEX events_record_time_idx ON events (record_time);
CREATE INDEX events_operator_idx ON events (operator_id, seq);
CREATE INDEX events_counterparty_idx ON events (counterparty_id, seq);
CREATE INDEX events_division_idx ON events (division_code text_pattern_ops, seq);
CREATE INDEX events_biz_step_idx ON events (biz_step, event_time);
CREATE INDEX events_capture_idx ON events (capture_id);
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Every identifier an event names, by role. The lineage engine expands level by level with
-- `key = ANY($1)` on this table; EPCIS MATCH_* query parameters use it too.
--   e epcList · p parentID · c childEPCs · i inputEPCList · o outputEPCList
--   q quantityList class · j inputQuantityList class · k outputQuantityList class · d childQuantityList class
CREATE TABLE event_ids (
  key  text NOT NULL,
  role "char" NOT NULL,
  seq  bigint NOT NULL REFERENCES events(seq),
  PRIMARY KEY (key, role, seq)
);
CREATE INDEX event_ids_seq_idx ON event_ids (seq);
CREATE TRIGGER event_ids_append_only BEFORE UPDATE OR DELETE ON event_ids FOR EACH ROW EXECUTE FUNCTION refuse_change();
