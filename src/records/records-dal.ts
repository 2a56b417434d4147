import type { Queryable } from '../platform/db.ts';
import { currentBodySql } from '../events/events-dal.ts';
import type { EpcisEvent } from '../events/events-fns.ts';

export interface RecordRequestRow { scope: string; request_id: string; kind: string; fingerprint: string; response: Record<string, unknown> | null }
/** A trace code with what records check: status and owner, and its batch's unit and divisions. */
export interface RecordCodeRow {
  code: string; kind: 'batch' | 'item'; status: string; owner_operator_id: string; owner_division: string;
  batch_id: string | null; batch_unit: string | null;
}
/** A native event of a batch with the names of its operator and counterparty. */
export interface BatchRecordRow {
  seq: string; event_id: string; hash_id: string; event_type: string; action: string | null; biz_step: string | null;
  disposition: string | null; event_time: Date; record_time: Date; operator_id: string | null; operator_name: string | null;
  counterparty_id: string | null; counterparty_name: string | null; division_code: string | null; body: EpcisEvent;
}

/** Data access for native records: retried requests, the codes records name, and a batch's records. */
export function recordsDal(q: Queryable) {
  return {
    async request(scope: string, requestId: string) {
      return (await q.query<RecordRequestRow>('SELECT * FROM record_requests WHERE scope = $1 AND request_id = $2', [scope, requestId])).rows[0];
    },
    /** Claims a requestId; returns undefined when it is taken (a concurrent twin is waited for until it commits or fails). */
    async claimRequest(r: { scope: string; requestId: string; kind: string; fingerprint: string; operatorId: string | null }) {
      return (await q.query<RecordRequestRow>(
        `INSERT INTO record_requests (scope, request_id, kind, fingerprint, operator_id) VALUES ($1,$2,$3,$4,$5)
         ON CONFLICT (scope, request_id) DO NOTHING RETURNING *`,
        [r.scope, r.requestId, r.kind, r.fingerprint, r.operatorId],
      )).rows[0];
    },
    async finishRequest(scope: string, requestId: string, response: object) {
      await q.query('UPDATE record_requests SET response = $3 WHERE scope = $1 AND request_id = $2', [scope, requestId, JSON.stringify(response)]);
    },
    /** The codes, locked against a concurrent void or activation while the record is written. */
    async codes(codes: string[]) {
      return (await q.query<RecordCodeRow>(
        `SELECT c.code, c.kind, c.status, c.owner_operator_id, o.division_code AS owner_division, c.batch_id, b.unit AS batch_unit
           FROM codes c JOIN operators o ON o.id = c.owner_operator_id LEFT JOIN batches b ON b.id = c.batch_id
          WHERE c.code = ANY($1) FOR SHARE OF c`,
        [codes],
      )).rows;
    },
    /** The batch code issued with a batch (its first), with the batch's operator. */
    async firstBatchCode(batchId: string) {
      return (await q.query<{ code: string | null; operator_id: string }>(
        `SELECT (SELECT code FROM codes WHERE batch_id = b.id AND kind = 'batch' ORDER BY seq LIMIT 1) AS code, b.operator_id
           FROM batches b WHERE b.id = $1`,
        [batchId],
      )).rows[0];
    },
    /** The batch code of the batch a GS1 Digital Link names by GTIN and lot. */
    async batchCodeByLot(gtin: string, lot: string) {
      return (await q.query<{ code: string }>(
        `SELECT c.code FROM products p JOIN batches b ON b.product_id = p.id JOIN codes c ON c.batch_id = b.id AND c.kind = 'batch'
          WHERE p.gtin = $1 AND b.lot_number = $2 ORDER BY c.seq LIMIT 1`,
        [gtin, lot],
      )).rows[0]?.code;
    },
    async eventByHash(hashId: string) {
      return (await q.query<{ seq: string; event_id: string; body: EpcisEvent }>('SELECT seq, event_id, body FROM events WHERE hash_id = $1', [hashId])).rows[0];
    },
    /**
     * The native events naming any code of the batch (its batch code and item codes, in any role), oldest first,
     * limited by a visibility condition whose parameters start at $4. Records imported from a ledger are native
     * records too; each body carries its latest error declaration, if any.
     */
    async batchRecords(batchId: string, visible: { sql: string; params: unknown[] }, page: { afterSeq: string; limit: number }) {
      return (await q.query<BatchRecordRow>(
        `SELECT e.seq, e.event_id, e.hash_id, e.event_type, e.action, e.biz_step, e.disposition, e.event_time, e.record_time,
                e.operator_id, op.name AS operator_name, e.counterparty_id, cp.name AS counterparty_name, e.division_code, ${currentBodySql('e')} AS body
           FROM events e LEFT JOIN operators op ON op.id = e.operator_id LEFT JOIN operators cp ON cp.id = e.counterparty_id
          WHERE e.seq IN (SELECT i.seq FROM codes c JOIN event_ids i ON i.key = c.code::text WHERE c.batch_id = $1)
            AND e.source IN ('native', 'ledger') AND e.seq > $2 AND (${visible.sql})
          ORDER BY e.seq LIMIT $3`,
        [batchId, page.afterSeq, page.limit, ...visible.params],
      )).rows;
    },
  };
}
