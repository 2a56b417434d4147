import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { buildOperator, buildBatch, buildProduct } from '../../test/builders.ts';

let t: TestApp;
before(async () => { t = await startTestApp(); });
after(async () => { await t.close(); });

test('label sheets for a batch: A4 and thermal PDF, ZPL; only for the batch owner', async () => {
  const farm = await buildOperator(t);
  const product = await buildProduct(t, farm, { name: '闽侯青梗菜' });
  const batch = await buildBatch(t, farm, { productId: product.id });
  const items = await t.call('POST', `/api/v1/batches/${batch.id}/item-codes`, { as: farm.adminToken, body: { count: 30 } });
  assert.equal(items.status, 201, items.text);

  const a4 = await t.call('GET', `/api/v1/batches/${batch.id}/labels.pdf?layout=a4&kind=item`, { as: farm.adminToken });
  assert.equal(a4.status, 200);
  assert.equal(a4.headers.get('content-type'), 'application/pdf');
  const pdf = Buffer.from(await (await fetch(`${t.url}/api/v1/batches/${batch.id}/labels.pdf?layout=a4&kind=item`, { headers: { authorization: `Bearer ${farm.adminToken}` } })).arrayBuffer());
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  assert.equal((pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length, 2, '30 labels at 24 per A4 sheet = 2 pages');

  const thermal = Buffer.from(await (await fetch(`${t.url}/api/v1/batches/${batch.id}/labels.pdf?layout=thermal&kind=batch`, { headers: { authorization: `Bearer ${farm.adminToken}` } })).arrayBuffer());
  assert.equal((thermal.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length, 1, 'one batch code, one thermal label');

  const zpl = await t.call('GET', `/api/v1/batches/${batch.id}/labels.zpl?kind=item&limit=5&dpi=300`, { as: farm.adminToken });
  assert.equal(zpl.status, 200);
  assert.equal((zpl.text.match(/\^XA/g) ?? []).length, 5);
  assert.match(zpl.text, /\^PW709/);

  const other = await buildOperator(t);
  const refused = await t.call('GET', `/api/v1/batches/${batch.id}/labels.pdf`, { as: other.adminToken });
  assert.equal(refused.status, 403);
  const anon = await t.call('GET', `/api/v1/batches/${batch.id}/labels.pdf`);
  assert.equal(anon.status, 401);
  const tooMany = await t.call('GET', `/api/v1/batches/${batch.id}/labels.pdf?limit=5000`, { as: farm.adminToken });
  assert.equal(tooMany.body.code, 'VALIDATION_FAILED');
});

test('a printer holding a pool prints its labels; the owner does too', async () => {
  const brand = await buildOperator(t);
  const printer = await buildOperator(t, { types: ['printer'] });
  const pool = await t.call('POST', '/api/v1/code-pools', { as: brand.adminToken, body: { ownerOperatorId: brand.id, printerOperatorId: printer.id, kind: 'item', size: 48 } });
  assert.equal(pool.status, 201, pool.text);
  const asPrinter = await fetch(`${t.url}/api/v1/code-pools/${pool.body.id}/labels.pdf?limit=48`, { headers: { authorization: `Bearer ${printer.adminToken}` } });
  assert.equal(asPrinter.status, 200);
  const bytes = Buffer.from(await asPrinter.arrayBuffer());
  assert.equal((bytes.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length, 2);
  const stranger = await buildOperator(t, { types: ['printer'] });
  assert.equal((await t.call('GET', `/api/v1/code-pools/${pool.body.id}/labels.zpl`, { as: stranger.adminToken })).status, 403);
});
