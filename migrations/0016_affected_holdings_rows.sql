-- The affected set's holdings document becomes positional: one array per holding,
--   [code, operator (index into the row's `operators`), unit, depth, reached, passed_on, sold_to_consumers, processed,
--    destroyed, on_hand]
-- with quantities still as decimal strings. Field names repeated over tens of thousands of holdings made up more than
-- two thirds of the document (4.2 MB for an ingredient reaching 10,000 batches, 1.2 MB now), and the document is
-- written on every computation and read by every impact assessment, notice run and export. The document stays
-- derived from the events: existing ones are rewritten here, in the order they had (a document already positional,
-- or empty, is left as it is). Code before this migration cannot read the new form: upgrade with the node's processes
-- stopped (docs/architecture.md, "Store").
UPDATE incident_affected a SET holdings = (
  SELECT coalesce(json_agg(json_build_array(
           h->>'code', array_position(a.operators, (h->>'operator_id')::uuid) - 1, h->>'unit', (h->>'depth')::int,
           h->>'reached', h->>'passed_on', h->>'sold_to_consumers', h->>'processed', h->>'destroyed', h->>'on_hand') ORDER BY n), '[]'::json)
    FROM json_array_elements(a.holdings) WITH ORDINALITY AS x(h, n))
 WHERE json_typeof(a.holdings -> 0) = 'object';

COMMENT ON COLUMN incident_affected.holdings IS
  '[[code, operator index into operators, unit, depth, reached, passed_on, sold_to_consumers, processed, destroyed, on_hand]], quantities as decimal strings (migration 0016)';
