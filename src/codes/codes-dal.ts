import { prepared, type Queryable } from '../platform/db.ts';
import type { CodeKind } from './code-scheme.ts';
import type { CodeStatus, IssueWay } from './codes-types.ts';

export interface CodeRow {
  code: string; kind: CodeKind; status: CodeStatus; owner_operator_id: string; batch_id: string | null; pool_id: string | null;
  issued_via: IssueWay; line_operator_id: string | null; line_request_id: string | null; seq_in_request: number | null;
  created_at: Date; activated_at: Date | null; activated_by: string | null; voided_at: Date | null; voided_by: string | null;
  void_reason: string | null; seq: string;
}
export interface PoolRow {
  id: string; owner_operator_id: string; printer_operator_id: string | null; kind: CodeKind; size: number; note: string | null;
  created_by: string | null; created_at: Date;
}
export interface LineRequestRow { operator_id: string; request_id: string; batch_id: string; count: number; created_at: Date }
/** A code with what a label or a file needs: its batch's product and lot, and its owner's name. */
export interface PrintableRow {
  code: string; kind: CodeKind; seq: string; gtin: string | null; product_name: string | null; operator_name: string;
  lot_number: string | null; produced_on: string | null;
}
/** A code (or a lot) joined to everything it resolves to; code columns are null when a lot was resolved. */
export interface ResolvedRow {
  code: string | null; kind: CodeKind | null; status: CodeStatus | null; issued_via: IssueWay | null; pool_id: string | null;
  created_at: Date | null; activated_at: Date | null; voided_at: Date | null; void_reason: string | null;
  operator_id: string; operator_name: string; operator_division: string; operator_status: string;
  batch_id: string | null; lot_number: string | null; quantity: string | null; unit: string | null; produced_on: string | null; expires_on: string | null;
  site_id: string | null; site_name: string | null; site_division: string | null; site_lat: number | null; site_lng: number | null;
  product_id: string | null; product_name: string | null; spec: string | null; gtin: string | null; category_code: string | null;
}

/** How a set of new codes is issued: the same for every code of one request. */
export interface IssueSpec {
  kind: CodeKind; status: 'unassigned' | 'active'; ownerOperatorId: string; batchId: string | null; poolId: string | null;
  issuedVia: IssueWay; line?: { operatorId: string; requestId: string }; by: string | null;
}

const RESOLVED_TAIL = `o.id AS operator_id, o.name AS operator_name, o.division_code AS operator_division, o.status AS operator_status,
  b.id AS batch_id, b.lot_number, b.quantity, b.unit, b.produced_on, b.expires_on,
  s.id AS site_id, s.name AS site_name, s.division_code AS site_division, s.lat AS site_lat, s.lng AS site_lng,
  p.id AS product_id, p.name AS product_name, p.spec, p.gtin, p.category_code`;

