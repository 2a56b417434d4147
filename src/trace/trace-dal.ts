import { prepared, type Queryable } from '../platform/db.ts';
import type { Actor } from '../accounts/actor.ts';
import { eventVisibility } from '../access/visibility.ts';
import { eventIdentifiers, type EpcisEvent, type RoleChar } from '../events/events-fns.ts';
import { currentBodySql } from '../events/events-dal.ts';
import type { LineageEvent, LineageSource } from './trace-types.ts';

interface LevelRow {
  seq: string; event_id: string; event_type: string; action: string | null; biz_step: string | null; event_time: Date; record_time: Date;
  operator_id: string | null; counterparty_id: string | null; division_code: string | null; body: EpcisEvent;
}

/** A node's facts for the graph: the code with its batch, product, owner and site (the batch ones null for pool codes). */
export interface NodeDetailRow {
  code: string; kind: 'batch' | 'item'; status: string;
  batch_id: string | null; lot_number: string | null; quantity: string | null; unit: string | null; produced_on: string | null; expires_on: string | null;
  product_id: string | null; product_name: string | null; spec: string | null; gtin: string | null; category_code: string | null;
  operator_id: string; operator_name: string; operator_division: string;
  site_id: string | null; site_name: string | null; site_division: string | null;
}

export interface OperatorRow { id: string; name: string; division_code: string }

export interface StoredEventRow {
  seq: string; event_id: string; record_time: Date; body: EpcisEvent;
  operator_id: string | null; counterparty_id: string | null; division_code: string | null;
}

