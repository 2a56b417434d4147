import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { startTestApp, createTestDatabase, type TestApp } from '../../test/harness.ts';
import { buildUscc, buildOperator, buildUser } from '../../test/builders.ts';
import { csvText as csv, encodeGb18030 } from '../../test/sheet-files.ts';
import { mapHeader, parseDate, parseTypes } from './registry-import-fns.ts';
import { createRegistryImport } from './registry-import.ts';
import { DomainError } from '../platform/errors.ts';

let t: TestApp;
before(async () => { t = await startTestApp(); });
after(async () => { await t.close(); });

const HEADER_ZH = ['统一社会信用代码', '主体名称', '主体类型', '行政区划代码', '地址', '经度', '纬度', '联系人', '联系电话', '许可证类型', '许可证编号', '发证机关', '有效期至'];
const badChecksum = (uscc: string) => uscc.slice(0, 17) + (uscc[17] === '0' ? '1' : '0');

async function upload(bytes: Uint8Array, name: string, as?: string) {
  const form = new FormData();
  form.append('file', new Blob([Buffer.from(bytes)]), name);
  return t.call('POST', '/api/v1/operators/import', { as, body: form });
}
const journalCount = async () => Number((await t.db.pool.query('SELECT count(*) FROM journal')).rows[0].count);
const errorsByRow = (errors: any[]) => errors.map((e) => [e.row, e.code]);

test('pure parts: type names, dates and header aliases', () => {
  assert.deepEqual(parseTypes('批发市场、种植'), ['producer', 'wholesale_market']);
  assert.deepEqual(parseTypes('processor ，Retailer；养殖|生产'), ['producer', 'processor', 'retailer']);
  assert.deepEqual(parseTypes(''), []);
  assert.throws(() => parseTypes('养蜂'), (e: DomainError) => e.code === 'TYPE_UNKNOWN' && e.details.field === 'types');
  for (const v of ['2027-06-30', '2027/6/30', '2027.6.30', '2027年6月30日', '20270630', '2027/6/30 0:00:00', new Date(Date.UTC(2027, 5, 30)), 46568]) {
    assert.equal(parseDate(v, 'licenceValidUntil'), '2027-06-30', String(v));
  }
  assert.throws(() => parseDate('2027-02-30', 'licenceValidUntil'), (e: DomainError) => e.code === 'DATE_INVALID');
  const h = mapHeader(['USCC', 'Name', 'TYPES', 'division_code', '统一社会信用代码以外的备注', '许可证有效期至']);
  assert.deepEqual(h.fields, ['uscc', 'name', 'types', 'divisionCode', null, 'licenceValidUntil']);
  assert.deepEqual(h.ignored, ['统一社会信用代码以外的备注']);
  assert.throws(() => mapHeader(['uscc', '统一社会信用代码', 'name', 'types', 'divisionCode']), (e: DomainError) => e.code === 'IMPORT_HEADER_DUPLICATE');
});

