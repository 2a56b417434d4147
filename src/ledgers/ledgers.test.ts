import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { buildBatch, buildOperator, buildProduct, buildSite, buildUscc, buildUser, type BuiltOperator } from '../../test/builders.ts';
import { csvText, encodeGb18030, utf8Bom } from '../../test/sheet-files.ts';
import { generateCode } from '../codes/code-scheme.ts';

let t: TestApp;
/** The supplier: a farm with a 100 kg batch of 青菜 (`farmCode`), 60 kg of which it shipped to the shop. */
let farm: BuiltOperator;
let farmCode: string;
/** The small operator keeping ledgers: one site, a product 青菜 in its catalog. */
let shop: BuiltOperator;
/** A registered business that buys from the shop. */
let canteen: BuiltOperator;

before(async () => {
  t = await startTestApp();
  farm = await buildOperator(t, { division: '350121', name: '闽侯绿野蔬菜合作社' });
  const farmBatch = await buildBatch(t, farm, { productId: (await buildProduct(t, farm, { name: '青菜', unit: 'kg' })).id, quantity: 100 });
  farmCode = farmBatch.batchCode!.code;
  shop = await buildOperator(t, { division: '350203', types: ['retailer'], name: '思明鲜丰便利店' });
  await buildProduct(t, shop, { name: '青菜', unit: 'kg' });
  await buildSite(t, shop, { name: '思明门店', divisionCode: '350203', kind: 'shop' });
  canteen = await buildOperator(t, { division: '350206', types: ['caterer'], name: '湖里职工食堂' });
  const shipped = await t.call('POST', '/api/v1/records/shipping', { as: farm.adminToken, body: { to: { uscc: shop.uscc }, goods: [{ code: farmCode, quantity: 60 }] } });
  assert.equal(shipped.status, 201, shipped.text);
});
after(async () => { await t.close(); });

const PURCHASE_HEADER = ['进货日期', '供货者名称', '供货者统一社会信用代码', '产品名称', '数量', '单位', '上游追溯码', '合格证明编号', '合格证明类型', '票据编号', '收货场所'];

async function upload(kind: 'purchase' | 'sales', bytes: Uint8Array, as?: string, name = 'ledger.csv') {
  const form = new FormData();
  form.append('file', new Blob([Buffer.from(bytes)]), name);
  return t.call('POST', `/api/v1/ledgers/${kind}`, { as, body: form });
}
/** Downloads a workbook (templates, exports) with its raw bytes. */
async function download(url: string, token?: string) {
  const r = await t.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: r.statusCode, headers: r.headers, bytes: new Uint8Array(r.rawPayload), json: () => r.json() as { code: string } };
}
async function workbook(bytes: Uint8Array) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  return wb;
}
/** The data rows of a workbook's first sheet, keyed by header. */
async function sheetRows(bytes: Uint8Array): Promise<Array<Record<string, any>>> {
  const ws = (await workbook(bytes)).worksheets[0];
  const header = (ws.getRow(1).values as string[]).slice(1);
  const rows: Array<Record<string, any>> = [];
  ws.eachRow((row, n) => {
    if (n > 1) rows.push(Object.fromEntries(header.map((h, i) => [h, (row.values as unknown[])[i + 1] ?? null])));
  });
  return rows;
}
const count = async (sql: string, params: unknown[] = []) => Number((await t.db.pool.query(`SELECT count(*) AS n FROM ${sql}`, params)).rows[0].n);
const ownEvents = (o: { id: string }) => count('events WHERE operator_id = $1', [o.id]);
const errorsOf = (body: any) => body.errors.map((e: any) => [e.row, e.code, e.column]);
const day = (v: unknown): string => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v));

