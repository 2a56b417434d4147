import { invalid } from '../platform/errors.ts';
import { checkGtin, toGtin14 } from './gtin.ts';
import { CATEGORY_CODE, type CategoryInput, type KeyTraceSpan, type ProductInput } from './catalog-types.ts';

/** The code itself and every ancestor, root first: `AGRI.MEAT.PORK` → `AGRI`, `AGRI.MEAT`, `AGRI.MEAT.PORK`. */
export function categoryAncestry(code: string): string[] {
  const parts = code.split('.');
  return parts.map((_, i) => parts.slice(0, i + 1).join('.'));
}

/** True when the span is in force on the date (YYYY-MM-DD; the end date is exclusive). */
export function inForce(span: Pick<KeyTraceSpan, 'effectiveFrom' | 'effectiveTo'>, asOf: string): boolean {
  return span.effectiveFrom <= asOf && (span.effectiveTo === null || asOf < span.effectiveTo);
}

/** True when the category, or any ancestor of it, is on the key-trace catalog on the date. */
export function isKeyTraced(categoryCode: string, entries: readonly KeyTraceSpan[], asOf: string): boolean {
  const lineage = new Set(categoryAncestry(categoryCode));
  return entries.some((e) => lineage.has(e.categoryCode) && inForce(e, asOf));
}

/** True when two spans share at least one day. */
export function spansOverlap(a: Pick<KeyTraceSpan, 'effectiveFrom' | 'effectiveTo'>, b: Pick<KeyTraceSpan, 'effectiveFrom' | 'effectiveTo'>): boolean {
  return (a.effectiveTo === null || b.effectiveFrom < a.effectiveTo) && (b.effectiveTo === null || a.effectiveFrom < b.effectiveTo);
}

/** Today's date in China (UTC+8), where the catalog's effective dates are set. */
export function chinaDate(now: Date): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

/** Throws KEY_TRACE_DATES_INVALID unless the end (when given) falls after the start. */
export function assertSpanDates(effectiveFrom: string, effectiveTo: string | null): void {
  if (effectiveTo !== null && effectiveTo <= effectiveFrom) {
    throw invalid('KEY_TRACE_DATES_INVALID', '截止日期须晚于生效日期', 'effectiveTo must fall after effectiveFrom', { field: 'effectiveTo', effectiveFrom });
  }
}

/** Validates a new category: a well-formed code that extends its parent's by one segment, and both names. */
export function validateCategory(c: CategoryInput): CategoryInput {
  if (!CATEGORY_CODE.test(c.code) || c.code !== `${c.parentCode}.${c.code.split('.').at(-1)}`) {
    throw invalid('CATEGORY_CODE_INVALID', `分类代码须为上级代码加一段大写字母或数字，如 ${c.parentCode}.XYZ`,
      `A category code is its parent's code plus one uppercase segment, e.g. ${c.parentCode}.XYZ`, { field: 'code' });
  }
  const nameZh = c.nameZh.trim();
  const nameEn = c.nameEn.trim();
  if (!nameZh) throw invalid('NAME_REQUIRED', '中文名称不能为空', 'The Chinese name is required', { field: 'nameZh' });
  if (!nameEn) throw invalid('NAME_REQUIRED', '英文名称不能为空', 'The English name is required', { field: 'nameEn' });
  return { ...c, nameZh, nameEn };
}

const GTIN_MESSAGES = {
  GTIN_FORMAT: ['GTIN 须为 8、12、13 或 14 位数字', 'A GTIN has 8, 12, 13 or 14 digits'],
  GTIN_CHECKSUM: ['GTIN 校验位错误', 'The GTIN check digit is wrong'],
} as const;

/** Validates and normalises a product: trimmed text, and the GTIN (if any) checked and padded to GTIN-14. */
export function validateProduct(p: ProductInput): ProductInput {
  const name = p.name.trim();
  if (!name) throw invalid('NAME_REQUIRED', '产品名称不能为空', 'Product name is required', { field: 'name' });
  const unit = p.unit.trim();
  if (!unit) throw invalid('UNIT_REQUIRED', '计量单位不能为空', 'Unit is required', { field: 'unit' });
  let gtin: string | null = null;
  if (p.gtin) {
    const problem = checkGtin(p.gtin);
    if (problem) throw invalid(problem, GTIN_MESSAGES[problem][0], GTIN_MESSAGES[problem][1], { field: 'gtin' });
    gtin = toGtin14(p.gtin);
  }
  return { ...p, name, unit, spec: p.spec?.trim() || null, shelfLifeDays: p.shelfLifeDays ?? null, gtin };
}
