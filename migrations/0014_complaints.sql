-- Complaints intake (投诉举报): consumers report a problem from the scan page; the complaint goes to the regulator
-- of the code's origin operator. Extends the `complaints` table that the complaint-cluster risk rule reads (0010)
-- instead of adding a second one. Forward-only.

ALTER TABLE complaints
  -- Numbering of the reference a consumer is given (TS-{China date}-{seq}).
  ADD COLUMN seq               bigint GENERATED ALWAYS AS IDENTITY,
  ADD COLUMN category          text NOT NULL DEFAULT 'other' CHECK (category IN ('quality','illness','counterfeit','label','other')),
  -- Phone or e-mail as the consumer typed it: for the regulator to call back, never shown to operators.
  ADD COLUMN contact           text CHECK (length(contact) <= 200),
  -- The scan the form was opened from, when the page passed it.
  ADD COLUMN scan_id           uuid REFERENCES scans(id),
  -- Who sees it: the division of the code's origin operator (a regulator sees its jurisdiction's prefix).
  ADD COLUMN division_code     text,
  ADD COLUMN status            text NOT NULL DEFAULT 'received' CHECK (status IN ('received','investigating','closed')),
  ADD COLUMN status_note       text,
  ADD COLUMN status_changed_at timestamptz,
  ADD COLUMN status_changed_by text,
  -- Salted hash of the client's IP address, for the per-client rate limit; never the address itself.
  ADD COLUMN client_hash       text;
ALTER TABLE complaints ADD CONSTRAINT complaints_seq_key UNIQUE (seq);
ALTER TABLE complaints ADD CONSTRAINT complaints_closed_note CHECK (status <> 'closed' OR status_note IS NOT NULL);

-- Complaints recorded before intake existed belong to their operator's (or product maker's) division.
UPDATE complaints c SET division_code = o.division_code
  FROM operators o
 WHERE c.division_code IS NULL
   AND o.id = COALESCE(c.operator_id, (SELECT p.operator_id FROM products p WHERE p.id = c.product_id));

CREATE INDEX complaints_division_idx ON complaints (division_code text_pattern_ops, received_at);
CREATE INDEX complaints_scan_idx ON complaints (scan_id);
CREATE INDEX complaints_client_idx ON complaints (client_hash, received_at) WHERE client_hash IS NOT NULL;

-- The photo of a complaint, at most one, kept apart so that lists never read it. Images are compressed already.
CREATE TABLE complaint_photos (
  complaint_id uuid PRIMARY KEY REFERENCES complaints(id),
  content_type text NOT NULL CHECK (content_type IN ('image/jpeg','image/png','image/webp')),
  size         integer NOT NULL CHECK (size BETWEEN 1 AND 5242880),
  bytes        bytea NOT NULL
);
ALTER TABLE complaint_photos ALTER COLUMN bytes SET STORAGE EXTERNAL;

-- The per-node salt of the client hashes (not comparable across nodes, not reversible by lookup tables).
INSERT INTO node_settings (key, value) VALUES ('complaints.salt', encode(gen_random_bytes(32), 'hex')) ON CONFLICT (key) DO NOTHING;