test('purchase CSV (UTF-8 with BOM): good rows become receiving records, each bad row is reported by row, column and code; a re-import adds nothing', async () => {
  const unregistered = buildUscc('350102');
  const rows = [
    PURCHASE_HEADER,
    ['2024-05-02', farm.name, farm.uscc, '青菜', '30', 'kg', farmCode, 'HG-1', '', 'FP-1、FP-2', ''], // 2: upstream code
    ['2024/5/3', '张三（个体菜农）', '', '青菜', '20', '斤', '', '', '', '', ''], // 3: no upstream record
    ['2024-13-01', '张三', '', '青菜', '1', 'kg'], // 4
    [], // 5: a blank line keeps its row number
    ['2099-01-01', '张三', '', '青菜', '1', 'kg'], // 6
    ['2024-05-03', '张三', '', '白菜', '1', 'kg'], // 7: not in the catalog
    ['2024-05-03', farm.name, farm.uscc, '青菜', '1', 'kg', generateCode('350', 'batch')], // 8
    ['2024-05-03', farm.name, '', '青菜', '1', 'kg', farmCode], // 9: an upstream code needs the supplier's USCC
    ['2024-05-03', farm.name, farm.uscc.slice(0, 17) + (farm.uscc[17] === '0' ? '1' : '0'), '青菜', '1', 'kg'], // 10
    ['2024-05-03', '张三', '', '青菜', '-5', 'kg'], // 11
    ['2024-05-03', '未注册的批发商', unregistered, '青菜', '1', 'kg', farmCode], // 12
    ['2024/5/3', '张三（个体菜农）', '', '青菜', '20', '斤', '', '', '', '', ''], // 13: the same as row 3 — a second purchase
  ];
  const file = utf8Bom(csvText(rows));
  const [eventsBefore, batchesBefore] = [await ownEvents(shop), await count('batches WHERE operator_id = $1', [shop.id])];

  const r = await upload('purchase', file, shop.adminToken);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual({ ...r.body, errors: undefined, noUpstreamRecord: undefined }, {
    ledger: 'purchase', file: { format: 'csv', encoding: 'utf-8' }, total: 11, stored: 3, unchanged: 0, failed: 8,
    errors: undefined, ignoredColumns: [], noUpstreamRecord: undefined,
  });
  assert.deepEqual(errorsOf(r.body), [
    [4, 'DATE_INVALID', '进货日期'], [6, 'DATE_IN_FUTURE', '进货日期'], [7, 'PRODUCT_UNKNOWN', '产品名称'], [8, 'CODE_UNKNOWN', '上游追溯码'],
    [9, 'SUPPLIER_REQUIRED', '供货者统一社会信用代码'], [10, 'USCC_CHECKSUM', '供货者统一社会信用代码'], [11, 'QUANTITY_INVALID', '数量'],
    [12, 'OPERATOR_NOT_FOUND', '供货者统一社会信用代码'],
  ]);
  assert.ok(r.body.errors.every((e: any) => e.message.zh && e.message.en && e.field));
  assert.deepEqual(r.body.noUpstreamRecord.map((x: any) => x.row), [3, 13]);
  assert.equal(await ownEvents(shop), eventsBefore + 3);
  assert.equal(await count('batches WHERE operator_id = $1', [shop.id]), batchesBefore + 2);
  // Ledger rows are recorded as coming from a ledger, not from the records API.
  assert.deepEqual((await t.db.pool.query(`SELECT DISTINCT source FROM events WHERE operator_id = $1 AND body->>'sy:record' = 'receiving'`, [shop.id])).rows, [{ source: 'ledger' }]);

  // A re-import of the same file is answered from the first import: nothing is added.
  const again = await upload('purchase', file, shop.adminToken);
  assert.deepEqual([again.body.total, again.body.stored, again.body.unchanged, again.body.failed], [11, 0, 3, 8]);
  assert.deepEqual(again.body.errors, r.body.errors);
  assert.deepEqual(again.body.noUpstreamRecord, []);
  assert.equal(await ownEvents(shop), eventsBefore + 3);
  assert.equal(await count('batches WHERE operator_id = $1', [shop.id]), batchesBefore + 2);
});

