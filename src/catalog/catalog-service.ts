import type { Database, Queryable } from '../platform/db.ts';
import { isUniqueViolation } from '../platform/db.ts';
import { conflict, invalid, notFound } from '../platform/errors.ts';
import { appendJournal } from '../platform/journal.ts';
import { type Actor, ensure } from '../accounts/actor.ts';
import { catalogPolicy, operatorPolicy } from '../accounts/policies.ts';
import { catalogDal, type CategoryRow, type KeyTraceRow, type ProductRow } from './catalog-dal.ts';
import { assertSpanDates, categoryAncestry, chinaDate, inForce, isKeyTraced, spansOverlap, validateCategory, validateProduct } from './catalog-fns.ts';
import type { CategoryInput, KeyTraceInput, KeyTraceSpan, ProductInput } from './catalog-types.ts';

export const presentCategory = (c: CategoryRow, keyTraced: boolean) => ({
  code: c.code, parentCode: c.parent_code, nameZh: c.name_zh, nameEn: c.name_en, keyTraced,
});
export const presentKeyTraceEntry = (e: KeyTraceRow, c: CategoryRow) => ({
  id: e.id, categoryCode: e.category_code, categoryNameZh: c.name_zh, categoryNameEn: c.name_en,
  effectiveFrom: e.effective_from, effectiveTo: e.effective_to, note: e.note, createdBy: e.created_by, createdAt: e.created_at.toISOString(),
});
export const presentProduct = (p: ProductRow, keyTraced: boolean) => ({
  id: p.id, operatorId: p.operator_id, name: p.name, categoryCode: p.category_code, spec: p.spec, unit: p.unit,
  shelfLifeDays: p.shelf_life_days, gtin: p.gtin, keyTraced, createdAt: p.created_at.toISOString(),
});
export type ProductView = ReturnType<typeof presentProduct>;

const toSpan = (e: KeyTraceRow): KeyTraceSpan => ({ categoryCode: e.category_code, effectiveFrom: e.effective_from, effectiveTo: e.effective_to });
const categoryUnknown = (code: string, field: string) =>
  invalid('CATEGORY_UNKNOWN', `产品分类 ${code} 不存在`, `Category ${code} does not exist`, { field });
const operatorNotFound = () => notFound('OPERATOR_NOT_FOUND', '经营主体不存在', 'Operator not found');

