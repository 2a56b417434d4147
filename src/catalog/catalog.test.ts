import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { buildOperator, buildProduct, buildUser, type BuiltOperator } from '../../test/builders.ts';
import { chinaDate } from './catalog-fns.ts';
import { gs1CheckDigit } from './gtin.ts';

let t: TestApp;
let admin: string;
before(async () => { t = await startTestApp(); admin = await t.adminToken(); });
after(async () => { await t.close(); });

const today = chinaDate(new Date());
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
let gtinSeq = 0;
/** A valid, unique GTIN-13 with a Chinese (690–699) company prefix. */
const buildGtin13 = () => {
  const body = `692${String(Date.now() % 1e6).padStart(6, '0')}${String(++gtinSeq).padStart(3, '0')}`;
  return body + gs1CheckDigit(body);
};
const journal = async (type: string, subjectId: string) =>
  (await t.db.pool.query('SELECT * FROM journal WHERE type = $1 AND subject_id = $2', [type, subjectId])).rows;

/** One caller of each role, with two operators in Fuzhou (350102) for own/other checks. */
interface Cast {
  own: BuiltOperator; other: BuiltOperator; staff: string; otherStaff: string; printer: string;
  regulatorIn: string; regulatorOut: string;
}
let cast: Cast;
async function roles(): Promise<Cast> {
  if (cast) return cast;
  const own = await buildOperator(t, { division: '350102' });
  const other = await buildOperator(t, { division: '350102' });
  const printerOp = await buildOperator(t, { division: '350102', types: ['printer'] });
  cast = {
    own, other,
    staff: (await buildUser(t, 'operator-staff', { operatorId: own.id })).token,
    otherStaff: (await buildUser(t, 'operator-staff', { operatorId: other.id })).token,
    printer: printerOp.adminToken,
    regulatorIn: (await buildUser(t, 'regulator', { jurisdiction: '350100' })).token,
    regulatorOut: (await buildUser(t, 'regulator', { jurisdiction: '350200' })).token,
  };
  return cast;
}

test('categories: anyone reads the seeded tree, flat with parents, none key-traced before an admin lists one', async () => {
  const r = await t.call('GET', '/api/v1/categories');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.asOf, today);
  const byCode = new Map(r.body.items.map((c: any) => [c.code, c]));
  assert.ok(byCode.size >= 30);
  assert.deepEqual(byCode.get('AGRI.MEAT.PORK'), { code: 'AGRI.MEAT.PORK', parentCode: 'AGRI.MEAT', nameZh: '猪肉', nameEn: 'Pork', keyTraced: false });
  for (const code of ['AGRI.VEG', 'AGRI.FRUIT', 'AGRI.MEAT.BEEF', 'AGRI.MEAT.MUTTON', 'AGRI.MEAT.POULTRY', 'AGRI.AQUA', 'AGRI.EGG', 'AGRI.GRAIN', 'AGRI.TEA',
    'PROC', 'IMPORT', 'LIQUOR.BAIJIU', 'DRUG', 'INPUT.PESTICIDE', 'INPUT.FERTILIZER', 'INPUT.SEED', 'INPUT.VETDRUG', 'INPUT.FEED']) {
    assert.ok(byCode.has(code), code);
  }
  // Every parent exists and every code extends its parent's.
  for (const c of r.body.items) if (c.parentCode) assert.ok(byCode.has(c.parentCode) && c.code.startsWith(`${c.parentCode}.`), c.code);
  assert.ok(r.body.items.every((c: any) => c.keyTraced === false));
  const { staff } = await roles();
  assert.equal((await t.call('GET', '/api/v1/categories', { as: staff })).status, 200);
});