test('the upstream-code path links into the supplier\'s trace; the no-upstream path is flagged and creates a local batch', async () => {
  const received = (await t.db.pool.query(
    `SELECT * FROM events WHERE operator_id = $1 AND body->>'sy:record' = 'receiving' ORDER BY seq`, [shop.id])).rows;
  const upstream = received.find((e) => e.body['sy:entryAdmission'].noUpstreamRecord === false)!;
  assert.deepEqual([upstream.action, upstream.counterparty_id, upstream.source, upstream.event_time.toISOString()], ['OBSERVE', farm.id, 'ledger', '2024-05-01T16:00:00.000Z']);
  assert.deepEqual(upstream.body.quantityList, [{ epcClass: `urn:suyuan:code:${farmCode}`, quantity: 30, uom: 'KGM' }]);
  assert.deepEqual(upstream.body.sourceList, [{ type: 'owning_party', source: `urn:suyuan:party:${farm.uscc}` }]);
  assert.deepEqual(upstream.body['sy:entryAdmission'].certificates, [{ type: 'commitment', number: 'HG-1', issuer: farm.name, issuedOn: '2024-05-02' }]);
  assert.deepEqual(upstream.body['sy:entryAdmission'].invoices, [{ number: 'FP-1' }, { number: 'FP-2' }]);

  // The shop's trace of the farm's code reaches the farm's shipping (one up) and its own receiving.
  for (const who of [shop, farm]) {
    const trace = await t.call('GET', `/api/v1/trace?code=${farmCode}&direction=forward`, { as: who.adminToken });
    assert.equal(trace.status, 200, trace.text);
    const ids = trace.body.events.map((e: any) => e.eventID);
    assert.ok(ids.includes(upstream.event_id), `${who.name} sees the ledger's receiving of its code`);
  }

  const local = received.filter((e) => e.body['sy:entryAdmission'].noUpstreamRecord === true);
  assert.equal(local.length, 2);
  for (const e of local) {
    assert.deepEqual([e.action, e.counterparty_id, e.body.sourceList], ['ADD', null, undefined]);
    assert.equal(e.body['sy:entryAdmission'].supplier, '张三（个体菜农）');
    const code = e.body.quantityList[0].epcClass.replace('urn:suyuan:code:', '');
    const batch = (await t.db.pool.query('SELECT b.operator_id, b.quantity, b.unit, b.produced_on FROM codes c JOIN batches b ON b.id = c.batch_id WHERE c.code = $1', [code])).rows[0];
    assert.deepEqual(batch, { operator_id: shop.id, quantity: '20.000', unit: '斤', produced_on: '2024-05-03' });
  }
});

test('purchase CSV saved in GB18030 is read as such; an unknown site name is reported on its column', async () => {
  const text = csvText([
    PURCHASE_HEADER,
    ['2024-06-15', '李四水产', '', '青菜', '8', '公斤', '', '合格证-甲', '承诺达标合格证', '', '思明门店'],
    ['2024-06-15', '李四水产', '', '青菜', '8', '公斤', '', '', '', '', '仓库'],
  ]);
  const bytes = encodeGb18030(text);
  assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes), 'the test file really is not UTF-8');
  const r = await upload('purchase', bytes, shop.adminToken);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.file, { format: 'csv', encoding: 'gb18030' });
  assert.deepEqual([r.body.stored, r.body.failed], [1, 1]);
  assert.deepEqual(errorsOf(r.body), [[3, 'SITE_UNKNOWN', '收货场所']]);
  const e = (await t.db.pool.query(`SELECT body FROM events WHERE operator_id = $1 AND body->'sy:entryAdmission'->>'supplier' = '李四水产'`, [shop.id])).rows[0];
  assert.equal(e.body['sy:entryAdmission'].certificates[0].number, '合格证-甲');
});

