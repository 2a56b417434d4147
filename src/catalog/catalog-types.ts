/** A category code is its path: uppercase segments joined by dots, e.g. `AGRI.MEAT.PORK`. */
export const CATEGORY_CODE = /^[A-Z][A-Z0-9]{0,19}(\.[A-Z][A-Z0-9]{0,19}){0,5}$/;

export interface CategoryInput { parentCode: string; code: string; nameZh: string; nameEn: string }

/** One listing on the key-trace catalog: in force from `effectiveFrom` up to, not including, `effectiveTo`. */
export interface KeyTraceSpan { categoryCode: string; effectiveFrom: string; effectiveTo: string | null }

export interface KeyTraceInput extends KeyTraceSpan { note?: string | null }

export interface ProductInput {
  name: string;
  categoryCode: string;
  spec?: string | null;
  unit: string;
  shelfLifeDays?: number | null;
  /** GTIN-8, -12, -13 or -14; stored as GTIN-14. */
  gtin?: string | null;
}
