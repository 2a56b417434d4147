import type { Queryable } from '../platform/db.ts';
import type { CategoryInput, KeyTraceInput, ProductInput } from './catalog-types.ts';

export interface CategoryRow { code: string; parent_code: string | null; name_zh: string; name_en: string }
export interface KeyTraceRow {
  id: string; category_code: string; effective_from: string; effective_to: string | null; note: string | null;
  created_by: string | null; created_at: Date;
}
export interface ProductRow {
  id: string; operator_id: string; name: string; category_code: string; spec: string | null; unit: string;
  shelf_life_days: number | null; gtin: string | null; created_at: Date;
}
/** The parts of an operator the catalog needs: the policy subject and its review status. */
export interface ProductOwnerRow { id: string; division_code: string; status: string }

/** Data access for categories, the key-trace catalog and products. */
export function catalogDal(q: Queryable) {
  return {
    async categories() {
      return (await q.query<CategoryRow>('SELECT * FROM categories ORDER BY code')).rows;
    },
    /** `lock` takes a row lock that serialises key-trace changes per category without blocking product inserts. */
    async category(code: string, lock = false) {
      return (await q.query<CategoryRow>(`SELECT * FROM categories WHERE code = $1${lock ? ' FOR NO KEY UPDATE' : ''}`, [code])).rows[0];
    },
    async insertCategory(c: CategoryInput) {
      return (await q.query<CategoryRow>(
        `INSERT INTO categories (code, parent_code, name_zh, name_en) VALUES ($1,$2,$3,$4)
         ON CONFLICT (code) DO NOTHING RETURNING *`,
        [c.code, c.parentCode, c.nameZh, c.nameEn],
      )).rows[0];
    },
    /** Key-trace entries on any of the given categories, or all of them when none are given. */
    async keyTraceEntries(categoryCodes?: string[]) {
      return (await q.query<KeyTraceRow>(
        `SELECT * FROM key_trace_entries WHERE ($1::text[] IS NULL OR category_code = ANY($1))
          ORDER BY category_code, effective_from, id`,
        [categoryCodes ?? null],
      )).rows;
    },
    async keyTraceEntry(id: string, lock = false) {
      return (await q.query<KeyTraceRow>(`SELECT * FROM key_trace_entries WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])).rows[0];
    },
    async insertKeyTraceEntry(e: KeyTraceInput, createdBy: string | null) {
      return (await q.query<KeyTraceRow>(
        `INSERT INTO key_trace_entries (category_code, effective_from, effective_to, note, created_by)
         VALUES ($1,$2,$3,$4,$5) RETURNING *`,
        [e.categoryCode, e.effectiveFrom, e.effectiveTo, e.note ?? null, createdBy],
      )).rows[0];
    },
    async endKeyTraceEntry(id: string, effectiveTo: string) {
      return (await q.query<KeyTraceRow>('UPDATE key_trace_entries SET effective_to = $2 WHERE id = $1 RETURNING *', [id, effectiveTo])).rows[0];
    },
    /** `lock` (FOR SHARE) makes a concurrent review of the operator wait until the product is written. */
    async productOwner(operatorId: string, lock = false) {
      return (await q.query<ProductOwnerRow>(
        `SELECT id, division_code, status FROM operators WHERE id = $1${lock ? ' FOR SHARE' : ''}`, [operatorId])).rows[0];
    },
    async insertProduct(operatorId: string, p: ProductInput) {
      return (await q.query<ProductRow>(
        `INSERT INTO products (operator_id, name, category_code, spec, unit, shelf_life_days, gtin)
         VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING *`,
        [operatorId, p.name, p.categoryCode, p.spec ?? null, p.unit, p.shelfLifeDays ?? null, p.gtin ?? null],
      )).rows[0];
    },
    async product(id: string) {
      return (await q.query<ProductRow>('SELECT * FROM products WHERE id = $1', [id])).rows[0];
    },
    async products(operatorId: string, page: { limit: number; offset: number }) {
      const r = await q.query<ProductRow & { total: string }>(
        `SELECT *, count(*) OVER () AS total FROM products WHERE operator_id = $1
          ORDER BY created_at DESC, id LIMIT $2 OFFSET $3`,
        [operatorId, page.limit, page.offset],
      );
      return { rows: r.rows, total: Number(r.rows[0]?.total ?? 0) };
    },
  };
}