test('sales XLSX (English headers) made in the test: sales to a registered buyer and to consumers, bad rows reported; a re-import adds nothing', async () => {
  const stranger = await buildOperator(t);
  const strangerCode = (await buildBatch(t, stranger)).batchCode!.code;
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('sales');
  ws.addRow(['date', 'buyer', 'buyerUscc', 'code', 'product', 'quantity', 'unit', 'price', 'invoice', 'note']);
  ws.addRow([new Date(Date.UTC(2024, 4, 10)), '散客', null, farmCode, '青菜', 5, 'kg', 30, null, '早市']); // 2
  ws.addRow(['2024-05-11', canteen.name, canteen.uscc, farmCode, '青菜', 10, 'kg', '120.00', 'XS-001']); // 3
  ws.addRow(['2024-05-11', '老王饭店', null, farmCode, '青菜', 1, 'kg']); // 4
  ws.addRow(['2024-05-11', '散客', null, strangerCode, null, 1]); // 5: not the shop's to sell
  ws.addRow(['2024-05-11', null, null, farmCode, null, 1, 'kg', '1.234']); // 6
  ws.addRow([new Date(Date.UTC(2024, 4, 10)), '散客', null, farmCode, '青菜', 5, 'kg', 30, null, '晚市']); // 7: the same sale again
  ws.addRow(['2024-05-11', '未注册公司', buildUscc(), farmCode, null, 1, 'kg']); // 8
  const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
  const before = await ownEvents(shop);

  const r = await upload('sales', bytes, shop.adminToken, 'sales.xlsx');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.body.file.format, r.body.total, r.body.stored, r.body.unchanged, r.body.failed], ['xlsx', 7, 3, 0, 4]);
  assert.deepEqual(errorsOf(r.body), [[4, 'BUYER_USCC_REQUIRED', 'buyerUscc'], [5, 'CODE_NOT_YOURS', 'code'], [6, 'PRICE_INVALID', 'price'], [8, 'OPERATOR_NOT_FOUND', 'buyerUscc']]);
  assert.deepEqual(r.body.ignoredColumns, ['note']);
  assert.equal(await ownEvents(shop), before + 3);

  const sales = (await t.db.pool.query(`SELECT * FROM events WHERE operator_id = $1 AND body->>'sy:record' = 'sale' ORDER BY seq`, [shop.id])).rows;
  const toCanteen = sales.find((e) => e.counterparty_id === canteen.id)!;
  assert.deepEqual([toCanteen.event_type, toCanteen.biz_step, toCanteen.body['sy:price'], toCanteen.body['sy:invoiceNo']],
    ['TransactionEvent', 'urn:suyuan:bizstep:selling', { amount: 120, currency: 'CNY' }, 'XS-001']);
  assert.deepEqual(toCanteen.body.destinationList, [{ type: 'owning_party', destination: `urn:suyuan:party:${canteen.uscc}` }]);
  assert.deepEqual(sales.filter((e) => e.biz_step === 'retail_selling').map((e) => e.event_time.toISOString()), ['2024-05-09T16:00:00.000Z', '2024-05-09T16:00:00.000Z']);

  const again = await upload('sales', bytes, shop.adminToken, 'sales.xlsx');
  assert.deepEqual([again.body.stored, again.body.unchanged, again.body.failed], [0, 3, 4]);
  assert.equal(await ownEvents(shop), before + 3);
});

test('the templates download without signing in and import back as they are', async () => {
  const op = await buildOperator(t, { types: ['retailer'] });
  const product = await buildProduct(t, op, { name: '青菜', unit: 'kg' });
  const site = await buildSite(t, op);
  const batch = await buildBatch(t, op, { productId: product.id, siteId: site.id });

  const purchase = await download('/api/v1/ledgers/templates/purchase.xlsx');
  assert.equal(purchase.status, 200);
  assert.match(String(purchase.headers['content-type']), /spreadsheetml/);
  assert.match(String(purchase.headers['content-disposition']), /attachment; filename="purchase-ledger-template.xlsx"/);
  const wb = await workbook(purchase.bytes);
  assert.deepEqual(wb.worksheets.map((s) => s.name), ['进货台账', '填写说明']);
  assert.deepEqual((wb.worksheets[0].getRow(1).values as string[]).slice(1, 5), ['进货日期*', '供货者名称*', '供货者统一社会信用代码', '产品名称*']);
  const r = await upload('purchase', purchase.bytes, op.adminToken, 'template.xlsx');
  assert.deepEqual([r.body.total, r.body.stored, r.body.failed], [1, 1, 0], JSON.stringify(r.body));
  assert.equal(r.body.noUpstreamRecord.length, 1);

  // The sales example names a code no operator holds: with one of the operator's codes in its place it imports.
  const sales = await download('/api/v1/ledgers/templates/sales.xlsx');
  const swb = await workbook(sales.bytes);
  const sheet = swb.worksheets[0];
  const codeColumn = (sheet.getRow(1).values as string[]).indexOf('追溯码*');
  assert.ok(codeColumn > 0);
  sheet.getRow(2).getCell(codeColumn).value = batch.batchCode!.code;
  const s = await upload('sales', new Uint8Array(await swb.xlsx.writeBuffer()), op.adminToken, 'sales.xlsx');
  assert.deepEqual([s.body.total, s.body.stored, s.body.failed], [1, 1, 0], JSON.stringify(s.body.errors));
});

