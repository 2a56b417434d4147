import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { buildBatch, buildOperator, buildProduct, buildSite, buildUser, type BuiltOperator } from '../../test/builders.ts';
import { gs1CheckDigit } from '../catalog/gtin.ts';
import { parseCode } from '../codes/code-scheme.ts';

let t: TestApp;
let farm: BuiltOperator;
let other: BuiltOperator;
let product: { id: string };
let site: { id: string };
before(async () => {
  t = await startTestApp();
  farm = await buildOperator(t, { division: '350121' });
  other = await buildOperator(t, { division: '350203' });
  product = await buildProduct(t, farm, { shelfLifeDays: 7, unit: '箱' });
  site = await buildSite(t, farm, { name: '上街镇基地 3 号地块', divisionCode: '350121' });
});
after(async () => { await t.close(); });

let gtinCounter = 0;
/** A valid GTIN-13 unique to this run. */
const gtin13 = () => {
  const body = `690${String(Date.now() % 1e6).padStart(6, '0')}${String(++gtinCounter).padStart(3, '0')}`;
  return body + gs1CheckDigit(body);
};
const batchBody = (over: Record<string, unknown> = {}) => ({
  productId: product.id, siteId: site.id, lotNumber: `L${Math.random().toString(36).slice(2, 10)}`, quantity: 1200.5, producedOn: '2024-05-01', ...over,
});

test('recording a batch issues its batch code, defaults unit and expiry, and journals both in one transaction', async () => {
  const r = await t.call('POST', '/api/v1/batches', { as: farm.adminToken, body: batchBody({ lotNumber: '20240501-A' }) });
  assert.equal(r.status, 201, r.text);
  const b = r.body;
  assert.equal(b.quantity, '1200.5');
  assert.equal(b.unit, '箱');
  assert.equal(b.expiresOn, '2024-05-08');
  assert.equal(b.site.name, '上街镇基地 3 号地块');
  assert.equal(b.site.divisionName, '福建省 福州市 闽侯县');
  assert.equal(b.operatorId, farm.id);
  const parsed = parseCode(b.batchCode.code);
  assert.equal(typeof parsed, 'object');
  assert.equal(b.batchCode.kind, 'batch');
  assert.equal(b.batchCode.status, 'active');
  assert.equal(b.batchCode.scanUrl, `http://scan.test/t/${b.batchCode.code}`);
  assert.equal(b.batchCode.digitalLink, null, 'no GTIN, no Digital Link');
  assert.match(b.batchCode.display, /^\w{4} \w{4} \w{4} \w{4}$/);
  const code = await t.db.pool.query('SELECT issued_via, status, batch_id FROM codes WHERE code = $1', [b.batchCode.code]);
  assert.deepEqual(code.rows[0], { issued_via: 'platform', status: 'active', batch_id: b.id });
  const j = await t.db.pool.query(`SELECT type FROM journal WHERE subject_type = 'batch' AND subject_id = $1 ORDER BY seq`, [b.id]);
  assert.deepEqual(j.rows.map((x) => x.type), ['codes.issued', 'batch.created']);
  const explicit = await t.call('POST', '/api/v1/batches', { as: farm.adminToken, body: batchBody({ quantity: '3', unit: '千克', expiresOn: '2024-06-30' }) });
  assert.equal(explicit.body.expiresOn, '2024-06-30');
  assert.equal(explicit.body.unit, '千克');
});

test('a product with a GTIN gets a Digital Link on its batch code when the lot is GS1-encodable', async () => {
  const gtin = gtin13();
  const p = await buildProduct(t, farm, { gtin });
  const b = await buildBatch(t, farm, { productId: p.id, siteId: site.id, lotNumber: 'LOT-2024/05' });
  assert.equal(b.gtin, `0${gtin}`);
  assert.equal(b.batchCode!.digitalLink, `http://scan.test/01/0${gtin}/10/LOT-2024%2F05`);
  const chinese = await buildBatch(t, farm, { productId: p.id, siteId: site.id, lotNumber: '五月第一批' });
  assert.equal(chinese.batchCode!.digitalLink, null);
});

