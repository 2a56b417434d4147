-- Foundation: node identity, journal, accounts, operator registry, catalog, batches and trace codes.
-- Forward-only. Every foreign key has an index.

CREATE EXTENSION IF NOT EXISTS pgcrypto;

-- Settings of this platform node (signing key when none is configured, node identity).
CREATE TABLE node_settings (
  key   text PRIMARY KEY,
  value text NOT NULL
);

-- Append-only journal of every state change on this node, numbered by a per-node sequence.
-- Later: the EPCIS event store and the tamper-evident log chain over this numbering.
CREATE TABLE journal (
  seq          bigserial PRIMARY KEY,
  type         text NOT NULL,
  subject_type text NOT NULL,
  subject_id   text NOT NULL,
  actor_id     text,
  actor_role   text NOT NULL,
  payload      jsonb NOT NULL DEFAULT '{}'::jsonb,
  at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX journal_subject_idx ON journal (subject_type, subject_id, seq);
-- Append-only tables refuse UPDATE and DELETE loudly (a rule that silently does nothing would hide bugs,
-- and rules would also forbid INSERT … ON CONFLICT).
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER journal_append_only BEFORE UPDATE OR DELETE ON journal FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- ── Registry ──────────────────────────────────────────────────────────────
CREATE TABLE operators (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  uscc            char(18) NOT NULL,
  name            text NOT NULL,
  types           text[] NOT NULL,
  division_code   text NOT NULL CHECK (division_code ~ '^[0-9]{6}$'),
  address         text,
  lat             double precision,
  lng             double precision,
  contact_name    text,
  contact_phone   text,
  status          text NOT NULL CHECK (status IN ('pending','approved','rejected','suspended')),
  uscc_override   jsonb,           -- {by, reason, at} when an admin accepted a code failing the checksum
  source          text NOT NULL CHECK (source IN ('self','admin','import','demo')),
  content_hash    text,            -- of the imported row, so that re-imports are recognised
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT operators_uscc_key UNIQUE (uscc)
);
CREATE INDEX operators_division_idx ON operators (division_code text_pattern_ops);
CREATE INDEX operators_status_idx ON operators (status, created_at);

CREATE TABLE operator_reviews (
  id          bigserial PRIMARY KEY,
  operator_id uuid NOT NULL REFERENCES operators(id),
  from_status text,
  to_status   text NOT NULL,
  actor_id    text,
  actor_role  text NOT NULL,
  reason      text,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX operator_reviews_operator_idx ON operator_reviews (operator_id, id);

CREATE TABLE licences (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  operator_id uuid NOT NULL REFERENCES operators(id),
  type        text NOT NULL,
  number      text NOT NULL,
  issuer      text,
  valid_until date,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (operator_id, type, number)
);
CREATE INDEX licences_operator_idx ON licences (operator_id);

CREATE TABLE sites (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  operator_id   uuid NOT NULL REFERENCES operators(id),
  name          text NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('farm_plot','plant','warehouse','stall','shop','kitchen','port')),
  division_code text NOT NULL CHECK (division_code ~ '^[0-9]{6}$'),
  address       text,
  lat           double precision,
  lng           double precision,
  gln           char(13),
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sites_operator_idx ON sites (operator_id);
CREATE INDEX sites_division_idx ON sites (division_code text_pattern_ops);

-- ── Accounts ──────────────────────────────────────────────────────────────
CREATE TABLE users (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username      text NOT NULL,
  password_hash text NOT NULL,
  display_name  text NOT NULL,
  role          text NOT NULL CHECK (role IN ('platform-admin','regulator','operator-admin','operator-staff','printer')),
  operator_id   uuid REFERENCES operators(id),
  jurisdiction  char(6),
  active        boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_username_key UNIQUE (username),
  CHECK ((role IN ('operator-admin','operator-staff','printer')) = (operator_id IS NOT NULL)),
  CHECK ((role = 'regulator') = (jurisdiction IS NOT NULL))
);
CREATE INDEX users_operator_idx ON users (operator_id);

CREATE TABLE api_keys (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  operator_id uuid NOT NULL REFERENCES operators(id),
  name        text NOT NULL,
  prefix      text NOT NULL,
  key_hash    text NOT NULL UNIQUE,
  created_by  uuid REFERENCES users(id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz,
  last_used_at timestamptz
);
CREATE INDEX api_keys_operator_idx ON api_keys (operator_id);
CREATE INDEX api_keys_created_by_idx ON api_keys (created_by);

-- ── Catalog ───────────────────────────────────────────────────────────────
CREATE TABLE categories (
  code        text PRIMARY KEY,
  parent_code text REFERENCES categories(code),
  name_zh     text NOT NULL,
  name_en     text NOT NULL
);
CREATE INDEX categories_parent_idx ON categories (parent_code);

-- 重点追溯产品目录: categories that must be traced from a date on.
CREATE TABLE key_trace_entries (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  category_code  text NOT NULL REFERENCES categories(code),
  effective_from date NOT NULL,
  effective_to   date,
  note           text,
  created_by     uuid REFERENCES users(id),
  created_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (effective_to IS NULL OR effective_to > effective_from)
);
CREATE INDEX key_trace_category_idx ON key_trace_entries (category_code);
CREATE INDEX key_trace_created_by_idx ON key_trace_entries (created_by);

CREATE TABLE products (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  operator_id     uuid NOT NULL REFERENCES operators(id),
  name            text NOT NULL,
  category_code   text NOT NULL REFERENCES categories(code),
  spec            text,
  unit            text NOT NULL,
  shelf_life_days integer CHECK (shelf_life_days IS NULL OR shelf_life_days > 0),
  gtin            char(14),
  created_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT products_gtin_key UNIQUE (gtin)
);
CREATE INDEX products_operator_idx ON products (operator_id);
CREATE INDEX products_category_idx ON products (category_code);

-- ── Batches and trace codes ───────────────────────────────────────────────
CREATE TABLE batches (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  product_id   uuid NOT NULL REFERENCES products(id),
  operator_id  uuid NOT NULL REFERENCES operators(id),
  site_id      uuid NOT NULL REFERENCES sites(id),
  lot_number   text NOT NULL,
  quantity     numeric(18,3) NOT NULL CHECK (quantity > 0),
  unit         text NOT NULL,
  produced_on  date NOT NULL,
  expires_on   date,
  created_by   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT batches_product_lot_key UNIQUE (product_id, lot_number)
);
CREATE INDEX batches_operator_idx ON batches (operator_id, created_at);
CREATE INDEX batches_site_idx ON batches (site_id);

CREATE TABLE code_pools (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_operator_id   uuid NOT NULL REFERENCES operators(id),
  printer_operator_id uuid REFERENCES operators(id),
  kind                text NOT NULL CHECK (kind IN ('batch','item')),
  size                integer NOT NULL CHECK (size > 0),
  note                text,
  created_by          text,
  created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX code_pools_owner_idx ON code_pools (owner_operator_id);
CREATE INDEX code_pools_printer_idx ON code_pools (printer_operator_id);

-- A production line's request for the next K codes, remembered so a retried request gets the same codes.
CREATE TABLE line_requests (
  operator_id uuid NOT NULL REFERENCES operators(id),
  request_id  text NOT NULL,
  batch_id    uuid NOT NULL REFERENCES batches(id),
  count       integer NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (operator_id, request_id)
);
CREATE INDEX line_requests_batch_idx ON line_requests (batch_id);

CREATE TABLE codes (
  code              char(16) PRIMARY KEY,
  kind              text NOT NULL CHECK (kind IN ('batch','item')),
  status            text NOT NULL CHECK (status IN ('unassigned','active','void')),
  owner_operator_id uuid NOT NULL REFERENCES operators(id),
  batch_id          uuid REFERENCES batches(id),
  pool_id           uuid REFERENCES code_pools(id),
  issued_via        text NOT NULL CHECK (issued_via IN ('platform','download','pool','line')),
  line_operator_id  uuid,
  line_request_id   text,
  seq_in_request    integer,
  created_at        timestamptz NOT NULL DEFAULT now(),
  activated_at      timestamptz,
  activated_by      text,
  voided_at         timestamptz,
  voided_by         text,
  void_reason       text,
  CHECK ((status = 'active') <= (batch_id IS NOT NULL)),
  FOREIGN KEY (line_operator_id, line_request_id) REFERENCES line_requests(operator_id, request_id)
);
CREATE INDEX codes_batch_idx ON codes (batch_id, kind);
CREATE INDEX codes_pool_idx ON codes (pool_id, status);
CREATE INDEX codes_owner_idx ON codes (owner_operator_id);
CREATE INDEX codes_line_idx ON codes (line_operator_id, line_request_id, seq_in_request);
