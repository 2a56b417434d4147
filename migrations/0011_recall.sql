-- Problem-food incidents and recall: incidents with their affected set, notices to operators with their answers,
-- a webhook outbox, and a small persisted workflow runner for steps that touch many operators. Forward-only.

-- Multi-party writes run as named steps whose progress survives a crash; a run is resumed, never restarted.
CREATE TABLE workflow_runs (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind            text NOT NULL,
  -- What the run works on (an incident id): runs of a subject are listed together.
  subject_id      text NOT NULL,
  input           jsonb NOT NULL,
  status          text NOT NULL CHECK (status IN ('pending','running','succeeded','failed')),
  attempts        integer NOT NULL DEFAULT 0,
  -- When a failed run may be retried, or when the lease of a running one ends (its worker is presumed dead).
  next_attempt_at timestamptz NOT NULL,
  last_error      text,
  actor_id        text,
  actor_role      text NOT NULL,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  finished_at     timestamptz
);
CREATE INDEX workflow_runs_subject_idx ON workflow_runs (subject_id, created_at);
CREATE INDEX workflow_runs_due_idx ON workflow_runs (next_attempt_at) WHERE status IN ('pending','running','failed');

CREATE TABLE workflow_steps (
  run_id      uuid NOT NULL REFERENCES workflow_runs(id),
  position    integer NOT NULL,
  name        text NOT NULL,
  status      text NOT NULL CHECK (status IN ('pending','running','done','failed')),
  attempts    integer NOT NULL DEFAULT 0,
  output      jsonb,
  last_error  text,
  started_at  timestamptz,
  finished_at timestamptz,
  PRIMARY KEY (run_id, position),
  UNIQUE (run_id, name)
);

