import { conflict, invalid } from '../platform/errors.ts';
import type { BatchInput, ValidBatch } from './batches-types.ts';

/** numeric(18,3): up to 15 integer digits and 3 fractional digits. */
const QUANTITY = /^\d{1,15}(\.\d{1,3})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** The date `days` days after `date` (both YYYY-MM-DD). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Normalises a quantity to an exact decimal string, throwing QUANTITY_INVALID unless it is positive and fits. */
export function parseQuantity(q: number | string): string {
  const s = typeof q === 'number' ? (Number.isFinite(q) ? String(q) : '') : q.trim();
  if (!QUANTITY.test(s) || !/[1-9]/.test(s)) {
    throw invalid('QUANTITY_INVALID', '数量须为正数（最多 15 位整数、3 位小数）', 'Quantity must be a positive number (at most 15 integer and 3 decimal digits)', { field: 'quantity' });
  }
  return s;
}

/** A stored numeric(18,3) without its trailing zeros: '12.500' → '12.5', '40.000' → '40'. */
export function formatQuantity(stored: string): string {
  return stored.includes('.') ? stored.replace(/\.?0+$/, '') : stored;
}

/**
 * Validates a batch against its product: lot required, quantity positive, real dates, production not in the
 * future (China time, `today`), expiry not before production and defaulting to production + shelf life.
 */
export function validateBatch(input: BatchInput, product: { unit: string; shelf_life_days: number | null }, today: string): ValidBatch {
  const lotNumber = input.lotNumber?.trim();
  if (!lotNumber) throw invalid('LOT_REQUIRED', '批次号不能为空', 'Lot number is required', { field: 'lotNumber' });
  if (/[\u0000-\u001f]/.test(lotNumber)) throw invalid('LOT_INVALID', '批次号含有控制字符', 'Lot number contains control characters', { field: 'lotNumber' });
  const quantity = parseQuantity(input.quantity);
  const unit = input.unit?.trim() || product.unit;
  if (!isDate(input.producedOn)) throw invalid('DATE_INVALID', '日期格式应为 YYYY-MM-DD', 'Dates are YYYY-MM-DD', { field: 'producedOn' });
  if (input.producedOn > today) throw invalid('DATE_IN_FUTURE', '生产日期不能晚于今天', 'The production date cannot be in the future', { field: 'producedOn' });
  let expiresOn = input.expiresOn ?? null;
  if (expiresOn !== null) {
    if (!isDate(expiresOn)) throw invalid('DATE_INVALID', '日期格式应为 YYYY-MM-DD', 'Dates are YYYY-MM-DD', { field: 'expiresOn' });
    if (expiresOn < input.producedOn) throw invalid('EXPIRY_BEFORE_PRODUCTION', '保质期截止日不能早于生产日期', 'The expiry date cannot be before the production date', { field: 'expiresOn' });
  } else if (product.shelf_life_days) {
    expiresOn = addDays(input.producedOn, product.shelf_life_days);
  }
  return { lotNumber, quantity, unit, producedOn: input.producedOn, expiresOn };
}

/** Throws OPERATOR_NOT_APPROVED (409) unless the operator has passed review and is not suspended. */
export function assertOperatorApproved(o: { id: string; status: string }): void {
  if (o.status === 'approved') return;
  throw conflict('OPERATOR_NOT_APPROVED', `经营主体尚未通过审核或已暂停（当前状态：${o.status}），不能登记批次或赋码`,
    `The operator is not approved (status: ${o.status}); it cannot record batches or issue codes`, { operatorId: o.id, operatorStatus: o.status });
}