test('CSV (UTF-8 with BOM): valid rows go in, each bad row is reported by spreadsheet row, a re-run changes nothing', async () => {
  const admin = await t.adminToken();
  const registered = await buildOperator(t, { division: '350102', name: '已在平台注册的主体' });
  const [a, b, c, d, bad] = [buildUscc('350121'), buildUscc('350203'), buildUscc('350121'), buildUscc('350121'), badChecksum(buildUscc())];
  const rows = (nameA: string) => [
    HEADER_ZH,
    [a, nameA, '种植、批发市场', '350121', '闽侯县上街镇', '119.2', '26.05', '林建华', '13905912345', '食品经营许可证', 'JY13501210001', '闽侯县市场监督管理局', '2027/6/30'], // 2
    [bad, '校验位错误的主体', '生产', '350102'], // 3
    [c, '区划错误的主体', '生产', '359999'], // 4
    [], // 5: blank lines keep their row number
    [d, '未填类型的主体', '', '350121'], // 6
    [a, '重复行', '加工', '350121'], // 7
    [registered.uscc, '同一代码的另一个名字', '零售', '350102'], // 8
    [b.toLowerCase(), '厦门湖里冷链物流有限公司', 'logistics|Retailer', 350206, null, null, null, null, null, null, null, null, null], // 9
  ];
  const file = (nameA: string) => new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(csv(rows(nameA)))]);

  const r = await upload(file('闽侯县绿野蔬菜专业合作社'), 'historical.csv', admin);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual({ ...r.body, errors: undefined }, {
    file: { format: 'csv', encoding: 'utf-8' }, total: 7, inserted: 2, unchanged: 0, failed: 5, errors: undefined, ignoredColumns: [],
  });
  assert.deepEqual(errorsByRow(r.body.errors), [[3, 'USCC_CHECKSUM'], [4, 'DIVISION_UNKNOWN'], [6, 'TYPES_REQUIRED'], [7, 'DUPLICATE_IN_FILE'], [8, 'OPERATOR_EXISTS']]);
  const [checksum, division, , duplicate, exists] = r.body.errors;
  assert.equal(checksum.field, 'uscc');
  assert.equal(checksum.column, '统一社会信用代码');
  assert.ok(checksum.message.zh && checksum.message.en);
  assert.equal(division.column, '行政区划代码');
  assert.equal(duplicate.firstRow, 2);
  assert.equal(duplicate.uscc, a);
  assert.deepEqual(exists.existing, { id: registered.id, name: '已在平台注册的主体', uscc: registered.uscc, status: 'approved' });

  const op = (await t.db.pool.query('SELECT * FROM operators WHERE uscc = $1', [a])).rows[0];
  assert.equal(op.status, 'approved');
  assert.equal(op.source, 'import');
  assert.match(op.content_hash, /^[0-9a-f]{64}$/);
  assert.deepEqual(op.types, ['producer', 'wholesale_market']);
  assert.deepEqual([op.lng, op.lat, op.contact_phone], [119.2, 26.05, '13905912345']);
  const lic = (await t.db.pool.query('SELECT * FROM licences WHERE operator_id = $1', [op.id])).rows[0];
  assert.deepEqual([lic.number, lic.issuer, lic.valid_until], ['JY13501210001', '闽侯县市场监督管理局', '2027-06-30']);
  const review = (await t.db.pool.query('SELECT * FROM operator_reviews WHERE operator_id = $1', [op.id])).rows;
  assert.deepEqual(review.map((x) => [x.from_status, x.to_status, x.reason]), [[null, 'approved', '历史备案导入 / imported registration']]);
  const opB = (await t.db.pool.query('SELECT types, division_code FROM operators WHERE uscc = $1', [b])).rows[0];
  assert.deepEqual(opB, { types: ['retailer', 'logistics'], division_code: '350206' });

  const journal = await journalCount();
  const again = await upload(file('闽侯县绿野蔬菜专业合作社'), 'historical.csv', admin);
  assert.deepEqual([again.body.inserted, again.body.unchanged, again.body.failed], [0, 2, 5]);
  assert.deepEqual(again.body.errors, r.body.errors);
  assert.equal(await journalCount(), journal, 'a re-run writes no journal rows');

  const edited = await upload(file('闽侯县绿野蔬菜专业合作社（已更名）'), 'historical.csv', admin);
  assert.deepEqual([edited.body.inserted, edited.body.unchanged, edited.body.failed], [0, 1, 6]);
  const changed = edited.body.errors.find((e: any) => e.row === 2);
  assert.equal(changed.code, 'OPERATOR_EXISTS');
  assert.equal(changed.existing.id, op.id);
});

test('CSV in GB18030 (as government spreadsheets save it) is recognised and stored as the same text', async () => {
  const uscc = buildUscc('350206');
  const text = csv([HEADER_ZH.slice(0, 4), [uscc, '厦门市湖里区海鲜批发市场有限公司', '批发市场；零售', '350206'], [buildUscc('350206'), '养蜂合作社', '养蜂', '350206']]);
  const bytes = encodeGb18030(text);
  assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes), 'the test file really is not UTF-8');
  const r = await upload(bytes, 'gbk.csv', await t.adminToken());
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.file, { format: 'csv', encoding: 'gb18030' });
  assert.deepEqual([r.body.inserted, r.body.failed], [1, 1]);
  assert.deepEqual(errorsByRow(r.body.errors), [[3, 'TYPE_UNKNOWN']]);
  assert.match(r.body.errors[0].message.zh, /养蜂/);
  const op = (await t.db.pool.query('SELECT name, types FROM operators WHERE uscc = $1', [uscc])).rows[0];
  assert.deepEqual(op, { name: '厦门市湖里区海鲜批发市场有限公司', types: ['wholesale_market', 'retailer'] });
});

