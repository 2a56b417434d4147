-- Item codes (一品一码) found through their lot without reading every item code a lot was issued.
--
-- An incident's forward walk follows the item codes of affected batches that moved on their own (no event links an
-- item to its batch code), and its impact counts the consumer scans of those batches' item codes. Both used to go
-- through every item code of every affected batch: with 100 item codes per batch, an ingredient reaching 10,000
-- batches made the opening 0.9 s and the impact 1.3 s slower (bench/recall.ts --items 100), and lots of thousands of
-- bottles or cans are common. The lot is known wherever these facts arise, so it is kept with them:
--
-- * moved_items: the item codes some event names, by lot. Capture adds them (src/events/events-service.ts) when it
--   stores an event naming an active item code (whose lot never changes once active). An index the capture path
--   keeps, like event_ids, so no foreign keys: codes are never deleted.
-- * scans.batch_id: the lot of what a consumer scanned (a batch code, an item code or a Digital Link naming a lot),
--   as the scan resolved it; null for codes the node does not know and malformed input.
--
-- Both are filled here from what is already stored (every statement can run again: see recall-scale.test.ts). The
-- node is down while migrations run (src/platform/migrate.ts, before the server listens), for as long as it takes to
-- read every item code and to rewrite the scans of known codes: stop every process of the node before upgrading, as
-- one still running the old code would capture and scan without keeping these.

CREATE TABLE IF NOT EXISTS moved_items (
  batch_id uuid NOT NULL,
  code     char(16) NOT NULL,
  PRIMARY KEY (batch_id, code)
);
INSERT INTO moved_items (batch_id, code)
SELECT c.batch_id, c.code FROM codes c
 WHERE c.kind = 'item' AND c.status <> 'unassigned' AND c.batch_id IS NOT NULL
   AND EXISTS (SELECT 1 FROM event_ids i WHERE i.key = c.code::text)
ON CONFLICT DO NOTHING;

ALTER TABLE scans ADD COLUMN IF NOT EXISTS batch_id uuid;
UPDATE scans s SET batch_id = c.batch_id FROM codes c
 WHERE s.batch_id IS NULL AND s.result IN ('active', 'void') AND length(s.code) = 16 AND c.code = s.code::bpchar;
UPDATE scans s SET batch_id = b.id FROM batches b JOIN products p ON p.id = b.product_id
 WHERE s.batch_id IS NULL AND s.result IN ('active', 'void') AND p.gtin IS NOT NULL AND s.code = '01/' || p.gtin || '/10/' || b.lot_number;
-- Scans of a lot over time: the impact assessment of an incident reads them by its affected lots, and needs only the
-- time and the code scanned (which says what a scan counts for), so the index covers them and the scans themselves are
-- not read. Built after the rows are filled, so that filling them does not also grow the index row by row.
CREATE INDEX IF NOT EXISTS scans_batch_at_idx ON scans (batch_id, at) INCLUDE (code) WHERE batch_id IS NOT NULL;
-- The planner learns of the new column now rather than at the next autovacuum.
ANALYZE scans;
