import type { Queryable } from '../platform/db.ts';
import type { RoleChar } from '../events/events-fns.ts';
import type { Direction } from '../trace/trace-types.ts';
import { linkRoles, movementAmount, type DetailedMovement, type Movement } from './recall-fns.ts';
import type { NoticeKind, NoticeLine, Severity } from './recall-types.ts';

export interface IncidentRow {
  id: string; number: string; status: 'open' | 'closed'; reason: string; severity: Severity; description: string | null;
  jurisdiction: string; warning_id: string | null; codes: string[]; escalate_after_minutes: number; opened_by: string | null; opened_role: string;
  opened_at: Date; closed_by: string | null; closed_at: Date | null; conclusion: string | null; summary: Record<string, unknown> | null;
}
/** The size of an incident's affected set as last computed. */
export interface AffectedSummaryRow { computed_at: Date; truncated: boolean; codes: number; operators: number; holdings: number }
/** A code an incident names, with what opening checks: status, kind, batch and where it has been. */
export interface NamedCodeRow { code: string; kind: 'batch' | 'item'; status: string; batch_id: string | null; owner_division: string; seen_here: boolean }
/** The affected set as stored: its holdings parsed from the one document. */
export interface AffectedRow { computed_at: Date; truncated: boolean; codes: number; operators: string[]; holdings: StoredHolding[] }
export interface OperatorRow { id: string; name: string; uscc: string; division_code: string; types: string[] }
/** What people read of a code beside its quantities: kind, product and lot. */
export interface LotRow { code: string; kind: 'batch' | 'item'; product: string | null; spec: string | null; lot_number: string | null }
/** A holding as the affected-set document stores it: quantities as decimal strings. */
export interface StoredHolding {
  code: string; operator_id: string; unit: string; depth: number; reached: string; passed_on: string; sold_to_consumers: string;
  processed: string; destroyed: string; on_hand: string;
}
export interface NoticeRow {
  id: string; incident_id: string; operator_id: string; kind: NoticeKind; message: string | null; lines: NoticeLine[];
  issued_by: string | null; issued_role: string; issuer_jurisdiction: string; run_id: string | null; created_at: Date; due_at: Date;
  acknowledged_at: Date | null; acknowledged_by: string | null; responded_at: Date | null; escalated_at: Date | null;
}
/** A notice with its operator, what the operator accounted for and how its webhook deliveries stand. */
export interface NoticeListRow extends NoticeRow {
  operator_name: string; uscc: string; division_code: string;
  accounted: Array<{ action: string; unit: string; quantity: string }>;
  deliveries: { pending: number; delivered: number; dead: number };
}
export interface WebhookRow { id: string; operator_id: string; url: string; secret: string; created_at: Date; revoked_at: Date | null }
export interface ClaimedDelivery {
  id: string; claim: string; idempotency_key: string; message: string; payload: Record<string, unknown>; attempts: number;
  url: string; secret: string; revoked_at: Date | null;
}

const QUANTITY_LIST = `CASE i.role WHEN 'q' THEN 'quantityList' WHEN 'j' THEN 'inputQuantityList' WHEN 'k' THEN 'outputQuantityList' WHEN 'd' THEN 'childQuantityList' END`;
// Fields of a movement row, in order; one delimited text per row keeps decoding cheap for tens of thousands of rows.
const US = '\x1f';
const RS = '\x1e';

/** A detailed movement row as the store sends it, split: quantities still as the event's list and units (JSON). */
function detailedMovementOf(row: string): DetailedMovement {
  const [seq, eventId, time, eventType, action, bizStep, disposition, operatorId, counterpartyId, role, key, list, units, links, details] = row.split(US);
  const r = role as RoleChar;
  const d = details ? JSON.parse(details) : null;
  return {
    seq, eventId, eventTime: new Date(Number(time)), eventType, action: action || null, bizStep: bizStep || null, disposition: disposition || null,
    operatorId: operatorId || null, counterpartyId: counterpartyId || null, key, role: r,
    amount: movementAmount(r, key, list ? JSON.parse(list) : null, units ? JSON.parse(units) : null),
    links: links ? links.split(RS).map((x) => ({ role: x[0] as RoleChar, key: x.slice(1) })) : null,
    ...(d ? { details: { bizLocation: d[0], record: d[1], invoiceNo: d[2], admissionInvoice: d[3], transactionType: d[4], transaction: d[5] } } : {}),
  };
}