test('XLSX with English headers, Excel date and number cells, detected by content whatever the file is called', async () => {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('operators');
  const ok = buildUscc('350102');
  ws.getRow(1).values = ['uscc', 'name', 'types', 'divisionCode', 'licenceType', 'licenceNumber', 'licenceValidUntil', 'remarks'];
  ws.getRow(2).values = [ok, '福州鼓楼放心肉铺', 'retailer', 350102, '食品经营许可证', 'JY13501020002', new Date(Date.UTC(2026, 11, 31)), '老平台编号 17'];
  ws.getRow(4).values = [buildUscc('350102'), '许可证缺编号', 'retailer', '350102', '食品经营许可证', null, '2026/12/31'];
  ws.getRow(5).values = [buildUscc('350102'), '日期错误', 'retailer', '350102', '食品经营许可证', 'JY2', '2026-02-30'];
  const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
  const r = await upload(bytes, 'export.csv', await t.adminToken());
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.file, { format: 'xlsx', encoding: null });
  assert.deepEqual([r.body.total, r.body.inserted, r.body.failed], [3, 1, 2]);
  assert.deepEqual(r.body.errors.map((e: any) => [e.row, e.code, e.column]), [[4, 'LICENCE_INVALID', 'licenceNumber'], [5, 'DATE_INVALID', 'licenceValidUntil']]);
  assert.deepEqual(r.body.ignoredColumns, ['remarks']);
  const lic = (await t.db.pool.query('SELECT l.valid_until FROM licences l JOIN operators o ON o.id = l.operator_id WHERE o.uscc = $1', [ok])).rows[0];
  assert.equal(lic.valid_until, '2026-12-31');
});

test('the template downloads without signing in and imports back as it is', async () => {
  const tpl = await t.app.inject({ method: 'GET', url: '/api/v1/operators/import/template.xlsx' });
  assert.equal(tpl.statusCode, 200);
  assert.match(String(tpl.headers['content-type']), /spreadsheetml/);
  assert.match(String(tpl.headers['content-disposition']), /attachment/);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(new Uint8Array(tpl.rawPayload).buffer);
  const header = (wb.worksheets[0].getRow(1).values as string[]).slice(1);
  assert.deepEqual(header.slice(0, 4), ['统一社会信用代码*', '主体名称*', '主体类型*', '行政区划代码*']);
  const r = await upload(new Uint8Array(tpl.rawPayload), 'template.xlsx', await t.adminToken());
  assert.deepEqual([r.body.total, r.body.inserted, r.body.failed], [1, 1, 0], JSON.stringify(r.body.errors));
});

test('only a platform admin may import; a file without a required column is refused whole', async () => {
  const file = new TextEncoder().encode(csv([HEADER_ZH.slice(0, 4), [buildUscc(), '某主体', '生产', '350102']]));
  assert.equal((await upload(file, 'a.csv')).status, 401);
  const op = await buildOperator(t);
  const denied = await upload(file, 'a.csv', op.adminToken);
  assert.equal(denied.status, 403);
  const regulator = await buildUser(t, 'regulator', { jurisdiction: '350000' });
  assert.equal((await upload(file, 'a.csv', regulator.token)).status, 403);
  // The service checks the policy itself, whatever the route lets through.
  const service = createRegistryImport({ db: t.db, registry: t.services.registry });
  await assert.rejects(service.importOperators({ role: 'regulator', jurisdiction: '000000' }, file), (e: DomainError) => e.kind === 'forbidden');

  const noTypes = new TextEncoder().encode(csv([['统一社会信用代码', '主体名称', '行政区划代码'], [buildUscc(), '某主体', '350102']]));
  const missing = await upload(noTypes, 'a.csv', await t.adminToken());
  assert.equal(missing.status, 400);
  assert.equal(missing.body.code, 'IMPORT_HEADER_MISSING');
  assert.match(missing.body.message.zh, /主体类型/);
  assert.deepEqual(missing.body.missing, [{ field: 'types', column: '主体类型' }]);

  const noFile = await t.call('POST', '/api/v1/operators/import', { as: await t.adminToken(), body: {} });
  assert.equal(noFile.body.code, 'IMPORT_FILE_REQUIRED');
  const xls = await upload(Uint8Array.of(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1), 'old.xls', await t.adminToken());
  assert.equal(xls.body.code, 'IMPORT_FORMAT_UNSUPPORTED');
});

