import { isUuid, type Queryable } from '../platform/db.ts';
import type { ScanFact } from '../scan/scan-types.ts';
import { isCodeKey } from '../events/events-fns.ts';
import { declaredErroneousSql } from '../events/events-dal.ts';
import type { ComplaintFact, GoodsFacts, Movement, OutboundPair, PartyFacts, ReceiptStats, ScannedItem } from './risk-fns.ts';
import type { Finding, RiskEvent } from './risk-types.ts';

/**
 * Queues the rules for the events one capture stored: one row, in the capture's transaction, so that the rules run
 * exactly for what was committed (see drainOutbox in risk-service.ts for why an outbox).
 */
export async function enqueueRiskEvaluation(q: Queryable, seqs: readonly string[]): Promise<void> {
  if (seqs.length) await q.query('INSERT INTO risk_outbox (seqs) VALUES ($1::bigint[])', [seqs]);
}

// Every outbox pass and scheduled step holds this transaction lock, so passes see each other's warnings in order.
const EVALUATION_LOCK = 7311;
const APPLYING_INPUTS = 'urn:suyuan:bizstep:applying_inputs';

export interface OutboxRow { id: string; seqs: string[] }

export interface WarningRow {
  id: string; seq: string; rule: string; subject: string; severity: string; status: string; operator_id: string | null; operator_name: string | null;
  division_code: string | null; codes: string[]; explanation_zh: string; explanation_en: string; facts: Record<string, unknown>;
  event_seqs: string[]; occurrences: number; raised_by: string; first_seen_at: Date; last_seen_at: Date;
  acknowledged_by: string | null; acknowledged_role: string | null; acknowledged_at: Date | null; acknowledge_reason: string | null;
  closed_by: string | null; closed_role: string | null; closed_at: Date | null; close_reason: string | null;
  /** The incident opened from it, if any (incidents.warning_id). */
  incident_id: string | null;
}
export interface HoldProposalRow {
  id: string; warning_id: string; start_codes: string[]; affected_codes: string[]; affected_operator_ids: string[]; truncated: boolean; created_at: Date;
}
export interface WarningFilter { status?: string; rule?: string; severity?: string; operatorId?: string; before?: string; limit: number }

interface EventRow {
  seq: string; event_type: string; action: string | null; biz_step: string | null; disposition: string | null; event_time: Date;
  biz_location: string | null; operator_id: string | null; division_code: string | null; counterparty_id: string | null; body: any;
  ids: Array<{ key: string; role: string }> | null;
}
const EVENT_COLUMNS = `e.seq, e.event_type, e.action, e.biz_step, e.disposition, e.event_time, e.biz_location, e.operator_id, e.division_code,
  e.counterparty_id, e.body, (SELECT json_agg(json_build_object('key', i.key, 'role', i.role::text)) FROM event_ids i WHERE i.seq = e.seq) AS ids`;
const toEvent = (r: EventRow): RiskEvent => ({
  seq: r.seq, eventType: r.event_type, action: r.action, bizStep: r.biz_step, disposition: r.disposition, eventTime: r.event_time,
  bizLocation: r.biz_location, operatorId: r.operator_id, divisionCode: r.division_code, counterpartyId: r.counterparty_id, ids: r.ids ?? [], body: r.body,
});

// Events declared erroneous (EPCIS errorDeclaration, in the body as captured or recorded later in
// event_error_declarations) count for no rule: every query over events below leaves them out.
const LIVE = `NOT ${declaredErroneousSql('e')}`;

// The incident opened from a warning (one at most: incidents_warning_key).
const INCIDENT_OF = '(SELECT i.id FROM incidents i WHERE i.warning_id = w.id::text) AS incident_id';

