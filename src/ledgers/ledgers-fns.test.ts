import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '../platform/errors.ts';
import { codeCheckChar } from '../codes/code-scheme.ts';
import { buildUscc } from '../../test/builders.ts';
import {
  ledgerFieldOf, ledgerRequestIds, mapPurchaseHeader, mapSalesHeader, parsePurchaseRow, parseSalesRow, pickByName, receivingInput, saleInput,
} from './ledgers-fns.ts';

const TODAY = '2024-06-01';
const CODE = '350B00000000001' + codeCheckChar('350B00000000001');
const refusedWith = (code: string, field: string) => (e: DomainError) => e instanceof DomainError && e.code === code && e.details.field === field;

test('headers: Chinese template headers with * marks, English field names and aliases', () => {
  const p = mapPurchaseHeader(['进货日期*', 'Supplier Name', '供应商统一社会信用代码', '品名', 'QTY', '单位', '追溯码', '发票号', '备注']);
  assert.deepEqual(p.fields, ['date', 'supplierName', 'supplierUscc', 'product', 'quantity', 'unit', 'upstreamCode', 'invoiceNumbers', null]);
  assert.deepEqual(p.ignored, ['备注']);
  const s = mapSalesHeader(['date', 'buyer', 'buyerUscc', 'code', 'quantity', '金额（元）']);
  assert.deepEqual(s.fields, ['date', 'buyerName', 'buyerUscc', 'traceCode', 'quantity', 'amount']);
  assert.throws(() => mapSalesHeader(['销售日期', '数量']), (e: DomainError) => e.code === 'IMPORT_HEADER_MISSING' && e.details.field === 'traceCode');
});

test('purchase rows are normalised, so the same purchase written differently reads the same', () => {
  const uscc = buildUscc('350121');
  const a = parsePurchaseRow({
    date: '2024/5/1', supplierName: ' 绿野合作社 ', supplierUscc: uscc.toLowerCase(), product: '青菜', quantity: '５０.０', unit: 'kg',
    upstreamCode: CODE.toLowerCase().replace(/(.{4})/g, '$1 '), certificateNumbers: 'HG-1，HG-2；HG-1', invoiceNumbers: 'FP-1',
  }, TODAY);
  const b = parsePurchaseRow({
    date: new Date(Date.UTC(2024, 4, 1)), supplierName: '绿野合作社', supplierUscc: uscc, product: '青菜', quantity: 50, unit: 'kg',
    upstreamCode: CODE, certificateNumbers: 'HG-1、HG-2', certificateType: '合格证', invoiceNumbers: 'FP-1',
  }, TODAY);
  assert.deepEqual(a, b);
  assert.deepEqual(a, {
    date: '2024-05-01', supplierName: '绿野合作社', supplierUscc: uscc, product: '青菜', quantity: '50', unit: 'kg', upstreamCode: CODE,
    certificateType: 'commitment', certificateNumbers: ['HG-1', 'HG-2'], invoiceNumbers: ['FP-1'], site: null,
  });
  const base = { date: '2024-05-01', supplierName: '张三', product: '青菜', quantity: '1' };
  assert.throws(() => parsePurchaseRow({ ...base, date: '2024-06-02' }, TODAY), refusedWith('DATE_IN_FUTURE', 'date'));
  assert.throws(() => parsePurchaseRow({ ...base, date: null }, TODAY), refusedWith('VALUE_REQUIRED', 'date'));
  assert.throws(() => parsePurchaseRow({ ...base, quantity: '0' }, TODAY), refusedWith('QUANTITY_INVALID', 'quantity'));
  assert.throws(() => parsePurchaseRow({ ...base, supplierUscc: '9135010' }, TODAY), (e: DomainError) => e.code.startsWith('USCC_') && e.details.field === 'supplierUscc');
  assert.throws(() => parsePurchaseRow({ ...base, certificateType: '营业执照' }, TODAY), refusedWith('CERTIFICATE_TYPE_UNKNOWN', 'certificateType'));
  assert.throws(() => parsePurchaseRow({ ...base, unit: '很长的单位'.repeat(5) }, TODAY), refusedWith('VALUE_TOO_LONG', 'unit'));
  assert.equal(parsePurchaseRow({ ...base, quantity: 3 * 3.3 }, TODAY).quantity, '9.9', 'float noise from a formula is rounded away');
});