test('a USCC registered by someone else during the import is refused alone; the rest of its chunk still goes in', async () => {
  const [first, racer, last] = [buildUscc('350102'), buildUscc('350102'), buildUscc('350102')];
  const file = new TextEncoder().encode(csv([HEADER_ZH.slice(0, 4), [first, '甲', '生产', '350102'], [racer, '乙', '生产', '350102'], [last, '丙', '生产', '350102']]));
  let raced = false;
  const registry: Parameters<typeof createRegistryImport>[0]['registry'] = {
    async insertOperator(q, actor, input, how) {
      if (input.uscc === racer && !raced) {
        raced = true;
        // Another admin registers the same USCC and commits while the import's transaction is open.
        await t.services.registry.register(actor, { uscc: racer, name: '抢先注册', types: ['producer'], divisionCode: '350102' });
      }
      return t.services.registry.insertOperator(q, actor, input, how);
    },
  };
  const r = await createRegistryImport({ db: t.db, registry }).importOperators({ role: 'platform-admin' }, file);
  assert.deepEqual([r.inserted, r.failed], [2, 1]);
  assert.deepEqual(r.errors.map((e) => [e.row, e.code, e.existing?.name]), [[3, 'OPERATOR_EXISTS', '抢先注册']]);
  const names = (await t.db.pool.query('SELECT name FROM operators WHERE uscc = ANY($1) ORDER BY name', [[first, racer, last]])).rows.map((x) => x.name);
  assert.deepEqual(names, ['丙', '抢先注册', '甲']);
});

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const root = path.resolve(import.meta.dirname, '../..');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/suyuan.js', ...args], { cwd: root, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('CLI: `suyuan import parties FILE` shows progress and the bad rows, exits 1 when a row failed, 0 on a clean re-run', async () => {
  const tdb = await createTestDatabase();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'suyuan-import-'));
  try {
    const good = buildUscc('350583');
    const mixed = path.join(dir, 'mixed.csv');
    fs.writeFileSync(mixed, csv([HEADER_ZH.slice(0, 4), [good, '南安市石井镇海产品加工厂', '加工', '350583'], [badChecksum(buildUscc()), '坏代码', '加工', '350583']]));
    const first = await runCli(['import', 'parties', mixed], { DATABASE_URL: tdb.url });
    assert.equal(first.code, 1, first.stderr);
    assert.match(first.stderr, /2\/2/);
    assert.match(first.stdout, /新增 inserted 1 .*失败 failed 1/);
    assert.match(first.stdout, /第 3 行 row 3: USCC_CHECKSUM \[统一社会信用代码\]/);

    const clean = path.join(dir, 'clean.csv');
    fs.writeFileSync(clean, csv([HEADER_ZH.slice(0, 4), [good, '南安市石井镇海产品加工厂', '加工', '350583']]));
    const second = await runCli(['import', 'parties', clean, '--json'], { DATABASE_URL: tdb.url });
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(JSON.parse(second.stdout).unchanged, 1);
    const row = (await tdb.db.pool.query('SELECT source, status FROM operators WHERE uscc = $1', [good])).rows[0];
    assert.deepEqual(row, { source: 'import', status: 'approved' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await tdb.drop();
  }
});
