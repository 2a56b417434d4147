import type { Queryable } from '../platform/db.ts';
import type { ValidBatch } from './batches-types.ts';

export interface BatchRow {
  id: string; product_id: string; operator_id: string; site_id: string; lot_number: string; quantity: string; unit: string;
  produced_on: string; expires_on: string | null; created_by: string | null; created_at: Date;
}
/** A batch with the names a reader needs: product, site and operator. */
export interface BatchDetailRow extends BatchRow {
  product_name: string; gtin: string | null; site_name: string; site_division: string; operator_name: string; operator_division: string;
}

const DETAIL = `SELECT b.*, p.name AS product_name, p.gtin, s.name AS site_name, s.division_code AS site_division,
                       o.name AS operator_name, o.division_code AS operator_division
                  FROM batches b JOIN products p ON p.id = b.product_id JOIN sites s ON s.id = b.site_id
                  JOIN operators o ON o.id = b.operator_id`;

/** Data access for batches. */
export function batchesDal(q: Queryable) {
  return {
    async insert(b: ValidBatch & { productId: string; operatorId: string; siteId: string; createdBy: string | null }) {
      return (await q.query<BatchRow>(
        `INSERT INTO batches (product_id, operator_id, site_id, lot_number, quantity, unit, produced_on, expires_on, created_by)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING *`,
        [b.productId, b.operatorId, b.siteId, b.lotNumber, b.quantity, b.unit, b.producedOn, b.expiresOn, b.createdBy],
      )).rows[0];
    },
    /** `lock` (FOR SHARE) keeps the batch from changing while codes are bound to it. */
    async byId(id: string, lock = false) {
      return (await q.query<BatchRow>(`SELECT * FROM batches WHERE id = $1${lock ? ' FOR SHARE' : ''}`, [id])).rows[0];
    },
    async detail(id: string) {
      return (await q.query<BatchDetailRow>(`${DETAIL} WHERE b.id = $1`, [id])).rows[0];
    },
    async byProductLot(productId: string, lot: string) {
      return (await q.query<BatchRow>('SELECT * FROM batches WHERE product_id = $1 AND lot_number = $2', [productId, lot])).rows[0];
    },
    async byOperator(operatorId: string, f: { productId?: string; limit: number; offset: number }) {
      const r = await q.query<BatchDetailRow & { total: string }>(
        `SELECT d.*, count(*) OVER () AS total FROM (${DETAIL} WHERE b.operator_id = $1 AND ($2::uuid IS NULL OR b.product_id = $2)) d
          ORDER BY d.created_at DESC, d.id LIMIT $3 OFFSET $4`,
        [operatorId, f.productId ?? null, f.limit, f.offset],
      );
      return { rows: r.rows, total: Number(r.rows[0]?.total ?? 0) };
    },
  };
}
export type BatchesDal = ReturnType<typeof batchesDal>;