test('refusals: QUANTITY_INVALID, BATCH_EXISTS, SITE_NOT_OWNED, PRODUCT_NOT_FOUND, bad dates', async () => {
  for (const quantity of [0, -1, '0.000', 'abc', '1.2345', 1e16, '']) {
    const r = await t.call('POST', '/api/v1/batches', { as: farm.adminToken, body: batchBody({ quantity }) });
    assert.equal(r.status, 400, `quantity ${quantity}`);
    assert.equal(r.body.code, 'QUANTITY_INVALID', `quantity ${quantity}`);
    assert.equal(r.body.field, 'quantity');
  }
  const first = await t.call('POST', '/api/v1/batches', { as: farm.adminToken, body: batchBody({ lotNumber: 'DUP-1' }) });
  const dup = await t.call('POST', '/api/v1/batches', { as: farm.adminToken, body: batchBody({ lotNumber: ' DUP-1 ' }) });
  assert.equal(dup.status, 409);
  assert.equal(dup.body.code, 'BATCH_EXISTS');
  assert.equal(dup.body.existing.id, first.body.id);
  // The same lot number on another product is a different batch.
  const p2 = await buildProduct(t, farm);
  assert.equal((await t.call('POST', '/api/v1/batches', { as: farm.adminToken, body: batchBody({ lotNumber: 'DUP-1', productId: p2.id }) })).status, 201);

  const foreignSite = await buildSite(t, other);
  const s = await t.call('POST', '/api/v1/batches', { as: farm.adminToken, body: batchBody({ siteId: foreignSite.id }) });
  assert.deepEqual([s.status, s.body.code], [400, 'SITE_NOT_OWNED']);
  const p = await t.call('POST', '/api/v1/batches', { as: farm.adminToken, body: batchBody({ productId: '00000000-0000-4000-8000-000000000000' }) });
  assert.deepEqual([p.status, p.body.code], [404, 'PRODUCT_NOT_FOUND']);
  const cases: [Record<string, unknown>, string][] = [
    [{ producedOn: '2024-02-30' }, 'DATE_INVALID'],
    [{ producedOn: '2999-01-01' }, 'DATE_IN_FUTURE'],
    [{ expiresOn: '2024-04-30' }, 'EXPIRY_BEFORE_PRODUCTION'],
    [{ lotNumber: '  ' }, 'LOT_REQUIRED'],
  ];
  for (const [over, code] of cases) {
    const r = await t.call('POST', '/api/v1/batches', { as: farm.adminToken, body: batchBody(over) });
    assert.deepEqual([r.status, r.body.code], [400, code], JSON.stringify(over));
  }
  // None of the refused requests left a batch or a code behind.
  const n = await t.db.pool.query(`SELECT count(*)::int AS n FROM batches WHERE operator_id = $1 AND lot_number = 'DUP-1'`, [farm.id]);
  assert.equal(n.rows[0].n, 2);
});

test('OPERATOR_NOT_APPROVED: a suspended operator cannot record batches until reinstated', async () => {
  const op = await buildOperator(t);
  const p = await buildProduct(t, op);
  const s = await buildSite(t, op);
  const admin = await t.adminToken();
  await t.call('POST', `/api/v1/operators/${op.id}/review`, { as: admin, body: { action: 'suspend', reason: '抽检不合格' } });
  const r = await t.call('POST', '/api/v1/batches', { as: op.adminToken, body: batchBody({ productId: p.id, siteId: s.id }) });
  assert.deepEqual([r.status, r.body.code], [409, 'OPERATOR_NOT_APPROVED']);
  await t.call('POST', `/api/v1/operators/${op.id}/review`, { as: admin, body: { action: 'reinstate' } });
  assert.equal((await t.call('POST', '/api/v1/batches', { as: op.adminToken, body: batchBody({ productId: p.id, siteId: s.id }) })).status, 201);
});