test('adding a category: platform admin only; the code extends its parent; refusals carry stable codes', async () => {
  const body = { parentCode: 'AGRI.FRUIT', code: 'AGRI.FRUIT.CITRUS', nameZh: '柑橘类', nameEn: 'Citrus' };
  const r = await t.call('POST', '/api/v1/categories', { as: admin, body });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.body, { ...body, keyTraced: false });
  assert.equal((await journal('category.created', 'AGRI.FRUIT.CITRUS')).length, 1);
  const list = await t.call('GET', '/api/v1/categories');
  assert.ok(list.body.items.some((c: any) => c.code === 'AGRI.FRUIT.CITRUS' && c.parentCode === 'AGRI.FRUIT'));

  const again = await t.call('POST', '/api/v1/categories', { as: admin, body });
  assert.equal(again.status, 409);
  assert.equal(again.body.code, 'CATEGORY_EXISTS');
  const noParent = await t.call('POST', '/api/v1/categories', { as: admin, body: { ...body, parentCode: 'AGRI.NUTS', code: 'AGRI.NUTS.WALNUT' } });
  assert.equal(noParent.status, 400);
  assert.equal(noParent.body.code, 'CATEGORY_UNKNOWN');
  assert.equal(noParent.body.field, 'parentCode');
  for (const code of ['AGRI.VEG.CITRUS', 'AGRI.FRUIT.citrus', 'CITRUS']) {
    const bad = await t.call('POST', '/api/v1/categories', { as: admin, body: { ...body, code } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'CATEGORY_CODE_INVALID', code);
    assert.ok(bad.body.message.zh && bad.body.message.en);
  }
  const blank = await t.call('POST', '/api/v1/categories', { as: admin, body: { ...body, code: 'AGRI.FRUIT.BERRY', nameZh: '  ' } });
  assert.equal(blank.body.code, 'NAME_REQUIRED');

  const c = await roles();
  const attempt = (as?: string) => t.call('POST', '/api/v1/categories', { as, body: { ...body, code: 'AGRI.FRUIT.APPLE' } });
  for (const as of [c.regulatorIn, c.own.adminToken, c.staff, c.printer]) {
    const r2 = await attempt(as);
    assert.equal(r2.status, 403);
    assert.equal(r2.body.code, 'FORBIDDEN');
  }
  assert.equal((await attempt()).status, 401);
});

test('key-trace catalog: a listing covers descendants from its start date; periods of one category never overlap', async () => {
  const r = await t.call('POST', '/api/v1/key-trace-catalog', { as: admin, body: { categoryCode: 'AGRI.MEAT', effectiveFrom: today, note: '畜禽肉纳入重点追溯' } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.categoryNameZh, '畜禽肉');
  assert.equal(r.body.effectiveTo, null);
  assert.equal((await journal('key_trace.listed', r.body.id)).length, 1);

  const cats = new Map((await t.call('GET', '/api/v1/categories')).body.items.map((c: any) => [c.code, c.keyTraced]));
  assert.equal(cats.get('AGRI.MEAT'), true);
  assert.equal(cats.get('AGRI.MEAT.PORK'), true);
  assert.equal(cats.get('AGRI.MEAT.POULTRY'), true);
  assert.equal(cats.get('AGRI'), false);
  assert.equal(cats.get('PROC.MEAT'), false);

  const now = await t.call('GET', '/api/v1/key-trace-catalog');
  assert.equal(now.body.asOf, today);
  assert.ok(now.body.items.some((e: any) => e.id === r.body.id));
  const before = await t.call('GET', `/api/v1/key-trace-catalog?asOf=${addDays(today, -1)}`);
  assert.ok(!before.body.items.some((e: any) => e.id === r.body.id));

  const overlap = await t.call('POST', '/api/v1/key-trace-catalog', { as: admin, body: { categoryCode: 'AGRI.MEAT', effectiveFrom: addDays(today, 30) } });
  assert.equal(overlap.status, 409);
  assert.equal(overlap.body.code, 'KEY_TRACE_OVERLAP');
  assert.equal(overlap.body.existing.id, r.body.id);

  // A bounded future listing, and one starting the day the first ends (the end date is exclusive).
  const from = addDays(today, 10);
  const to = addDays(today, 40);
  const aqua = await t.call('POST', '/api/v1/key-trace-catalog', { as: admin, body: { categoryCode: 'AGRI.AQUA', effectiveFrom: from, effectiveTo: to } });
  assert.equal(aqua.status, 201, aqua.text);
  const next = await t.call('POST', '/api/v1/key-trace-catalog', { as: admin, body: { categoryCode: 'AGRI.AQUA', effectiveFrom: to } });
  assert.equal(next.status, 201, next.text);
  const on = async (day: string) => (await t.call('GET', `/api/v1/key-trace-catalog?asOf=${day}`)).body.items.map((e: any) => e.id);
  assert.ok(!(await on(today)).includes(aqua.body.id));
  assert.ok((await on(from)).includes(aqua.body.id));
  assert.ok((await on(addDays(to, -1))).includes(aqua.body.id));
  assert.deepEqual((await on(to)).filter((id: string) => id === aqua.body.id || id === next.body.id), [next.body.id]);

  const backwards = await t.call('POST', '/api/v1/key-trace-catalog', { as: admin, body: { categoryCode: 'AGRI.EGG', effectiveFrom: from, effectiveTo: from } });
  assert.equal(backwards.status, 400);
  assert.equal(backwards.body.code, 'KEY_TRACE_DATES_INVALID');
  const unknown = await t.call('POST', '/api/v1/key-trace-catalog', { as: admin, body: { categoryCode: 'AGRI.NUTS', effectiveFrom: today } });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.code, 'CATEGORY_UNKNOWN');
  const badDate = await t.call('POST', '/api/v1/key-trace-catalog', { as: admin, body: { categoryCode: 'AGRI.EGG', effectiveFrom: '2025-02-30' } });
  assert.equal(badDate.body.code, 'VALIDATION_FAILED');
  assert.equal((await t.call('GET', '/api/v1/key-trace-catalog?asOf=tomorrow')).body.code, 'VALIDATION_FAILED');
});