test('sales rows: a buyer by USCC, consumers as 散客 or nothing, and amounts with or without ¥ and 元', () => {
  const uscc = buildUscc();
  const consumer = parseSalesRow({ date: '2024-05-02', buyerName: '散客', traceCode: CODE, quantity: 2, amount: '¥12.50元' }, TODAY);
  assert.deepEqual(consumer, parseSalesRow({ date: '2024-05-02', traceCode: CODE, quantity: '2', amount: 12.5 }, TODAY));
  assert.deepEqual([consumer.buyerName, consumer.buyerUscc, consumer.amount], [null, null, '12.5']);
  assert.equal(parseSalesRow({ date: '2024-05-02', buyerName: '鲜丰超市', buyerUscc: uscc, traceCode: CODE, quantity: 2 }, TODAY).buyerUscc, uscc);
  assert.throws(() => parseSalesRow({ date: '2024-05-02', buyerName: '鲜丰超市', traceCode: CODE, quantity: 2 }, TODAY), refusedWith('BUYER_USCC_REQUIRED', 'buyerUscc'));
  assert.throws(() => parseSalesRow({ date: '2024-05-02', traceCode: CODE, quantity: 2, amount: '12.345' }, TODAY), refusedWith('PRICE_INVALID', 'amount'));
  assert.throws(() => parseSalesRow({ date: '2024-05-02', quantity: 2 }, TODAY), refusedWith('VALUE_REQUIRED', 'traceCode'));
});

test('requestIds depend on operator, ledger and row content; identical rows in one file get one each, the same on every run', () => {
  const row = parseSalesRow({ date: '2024-05-02', traceCode: CODE, quantity: 2 }, TODAY);
  const other = parseSalesRow({ date: '2024-05-02', traceCode: CODE, quantity: 3 }, TODAY);
  const ids = ledgerRequestIds('op-1', 'sales', [row, other, row]);
  assert.equal(new Set(ids).size, 3);
  assert.deepEqual(ledgerRequestIds('op-1', 'sales', [row, other, row]), ids);
  assert.deepEqual(ledgerRequestIds('op-1', 'sales', [other, row, row]), [ids[1], ids[0], ids[2]], 'row order does not matter');
  assert.notEqual(ledgerRequestIds('op-2', 'sales', [row])[0], ids[0]);
  assert.ok(ids.every((id) => id.startsWith('ledger-sales-') && id.length <= 100));
});

test('rows become records-service inputs; record fields map back to ledger columns', () => {
  const uscc = buildUscc();
  const upstream = parsePurchaseRow({ date: '2024-05-01', supplierName: '绿野', supplierUscc: uscc, product: '青菜', quantity: '5', upstreamCode: CODE, certificateNumbers: 'HG-1' }, TODAY);
  const r = receivingInput(upstream, { requestId: 'x', supplierRegistered: false });
  assert.deepEqual([r.from, r.goods, r.noUpstreamRecord, r.occurredAt], [{ uscc }, [{ code: CODE, quantity: '5', unit: undefined }], undefined, '2024-05-01T00:00:00+08:00']);
  assert.deepEqual(r.certificates, [{ type: 'commitment', number: 'HG-1', issuer: '绿野', issuedOn: '2024-05-01' }]);
  const local = receivingInput({ ...upstream, upstreamCode: null }, { requestId: 'x', productId: 'p', siteId: 's', supplierRegistered: false });
  assert.deepEqual([local.from, local.goods, local.noUpstreamRecord], [{ name: '绿野' }, undefined, { productId: 'p', quantity: '5', unit: undefined }]);
  assert.deepEqual(receivingInput({ ...upstream, upstreamCode: null }, { requestId: 'x', productId: 'p', supplierRegistered: true }).from, { uscc });
  const sale = saleInput(parseSalesRow({ date: '2024-05-02', traceCode: CODE, quantity: 2, amount: 9 }, TODAY), { requestId: 'y' });
  assert.deepEqual([sale.to, sale.price], [undefined, { amount: '9', currency: 'CNY' }]);

  assert.equal(ledgerFieldOf('purchase', 'from'), 'supplierUscc');
  assert.equal(ledgerFieldOf('purchase', 'from.name'), 'supplierName');
  assert.equal(ledgerFieldOf('purchase', 'goods.0.code'), 'upstreamCode');
  assert.equal(ledgerFieldOf('purchase', 'goods.0'), 'upstreamCode');
  assert.equal(ledgerFieldOf('purchase', 'noUpstreamRecord.quantity'), 'quantity');
  assert.equal(ledgerFieldOf('purchase', 'certificates.0.issuedOn'), 'date');
  assert.equal(ledgerFieldOf('purchase', 'siteId'), 'site');
  assert.equal(ledgerFieldOf('sales', 'to'), 'buyerUscc');
  assert.equal(ledgerFieldOf('sales', 'goods.0.quantity'), 'quantity');
  assert.equal(ledgerFieldOf('sales', 'price.amount'), 'amount');
  assert.equal(ledgerFieldOf('sales', 'requestId'), null);
});

test('sites and products are picked by name, ignoring width, case and spaces', () => {
  const items = [{ id: '1', name: 'A 区大棚' }, { id: '2', name: '门店' }, { id: '3', name: '门店' }];
  assert.equal(pickByName(items, 'ａ区大棚', 'site').id, '1');
  assert.throws(() => pickByName(items, '仓库', 'site'), refusedWith('SITE_UNKNOWN', 'site'));
  assert.throws(() => pickByName(items, '门店', 'product'), refusedWith('PRODUCT_AMBIGUOUS', 'product'));
});