test('permissions: only the operator\'s admin or staff (API keys too) import and export, always for their own operator', async () => {
  const file = utf8Bom(csvText([PURCHASE_HEADER, ['2024-05-05', '王五', '', '青菜', '3', 'kg']]));
  const regulator = await buildUser(t, 'regulator', { jurisdiction: '350000' });
  const printer = await buildOperator(t, { types: ['printer'] });
  for (const kind of ['purchase', 'sales'] as const) {
    assert.equal((await upload(kind, file)).status, 401);
    for (const token of [regulator.token, await t.adminToken(), printer.adminToken]) {
      assert.deepEqual([(await upload(kind, file, token)).body.code], ['FORBIDDEN']);
      assert.equal((await download(`/api/v1/ledgers/${kind}.xlsx`, token)).status, 403);
    }
    assert.equal((await download(`/api/v1/ledgers/${kind}.xlsx`)).status, 401);
  }

  const key = await t.call('POST', `/api/v1/operators/${shop.id}/api-keys`, { as: shop.adminToken, body: { name: '收银系统' } });
  assert.equal(key.status, 201, key.text);
  const byKey = await upload('purchase', file, key.body.key);
  assert.deepEqual([byKey.status, byKey.body.stored], [200, 1]);
  const staff = await buildUser(t, 'operator-staff', { operatorId: shop.id });
  assert.deepEqual([(await upload('purchase', file, staff.token)).body.unchanged], [1], 'the key and the staff member record for the same operator');

  // Another operator cannot sell the shop's goods through its own ledger, nor see them in its export.
  const other = await buildOperator(t);
  const shopLocal = (await t.db.pool.query(`SELECT c.code FROM codes c JOIN batches b ON b.id = c.batch_id WHERE b.operator_id = $1 LIMIT 1`, [shop.id])).rows[0].code;
  const steal = await upload('sales', utf8Bom(csvText([['销售日期', '追溯码', '数量'], ['2024-05-06', shopLocal, '1']])), other.adminToken);
  assert.deepEqual(errorsOf(steal.body), [[2, 'CODE_NOT_YOURS', '追溯码']]);
  assert.deepEqual(await sheetRows((await download('/api/v1/ledgers/purchase.xlsx', other.adminToken)).bytes), []);

  const pending = await buildOperator(t, { approve: false });
  const refused = await upload('purchase', file, pending.adminToken);
  assert.deepEqual([refused.status, refused.body.code, refused.body.operatorStatus], [403, 'OPERATOR_NOT_ACTIVE', 'pending']);
  assert.ok(refused.body.message.zh && refused.body.message.en);
  const noHeader = await upload('purchase', utf8Bom(csvText([['进货日期', '产品名称', '数量'], ['2024-05-05', '青菜', '1']])), shop.adminToken);
  assert.deepEqual([noHeader.status, noHeader.body.code, noHeader.body.missing.map((m: any) => m.column)], [400, 'IMPORT_HEADER_MISSING', ['供货者名称']]);
  const noFile = await t.call('POST', '/api/v1/ledgers/sales', { as: shop.adminToken, body: {} });
  assert.deepEqual([noFile.status, noFile.body.code], [400, 'IMPORT_FILE_REQUIRED']);
});

