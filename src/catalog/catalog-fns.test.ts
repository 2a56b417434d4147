import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '../platform/errors.ts';
import { assertSpanDates, categoryAncestry, chinaDate, inForce, isKeyTraced, spansOverlap, validateCategory, validateProduct } from './catalog-fns.ts';
import type { KeyTraceSpan } from './catalog-types.ts';

const code = (fn: () => unknown) => {
  try { fn(); } catch (e) { return (e as DomainError).code; }
  return null;
};

test('categoryAncestry: root first, the code itself last', () => {
  assert.deepEqual(categoryAncestry('AGRI.MEAT.PORK'), ['AGRI', 'AGRI.MEAT', 'AGRI.MEAT.PORK']);
  assert.deepEqual(categoryAncestry('LIQUOR'), ['LIQUOR']);
});

test('isKeyTraced: an entry covers its category and every descendant, never ancestors, siblings or look-alikes', () => {
  const entries: KeyTraceSpan[] = [{ categoryCode: 'AGRI.MEAT', effectiveFrom: '2025-01-01', effectiveTo: null }];
  assert.equal(isKeyTraced('AGRI.MEAT', entries, '2025-06-01'), true);
  assert.equal(isKeyTraced('AGRI.MEAT.PORK', entries, '2025-06-01'), true);
  assert.equal(isKeyTraced('AGRI.MEAT.PORK.CHILLED', entries, '2025-06-01'), true);
  assert.equal(isKeyTraced('AGRI', entries, '2025-06-01'), false);
  assert.equal(isKeyTraced('AGRI.AQUA', entries, '2025-06-01'), false);
  assert.equal(isKeyTraced('AGRI.MEATX', entries, '2025-06-01'), false);
  assert.equal(isKeyTraced('PROC.MEAT', entries, '2025-06-01'), false);
  assert.equal(isKeyTraced('AGRI.MEAT.PORK', [], '2025-06-01'), false);
});

test('isKeyTraced: effective from the start date, up to but not on the end date', () => {
  const entries: KeyTraceSpan[] = [{ categoryCode: 'AGRI.MEAT.PORK', effectiveFrom: '2025-03-01', effectiveTo: '2025-07-01' }];
  assert.equal(isKeyTraced('AGRI.MEAT.PORK', entries, '2025-02-28'), false);
  assert.equal(isKeyTraced('AGRI.MEAT.PORK', entries, '2025-03-01'), true);
  assert.equal(isKeyTraced('AGRI.MEAT.PORK', entries, '2025-06-30'), true);
  assert.equal(isKeyTraced('AGRI.MEAT.PORK', entries, '2025-07-01'), false);
  // A later listing of an ancestor takes over after the first one ends.
  entries.push({ categoryCode: 'AGRI', effectiveFrom: '2026-01-01', effectiveTo: null });
  assert.equal(isKeyTraced('AGRI.MEAT.PORK', entries, '2025-12-31'), false);
  assert.equal(isKeyTraced('AGRI.MEAT.PORK', entries, '2030-01-01'), true);
});

test('inForce and spansOverlap treat the end date as exclusive', () => {
  assert.equal(inForce({ effectiveFrom: '2025-01-01', effectiveTo: null }, '2099-12-31'), true);
  const a = { effectiveFrom: '2025-01-01', effectiveTo: '2025-02-01' };
  assert.equal(spansOverlap(a, { effectiveFrom: '2025-02-01', effectiveTo: null }), false);
  assert.equal(spansOverlap(a, { effectiveFrom: '2025-01-31', effectiveTo: '2025-03-01' }), true);
  assert.equal(spansOverlap(a, { effectiveFrom: '2024-01-01', effectiveTo: '2025-01-01' }), false);
  assert.equal(spansOverlap(a, { effectiveFrom: '2024-01-01', effectiveTo: null }), true);
  assert.equal(spansOverlap({ effectiveFrom: '2025-01-01', effectiveTo: null }, { effectiveFrom: '2030-01-01', effectiveTo: null }), true);
});