/** Data access for trace codes, pools and line requests. */
export function codesDal(q: Queryable) {
  return {
    /**
     * Inserts codes in the given order with one statement; `positions` numbers them within a line request.
     * Returns the codes actually inserted: one that collides with an existing code is skipped, not an error.
     */
    async insertCodes(spec: IssueSpec, codes: string[], positions: number[]): Promise<string[]> {
      const r = await q.query<{ code: string }>(
        `INSERT INTO codes (code, kind, status, owner_operator_id, batch_id, pool_id, issued_via, line_operator_id, line_request_id,
                            seq_in_request, activated_at, activated_by)
         SELECT u.code, $3::text, $4::text, $5::uuid, $6::uuid, $7::uuid, $8::text, $9::uuid, $10::text,
                CASE WHEN $9::uuid IS NOT NULL THEN u.pos END,
                CASE WHEN $4::text = 'active' THEN now() END, CASE WHEN $4::text = 'active' THEN $11::text END
           FROM unnest($1::text[], $2::int[]) WITH ORDINALITY AS u(code, pos, ord)
          ORDER BY u.ord
         ON CONFLICT (code) DO NOTHING
         RETURNING code`,
        [codes, positions, spec.kind, spec.status, spec.ownerOperatorId, spec.batchId, spec.poolId, spec.issuedVia,
          spec.line?.operatorId ?? null, spec.line?.requestId ?? null, spec.by],
      );
      return r.rows.map((x) => x.code);
    },
    async byCode(code: string, lock = false) {
      return (await q.query<CodeRow>(`SELECT * FROM codes WHERE code = $1${lock ? ' FOR UPDATE' : ''}`, [code])).rows[0];
    },
    /** The first batch code of each batch (the one issued with it), in one query. */
    async firstBatchCodes(batchIds: string[]) {
      return (await q.query<CodeRow>(
        `SELECT DISTINCT ON (batch_id) * FROM codes WHERE batch_id = ANY($1::uuid[]) AND kind = 'batch' ORDER BY batch_id, seq`,
        [batchIds],
      )).rows;
    },
    async activate(code: string, batchId: string, by: string | null) {
      return (await q.query<CodeRow>(
        `UPDATE codes SET status = 'active', batch_id = $2, activated_at = now(), activated_by = $3 WHERE code = $1 RETURNING *`,
        [code, batchId, by],
      )).rows[0];
    },
    /**
     * Activates the next `count` unassigned codes of a pool in issue order; codes another request holds are
     * skipped rather than waited for. Returns the codes activated (fewer than asked when the pool runs out).
     */
    async activateNext(poolId: string, batchId: string, count: number, by: string | null) {
      return (await q.query<{ code: string; seq: string }>(
        `UPDATE codes SET status = 'active', batch_id = $2, activated_at = now(), activated_by = $4
          WHERE code IN (SELECT code FROM codes WHERE pool_id = $1 AND status = 'unassigned'
                          ORDER BY seq LIMIT $3 FOR UPDATE SKIP LOCKED)
          RETURNING code, seq`,
        [poolId, batchId, count, by],
      )).rows.sort((a, b) => Number(a.seq) - Number(b.seq)).map((r) => r.code);
    },
    async voidCode(code: string, reason: string, by: string | null) {
      return (await q.query<CodeRow>(
        `UPDATE codes SET status = 'void', voided_at = now(), voided_by = $3, void_reason = $2 WHERE code = $1 RETURNING *`,
        [code, reason, by],
      )).rows[0];
    },
    async insertPool(p: { ownerOperatorId: string; printerOperatorId: string | null; kind: CodeKind; size: number; note: string | null; by: string | null }) {
      return (await q.query<PoolRow>(
        `INSERT INTO code_pools (owner_operator_id, printer_operator_id, kind, size, note, created_by) VALUES ($1,$2,$3,$4,$5,$6) RETURNING *`,
        [p.ownerOperatorId, p.printerOperatorId, p.kind, p.size, p.note, p.by],
      )).rows[0];
    },
    /** `lock` serialises bulk activations of one pool. */
    async pool(id: string, lock = false) {
      return (await q.query<PoolRow>(`SELECT * FROM code_pools WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])).rows[0];
    },
    /**
     * Pools an operator owns or prints (every pool when `operatorId` is null), newest first, with their counts and both
     * parties' names. Counts come from the pool's index (codes_pool_idx includes status), one page of pools at a time.
     */
    async listPools(f: { operatorId: string | null; limit: number; offset: number }) {
      return (await q.query<PoolRow & { owner_name: string; printer_name: string | null; counts: Record<CodeStatus, number> | null }>(
        `SELECT p.*, o.name AS owner_name, pr.name AS printer_name,
                (SELECT json_object_agg(status, n) FROM (SELECT status, count(*)::int AS n FROM codes WHERE pool_id = p.id GROUP BY status) c) AS counts
           FROM code_pools p JOIN operators o ON o.id = p.owner_operator_id LEFT JOIN operators pr ON pr.id = p.printer_operator_id
          WHERE $1::uuid IS NULL OR p.owner_operator_id = $1 OR p.printer_operator_id = $1
          ORDER BY p.created_at DESC, p.id LIMIT $2 OFFSET $3`,
        [f.operatorId, f.limit, f.offset],
      )).rows;
    },
    async poolCounts(id: string): Promise<Record<CodeStatus, number>> {
      const r = await q.query<{ status: CodeStatus; n: string }>('SELECT status, count(*) AS n FROM codes WHERE pool_id = $1 GROUP BY status', [id]);
      const out: Record<CodeStatus, number> = { unassigned: 0, active: 0, void: 0 };
      for (const row of r.rows) out[row.status] = Number(row.n);
      return out;
    },
    async lineRequest(operatorId: string, requestId: string) {
      return (await q.query<LineRequestRow>('SELECT * FROM line_requests WHERE operator_id = $1 AND request_id = $2', [operatorId, requestId])).rows[0];
    },
    /** Records a line request unless one with this id exists (then returns undefined; a concurrent twin is waited for). */
    async insertLineRequest(r: { operatorId: string; requestId: string; batchId: string; count: number }) {
      return (await q.query<LineRequestRow>(
        `INSERT INTO line_requests (operator_id, request_id, batch_id, count) VALUES ($1,$2,$3,$4)
         ON CONFLICT (operator_id, request_id) DO NOTHING RETURNING *`,
        [r.operatorId, r.requestId, r.batchId, r.count],
      )).rows[0];
    },
    async lineCodes(operatorId: string, requestId: string) {
      return (await q.query<{ code: string }>(
        'SELECT code FROM codes WHERE line_operator_id = $1 AND line_request_id = $2 ORDER BY seq_in_request',
        [operatorId, requestId],
      )).rows.map((r) => r.code);
    },
    /** One page of printable (not void) codes of a batch or a pool in issue order, after `afterSeq`. */
    async printable(f: { batchId?: string; poolId?: string; kind: CodeKind; afterSeq: string; limit: number }) {
      return (await q.query<PrintableRow>(
        `SELECT c.code, c.kind, c.seq, p.gtin, p.name AS product_name, o.name AS operator_name, b.lot_number, b.produced_on
           FROM codes c JOIN operators o ON o.id = c.owner_operator_id
           LEFT JOIN batches b ON b.id = c.batch_id LEFT JOIN products p ON p.id = b.product_id
          WHERE ${f.batchId ? 'c.batch_id = $1 AND c.kind = $2' : 'c.pool_id = $1 AND c.kind = $2'}
            AND c.seq > $3 AND c.status <> 'void'
          ORDER BY c.seq LIMIT $4`,
        [f.batchId ?? f.poolId, f.kind, f.afterSeq, f.limit],
      )).rows;
    },
    async resolveCode(code: string) {
      // Every scan runs this: prepared, it is planned once per connection.
      return (await q.query<ResolvedRow>(prepared(
        `SELECT c.code, c.kind, c.status, c.issued_via, c.pool_id, c.created_at, c.activated_at, c.voided_at, c.void_reason, ${RESOLVED_TAIL}
           FROM codes c JOIN operators o ON o.id = c.owner_operator_id
           LEFT JOIN batches b ON b.id = c.batch_id LEFT JOIN products p ON p.id = b.product_id LEFT JOIN sites s ON s.id = b.site_id
          WHERE c.code = $1`,
        [code],
      ))).rows[0];
    },
    async resolveLot(gtin: string, lot: string) {
      return (await q.query<ResolvedRow>(
        `SELECT NULL AS code, NULL AS kind, NULL AS status, NULL AS issued_via, NULL AS pool_id, NULL AS created_at,
                NULL AS activated_at, NULL AS voided_at, NULL AS void_reason, ${RESOLVED_TAIL}
           FROM products p JOIN batches b ON b.product_id = p.id JOIN operators o ON o.id = b.operator_id JOIN sites s ON s.id = b.site_id
          WHERE p.gtin = $1 AND b.lot_number = $2`,
        [gtin, lot],
      )).rows[0];
    },
  };
}
export type CodesDal = ReturnType<typeof codesDal>;