/*
 * The holdings document (migration 0016): one positional array per holding, its operator as an index into the
 * affected set's `operators` —
 *   [code, operator, unit, depth, reached, passed_on, sold_to_consumers, processed, destroyed, on_hand]
 * — a third of the size of the same holdings as named fields, over tens of thousands of holdings.
 */
type HoldingTuple = [string, number, string, number, string, string, string, string, string, string];

/** The stored document of these holdings. Quantities are decimal strings (`fromMilli`), so they need no escaping. */
export function holdingsDocument(holdings: readonly StoredHolding[], operators: readonly string[]): string {
  const index = new Map(operators.map((o, k) => [o, k]));
  const rows = new Array<string>(holdings.length);
  for (let k = 0; k < holdings.length; k++) {
    const h = holdings[k];
    const op = index.get(h.operator_id);
    if (op === undefined) throw new Error(`holding of ${h.code} names operator ${h.operator_id}, not among the affected operators`);
    rows[k] = `[${JSON.stringify(h.code)},${op},${JSON.stringify(h.unit)},${h.depth},"${h.reached}","${h.passed_on}","${h.sold_to_consumers}","${h.processed}","${h.destroyed}","${h.on_hand}"]`;
  }
  return `[${rows.join(',')}]`;
}

/** The holdings of a stored document, in the order they were stored. */
export function holdingsOfDocument(document: string, operators: readonly string[]): StoredHolding[] {
  const tuples = JSON.parse(document) as HoldingTuple[];
  const out = new Array<StoredHolding>(tuples.length);
  for (let k = 0; k < tuples.length; k++) {
    const [code, op, unit, depth, reached, passedOn, sold, processed, destroyed, onHand] = tuples[k];
    out[k] = {
      code, operator_id: operators[op], unit, depth, reached, passed_on: passedOn, sold_to_consumers: sold, processed, destroyed, on_hand: onHand,
    };
  }
  return out;
}

/** Movement rows as `movements` reads them (see there), decoded; links are attached once every chunk is in. */
function decodeMovements(rows: ReadonlyArray<{ m: string }>): Movement[] {
  const out: Movement[] = new Array(rows.length);
  for (let n = 0; n < rows.length; n++) {
    const f = rows[n].m.split(US);
    const role = f[7] as RoleChar;
    const key = f[8];
    out[n] = {
      seq: f[0], eventType: f[1], action: f[2] || null, bizStep: f[3] || null, disposition: f[4] || null, operatorId: f[5] || null, counterpartyId: f[6] || null,
      key, role, amount: movementAmount(role, key, f[9] ? JSON.parse(f[9]) : null, f[10] ? JSON.parse(f[10]) : null), links: null,
    };
  }
  return out;
}

/**
 * Keys per movement statement, and statements in flight at once. A level is read in small chunks so that each is
 * decoded while the store serves the next: on the bench/recall.ts store (10,000 downstream batches, 2 cores), the
 * forward walk took p50 370 ms in one statement a level, 345 ms in chunks of 2,500 keys and 300 ms in chunks of 500.
 * A walk holds at most three of the pool's connections at a time, and none between its statements.
 */
const MOVEMENT_CHUNK = 500;
const MOVEMENT_READERS = 3;

/**
 * A hold notice whose operator has since been sent the incident's recall (migration 0018): the recall asks more and is
 * the one to answer (the rule of `coveringKinds`), so the hold is neither escalated nor counted among the notices still
 * open.
 */
const supersededHold = (n: string) =>
  `(${n}.kind = 'hold' AND EXISTS (SELECT 1 FROM recall_notices r WHERE r.incident_id = ${n}.incident_id AND r.operator_id = ${n}.operator_id AND r.kind = 'recall'))`;