test('chinaDate: the calendar day in UTC+8', () => {
  assert.equal(chinaDate(new Date('2025-03-01T15:59:59Z')), '2025-03-01');
  assert.equal(chinaDate(new Date('2025-03-01T16:00:00Z')), '2025-03-02');
  assert.equal(chinaDate(new Date('2024-12-31T16:30:00Z')), '2025-01-01');
});

test('assertSpanDates: the end must fall after the start', () => {
  assert.equal(code(() => assertSpanDates('2025-01-01', null)), null);
  assert.equal(code(() => assertSpanDates('2025-01-01', '2025-01-02')), null);
  assert.equal(code(() => assertSpanDates('2025-01-01', '2025-01-01')), 'KEY_TRACE_DATES_INVALID');
  assert.equal(code(() => assertSpanDates('2025-01-01', '2024-12-31')), 'KEY_TRACE_DATES_INVALID');
});

test('validateCategory: the code is the parent code plus one uppercase segment; names are trimmed and required', () => {
  const ok = validateCategory({ parentCode: 'AGRI.FRUIT', code: 'AGRI.FRUIT.CITRUS', nameZh: ' 柑橘类 ', nameEn: 'Citrus ' });
  assert.deepEqual(ok, { parentCode: 'AGRI.FRUIT', code: 'AGRI.FRUIT.CITRUS', nameZh: '柑橘类', nameEn: 'Citrus' });
  for (const bad of ['AGRI.VEG.CITRUS', 'AGRI.FRUIT', 'CITRUS', 'AGRI.FRUIT.citrus', 'AGRI.FRUIT.C-1', 'AGRI.FRUIT.CITRUS.X', 'AGRI.FRUIT.', 'AGRI.FRUIT.1A']) {
    assert.equal(code(() => validateCategory({ parentCode: 'AGRI.FRUIT', code: bad, nameZh: '柑橘类', nameEn: 'Citrus' })), 'CATEGORY_CODE_INVALID', bad);
  }
  assert.equal(code(() => validateCategory({ parentCode: 'AGRI.FRUIT', code: 'AGRI.FRUIT.CITRUS', nameZh: '  ', nameEn: 'Citrus' })), 'NAME_REQUIRED');
  assert.equal(code(() => validateCategory({ parentCode: 'AGRI.FRUIT', code: 'AGRI.FRUIT.CITRUS', nameZh: '柑橘类', nameEn: '' })), 'NAME_REQUIRED');
});

test('validateProduct: trims text, pads the GTIN to 14 digits, and names the failing field', () => {
  const p = validateProduct({ name: ' 安溪铁观音 ', categoryCode: 'AGRI.TEA', spec: ' ', unit: ' 盒 ', gtin: '6901234567892' });
  assert.deepEqual(p, { name: '安溪铁观音', categoryCode: 'AGRI.TEA', spec: null, unit: '盒', shelfLifeDays: null, gtin: '06901234567892' });
  assert.equal(validateProduct({ name: 'x', categoryCode: 'AGRI.TEA', unit: 'kg' }).gtin, null);
  assert.equal(code(() => validateProduct({ name: ' ', categoryCode: 'AGRI.TEA', unit: 'kg' })), 'NAME_REQUIRED');
  assert.equal(code(() => validateProduct({ name: 'x', categoryCode: 'AGRI.TEA', unit: ' ' })), 'UNIT_REQUIRED');
  assert.equal(code(() => validateProduct({ name: 'x', categoryCode: 'AGRI.TEA', unit: 'kg', gtin: '690123456789' })), 'GTIN_CHECKSUM');
  assert.equal(code(() => validateProduct({ name: 'x', categoryCode: 'AGRI.TEA', unit: 'kg', gtin: '6901234' })), 'GTIN_FORMAT');
  assert.throws(() => validateProduct({ name: 'x', categoryCode: 'AGRI.TEA', unit: 'kg', gtin: '6901234567890' }),
    (e: DomainError) => e.kind === 'invalid' && e.details.field === 'gtin' && !!e.zh && !!e.en);
});