test('who may record a batch: the operator\'s admin, staff and API keys, and the platform admin; nobody else', async () => {
  const staff = await buildUser(t, 'operator-staff', { operatorId: farm.id });
  const key = (await t.call('POST', `/api/v1/operators/${farm.id}/api-keys`, { as: farm.adminToken, body: { name: '称重台' } })).body.key;
  const printer = await buildOperator(t, { types: ['printer'] });
  const regulator = await buildUser(t, 'regulator', { jurisdiction: '350100' });
  const allowed = [farm.adminToken, staff.token, key, await t.adminToken()];
  for (const as of allowed) assert.equal((await t.call('POST', '/api/v1/batches', { as, body: batchBody() })).status, 201);
  const refused: [string | undefined, number][] = [[other.adminToken, 403], [printer.adminToken, 403], [regulator.token, 403], [undefined, 401]];
  for (const [as, status] of refused) assert.equal((await t.call('POST', '/api/v1/batches', { as, body: batchBody() })).status, status);
});

test('reading a batch: its operator, a regulator over it and the admin; not another operator or a regulator elsewhere', async () => {
  const b = await buildBatch(t, farm, { productId: product.id, siteId: site.id });
  const staff = await buildUser(t, 'operator-staff', { operatorId: farm.id });
  const fuzhou = await buildUser(t, 'regulator', { jurisdiction: '350100' });
  const xiamen = await buildUser(t, 'regulator', { jurisdiction: '350200' });
  for (const as of [farm.adminToken, staff.token, fuzhou.token, await t.adminToken()]) {
    const r = await t.call('GET', `/api/v1/batches/${b.id}`, { as });
    assert.equal(r.status, 200);
    assert.equal(r.body.batchCode.code, b.batchCode!.code);
  }
  assert.equal((await t.call('GET', `/api/v1/batches/${b.id}`, { as: xiamen.token })).status, 403);
  assert.equal((await t.call('GET', `/api/v1/batches/${b.id}`, { as: other.adminToken })).status, 403);
  assert.equal((await t.call('GET', `/api/v1/batches/${b.id}`)).status, 401);
  const missing = await t.call('GET', '/api/v1/batches/00000000-0000-4000-8000-000000000000', { as: farm.adminToken });
  assert.deepEqual([missing.status, missing.body.code], [404, 'BATCH_NOT_FOUND']);
});

test('an operator\'s batches: newest first, filtered by product, scoped like the operator', async () => {
  const op = await buildOperator(t, { division: '350102' });
  const p1 = await buildProduct(t, op);
  const p2 = await buildProduct(t, op);
  const s = await buildSite(t, op);
  const made = [];
  for (const p of [p1, p1, p2]) made.push(await buildBatch(t, op, { productId: p.id, siteId: s.id }));
  const all = await t.call('GET', `/api/v1/operators/${op.id}/batches`, { as: op.adminToken });
  assert.equal(all.status, 200);
  assert.equal(all.body.total, 3);
  assert.deepEqual(all.body.items.map((b: any) => b.id), made.map((b) => b.id).reverse());
  assert.ok(all.body.items.every((b: any) => b.batchCode?.code));
  const only = await t.call('GET', `/api/v1/operators/${op.id}/batches?productId=${p1.id}&limit=1`, { as: op.adminToken });
  assert.equal(only.body.total, 2);
  assert.equal(only.body.items.length, 1);
  const fuzhou = await buildUser(t, 'regulator', { jurisdiction: '350100' });
  assert.equal((await t.call('GET', `/api/v1/operators/${op.id}/batches`, { as: fuzhou.token })).body.total, 3);
  assert.equal((await t.call('GET', `/api/v1/operators/${op.id}/batches`, { as: other.adminToken })).status, 403);
  assert.equal((await t.call('GET', `/api/v1/operators/${op.id}/batches`)).status, 401);
});
