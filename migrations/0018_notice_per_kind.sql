-- A hold can be followed by a recall. A regulator who first asks operators to stop selling and seal the goods (hold)
-- and then decides on a recall must be able to tell the same operators: one notice per incident, operator and kind,
-- instead of one per incident and operator (which silently dropped the recall). A hold is not sent to an operator
-- that already has the recall, which asks more (src/recall/recall-service.ts, noticeChunkTx).
ALTER TABLE recall_notices DROP CONSTRAINT recall_notices_incident_id_operator_id_key;
ALTER TABLE recall_notices ADD CONSTRAINT recall_notices_incident_operator_kind_key UNIQUE (incident_id, operator_id, kind);