CREATE TABLE incidents (
  id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- A short reference for people (事件编号).
  number                 bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  status                 text NOT NULL CHECK (status IN ('open','closed')),
  reason                 text NOT NULL CHECK (reason IN ('failed_inspection','illness_cluster','complaint','customs_notice','other')),
  severity               text NOT NULL CHECK (severity IN ('level_1','level_2','level_3')),
  description            text,
  -- The regulator's jurisdiction that owns the incident (the opener's, or the named goods' common division).
  jurisdiction           text NOT NULL CHECK (jurisdiction ~ '^[0-9]{6}$'),
  -- The risk warning that opened it, when the platform did: one incident per warning.
  warning_id             text,
  -- The codes it was opened on (a named item code brings in its lot's batch codes).
  codes                  text[] NOT NULL,
  escalate_after_minutes integer NOT NULL CHECK (escalate_after_minutes > 0),
  opened_by              text,
  opened_role            text NOT NULL,
  opened_at              timestamptz NOT NULL,
  closed_by              text,
  closed_at              timestamptz,
  conclusion             text,
  summary                jsonb,
  CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX incidents_jurisdiction_idx ON incidents (jurisdiction text_pattern_ops, opened_at);
CREATE UNIQUE INDEX incidents_warning_key ON incidents (warning_id) WHERE warning_id IS NOT NULL;

-- The affected set as last computed, replaced whole on every computation (it is derived from the events): the codes
-- downstream of the named ones (GIN, for the consumer page's warning), the affected operators (who may read the
-- incident), and the holdings as one document — who holds how much of which code, computed from the events.
CREATE TABLE incident_affected (
  incident_id   uuid PRIMARY KEY REFERENCES incidents(id),
  computed_at   timestamptz NOT NULL,
  truncated     boolean NOT NULL,
  codes         text[] NOT NULL,
  operators     uuid[] NOT NULL,
  holding_count integer NOT NULL,
  -- [{code, operator_id, unit, depth, reached, passed_on, sold_to_consumers, processed, destroyed, on_hand}], quantities as
  -- decimal strings. Read and written whole by the application, never queried inside: json, stored uncompressed,
  -- costs a third of jsonb to write and read at tens of thousands of holdings.
  holdings      json NOT NULL
);
ALTER TABLE incident_affected ALTER COLUMN holdings SET STORAGE EXTERNAL;
CREATE INDEX incident_affected_codes_idx ON incident_affected USING gin (codes);

-- Webhooks an operator registers for its notices. The secret signs deliveries (HMAC-SHA256), so it is kept as is.
CREATE TABLE operator_webhooks (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  operator_id uuid NOT NULL REFERENCES operators(id),
  url         text NOT NULL,
  secret      text NOT NULL,
  created_by  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
CREATE INDEX operator_webhooks_operator_idx ON operator_webhooks (operator_id);

-- One notice per incident and operator: the in-app inbox reads this table, so a committed notice is delivered.
CREATE TABLE recall_notices (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  incident_id         uuid NOT NULL REFERENCES incidents(id),
  operator_id         uuid NOT NULL REFERENCES operators(id),
  kind                text NOT NULL CHECK (kind IN ('recall','hold')),
  message             text,
  -- The operator's holdings as the notice stated them.
  lines               jsonb NOT NULL,
  issued_by           text,
  issued_role         text NOT NULL,
  issuer_jurisdiction text NOT NULL CHECK (issuer_jurisdiction ~ '^[0-9]{6}$'),
  run_id              uuid REFERENCES workflow_runs(id),
  created_at          timestamptz NOT NULL,
  due_at              timestamptz NOT NULL,
  acknowledged_at     timestamptz,
  acknowledged_by     text,
  responded_at        timestamptz,
  escalated_at        timestamptz,
  UNIQUE (incident_id, operator_id)
);
CREATE INDEX recall_notices_operator_idx ON recall_notices (operator_id, created_at);
CREATE INDEX recall_notices_run_idx ON recall_notices (run_id);
CREATE INDEX recall_notices_due_idx ON recall_notices (due_at) WHERE acknowledged_at IS NULL AND escalated_at IS NULL;

-- An operator's answer to a notice: quantities held, returned or destroyed, each recorded as an event.
CREATE TABLE notice_responses (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  notice_id   uuid NOT NULL REFERENCES recall_notices(id),
  -- Client-chosen, so that a retried answer is stored once.
  request_id  text,
  note        text,
  event_ids   text[] NOT NULL,
  actor_id    text,
  actor_role  text NOT NULL,
  created_at  timestamptz NOT NULL,
  UNIQUE (notice_id, request_id)
);
CREATE TABLE notice_response_lines (
  response_id uuid NOT NULL REFERENCES notice_responses(id),
  notice_id   uuid NOT NULL REFERENCES recall_notices(id),
  code        text NOT NULL,
  action      text NOT NULL CHECK (action IN ('held','returned','destroyed')),
  quantity    numeric NOT NULL CHECK (quantity > 0),
  unit        text NOT NULL
);
CREATE INDEX notice_response_lines_response_idx ON notice_response_lines (response_id);
CREATE INDEX notice_response_lines_notice_idx ON notice_response_lines (notice_id);

-- The webhook outbox: written in the transaction that creates the notice, delivered by a worker that claims rows
-- under a lease; the idempotency key (notice, webhook, message) is unique, so nothing is enqueued twice.
CREATE TABLE notice_outbox (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  notice_id       uuid NOT NULL REFERENCES recall_notices(id),
  webhook_id      uuid NOT NULL REFERENCES operator_webhooks(id),
  message         text NOT NULL CHECK (message IN ('notice','escalation')),
  idempotency_key text NOT NULL UNIQUE,
  payload         jsonb NOT NULL,
  status          text NOT NULL CHECK (status IN ('pending','sending','delivered','dead')),
  attempts        integer NOT NULL DEFAULT 0,
  -- Due time of a pending row; for a row being sent, the end of the sender's lease.
  next_attempt_at timestamptz NOT NULL,
  -- Fences a sender whose lease ran out: only the current claim may record the outcome.
  claim           uuid,
  last_status     integer,
  last_error      text,
  created_at      timestamptz NOT NULL,
  delivered_at    timestamptz
);
CREATE INDEX notice_outbox_due_idx ON notice_outbox (next_attempt_at) WHERE status IN ('pending','sending');
CREATE INDEX notice_outbox_notice_idx ON notice_outbox (notice_id);
CREATE INDEX notice_outbox_webhook_idx ON notice_outbox (webhook_id);