test('key-trace catalog: ending a listing sets its first day out of force, once', async () => {
  const r = await t.call('POST', '/api/v1/key-trace-catalog', { as: admin, body: { categoryCode: 'AGRI.TEA', effectiveFrom: addDays(today, -100) } });
  assert.equal(r.status, 201, r.text);
  const end = (id: string, effectiveTo: string, as: string | undefined) => t.call('POST', `/api/v1/key-trace-catalog/${id}/end`, { as, body: { effectiveTo } });

  const early = await end(r.body.id, addDays(today, -100), admin);
  assert.equal(early.status, 400);
  assert.equal(early.body.code, 'KEY_TRACE_DATES_INVALID');
  const ok = await end(r.body.id, addDays(today, 1), admin);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.effectiveTo, addDays(today, 1));
  assert.equal(ok.body.categoryNameEn, 'Tea');
  assert.equal((await journal('key_trace.ended', r.body.id)).length, 1);
  const ids = async (day: string) => (await t.call('GET', `/api/v1/key-trace-catalog?asOf=${day}`)).body.items.map((e: any) => e.id);
  assert.ok((await ids(today)).includes(r.body.id));
  assert.ok(!(await ids(addDays(today, 1))).includes(r.body.id));

  const twice = await end(r.body.id, addDays(today, 2), admin);
  assert.equal(twice.status, 409);
  assert.equal(twice.body.code, 'KEY_TRACE_ALREADY_ENDED');
  const missing = await end(randomUUID(), today, admin);
  assert.equal(missing.status, 404);
  assert.equal(missing.body.code, 'KEY_TRACE_ENTRY_NOT_FOUND');

  const c = await roles();
  const list = (as?: string) => t.call('POST', '/api/v1/key-trace-catalog', { as, body: { categoryCode: 'AGRI.GRAIN', effectiveFrom: today } });
  for (const as of [c.regulatorIn, c.own.adminToken, c.staff, c.printer]) {
    assert.equal((await list(as)).status, 403);
    assert.equal((await end(r.body.id, addDays(today, 3), as)).status, 403);
  }
  assert.equal((await list()).status, 401);
  assert.equal((await end(r.body.id, addDays(today, 3), undefined)).status, 401);
  assert.equal((await t.call('GET', '/api/v1/key-trace-catalog', { as: c.printer })).status, 200);
});