const LINKING_TYPES = new Set(['TransformationEvent', 'AggregationEvent']);
/** Data access for incidents, their affected set, notices and answers, operators' webhooks and the webhook outbox. */
export function recallDal(q: Queryable) {
  return {
    // ---- incidents --------------------------------------------------------------------------
    async insertIncident(r: {
      reason: string; severity: string; description: string | null; jurisdiction: string; warningId: string | null; codes: string[];
      escalateAfterMinutes: number; openedBy: string | null; openedRole: string; now: Date;
    }) {
      return (await q.query<IncidentRow>(
        `INSERT INTO incidents (status, reason, severity, description, jurisdiction, warning_id, codes, escalate_after_minutes, opened_by, opened_role, opened_at)
         VALUES ('open', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
        [r.reason, r.severity, r.description, r.jurisdiction, r.warningId, r.codes, r.escalateAfterMinutes, r.openedBy, r.openedRole, r.now])).rows[0];
    },
    async incident(id: string, lock = false) {
      return (await q.query<IncidentRow>(`SELECT * FROM incidents WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])).rows[0];
    },
    async incidentByWarning(warningId: string) {
      return (await q.query<IncidentRow>('SELECT * FROM incidents WHERE warning_id = $1', [warningId])).rows[0];
    },
    /**
     * Incidents newest first; with a division prefix, those owned inside it or with an affected operator inside it
     * (handed over to its regulator).
     */
    async incidents(f: { prefix: string | null; status?: string; limit: number }) {
      return (await q.query<IncidentRow>(
        `SELECT * FROM incidents i
          WHERE ($1::text IS NULL OR i.jurisdiction LIKE $1 || '%'
                 OR EXISTS (SELECT 1 FROM incident_affected a JOIN operators o ON o.id = ANY(a.operators)
                             WHERE a.incident_id = i.id AND o.division_code LIKE $1 || '%'))
            AND ($2::text IS NULL OR i.status = $2)
          ORDER BY i.opened_at DESC, i.number DESC LIMIT $3`,
        [f.prefix, f.status ?? null, f.limit])).rows;
    },
    /** True when one of the incident's affected operators lies inside the division prefix. */
    async holdsWithin(incidentId: string, prefix: string) {
      return (await q.query(
        `SELECT 1 FROM incident_affected a JOIN operators o ON o.id = ANY(a.operators) WHERE a.incident_id = $1 AND o.division_code LIKE $2 || '%' LIMIT 1`,
        [incidentId, prefix])).rowCount === 1;
    },
    async closeIncident(id: string, r: { closedBy: string | null; now: Date; conclusion: string; summary: object }) {
      return (await q.query<IncidentRow>(
        `UPDATE incidents SET status = 'closed', closed_by = $2, closed_at = $3, conclusion = $4, summary = $5 WHERE id = $1 RETURNING *`,
        [id, r.closedBy, r.now, r.conclusion, JSON.stringify(r.summary)])).rows[0];
    },
    /** Unfinished workflow runs of an incident (a close waits for them). */
    async unfinishedRuns(incidentId: string) {
      return Number((await q.query<{ n: string }>(
        `SELECT count(*) AS n FROM workflow_runs WHERE subject_id = $1 AND status <> 'succeeded'`, [incidentId])).rows[0].n);
    },

    // ---- the affected set -------------------------------------------------------------------
    /** The codes an incident is opened on, with their owner's division and whether an event in the prefix names them. */
    async namedCodes(codes: string[], prefix: string) {
      return (await q.query<NamedCodeRow>(
        `SELECT c.code, c.kind, c.status, c.batch_id, o.division_code AS owner_division,
                EXISTS (SELECT 1 FROM event_ids i JOIN events e ON e.seq = i.seq WHERE i.key = c.code::text AND e.division_code LIKE $2 || '%') AS seen_here
           FROM codes c JOIN operators o ON o.id = c.owner_operator_id WHERE c.code = ANY($1::bpchar[])`,
        [codes, prefix])).rows;
    },
    /** The active batch codes of the batches of these item codes: naming an item names its lot. */
    async batchCodesOfItems(items: string[]) {
      return (await q.query<{ code: string }>(
        `SELECT DISTINCT b.code FROM codes i JOIN codes b ON b.batch_id = i.batch_id AND b.kind = 'batch' AND b.status = 'active'
          WHERE i.code = ANY($1::bpchar[]) AND i.kind = 'item'`, [items])).rows.map((r) => r.code);
    },
    /**
     * The movements of events naming these codes, one per event, code and role, as the holdings and the walk in
     * `direction` need them: attribution, and the quantity list and units the code's role reads. A linking event's
     * movements carry as links the event's identifiers among these codes and, when one of these codes leads on from
     * it in `direction`, every identifier it leads to (read in one set-based statement over those events).
     *
     * A large level is read in chunks of keys, several in flight at once: through a pool they run side by side on
     * several connections, and each chunk is decoded as it arrives while the store still serves the others (through
     * one connection they simply queue). The movements come out chunk by chunk, in the order of the keys. Through a
     * pool each chunk is its own snapshot: an event committed meanwhile may be read with some of its identifiers and
     * not others (events are append-only, so this only misses what the next computation finds).
     */
    async movements(keys: string[], direction: Direction): Promise<Movement[]> {
      if (keys.length === 0) return [];
      const chunks: string[][] = [];
      for (let k = 0; k < keys.length; k += MOVEMENT_CHUNK) chunks.push(keys.slice(k, k + MOVEMENT_CHUNK));
      const parts: Movement[][] = new Array(chunks.length);
      let taken = 0;
      let failed = false;
      const reader = async () => {
        while (taken < chunks.length && !failed) {
          const k = taken++;
          parts[k] = decodeMovements((await q.query<{ m: string }>(
            `SELECT concat_ws(chr(31), i.seq, e.event_type, coalesce(e.action, ''), coalesce(e.biz_step, ''), coalesce(e.disposition, ''),
                             coalesce(e.operator_id::text, ''), coalesce(e.counterparty_id::text, ''), i.role, i.key,
                             CASE WHEN i.role IN ('q', 'j', 'k', 'd') THEN coalesce((e.body -> (${QUANTITY_LIST}))::text, '') ELSE '' END,
                             CASE WHEN i.role IN ('q', 'j', 'k', 'd') THEN coalesce((e.body -> 'sy:units')::text, '') ELSE '' END) AS m
               FROM unnest($1::text[]) AS k(key) JOIN event_ids i ON i.key = k.key JOIN events e ON e.seq = i.seq`,
            [chunks[k]])).rows);
        }
      };
      // One failed chunk fails the level: the other readers stop taking chunks.
      const read = () => reader().catch((e) => { failed = true; throw e; });
      await Promise.all(Array.from({ length: Math.min(MOVEMENT_READERS, chunks.length) }, read));
      const out = parts.length === 1 ? parts[0] : parts.flat();
      // Identifiers of each linking event, shared by its movements (across chunks); the events a key leads on from.
      const { from, to } = linkRoles(direction);
      const links = new Map<string, Array<{ key: string; role: RoleChar }>>();
      const onward = new Set<string>();
      for (const m of out) {
        if (!LINKING_TYPES.has(m.eventType)) continue;
        let ids = links.get(m.seq);
        if (!ids) links.set(m.seq, (ids = []));
        if (from.includes(m.role)) onward.add(m.seq);
        ids.push({ key: m.key, role: m.role });
        m.links = ids;
      }
      if (onward.size > 0) {
        const next = (await q.query<{ m: string }>(
          `SELECT concat_ws(chr(31), o.seq, o.role, o.key) AS m FROM unnest($1::bigint[]) AS s(seq) JOIN event_ids o ON o.seq = s.seq
            WHERE o.role = ANY($2::"char"[])`,
          [[...onward], to])).rows;
        for (const { m } of next) {
          const f = m.split(US);
          links.get(f[0])!.push({ key: f[2], role: f[1] as RoleChar });
        }
      }
      return out;
    },
    /**
     * The movements of events naming these codes as exports show them: with every identifier of linking events and
     * each event's id, time and details.
     */
    async detailedMovements(keys: string[]): Promise<DetailedMovement[]> {
      if (keys.length === 0) return [];
      const rows = (await q.query<{ m: string }>(
        `SELECT concat_ws(chr(31), i.seq, e.event_id, (extract(epoch FROM e.event_time) * 1000)::bigint, e.event_type, coalesce(e.action, ''),
                         coalesce(e.biz_step, ''), coalesce(e.disposition, ''), coalesce(e.operator_id::text, ''), coalesce(e.counterparty_id::text, ''),
                         i.role, i.key, coalesce((e.body -> (${QUANTITY_LIST}))::text, ''),
                         CASE WHEN i.role IN ('q', 'j', 'k', 'd') THEN coalesce((e.body -> 'sy:units')::text, '') ELSE '' END,
                         CASE WHEN e.event_type IN ('TransformationEvent', 'AggregationEvent')
                              THEN (SELECT string_agg(o.role::text || o.key, chr(30)) FROM event_ids o WHERE o.seq = e.seq) ELSE '' END,
                         jsonb_build_array(e.body #> '{bizLocation,id}', e.body -> 'sy:record', e.body -> 'sy:invoiceNo',
                              e.body #> '{sy:entryAdmission,invoices,0,number}', e.body #> '{bizTransactionList,0,type}', e.body #> '{bizTransactionList,0,bizTransaction}')::text) AS m
           FROM unnest($1::text[]) AS k(key) JOIN event_ids i ON i.key = k.key JOIN events e ON e.seq = i.seq`,
        [keys])).rows;
      return rows.map((r) => detailedMovementOf(r.m));
    },
    /**
     * Stores a newly computed affected set as the incident's (every holding's operator among `operators`), unless the
     * stored one was computed later: two refreshes that overlap leave the newer. `now` is when the computation began.
     * Answers whether it was stored.
     */
    async replaceAffected(incidentId: string, r: { codes: string[]; operators: string[]; holdings: StoredHolding[]; truncated: boolean; now: Date }) {
      return ((await q.query(
        `INSERT INTO incident_affected (incident_id, computed_at, truncated, codes, operators, holding_count, holdings) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (incident_id) DO UPDATE SET computed_at = $2, truncated = $3, codes = $4, operators = $5, holding_count = $6, holdings = $7
          WHERE incident_affected.computed_at <= EXCLUDED.computed_at`,
        [incidentId, r.now, r.truncated, r.codes, r.operators, r.holdings.length, holdingsDocument(r.holdings, r.operators)])).rowCount ?? 0) > 0;
    },
    async affectedSummary(incidentId: string) {
      return (await q.query<AffectedSummaryRow>(
        `SELECT computed_at, truncated, cardinality(codes) AS codes, cardinality(operators) AS operators, holding_count AS holdings
           FROM incident_affected WHERE incident_id = $1`, [incidentId])).rows[0];
    },
    /** The affected set with its holdings, read as one JSON document (far cheaper than tens of thousands of rows). */
    async affected(incidentId: string): Promise<AffectedRow | undefined> {
      const r = (await q.query<{ computed_at: Date; truncated: boolean; codes: number; operators: string[]; holdings: string }>(
        `SELECT computed_at, truncated, cardinality(codes) AS codes, operators::text[] AS operators, holdings::text AS holdings
           FROM incident_affected WHERE incident_id = $1`, [incidentId])).rows[0];
      return r && { ...r, holdings: holdingsOfDocument(r.holdings, r.operators) };
    },
    /** Kind, product and lot of these codes (foreign EPCs have none). */
    async lots(codes: string[]) {
      if (codes.length === 0) return [];
      return (await q.query<LotRow>(
        `SELECT c.code, c.kind, p.name AS product, p.spec, b.lot_number
           FROM unnest($1::text[]) AS k(code) JOIN codes c ON c.code = k.code::bpchar
           LEFT JOIN batches b ON b.id = c.batch_id LEFT JOIN products p ON p.id = b.product_id`, [codes])).rows;
    },
    /** Existing operators among these ids, with what exports and sources show of them. */
    async operators(ids: string[]) {
      if (ids.length === 0) return [];
      return (await q.query<OperatorRow>('SELECT id, name, uscc, division_code, types FROM operators WHERE id = ANY($1::uuid[])', [ids])).rows;
    },
    async sites(ids: string[]) {
      if (ids.length === 0) return [];
      return (await q.query<{ id: string; name: string; division_code: string; gln: string | null; operator_id: string }>(
        'SELECT id, name, division_code, gln, operator_id FROM sites WHERE id = ANY($1::uuid[])', [ids])).rows;
    },
    /**
     * Consumer scans of the affected codes by China day, each scan counted once: for the scanned code when it is
     * affected itself, else for its lot — every affected batch code of the lot, in `codes` (a batch code, its item
     * codes and its Digital Link `01/{gtin}/10/{lot}` all count for the batch; a lot can have several batch codes).
     * Scans are read by lot (scans.batch_id, migration 0017), so the item codes a lot was issued are never read;
     * affected codes outside an affected lot (items that moved into another lot's goods, foreign EPCs) are read by code.
     */
    async scansByDay(incidentId: string) {
      return (await q.query<{ codes: string[]; day: string; scans: number }>(
        `WITH affected AS (SELECT DISTINCT unnest(codes) AS code FROM incident_affected WHERE incident_id = $1),
              known AS (SELECT a.code, c.kind, c.batch_id FROM affected a LEFT JOIN codes c ON c.code = a.code::bpchar),
              lots AS (SELECT batch_id, array_agg(code ORDER BY code) AS codes FROM known WHERE kind = 'batch' GROUP BY batch_id),
              hits AS (
                SELECT s.code AS scanned, l.codes AS lot, s.at FROM lots l JOIN scans s ON s.batch_id = l.batch_id
                UNION ALL
                SELECT s.code, NULL, s.at FROM known k JOIN scans s ON s.code = k.code
                 WHERE k.kind IS DISTINCT FROM 'batch' AND NOT EXISTS (SELECT 1 FROM lots l WHERE l.batch_id = k.batch_id))
         SELECT codes, to_char(day, 'YYYY-MM-DD') AS day, scans FROM (
           -- (The lot's own batch codes are affected too; testing them first spares most scans the lookup in affected.)
           SELECT CASE WHEN h.lot IS NULL OR h.scanned = ANY(h.lot) OR h.scanned IN (SELECT code FROM affected) THEN ARRAY[h.scanned] ELSE h.lot END AS codes,
                  (h.at AT TIME ZONE 'Asia/Shanghai')::date AS day, count(*)::int AS scans
             FROM hits h
            GROUP BY 1, 2) d
          ORDER BY d.day, d.codes`,
        [incidentId])).rows;
    },
    /** The open incidents whose affected set holds any of the codes (an item code also through its batch). */
    async openRecalls(codes: string[]) {
      return (await q.query<{ code: string; id: string; number: string; severity: Severity; opened_at: Date; recalling: boolean }>(
        `WITH asked AS (SELECT DISTINCT unnest($1::text[]) AS code),
              keys AS (SELECT code AS asked, code AS key FROM asked
                       UNION SELECT a.code, b.code::text FROM asked a JOIN codes it ON it.code = a.code::bpchar AND it.kind = 'item'
                         JOIN codes b ON b.batch_id = it.batch_id AND b.kind = 'batch')
         SELECT DISTINCT k.asked AS code, i.id, i.number, i.severity, i.opened_at,
                EXISTS (SELECT 1 FROM recall_notices n WHERE n.incident_id = i.id AND n.kind = 'recall') AS recalling
           FROM keys k JOIN incident_affected a ON a.codes @> ARRAY[k.key] JOIN incidents i ON i.id = a.incident_id AND i.status = 'open'
          ORDER BY 1, i.opened_at`,
        [codes])).rows;
    },

    // ---- notices ----------------------------------------------------------------------------
    /** Which of these operators already have a notice of the incident (of one of `kinds`, when given). */
    async notified(incidentId: string, operatorIds: string[], kinds?: NoticeKind[]) {
      return new Set((await q.query<{ operator_id: string }>(
        'SELECT operator_id FROM recall_notices WHERE incident_id = $1 AND operator_id = ANY($2::uuid[]) AND ($3::text[] IS NULL OR kind = ANY($3))',
        [incidentId, operatorIds, kinds ?? null])).rows.map((r) => r.operator_id));
    },
    /** Inserts notices not sent yet (one per incident, operator and kind); returns those inserted. */
    async insertNotices(r: {
      incidentId: string; kind: NoticeKind; message: string | null; issuedBy: string | null; issuedRole: string; issuerJurisdiction: string;
      runId: string; now: Date; dueAt: Date; notices: Array<{ operatorId: string; lines: NoticeLine[] }>;
    }) {
      return (await q.query<NoticeRow>(
        `INSERT INTO recall_notices (incident_id, operator_id, kind, message, lines, issued_by, issued_role, issuer_jurisdiction, run_id, created_at, due_at)
         SELECT $1, op, $2, $3, l, $4, $5, $6, $7, $8, $9 FROM unnest($10::uuid[], $11::jsonb[]) AS x(op, l)
         ON CONFLICT (incident_id, operator_id, kind) DO NOTHING RETURNING *`,
        [r.incidentId, r.kind, r.message, r.issuedBy, r.issuedRole, r.issuerJurisdiction, r.runId, r.now, r.dueAt,
          r.notices.map((n) => n.operatorId), r.notices.map((n) => JSON.stringify(n.lines))])).rows;
    },
    async notice(id: string, lock = false) {
      return (await q.query<NoticeRow>(`SELECT * FROM recall_notices WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])).rows[0];
    },
    /** Notices with their operators, accounted quantities and delivery states: of an incident, or addressed to an operator. */
    async notices(f: { incidentId?: string; operatorId?: string; noticeId?: string }) {
      return (await q.query<NoticeListRow>(
        `SELECT n.*, o.name AS operator_name, o.uscc, o.division_code,
                COALESCE((SELECT jsonb_agg(jsonb_build_object('action', s.action, 'unit', s.unit, 'quantity', s.quantity::text) ORDER BY s.action, s.unit)
                            FROM (SELECT l.action, l.unit, sum(l.quantity) AS quantity FROM notice_response_lines l WHERE l.notice_id = n.id GROUP BY 1, 2) s), '[]') AS accounted,
                (SELECT jsonb_build_object('pending', count(*) FILTER (WHERE x.status IN ('pending', 'sending')),
                                           'delivered', count(*) FILTER (WHERE x.status = 'delivered'), 'dead', count(*) FILTER (WHERE x.status = 'dead'))
                   FROM notice_outbox x WHERE x.notice_id = n.id) AS deliveries
           FROM recall_notices n JOIN operators o ON o.id = n.operator_id
          WHERE ($1::uuid IS NULL OR n.incident_id = $1) AND ($2::uuid IS NULL OR n.operator_id = $2) AND ($3::uuid IS NULL OR n.id = $3)
          ORDER BY n.created_at DESC, o.division_code, o.name`,
        [f.incidentId ?? null, f.operatorId ?? null, f.noticeId ?? null])).rows;
    },
    async acknowledge(id: string, by: string | null, now: Date) {
      return (await q.query<NoticeRow>(
        'UPDATE recall_notices SET acknowledged_at = COALESCE(acknowledged_at, $3), acknowledged_by = COALESCE(acknowledged_by, $2) WHERE id = $1 RETURNING *',
        [id, by, now])).rows[0];
    },
    /** The answer a request id already made, with its lines (code, action, quantity, unit). */
    async responseByRequest(noticeId: string, requestId: string) {
      return (await q.query<{ id: string; event_ids: string[]; created_at: Date; lines: Array<[string, string, string, string]> }>(
        `SELECT r.id, r.event_ids, r.created_at,
                coalesce((SELECT json_agg(json_build_array(l.code, l.action, l.quantity::text, l.unit)) FROM notice_response_lines l WHERE l.response_id = r.id), '[]') AS lines
           FROM notice_responses r WHERE r.notice_id = $1 AND r.request_id = $2`, [noticeId, requestId])).rows[0];
    },
    async insertResponse(r: {
      id: string; noticeId: string; requestId: string | null; note: string | null; eventIds: string[]; actorId: string | null; actorRole: string; now: Date;
      lines: Array<{ code: string; action: string; quantity: string; unit: string }>;
    }) {
      await q.query(
        `INSERT INTO notice_responses (id, notice_id, request_id, note, event_ids, actor_id, actor_role, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [r.id, r.noticeId, r.requestId, r.note, r.eventIds, r.actorId, r.actorRole, r.now]);
      await q.query(
        `INSERT INTO notice_response_lines (response_id, notice_id, code, action, quantity, unit)
         SELECT $1, $2, c, a, qty, u FROM unnest($3::text[], $4::text[], $5::numeric[], $6::text[]) AS x(c, a, qty, u)`,
        [r.id, r.noticeId, r.lines.map((l) => l.code), r.lines.map((l) => l.action), r.lines.map((l) => l.quantity), r.lines.map((l) => l.unit)]);
      await q.query(
        `UPDATE recall_notices SET responded_at = COALESCE(responded_at, $2), acknowledged_at = COALESCE(acknowledged_at, $2) WHERE id = $1`,
        [r.noticeId, r.now]);
    },
    /** Marks notices of open incidents unacknowledged past their due time as escalated; returns them. */
    async escalate(now: Date) {
      return (await q.query<NoticeRow & { number: string }>(
        `UPDATE recall_notices n SET escalated_at = $1 FROM incidents i
          WHERE i.id = n.incident_id AND i.status = 'open' AND n.acknowledged_at IS NULL AND n.escalated_at IS NULL AND n.due_at <= $1
            AND NOT ${supersededHold('n')}
          RETURNING n.*, i.number`,
        [now])).rows;
    },

    // ---- progress ---------------------------------------------------------------------------
    /** What the incident's operators reported, per operator, code, unit and action. */
    async reported(incidentId: string) {
      return (await q.query<{ operator_id: string; code: string; unit: string; action: string; quantity: string }>(
        `SELECT n.operator_id, l.code, l.unit, l.action, sum(l.quantity)::text AS quantity FROM notice_response_lines l JOIN recall_notices n ON n.id = l.notice_id
          WHERE n.incident_id = $1 GROUP BY 1, 2, 3, 4`, [incidentId])).rows;
    },
    /** The lines of the incident's notices: what each operator was asked about. */
    async askedLines(incidentId: string) {
      return (await q.query<{ operator_id: string; lines: NoticeLine[] }>('SELECT operator_id, lines FROM recall_notices WHERE incident_id = $1', [incidentId])).rows;
    },
    /** How the incident's notices stand; a hold superseded by the operator's recall is not counted. */
    async noticeCounts(incidentId: string) {
      return (await q.query<{ total: number; acknowledged: number; responded: number; escalated: number; unanswered: number }>(
        `SELECT count(*)::int AS total, count(acknowledged_at)::int AS acknowledged, count(responded_at)::int AS responded,
                count(escalated_at)::int AS escalated, count(*) FILTER (WHERE acknowledged_at IS NULL)::int AS unanswered
           FROM recall_notices n WHERE n.incident_id = $1 AND NOT ${supersededHold('n')}`, [incidentId])).rows[0];
    },

    // ---- webhooks and the outbox ------------------------------------------------------------
    async webhooks(operatorIds: string[]) {
      return (await q.query<WebhookRow>(
        'SELECT * FROM operator_webhooks WHERE operator_id = ANY($1::uuid[]) AND revoked_at IS NULL ORDER BY created_at, id', [operatorIds])).rows;
    },
    async insertWebhook(r: { operatorId: string; url: string; secret: string; createdBy: string | null }) {
      return (await q.query<WebhookRow>(
        'INSERT INTO operator_webhooks (operator_id, url, secret, created_by) VALUES ($1, $2, $3, $4) RETURNING *',
        [r.operatorId, r.url, r.secret, r.createdBy])).rows[0];
    },
    async revokeWebhook(id: string, operatorId: string) {
      return (await q.query<WebhookRow>(
        'UPDATE operator_webhooks SET revoked_at = now() WHERE id = $1 AND operator_id = $2 AND revoked_at IS NULL RETURNING *', [id, operatorId])).rows[0];
    },
    /** Enqueues deliveries; an idempotency key already enqueued is left as it is. */
    async enqueue(rows: Array<{ noticeId: string; webhookId: string; payload: object }>, message: 'notice' | 'escalation', now: Date) {
      if (rows.length === 0) return;
      await q.query(
        `INSERT INTO notice_outbox (notice_id, webhook_id, message, idempotency_key, payload, status, next_attempt_at, created_at)
         SELECT n, w, $1, n || ':' || w || ':' || $1, p, 'pending', $2, $2 FROM unnest($3::uuid[], $4::uuid[], $5::jsonb[]) AS x(n, w, p)
         ON CONFLICT (idempotency_key) DO NOTHING`,
        [message, now, rows.map((r) => r.noticeId), rows.map((r) => r.webhookId), rows.map((r) => JSON.stringify(r.payload))]);
    },
    /**
     * Claims due deliveries for one sender until `leaseEnd`: pending ones whose time has come, and ones whose sender's
     * lease ran out. Locked rows are skipped, so concurrent senders never take the same row.
     */
    async claimDeliveries(now: Date, leaseEnd: Date, limit: number) {
      return (await q.query<ClaimedDelivery>(
        `UPDATE notice_outbox o SET status = 'sending', attempts = o.attempts + 1, claim = gen_random_uuid(), next_attempt_at = $2
           FROM operator_webhooks w
          WHERE w.id = o.webhook_id AND o.id IN (
                SELECT id FROM notice_outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1
                 ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
          RETURNING o.id, o.claim, o.idempotency_key, o.message, o.payload, o.attempts, w.url, w.secret, w.revoked_at`,
        [now, leaseEnd, limit])).rows;
    },
    /** Records a delivery's outcome, only for the claim that made it (a sender whose lease ran out records nothing). */
    async settleDelivery(id: string, claim: string, r: { status: 'pending' | 'delivered' | 'dead'; httpStatus: number | null; error: string | null; nextAttempt: Date | null; now: Date }) {
      await q.query(
        `UPDATE notice_outbox SET status = $3, last_status = $4, last_error = $5, next_attempt_at = COALESCE($6, next_attempt_at),
                delivered_at = CASE WHEN $3 = 'delivered' THEN $7::timestamptz END, claim = NULL
          WHERE id = $1 AND claim = $2`,
        [id, claim, r.status, r.httpStatus, r.error, r.nextAttempt, r.now]);
    },
  };
}
export type RecallDal = ReturnType<typeof recallDal>;
