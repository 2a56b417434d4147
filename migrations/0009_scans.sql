-- Consumer scans: one row per scan of a trace code or Digital Link, for the clone check and for regulators.
-- Nothing identifies the person: the user agent and the IP prefix are kept only as salted hashes, and the
-- location only as coordinates rounded to 0.1° (about 10 km), sent by the page after the user allows it.

CREATE TABLE scans (
  -- Random, so that only the page that made the scan can attach its location to it.
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- The trace code scanned; for a Digital Link naming a lot, `01/{gtin}/10/{lot}`; for malformed input, the
  -- input as received (at most 64 characters).
  code       text NOT NULL,
  at         timestamptz NOT NULL DEFAULT now(),
  result     text NOT NULL CHECK (result IN ('active','unassigned','void','unknown','other_node','malformed')),
  ua_hash    text,
  ip_hash    text,
  lat        numeric(4,1) CHECK (lat BETWEEN -90 AND 90),
  lng        numeric(4,1) CHECK (lng BETWEEN -180 AND 180),
  located_at timestamptz,
  CHECK ((lat IS NULL) = (lng IS NULL) AND (lat IS NULL) = (located_at IS NULL))
);
-- A code's scans over time: the clone check reads the recent ones, regulators read ranges.
CREATE INDEX scans_code_at_idx ON scans (code, at);

-- The per-node salt of the scan hashes: hashes are not comparable across nodes and not reversible by lookup tables.
INSERT INTO node_settings (key, value) VALUES ('scan.salt', encode(gen_random_bytes(32), 'hex')) ON CONFLICT (key) DO NOTHING;