test('export: exactly the operator\'s own receiving and sale records in the date range, in the ledger layout, logged', async () => {
  // A receiving recorded through the records API belongs in the ledger as much as an imported one.
  const viaApi = await t.call('POST', '/api/v1/records/receiving', {
    as: shop.adminToken, body: { occurredAt: '2024-05-20T10:00:00+08:00', from: { uscc: farm.uscc }, goods: [{ code: farmCode, quantity: 5 }] },
  });
  assert.equal(viaApi.status, 201, viaApi.text);
  const expected = async (record: string) => (await t.db.pool.query(
    `SELECT event_id FROM events WHERE operator_id = $1 AND body->>'sy:record' = $2 AND event_time >= '2024-05-01T00:00:00+08:00' AND event_time < '2024-06-01T00:00:00+08:00' ORDER BY event_id`,
    [shop.id, record])).rows.map((r) => r.event_id);

  const purchase = await download('/api/v1/ledgers/purchase.xlsx?from=2024-05-01&to=2024-05-31', shop.adminToken);
  assert.equal(purchase.status, 200);
  assert.match(String(purchase.headers['content-disposition']), /purchase-ledger-2024-05-01_2024-05-31\.xlsx/);
  const rows = await sheetRows(purchase.bytes);
  assert.deepEqual([...new Set(rows.map((r) => r['记录编号']))].sort(), await expected('receiving'));
  assert.ok(rows.length >= 5 && rows.every((r) => day(r['进货日期']) >= '2024-05-01' && day(r['进货日期']) <= '2024-05-31'), 'the June purchase is left out');
  const upstream = rows.find((r) => r['票据编号'] === 'FP-1、FP-2')!;
  assert.deepEqual(
    [day(upstream['进货日期']), upstream['供货者名称'], upstream['供货者统一社会信用代码'], upstream['产品名称'], upstream['数量'], upstream['单位'], upstream['上游追溯码'], upstream['合格证明编号'], upstream['合格证明类型'], upstream['无上游记录'], upstream['收货场所']],
    ['2024-05-02', farm.name, farm.uscc, '青菜', 30, 'kg', farmCode, 'HG-1', '承诺达标合格证', '否', '思明门店'],
  );
  const local = rows.filter((r) => r['无上游记录'] === '是');
  assert.ok(local.length >= 2 && local.every((r) => r['上游追溯码'] === null && /^[0-9A-Z]{16}$/.test(r['本地追溯码']) && r['供货者名称']));

  const sales = await sheetRows((await download('/api/v1/ledgers/sales.xlsx?from=2024-05-01&to=2024-05-31', shop.adminToken)).bytes);
  assert.deepEqual([...new Set(sales.map((r) => r['记录编号']))].sort(), await expected('sale'));
  const canteenRow = sales.find((r) => r['购货者统一社会信用代码'] === canteen.uscc)!;
  assert.deepEqual([canteenRow['购货者名称'], canteenRow['追溯码'], canteenRow['数量'], canteenRow['金额（元）'], canteenRow['发票号']], [canteen.name, farmCode, 10, 120, 'XS-001']);
  assert.equal(sales.filter((r) => r['购货者名称'] === '散客').length, 2);

  // The supplier sees the shop's receiving in its trace, but its own ledgers hold only its own records.
  assert.deepEqual(await sheetRows((await download('/api/v1/ledgers/purchase.xlsx', farm.adminToken)).bytes), []);
  const log = (await t.db.pool.query(`SELECT kind, query, result_count, subject_division FROM query_log WHERE operator_id = $1 AND kind LIKE 'ledger.%' ORDER BY id`, [shop.id])).rows;
  assert.deepEqual(log.map((l) => [l.kind, l.query, l.subject_division]), [
    ['ledger.purchase', { from: '2024-05-01', to: '2024-05-31' }, '350203'], ['ledger.sales', { from: '2024-05-01', to: '2024-05-31' }, '350203'],
  ]);
  assert.equal(log[0].result_count, (await expected('receiving')).length);
  const bad = await download('/api/v1/ledgers/sales.xlsx?from=2024-06-01&to=2024-05-01', shop.adminToken);
  assert.deepEqual([bad.status, bad.json().code], [400, 'RANGE_INVALID']);
});