/** Data access of the risk engine: the outbox, the facts each rule gathers (one statement each), warnings, settings and the schedule lease. */
export function riskDal(q: Queryable) {
  const events = async (sql: string, params: unknown[]) => (await q.query<EventRow>(sql, params)).rows.map(toEvent);
  return {
    /** Serialises evaluation passes until the caller's transaction ends. */
    async lockEvaluation() {
      await q.query('SELECT pg_advisory_xact_lock($1)', [EVALUATION_LOCK]);
    },
    /** The oldest captures due for evaluation: at most `limit`, and no more once `maxEvents` events are reached (always one). */
    async nextOutbox(limit: number, maxEvents: number): Promise<OutboxRow[]> {
      return (await q.query<OutboxRow>(
        `SELECT id, seqs::text[] AS seqs FROM (
           SELECT id, seqs, sum(cardinality(seqs)) OVER (ORDER BY id) - cardinality(seqs) AS before
             FROM risk_outbox WHERE available_at <= now() ORDER BY id LIMIT $1) x
          WHERE before < $2 ORDER BY id`, [limit, maxEvents])).rows;
    },
    async deleteOutbox(ids: string[]) {
      if (ids.length) await q.query('DELETE FROM risk_outbox WHERE id = ANY($1::bigint[])', [ids]);
    },
    /** Puts a capture whose evaluation failed back, due again after a pause that doubles up to an hour. */
    async deferOutbox(id: string, error: string) {
      await q.query(
        `UPDATE risk_outbox SET attempts = attempts + 1, last_error = $2,
                available_at = now() + least(interval '1 hour', interval '5 seconds' * power(2, attempts))
          WHERE id = $1`, [id, error.slice(0, 2000)]);
    },

    /** Stored events by sequence number, with their identifiers; events declared erroneous since are left out. */
    async eventsBySeq(seqs: string[]) {
      return events(`SELECT ${EVENT_COLUMNS} FROM events e WHERE e.seq = ANY($1::bigint[]) AND ${LIVE} ORDER BY e.seq`, [seqs]);
    },
    /** Input applications since a time at these sites, or naming these codes. */
    async applications(sites: string[], codes: string[], since: Date) {
      return events(
        `WITH hit AS (
           SELECT seq FROM events WHERE biz_step = $4 AND biz_location = ANY($1) AND event_time >= $3
           UNION
           SELECT e.seq FROM event_ids i JOIN events e ON e.seq = i.seq WHERE i.key = ANY($2) AND e.biz_step = $4 AND e.event_time >= $3)
         SELECT ${EVENT_COLUMNS} FROM hit JOIN events e ON e.seq = hit.seq WHERE ${LIVE}`,
        [sites, codes, since, APPLYING_INPUTS]);
    },
    /** Production since a time at these sites (commissioning), and transformations using these codes. */
    async productions(sites: string[], codes: string[], since: Date) {
      return events(
        `WITH hit AS (
           SELECT seq FROM events WHERE biz_step = 'commissioning' AND biz_location = ANY($1) AND event_time >= $3
           UNION
           SELECT e.seq FROM event_ids i JOIN events e ON e.seq = i.seq
            WHERE i.key = ANY($2) AND i.role IN ('i', 'j') AND e.event_type = 'TransformationEvent' AND e.event_time >= $3)
         SELECT ${EVENT_COLUMNS} FROM hit JOIN events e ON e.seq = hit.seq WHERE ${LIVE}`,
        [sites, codes, since]);
    },
    /** Events with sensor data since a time naming these keys. */
    async sensorEvents(keys: string[], since: Date) {
      return events(
        `WITH hit AS (SELECT DISTINCT i.seq FROM event_ids i WHERE i.key = ANY($1))
         SELECT ${EVENT_COLUMNS} FROM hit JOIN events e ON e.seq = hit.seq WHERE e.event_time >= $2 AND e.body ? 'sensorElementList' AND ${LIVE}`,
        [keys, since]);
    },
    /** The maker and product of the Suyuan codes among these keys (codes of a batch). */
    async goods(keys: string[]): Promise<GoodsFacts[]> {
      const codes = keys.filter(isCodeKey);
      if (codes.length === 0) return [];
      return (await q.query<GoodsFacts>(
        `SELECT c.code, c.owner_operator_id AS "ownerOperatorId", p.name AS "productName", p.category_code AS "categoryCode"
           FROM codes c JOIN batches b ON b.id = c.batch_id JOIN products p ON p.id = b.product_id WHERE c.code = ANY($1)`, [codes])).rows;
    },
    /** Status, the time of the latest suspension and the licences of these operators. */
    async parties(ids: string[]): Promise<PartyFacts[]> {
      if (ids.length === 0) return [];
      return (await q.query<PartyFacts>(
        `SELECT o.id, o.status, o.division_code AS "divisionCode",
                (SELECT max(r.at) FROM operator_reviews r WHERE r.operator_id = o.id AND r.to_status = 'suspended') AS "suspendedAt",
                COALESCE((SELECT json_agg(json_build_object('type', l.type, 'number', l.number, 'validUntil', l.valid_until))
                            FROM licences l WHERE l.operator_id = o.id), '[]') AS licences
           FROM operators o WHERE o.id = ANY($1::uuid[])`, [ids])).rows;
    },
    /**
     * The quantities of these codes moved by each kind of event, summed per operator, other party, step, role and
     * unit: one row per kind of movement however many events there are.
     */
    async movements(codes: string[]): Promise<Movement[]> {
      if (codes.length === 0) return [];
      return (await q.query<Movement>(
        `SELECT i.key AS code, e.operator_id AS "operatorId", e.counterparty_id AS "counterpartyId", e.event_type AS "eventType", e.action,
                e.biz_step AS "bizStep", i.role::text AS role, x.elem->>'uom' AS uom, u.unit, sum((x.elem->>'quantity')::numeric)::float8 AS quantity
           FROM event_ids i
           JOIN events e ON e.seq = i.seq
           CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(e.body -> (CASE i.role WHEN 'q' THEN 'quantityList' WHEN 'j' THEN 'inputQuantityList' ELSE 'outputQuantityList' END)) = 'array'
                                                         THEN e.body -> (CASE i.role WHEN 'q' THEN 'quantityList' WHEN 'j' THEN 'inputQuantityList' ELSE 'outputQuantityList' END)
                                                         ELSE '[]'::jsonb END) AS x(elem)
           LEFT JOIN LATERAL (SELECT s->>'unit' AS unit FROM jsonb_array_elements(CASE WHEN jsonb_typeof(e.body->'sy:units') = 'array' THEN e.body->'sy:units' ELSE '[]'::jsonb END) s
                               WHERE s->>'epcClass' = x.elem->>'epcClass' LIMIT 1) u ON true
          WHERE i.key = ANY($1) AND i.role IN ('q', 'j', 'k') AND jsonb_typeof(x.elem->'quantity') = 'number' AND ${LIVE}
            AND (x.elem->>'epcClass' IN (i.key, 'urn:suyuan:code:' || i.key) OR x.elem->>'epcClass' LIKE '%/t/' || i.key)
          GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`, [codes])).rows;
    },
    /**
     * Who sent out which code (shipping, selling, destroying, using it up) in events recorded since a time, with the
     * latest division and when the latest of those events was recorded.
     */
    async outboundPairs(since: Date): Promise<Array<Required<OutboundPair>>> {
      return (await q.query(
        `SELECT e.operator_id AS "operatorId", i.key AS code, (array_agg(e.division_code ORDER BY e.seq DESC))[1] AS "divisionCode",
                max(e.record_time) AS "latestAt"
           FROM events e JOIN event_ids i ON i.seq = e.seq
          WHERE e.record_time >= $1 AND e.operator_id IS NOT NULL AND ${LIVE}
            AND (i.role = 'j' OR (i.role = 'q' AND e.biz_step IN ('shipping', 'urn:suyuan:bizstep:selling', 'retail_selling', 'destroying')))
          GROUP BY e.operator_id, i.key
          ORDER BY e.operator_id, i.key`, [since])).rows;
    },
    /** These operators' receipts since a time, how many came with no upstream record, and when the latest of those was recorded. */
    async receiptStats(operatorIds: string[], since: Date): Promise<ReceiptStats[]> {
      if (operatorIds.length === 0) return [];
      return (await q.query<ReceiptStats>(
        `SELECT e.operator_id AS "operatorId", o.division_code AS "divisionCode", count(*)::int AS total,
                count(*) FILTER (WHERE e.body->'sy:entryAdmission'->>'noUpstreamRecord' = 'true')::int AS missing,
                max(e.record_time) FILTER (WHERE e.body->'sy:entryAdmission'->>'noUpstreamRecord' = 'true') AS "latestMissingAt"
           FROM events e JOIN operators o ON o.id = e.operator_id
          WHERE e.biz_step = 'receiving' AND e.event_time >= $1 AND e.operator_id = ANY($2::uuid[]) AND ${LIVE}
          GROUP BY e.operator_id, o.division_code`, [since, operatorIds])).rows;
    },
    /** Operators that recorded receipts since a time. */
    async receiversSince(since: Date): Promise<string[]> {
      return (await q.query<{ operator_id: string }>(
        `SELECT DISTINCT e.operator_id FROM events e WHERE e.record_time >= $1 AND e.biz_step = 'receiving' AND e.operator_id IS NOT NULL AND ${LIVE}`,
        [since])).rows.map((r) => r.operator_id);
    },
    /** Item codes scanned since `scannedSince`, each with its scans since `lookbackSince` (newest `perCode`). */
    async scannedItems(scannedSince: Date, lookbackSince: Date, perCode: number): Promise<ScannedItem[]> {
      const rows = (await q.query<{ code: string; owner: string; division: string; at: Date; lat: string | null; lng: string | null; ua_hash: string | null; located_at: Date | null }>(
        `WITH items AS (
           SELECT c.code::text AS code, c.owner_operator_id AS owner, o.division_code AS division
             FROM (SELECT DISTINCT code FROM scans WHERE at >= $1) r
             JOIN codes c ON c.code = r.code AND c.kind = 'item' JOIN operators o ON o.id = c.owner_operator_id)
         SELECT it.code, it.owner, it.division, s.at, s.lat, s.lng, s.ua_hash, s.located_at
           FROM items it CROSS JOIN LATERAL (SELECT at, lat, lng, ua_hash, located_at FROM scans WHERE code = it.code AND at >= $2 ORDER BY at DESC LIMIT $3) s`,
        [scannedSince, lookbackSince, perCode])).rows;
      const by = new Map<string, ScannedItem>();
      for (const r of rows) {
        const it = by.get(r.code) ?? { code: r.code, ownerOperatorId: r.owner, divisionCode: r.division, scans: [] as ScanFact[], latestAt: r.at };
        it.scans.push({ at: r.at, lat: r.lat === null ? null : Number(r.lat), lng: r.lng === null ? null : Number(r.lng), uaHash: r.ua_hash });
        // A scan's location arrives up to an hour after it: that is news too.
        for (const t of [r.at, r.located_at]) if (t && t.getTime() > it.latestAt.getTime()) it.latestAt = t;
        by.set(r.code, it);
      }
      return [...by.values()];
    },
    /** Complaints received since a time, each with the operator it concerns (the product's maker when it names a product). */
    async complaints(since: Date): Promise<ComplaintFact[]> {
      return (await q.query<ComplaintFact>(
        `SELECT c.id, c.received_at AS "receivedAt", c.product_id AS "productId", p.name AS "productName", o.id AS "operatorId",
                o.name AS "operatorName", o.division_code AS "divisionCode", c.code
           FROM complaints c LEFT JOIN products p ON p.id = c.product_id JOIN operators o ON o.id = COALESCE(p.operator_id, c.operator_id)
          WHERE c.received_at >= $1 ORDER BY c.received_at, c.id`, [since])).rows;
    },
    /** The batch codes of these item codes' batches. */
    async itemBatchCodes(codes: string[]): Promise<string[]> {
      return (await q.query<{ code: string }>(
        `SELECT DISTINCT b.code FROM codes i JOIN codes b ON b.batch_id = i.batch_id AND b.kind = 'batch' AND b.status <> 'unassigned'
          WHERE i.code = ANY($1) AND i.kind = 'item'`, [codes])).rows.map((r) => r.code);
    },

    async settings() {
      return (await q.query<{ rule: string; settings: Record<string, unknown>; updated_by: string | null; updated_at: Date }>(
        'SELECT rule, settings, updated_by, updated_at FROM risk_settings')).rows;
    },
    async saveSettings(rule: string, settings: Record<string, unknown>, by: string | null) {
      await q.query(
        `INSERT INTO risk_settings (rule, settings, updated_by) VALUES ($1, $2, $3)
         ON CONFLICT (rule) DO UPDATE SET settings = EXCLUDED.settings, updated_by = EXCLUDED.updated_by, updated_at = now()`,
        [rule, settings, by]);
    },

    /**
     * Stores findings: a new warning, or new evidence on the warning of the same rule and subject that is not closed
     * (occurrences + 1, codes and events united, the higher severity, the latest explanation). A finding with nothing
     * new changes nothing and is not returned.
     *
     * A closed warning stays closed until something new happens: when the rule and subject have no warning that is
     * not closed, a finding that a closed one already covers is dropped — all its events and codes were on it, and
     * its newest evidence (`evidenceAt`, when the finding has one) was recorded before that warning last took in
     * evidence (last_seen_at). Schedules read again what an earlier run or a capture already judged (the whole
     * complaint window; the sweep's overlap), so without this a warning a regulator closed came back at the next run.
     */
    async upsertWarnings(findings: readonly Finding[], raisedBy: 'capture' | 'schedule') {
      if (findings.length === 0) return [] as Array<{ id: string; rule: string; subject: string; codes: string[]; inserted: boolean }>;
      const col = <T>(f: (x: Finding) => T) => findings.map(f);
      return (await q.query<{ id: string; rule: string; subject: string; codes: string[]; inserted: boolean }>(
        `WITH x AS (
           SELECT x.rule, x.subject, x.severity, x.operator_id, x.division_code, ARRAY(SELECT jsonb_array_elements_text(x.codes)) AS codes,
                  x.zh, x.en, x.facts, ARRAY(SELECT jsonb_array_elements_text(x.seqs)::bigint) AS seqs, x.evidence_at
             FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::jsonb[], $7::text[], $8::text[], $9::jsonb[], $10::jsonb[], $13::timestamptz[])
               AS x(rule, subject, severity, operator_id, division_code, codes, zh, en, facts, seqs, evidence_at))
         INSERT INTO risk_warnings AS w (rule, subject, severity, operator_id, division_code, codes, explanation_zh, explanation_en, facts, event_seqs, raised_by)
         SELECT x.rule, x.subject, x.severity, x.operator_id, x.division_code, x.codes, x.zh, x.en, x.facts, x.seqs, $11
           FROM x
          WHERE EXISTS (SELECT 1 FROM risk_warnings o WHERE o.rule = x.rule AND o.subject = x.subject AND o.status <> 'closed')
             OR NOT EXISTS (SELECT 1 FROM risk_warnings c
                             WHERE c.rule = x.rule AND c.subject = x.subject AND c.status = 'closed'
                               AND x.seqs <@ c.event_seqs AND x.codes <@ c.codes
                               AND (x.evidence_at IS NULL OR x.evidence_at <= c.last_seen_at))
         ON CONFLICT (rule, subject) WHERE status <> 'closed' DO UPDATE SET
           occurrences = w.occurrences + 1,
           last_seen_at = now(),
           severity = CASE WHEN array_position($12::text[], EXCLUDED.severity) > array_position($12::text[], w.severity) THEN EXCLUDED.severity ELSE w.severity END,
           codes = w.codes || ARRAY(SELECT c FROM unnest(EXCLUDED.codes) c WHERE c <> ALL (w.codes)),
           -- The latest 500 events are kept as evidence.
           event_seqs = ARRAY(SELECT s FROM (SELECT DISTINCT unnest(w.event_seqs || EXCLUDED.event_seqs) AS s) t ORDER BY s DESC LIMIT 500),
           explanation_zh = EXCLUDED.explanation_zh, explanation_en = EXCLUDED.explanation_en, facts = EXCLUDED.facts
         WHERE NOT (EXCLUDED.event_seqs <@ w.event_seqs) OR NOT (EXCLUDED.codes <@ w.codes)
            OR (cardinality(EXCLUDED.event_seqs) = 0 AND w.facts IS DISTINCT FROM EXCLUDED.facts)
            OR array_position($12::text[], EXCLUDED.severity) > array_position($12::text[], w.severity)
         RETURNING w.id, w.rule, w.subject, w.codes, (w.xmax = 0) AS inserted`,
        [col((f) => f.rule), col((f) => f.subject), col((f) => f.severity), col((f) => f.operatorId), col((f) => f.divisionCode),
          col((f) => JSON.stringify(f.codes)), col((f) => f.explanation.zh), col((f) => f.explanation.en), col((f) => JSON.stringify(f.facts)),
          col((f) => JSON.stringify(f.eventSeqs)), raisedBy, ['low', 'medium', 'high', 'critical'], col((f) => f.evidenceAt ?? null)],
      )).rows;
    },
    async insertHoldProposal(p: { warningId: string; startCodes: string[]; affectedCodes: string[]; affectedOperatorIds: string[]; truncated: boolean }) {
      await q.query(
        `INSERT INTO risk_hold_proposals (warning_id, start_codes, affected_codes, affected_operator_ids, truncated) VALUES ($1, $2, $3, $4::uuid[], $5)`,
        [p.warningId, p.startCodes, p.affectedCodes, p.affectedOperatorIds, p.truncated]);
    },
    /** Warnings matching the filter under a visibility condition, newest first. */
    async listWarnings(vis: { sql: string; params: unknown[] }, f: WarningFilter): Promise<WarningRow[]> {
      const n = vis.params.length;
      return (await q.query<WarningRow>(
        `SELECT w.*, w.event_seqs::text[] AS event_seqs, o.name AS operator_name, ${INCIDENT_OF} FROM risk_warnings w LEFT JOIN operators o ON o.id = w.operator_id
          WHERE ${vis.sql}
            AND ($${n + 1}::text IS NULL OR w.status = $${n + 1}) AND ($${n + 2}::text IS NULL OR w.rule = $${n + 2})
            AND ($${n + 3}::text IS NULL OR w.severity = $${n + 3}) AND ($${n + 4}::uuid IS NULL OR w.operator_id = $${n + 4})
            AND ($${n + 5}::bigint IS NULL OR w.seq < $${n + 5})
          ORDER BY w.seq DESC LIMIT $${n + 6}`,
        [...vis.params, f.status ?? null, f.rule ?? null, f.severity ?? null, f.operatorId ?? null, f.before ?? null, f.limit])).rows;
    },
    async warningById(id: string, forUpdate = false): Promise<WarningRow | undefined> {
      return (await q.query<WarningRow>(
        `SELECT w.*, w.event_seqs::text[] AS event_seqs, o.name AS operator_name, ${INCIDENT_OF} FROM risk_warnings w LEFT JOIN operators o ON o.id = w.operator_id
          WHERE w.id = $1 ${forUpdate ? 'FOR UPDATE OF w' : ''}`, [id])).rows[0];
    },
    /** The hold proposals of these warnings; an id that is not a UUID names no warning. */
    async holdProposals(warningIds: string[]): Promise<HoldProposalRow[]> {
      const ids = warningIds.filter(isUuid);
      if (ids.length === 0) return [];
      return (await q.query<HoldProposalRow>('SELECT * FROM risk_hold_proposals WHERE warning_id = ANY($1::uuid[])', [ids])).rows;
    },
    /** The stored events behind a warning, with what the visibility rule reads and whether each was declared erroneous since. */
    async evidence(seqs: string[]) {
      if (seqs.length === 0) return [];
      return (await q.query<{ seq: string; event_id: string; operator_id: string | null; counterparty_id: string | null; division_code: string | null; declared: boolean }>(
        `SELECT e.seq, e.event_id, e.operator_id, e.counterparty_id, e.division_code, ${declaredErroneousSql('e')} AS declared
           FROM events e WHERE e.seq = ANY($1::bigint[]) ORDER BY e.seq`, [seqs])).rows;
    },
    async acknowledge(id: string, by: { actorId: string | null; role: string }, reason: string) {
      await q.query(
        `UPDATE risk_warnings SET status = 'acknowledged', acknowledged_by = $2, acknowledged_role = $3, acknowledged_at = now(), acknowledge_reason = $4 WHERE id = $1`,
        [id, by.actorId, by.role, reason]);
    },
    async close(id: string, by: { actorId: string | null; role: string }, reason: string) {
      await q.query(
        `UPDATE risk_warnings SET status = 'closed', closed_by = $2, closed_role = $3, closed_at = now(), close_reason = $4 WHERE id = $1`,
        [id, by.actorId, by.role, reason]);
    },

    /**
     * Takes the schedule lease when it is free and, when `minIntervalSeconds` is given, the last run is at least that
     * old; when taken, says when the last run ended.
     */
    async acquireLease(holder: string, leaseSeconds: number, minIntervalSeconds: number | null): Promise<{ lastRunAt: Date | null } | null> {
      return (await q.query<{ lastRunAt: Date | null }>(
        `UPDATE risk_schedule SET holder = $1, lease_until = now() + make_interval(secs => $2)
          WHERE (lease_until IS NULL OR lease_until < now())
            AND ($3::float8 IS NULL OR last_run_at IS NULL OR last_run_at <= now() - make_interval(secs => $3))
          RETURNING last_run_at AS "lastRunAt"`, [holder, leaseSeconds, minIntervalSeconds])).rows[0] ?? null;
    },
    async renewLease(holder: string, leaseSeconds: number) {
      await q.query('UPDATE risk_schedule SET lease_until = now() + make_interval(secs => $2) WHERE holder = $1 AND lease_until >= now()', [holder, leaseSeconds]);
    },
    /** Frees the lease; a completed run (with its result) becomes the last run, a failed one does not. */
    async releaseLease(holder: string, result: Record<string, unknown> | null) {
      await q.query(
        `UPDATE risk_schedule SET lease_until = NULL, last_run_at = CASE WHEN $2::jsonb IS NULL THEN last_run_at ELSE now() END,
                last_result = COALESCE($2::jsonb, last_result)
          WHERE holder = $1`, [holder, result]);
    },
  };
}
export type RiskDal = ReturnType<typeof riskDal>;