/** The catalog (产品目录): the category tree, the key-trace catalog (重点追溯产品目录) and operators' products. */
export function createCatalogService(deps: { db: Database }) {
  const { db } = deps;

  /** Whether categories are key-traced today, loading only the entries on them and their ancestors. */
  async function keyTracedToday(q: Queryable, categoryCodes: string[]): Promise<(code: string) => boolean> {
    const lineage = [...new Set(categoryCodes.flatMap(categoryAncestry))];
    const entries = (await catalogDal(q).keyTraceEntries(lineage)).map(toSpan);
    const today = chinaDate(new Date());
    return (code) => isKeyTraced(code, entries, today);
  }

  return {
    /** The whole tree, flat in code order, each with its parent and whether it is key-traced today. */
    async categories() {
      const dal = catalogDal(db.pool);
      const entries = (await dal.keyTraceEntries()).map(toSpan);
      const asOf = chinaDate(new Date());
      return { asOf, items: (await dal.categories()).map((c) => presentCategory(c, isKeyTraced(c.code, entries, asOf))) };
    },

    async addCategory(actor: Actor, input: CategoryInput) {
      ensure(actor, catalogPolicy.manageCategories(actor));
      const c = validateCategory(input);
      return db.tx(async (q) => {
        const dal = catalogDal(q);
        if (!(await dal.category(c.parentCode))) throw categoryUnknown(c.parentCode, 'parentCode');
        const row = await dal.insertCategory(c);
        if (!row) throw conflict('CATEGORY_EXISTS', `产品分类 ${c.code} 已存在`, `Category ${c.code} already exists`, { field: 'code' });
        await appendJournal(q, actor, { type: 'category.created', subjectType: 'category', subjectId: row.code, payload: { parentCode: c.parentCode, nameZh: c.nameZh, nameEn: c.nameEn } });
        return presentCategory(row, (await keyTracedToday(q, [row.code]))(row.code));
      });
    },

    /** The key-trace catalog in force on a date (default: today in China). */
    async keyTraceCatalog(asOf?: string) {
      const date = asOf ?? chinaDate(new Date());
      const dal = catalogDal(db.pool);
      const names = new Map((await dal.categories()).map((c) => [c.code, c]));
      const items = (await dal.keyTraceEntries()).filter((e) => inForce(toSpan(e), date));
      // The foreign key guarantees every entry's category exists.
      return { asOf: date, items: items.map((e) => presentKeyTraceEntry(e, names.get(e.category_code)!)) };
    },

    /** Lists a category (and so its descendants) on the key-trace catalog; one category's listings never overlap. */
    async listKeyTrace(actor: Actor, input: KeyTraceInput) {
      ensure(actor, catalogPolicy.manageKeyTrace(actor));
      assertSpanDates(input.effectiveFrom, input.effectiveTo);
      return db.tx(async (q) => {
        const dal = catalogDal(q);
        const c = await dal.category(input.categoryCode, true);
        if (!c) throw categoryUnknown(input.categoryCode, 'categoryCode');
        const clash = (await dal.keyTraceEntries([c.code])).find((e) => spansOverlap(toSpan(e), input));
        if (clash) {
          throw conflict('KEY_TRACE_OVERLAP', `${c.name_zh}（${c.code}）在该期间已列入重点追溯产品目录`, `${c.code} is already on the key-trace catalog for part of this period`, {
            field: 'effectiveFrom', existing: { id: clash.id, effectiveFrom: clash.effective_from, effectiveTo: clash.effective_to },
          });
        }
        const row = await dal.insertKeyTraceEntry({ ...input, note: input.note?.trim() || null }, actor.userId ?? null);
        await appendJournal(q, actor, { type: 'key_trace.listed', subjectType: 'key_trace_entry', subjectId: row.id, payload: { categoryCode: c.code, effectiveFrom: row.effective_from, effectiveTo: row.effective_to } });
        return presentKeyTraceEntry(row, c);
      });
    },

    /** Ends an open listing: from `effectiveTo` on, the category no longer needs key tracing. */
    async endKeyTrace(actor: Actor, id: string, effectiveTo: string) {
      ensure(actor, catalogPolicy.manageKeyTrace(actor));
      return db.tx(async (q) => {
        const dal = catalogDal(q);
        const e = await dal.keyTraceEntry(id, true);
        if (!e) throw notFound('KEY_TRACE_ENTRY_NOT_FOUND', '重点追溯产品目录条目不存在', 'Key-trace catalog entry not found');
        if (e.effective_to !== null) {
          throw conflict('KEY_TRACE_ALREADY_ENDED', `该条目已于 ${e.effective_to} 截止`, `This entry already ends on ${e.effective_to}`, { effectiveTo: e.effective_to });
        }
        assertSpanDates(e.effective_from, effectiveTo);
        const row = await dal.endKeyTraceEntry(id, effectiveTo);
        await appendJournal(q, actor, { type: 'key_trace.ended', subjectType: 'key_trace_entry', subjectId: id, payload: { categoryCode: e.category_code, effectiveTo } });
        // The foreign key guarantees the category exists.
        return presentKeyTraceEntry(row, (await dal.category(e.category_code))!);
      });
    },

    /** Adds a product to an approved operator's catalog. */
    async addProduct(actor: Actor, operatorId: string, input: ProductInput): Promise<ProductView> {
      return db.tx(async (q) => {
        const dal = catalogDal(q);
        const owner = await dal.productOwner(operatorId, true);
        if (!owner) throw operatorNotFound();
        ensure(actor, operatorPolicy.work(actor, owner));
        if (owner.status !== 'approved') {
          throw conflict('OPERATOR_NOT_APPROVED', '经营主体尚未通过审核或已被暂停，不能登记产品', 'The operator is not approved (or is suspended) and cannot add products', { operatorStatus: owner.status });
        }
        const p = validateProduct(input);
        if (!(await dal.category(p.categoryCode))) throw categoryUnknown(p.categoryCode, 'categoryCode');
        let row: ProductRow;
        try {
          row = await dal.insertProduct(operatorId, p);
        } catch (e) {
          if (isUniqueViolation(e, 'products_gtin_key')) throw conflict('GTIN_EXISTS', `GTIN ${p.gtin} 已被其他产品使用`, `GTIN ${p.gtin} is already used by another product`, { field: 'gtin' });
          throw e;
        }
        await appendJournal(q, actor, { type: 'product.created', subjectType: 'product', subjectId: row.id, payload: { operatorId, categoryCode: row.category_code, gtin: row.gtin } });
        return presentProduct(row, (await keyTracedToday(q, [row.category_code]))(row.category_code));
      });
    },

    async products(actor: Actor, operatorId: string, page: { limit?: number; offset?: number }) {
      const dal = catalogDal(db.pool);
      const owner = await dal.productOwner(operatorId);
      if (!owner) throw operatorNotFound();
      ensure(actor, operatorPolicy.read(actor, owner));
      const { rows, total } = await dal.products(operatorId, { limit: Math.min(page.limit ?? 50, 500), offset: page.offset ?? 0 });
      const keyTraced = await keyTracedToday(db.pool, rows.map((r) => r.category_code));
      return { items: rows.map((r) => presentProduct(r, keyTraced(r.category_code))), total };
    },

    async product(actor: Actor, id: string): Promise<ProductView> {
      const dal = catalogDal(db.pool);
      const row = await dal.product(id);
      if (!row) throw notFound('PRODUCT_NOT_FOUND', '产品不存在', 'Product not found');
      // The foreign key guarantees the owner exists.
      ensure(actor, operatorPolicy.read(actor, (await dal.productOwner(row.operator_id))!));
      return presentProduct(row, (await keyTracedToday(db.pool, [row.category_code]))(row.category_code));
    },
  };
}
export type CatalogService = ReturnType<typeof createCatalogService>;
