-- Risk warnings (风险预警): a rule engine over the event store, evaluated after every capture (through an outbox)
-- and on a schedule. Warnings are never deleted; a closed warning stays for the record. Forward-only.

-- Per-node overrides of a rule's settings; the defaults live in code (src/risk/risk-types.ts), so a rule
-- without a row runs on its defaults.
CREATE TABLE risk_settings (
  rule       text PRIMARY KEY,
  settings   jsonb NOT NULL,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE risk_warnings (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Listing order and page cursor.
  seq                bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  rule               text NOT NULL,
  -- What the warning is about (`code:…`, `operator:…`, …): one warning that is not closed per rule and subject.
  subject            text NOT NULL,
  severity           text NOT NULL CHECK (severity IN ('low','medium','high','critical')),
  status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open','acknowledged','closed')),
  -- Whom it is about (operators see their own) and where (a regulator sees its jurisdiction).
  operator_id        uuid REFERENCES operators(id),
  division_code      text,
  codes              text[] NOT NULL DEFAULT '{}',
  explanation_zh     text NOT NULL,
  explanation_en     text NOT NULL,
  facts              jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- The events that gave rise to it (kept as evidence; events are append-only, so they stay).
  event_seqs         bigint[] NOT NULL DEFAULT '{}',
  -- Times it was found again with new evidence while not closed.
  occurrences        integer NOT NULL DEFAULT 1,
  raised_by          text NOT NULL CHECK (raised_by IN ('capture','schedule')),
  first_seen_at      timestamptz NOT NULL DEFAULT now(),
  last_seen_at       timestamptz NOT NULL DEFAULT now(),
  acknowledged_by    text,
  acknowledged_role  text,
  acknowledged_at    timestamptz,
  acknowledge_reason text,
  closed_by          text,
  closed_role        text,
  closed_at          timestamptz,
  close_reason       text,
  CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
  CHECK (status = 'open' OR acknowledged_at IS NOT NULL OR closed_at IS NOT NULL)
);
CREATE UNIQUE INDEX risk_warnings_open_key ON risk_warnings (rule, subject) WHERE status <> 'closed';
CREATE INDEX risk_warnings_operator_idx ON risk_warnings (operator_id, seq);
CREATE INDEX risk_warnings_division_idx ON risk_warnings (division_code text_pattern_ops, seq);
CREATE INDEX risk_warnings_status_idx ON risk_warnings (status, seq);

-- Never deleted; what a warning is about never changes, and a closed warning stays closed.
CREATE FUNCTION risk_warnings_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'risk warning % cannot be deleted: close it instead', OLD.id USING ERRCODE = 'restrict_violation';
  END IF;
  IF NEW.id <> OLD.id OR NEW.rule <> OLD.rule OR NEW.subject <> OLD.subject OR NEW.first_seen_at <> OLD.first_seen_at OR OLD.status = 'closed' THEN
    RAISE EXCEPTION 'risk warning % cannot change that way', OLD.id USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER risk_warnings_guard BEFORE UPDATE OR DELETE ON risk_warnings FOR EACH ROW EXECUTE FUNCTION risk_warnings_guard();

-- The automatic hold proposal of a failed inspection: the batch and everything downstream of it (forward trace).
-- Incidents and recalls decide what to do with it.
CREATE TABLE risk_hold_proposals (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  warning_id            uuid NOT NULL UNIQUE REFERENCES risk_warnings(id),
  start_codes           text[] NOT NULL,
  affected_codes        text[] NOT NULL,
  affected_operator_ids uuid[] NOT NULL,
  truncated             boolean NOT NULL,
  created_at            timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER risk_hold_proposals_append_only BEFORE UPDATE OR DELETE ON risk_hold_proposals FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Captures waiting for their rules: one row per capture that stored events, written in the capture's transaction,
-- deleted in the transaction that stores the warnings. A failed evaluation stays, to be retried after a pause.
CREATE TABLE risk_outbox (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  seqs         bigint[] NOT NULL,
  enqueued_at  timestamptz NOT NULL DEFAULT now(),
  available_at timestamptz NOT NULL DEFAULT now(),
  attempts     integer NOT NULL DEFAULT 0,
  last_error   text
);
CREATE INDEX risk_outbox_available_idx ON risk_outbox (available_at, id);

-- The scheduled run: one row, leased by the node instance that runs it.
CREATE TABLE risk_schedule (
  id          boolean PRIMARY KEY DEFAULT true CHECK (id),
  holder      text,
  lease_until timestamptz,
  last_run_at timestamptz,
  last_result jsonb
);
INSERT INTO risk_schedule (id) VALUES (true);

-- Complaints about a product or an operator (投诉举报), as far as the complaint-cluster rule needs them. Minimal:
-- no intake API yet; a complaints capability will own this table.
CREATE TABLE complaints (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  received_at   timestamptz NOT NULL DEFAULT now(),
  operator_id   uuid REFERENCES operators(id),
  product_id    uuid REFERENCES products(id),
  code          text,
  channel       text,
  summary       text NOT NULL,
  CHECK (operator_id IS NOT NULL OR product_id IS NOT NULL)
);
CREATE INDEX complaints_operator_idx ON complaints (operator_id, received_at);
CREATE INDEX complaints_product_idx ON complaints (product_id, received_at);
CREATE INDEX complaints_received_idx ON complaints (received_at);

-- The facts the rules read, without scanning: inputs applied and production at a site over time, an operator's
-- receipts over time, and scans over time (BRIN: scans arrive in time order, and the index costs next to nothing).
CREATE INDEX events_inputs_site_idx ON events (biz_location, event_time) WHERE biz_step = 'urn:suyuan:bizstep:applying_inputs';
CREATE INDEX events_commissioning_site_idx ON events (biz_location, event_time) WHERE biz_step = 'commissioning';
CREATE INDEX events_receiving_operator_idx ON events (operator_id, event_time) WHERE biz_step = 'receiving';
CREATE INDEX scans_at_brin ON scans USING brin (at);