test('products: added by the operator\'s admin or staff, stored with GTIN-14, and flagged when key-traced', async () => {
  const c = await roles();
  await t.call('POST', '/api/v1/key-trace-catalog', { as: admin, body: { categoryCode: 'LIQUOR.BAIJIU', effectiveFrom: today } });
  const gtin = buildGtin13();
  const p = await buildProduct(t, c.own, { name: '武夷山岩茶酒 53%vol', categoryCode: 'LIQUOR.BAIJIU', unit: '瓶', spec: '500ml', shelfLifeDays: 3650, gtin });
  assert.equal(p.operatorId, c.own.id);
  assert.equal(p.gtin, `0${gtin}`);
  assert.equal(p.keyTraced, true);
  assert.equal((await journal('product.created', p.id)).length, 1);

  const byStaff = await t.call('POST', `/api/v1/operators/${c.own.id}/products`, { as: c.staff, body: { name: '  上海青  ', categoryCode: 'AGRI.VEG.LEAFY', unit: 'kg' } });
  assert.equal(byStaff.status, 201, byStaff.text);
  assert.equal(byStaff.body.name, '上海青');
  assert.equal(byStaff.body.keyTraced, false);
  assert.equal(byStaff.body.gtin, null);
  assert.equal(byStaff.body.spec, null);
  const byAdmin = await t.call('POST', `/api/v1/operators/${c.own.id}/products`, { as: admin, body: { name: '鲜猪肉', categoryCode: 'AGRI.MEAT.PORK', unit: 'kg', gtin: '96385074' } });
  assert.equal(byAdmin.status, 201, byAdmin.text);
  assert.equal(byAdmin.body.gtin, '00000096385074');
  assert.equal(byAdmin.body.keyTraced, true, 'inherited from the AGRI.MEAT listing');

  const list = await t.call('GET', `/api/v1/operators/${c.own.id}/products`, { as: c.own.adminToken });
  assert.equal(list.status, 200);
  assert.equal(list.body.total, 3);
  assert.deepEqual(new Set(list.body.items.map((x: any) => x.id)), new Set([p.id, byStaff.body.id, byAdmin.body.id]));
  assert.equal(list.body.items.find((x: any) => x.id === p.id).keyTraced, true);
  const page = await t.call('GET', `/api/v1/operators/${c.own.id}/products?limit=1&offset=1`, { as: c.own.adminToken });
  assert.equal(page.body.items.length, 1);
  assert.equal(page.body.total, 3);
  const one = await t.call('GET', `/api/v1/products/${p.id}`, { as: c.staff });
  assert.equal(one.status, 200);
  assert.deepEqual(one.body, p);
});