// Ordered as the index's rows are (role, then key), so that a trace's nodes and edges come out in a stable order.
const byRoleThenKey = (a: { key: string; role: RoleChar }, b: { key: string; role: RoleChar }) =>
  (a.role < b.role ? -1 : a.role > b.role ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

const toLineageEvent = (r: LevelRow): LineageEvent => ({
  seq: r.seq, eventId: r.event_id, eventType: r.event_type, action: r.action, bizStep: r.biz_step, eventTime: r.event_time,
  recordTime: r.record_time, operatorId: r.operator_id, counterpartyId: r.counterparty_id, divisionCode: r.division_code,
  // The identifiers come from the body by the very rule that wrote the event's event_ids rows at capture
  // (eventIdentifiers), so the level query need not read them back: one index probe and heap page fewer per event.
  ids: eventIdentifiers(r.body).sort(byRoleThenKey), body: r.body,
});

/**
 * One level of the lineage on this node's store, in one statement: the events naming any of the keys (an index-only
 * scan of the event_ids primary key), each read once by its primary key with the viewer's visibility applied. The
 * identifiers each event names are taken from its body (see toLineageEvent). No recursion in SQL, so that a sharded
 * or federated source can do the same.
 */
export function pgLineageSource(q: Queryable): LineageSource {
  return {
    async expand(keys, viewer: Actor) {
      if (keys.length === 0) return [];
      const vis = eventVisibility(viewer, 'e', 2);
      const rows = (await q.query<LevelRow>(prepared(
        `SELECT e.seq, e.event_id, e.event_type, e.action, e.biz_step, e.event_time, e.record_time,
                e.operator_id, e.counterparty_id, e.division_code,
                -- An event declared erroneous after its capture shows its errorDeclaration: the trace marks it.
                ${currentBodySql('e')} AS body
           FROM (SELECT DISTINCT i.seq FROM event_ids i WHERE i.key = ANY($1::text[])) hit
           JOIN events e ON e.seq = hit.seq
          WHERE ${vis.sql}`,
        [keys, ...vis.params],
      ))).rows;
      return rows.map(toLineageEvent);
    },
  };
}

// A node's facts. codes.code is char(16): compared with a bpchar[] parameter its primary key serves the lookup
// (compared with text[], every code would be cast and the table scanned).
// Driven by the array (unnest), every other table is reached by its primary key. With `c.code = ANY($1)` the
// prepared statement's generic plan hash-joined a sequential scan of all operators on a small store (400 of them);
// on a 1M-event store both forms plan the same nested loop of primary-key lookups.
const NODE_DETAILS = `
  SELECT c.code, c.kind, c.status, b.id AS batch_id, b.lot_number, b.quantity, b.unit, b.produced_on, b.expires_on,
         p.id AS product_id, p.name AS product_name, p.spec, p.gtin, p.category_code,
         o.id AS operator_id, o.name AS operator_name, o.division_code AS operator_division,
         s.id AS site_id, s.name AS site_name, s.division_code AS site_division
    FROM unnest($1::bpchar[]) AS k(code) JOIN codes c ON c.code = k.code JOIN operators o ON o.id = c.owner_operator_id
    LEFT JOIN batches b ON b.id = c.batch_id LEFT JOIN products p ON p.id = b.product_id LEFT JOIN sites s ON s.id = b.site_id`;

/** Data access for the trace read paths: node details, operator names, a batch's codes, one event. */
export function traceDal(q: Queryable) {
  return {
    /**
     * The item codes (一品一码) of the lots of those of these keys that are batch codes, that some event named (kept by
     * capture in moved_items, migration 0017): no event links them to their batch code, so a forward walk admits them
     * with the batch (`admitKeys`) without reading the item codes that never moved.
     */
    async movedItems(batchCodes: string[]): Promise<string[]> {
      if (batchCodes.length === 0) return [];
      return (await q.query<{ code: string }>(
        `SELECT DISTINCT m.code::text AS code FROM unnest($1::text[]) AS k(code) JOIN codes b ON b.code = k.code::bpchar AND b.kind = 'batch'
           JOIN moved_items m ON m.batch_id = b.batch_id ORDER BY 1`,
        [batchCodes])).rows.map((r) => r.code);
    },
    /** Details of every Suyuan code among the nodes, in one statement. */
    async nodeDetails(codes: string[]) {
      if (codes.length === 0) return [];
      return (await q.query<NodeDetailRow>(prepared(NODE_DETAILS, [codes]))).rows;
    },
    async operators(ids: string[]) {
      if (ids.length === 0) return [];
      return (await q.query<OperatorRow>('SELECT id, name, division_code FROM operators WHERE id = ANY($1::uuid[])', [ids])).rows;
    },
    /**
     * nodeDetails and operators in one statement (a trace's last), which also appends the trace's query-log entry
     * when given one (a data-modifying WITH item, parameters from $3): operator rows are the ones without a code.
     */
    async graphDetails(codes: string[], operatorIds: string[], log?: { with: string; params: unknown[] }): Promise<{ nodes: NodeDetailRow[]; operators: OperatorRow[] }> {
      if (codes.length === 0 && operatorIds.length === 0 && !log) return { nodes: [], operators: [] };
      const rows = (await q.query<NodeDetailRow>(prepared(
        `${log ? `WITH ${log.with}` : ''}
         ${NODE_DETAILS}
         UNION ALL
         SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, o.id, o.name, o.division_code, NULL, NULL, NULL
           FROM unnest($2::uuid[]) AS k(id) JOIN operators o ON o.id = k.id`,
        [codes, operatorIds, ...(log?.params ?? [])],
      ))).rows;
      return {
        nodes: rows.filter((r) => r.code !== null),
        operators: rows.filter((r) => r.code === null).map((r) => ({ id: r.operator_id, name: r.operator_name, division_code: r.operator_division })),
      };
    },
    /** The active batch codes of a batch: a Digital Link naming GTIN and lot starts the trace from these. */
    async batchCodes(batchId: string) {
      return (await q.query<{ code: string }>(
        `SELECT code FROM codes WHERE batch_id = $1 AND kind = 'batch' AND status <> 'unassigned' ORDER BY seq`, [batchId])).rows.map((r) => r.code);
    },
    /** The batch codes of an item code's batch: an item's history starts with its batch's (production, inspections). */
    async itemBatchCodes(code: string) {
      return (await q.query<{ code: string }>(
        `SELECT b.code FROM codes i JOIN codes b ON b.batch_id = i.batch_id AND b.kind = 'batch' AND b.status <> 'unassigned'
          WHERE i.code = $1 AND i.kind = 'item' ORDER BY b.seq`, [code])).rows.map((r) => r.code);
    },
    async eventById(eventId: string) {
      return (await q.query<StoredEventRow>(
        `SELECT e.seq, e.event_id, e.record_time, ${currentBodySql('e')} AS body, e.operator_id, e.counterparty_id, e.division_code
           FROM events e WHERE e.event_id = $1`, [eventId])).rows[0];
    },
  };
}
export type TraceDal = ReturnType<typeof traceDal>;
