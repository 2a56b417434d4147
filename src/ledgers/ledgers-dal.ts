import type { Queryable } from '../platform/db.ts';
import type { EpcisEvent } from '../events/events-fns.ts';

/** A stored receiving or sale record of the operator, with its counterparty's name and USCC. */
export interface LedgerEventRow {
  seq: string; event_id: string; event_time: Date; biz_location: string | null; body: EpcisEvent;
  counterparty_name: string | null; counterparty_uscc: string | null;
}

/** Data access for ledgers: what a file's rows name, which rows were recorded before, and the records to export. */
export function ledgersDal(q: Queryable) {
  return {
    /** The operator's review status and division. */
    async operator(id: string) {
      return (await q.query<{ id: string; status: string; division_code: string }>('SELECT id, status, division_code FROM operators WHERE id = $1', [id])).rows[0];
    },
    /** The USCCs among those given that belong to registered operators. */
    async registeredUsccs(usccs: string[]) {
      return new Set((await q.query<{ uscc: string }>('SELECT uscc FROM operators WHERE uscc = ANY($1::bpchar[])', [usccs])).rows.map((r) => r.uscc));
    },
    async products(operatorId: string) {
      return (await q.query<{ id: string; name: string }>('SELECT id, name FROM products WHERE operator_id = $1', [operatorId])).rows;
    },
    async sites(operatorId: string) {
      return (await q.query<{ id: string; name: string }>('SELECT id, name FROM sites WHERE operator_id = $1 ORDER BY created_at, name', [operatorId])).rows;
    },
    /** The requestIds among those given that the records service has already answered for this scope (record_requests). */
    async answeredRequests(scope: string, requestIds: string[]) {
      return new Set((await q.query<{ request_id: string }>(
        'SELECT request_id FROM record_requests WHERE scope = $1 AND request_id = ANY($2) AND response IS NOT NULL', [scope, requestIds],
      )).rows.map((r) => r.request_id));
    },
    /**
     * The operator's own native records of one kind (through the records API or a ledger import) with event time in
     * [from, to), oldest first, limited by a visibility condition whose parameters start at $6.
     */
    async records(operatorId: string, record: string, range: { from: string | null; to: string | null }, visible: { sql: string; params: unknown[] }, limit: number) {
      return (await q.query<LedgerEventRow>(
        `SELECT e.seq, e.event_id, e.event_time, e.biz_location, e.body, cp.name AS counterparty_name, cp.uscc AS counterparty_uscc
           FROM events e LEFT JOIN operators cp ON cp.id = e.counterparty_id
          WHERE e.operator_id = $1 AND e.source IN ('native', 'ledger') AND e.body->>'sy:record' = $2
            AND ($3::timestamptz IS NULL OR e.event_time >= $3) AND ($4::timestamptz IS NULL OR e.event_time < $4)
            AND (${visible.sql})
          ORDER BY e.event_time, e.seq LIMIT $5`,
        [operatorId, record, range.from, range.to, limit, ...visible.params],
      )).rows;
    },
    /** The product name of each code's batch. */
    async productNames(codes: string[]) {
      return new Map((await q.query<{ code: string; name: string }>(
        `SELECT c.code, p.name FROM codes c JOIN batches b ON b.id = c.batch_id JOIN products p ON p.id = b.product_id WHERE c.code = ANY($1)`, [codes],
      )).rows.map((r) => [r.code.trim(), r.name]));
    },
  };
}