test('products: refusals carry stable codes and leave nothing behind', async () => {
  const c = await roles();
  const add = (body: Record<string, unknown>, operatorId = c.own.id, as = c.own.adminToken) =>
    t.call('POST', `/api/v1/operators/${operatorId}/products`, { as, body: { name: '福州茉莉花茶', categoryCode: 'AGRI.TEA', unit: '盒', ...body } });
  const countProducts = async () => Number((await t.db.pool.query('SELECT count(*) FROM products')).rows[0].count);
  const countJournal = async () => Number((await t.db.pool.query(`SELECT count(*) FROM journal WHERE type = 'product.created'`)).rows[0].count);
  const products = await countProducts();
  const journalRows = await countJournal();

  const expect = async (r: Awaited<ReturnType<typeof add>>, status: number, code: string, field?: string) => {
    assert.equal(r.status, status, r.text);
    assert.equal(r.body.code, code);
    if (field) assert.equal(r.body.field, field);
    assert.ok(r.body.message.zh && r.body.message.en);
  };
  await expect(await add({ gtin: '12345' }), 400, 'GTIN_FORMAT', 'gtin');
  await expect(await add({ gtin: '6901234567890' }), 400, 'GTIN_CHECKSUM', 'gtin');
  await expect(await add({ categoryCode: 'AGRI.NUTS' }), 400, 'CATEGORY_UNKNOWN', 'categoryCode');
  await expect(await add({ name: '   ' }), 400, 'NAME_REQUIRED', 'name');
  await expect(await add({ unit: ' ' }), 400, 'UNIT_REQUIRED', 'unit');
  await expect(await add({ shelfLifeDays: 0 }), 400, 'VALIDATION_FAILED', 'body.shelfLifeDays');
  await expect(await add({}, randomUUID(), admin), 404, 'OPERATOR_NOT_FOUND');

  // The same GTIN in another length is the same GTIN-14, and another operator cannot take it.
  const gtin13 = buildGtin13();
  assert.equal((await add({ gtin: gtin13 })).status, 201);
  await expect(await add({ gtin: `0${gtin13}` }, c.other.id, c.other.adminToken), 409, 'GTIN_EXISTS', 'gtin');

  const pending = await buildOperator(t, { approve: false });
  await expect(await add({}, pending.id, pending.adminToken), 409, 'OPERATOR_NOT_APPROVED');
  const suspended = await buildOperator(t);
  await t.call('POST', `/api/v1/operators/${suspended.id}/review`, { as: admin, body: { action: 'suspend', reason: '抽检不合格' } });
  await expect(await add({}, suspended.id, admin), 409, 'OPERATOR_NOT_APPROVED');

  await expect(await t.call('GET', `/api/v1/products/${randomUUID()}`, { as: admin }), 404, 'PRODUCT_NOT_FOUND');
  await expect(await t.call('GET', `/api/v1/operators/${randomUUID()}/products`, { as: admin }), 404, 'OPERATOR_NOT_FOUND');
  assert.equal(await countProducts(), products + 1);
  assert.equal(await countJournal(), journalRows + 1);
});

test('products: who may add and read, role by role', async () => {
  const c = await roles();
  const p = await buildProduct(t, c.own, { categoryCode: 'AGRI.EGG' });
  const add = (as?: string) => t.call('POST', `/api/v1/operators/${c.own.id}/products`, { as, body: { name: '土鸡蛋', categoryCode: 'AGRI.EGG', unit: '盒' } });
  const readList = (as?: string) => t.call('GET', `/api/v1/operators/${c.own.id}/products`, { as });
  const readOne = (as?: string) => t.call('GET', `/api/v1/products/${p.id}`, { as });

  const table: [who: string, as: string | undefined, add: number, read: number][] = [
    ['platform-admin', admin, 201, 200],
    ['regulator in jurisdiction', c.regulatorIn, 403, 200],
    ['regulator elsewhere', c.regulatorOut, 403, 403],
    ['operator-admin of own operator', c.own.adminToken, 201, 200],
    ['operator-admin of other operator', c.other.adminToken, 403, 403],
    ['operator-staff of own operator', c.staff, 201, 200],
    ['operator-staff of other operator', c.otherStaff, 403, 403],
    ['printer', c.printer, 403, 403],
    ['public', undefined, 401, 401],
  ];
  for (const [who, as, addStatus, readStatus] of table) {
    assert.equal((await add(as)).status, addStatus, `${who} adds`);
    assert.equal((await readList(as)).status, readStatus, `${who} lists`);
    assert.equal((await readOne(as)).status, readStatus, `${who} reads one`);
  }
});

test('OpenAPI documents the catalog routes with their allowed roles', async () => {
  const o = await t.call('GET', '/openapi.json');
  assert.match(o.body.paths['/api/v1/categories'].post.description, /allowed: platform-admin/);
  assert.match(o.body.paths['/api/v1/key-trace-catalog'].get.description, /allowed: public/);
  assert.ok(o.body.paths['/api/v1/key-trace-catalog/{id}/end']);
  assert.ok(o.body.paths['/api/v1/products/{id}']);
});
