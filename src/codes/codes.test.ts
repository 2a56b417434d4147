import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp, type TestResponse } from '../../test/harness.ts';
import { buildBatch, buildOperator, buildProduct, buildSite, buildUser, type BuiltOperator } from '../../test/builders.ts';
import type { BatchView } from '../batches/batches-service.ts';
import type { Actor } from '../accounts/actor.ts';
import { DomainError } from '../platform/errors.ts';
import { gs1CheckDigit } from '../catalog/gtin.ts';
import { CODE_ALPHABET, formatCode, generateCode } from './code-scheme.ts';
import { createCodesService } from './codes-service.ts';

let t: TestApp;
let farm: BuiltOperator;
let other: BuiltOperator;
let printer: BuiltOperator;
let otherPrinter: BuiltOperator;
let gtin14: string;
let batch: BatchView;
let batch2: BatchView;
let otherBatch: BatchView;
const tok: Record<string, string> = {};

before(async () => {
  t = await startTestApp();
  farm = await buildOperator(t, { division: '350121', name: '闽侯县绿野蔬菜专业合作社' });
  other = await buildOperator(t, { division: '350203' });
  printer = await buildOperator(t, { types: ['printer'] });
  otherPrinter = await buildOperator(t, { types: ['printer'] });
  const gtinBody = `690${String(Date.now() % 1e9).padStart(9, '0')}`;
  const product = await buildProduct(t, farm, { name: '有机上海青', gtin: gtinBody + gs1CheckDigit(gtinBody), shelfLifeDays: 5 });
  gtin14 = product.gtin!;
  const site = await buildSite(t, farm, { name: '上街镇基地', divisionCode: '350121' });
  batch = await buildBatch(t, farm, { productId: product.id, siteId: site.id, lotNumber: 'L20240501', quantity: 880 });
  batch2 = await buildBatch(t, farm, { productId: product.id, siteId: site.id, lotNumber: 'L20240502' });
  otherBatch = await buildBatch(t, other);
  tok.admin = await t.adminToken();
  tok.farm = farm.adminToken;
  tok.staff = (await buildUser(t, 'operator-staff', { operatorId: farm.id })).token;
  tok.key = (await t.call('POST', `/api/v1/operators/${farm.id}/api-keys`, { as: farm.adminToken, body: { name: '产线 1' } })).body.key;
  tok.other = other.adminToken;
  tok.printer = printer.adminToken;
  tok.otherPrinter = otherPrinter.adminToken;
  tok.fuzhou = (await buildUser(t, 'regulator', { jurisdiction: '350100' })).token;
  tok.xiamen = (await buildUser(t, 'regulator', { jurisdiction: '350200' })).token;
});
after(async () => { await t.close(); });

const actor = (token: string): Promise<Actor> => t.services.accounts.actorFromToken(token);
const itemCodes = async (b: { id: string }, count: number, as = tok.farm): Promise<string[]> => {
  const r = await t.call('POST', `/api/v1/batches/${b.id}/item-codes`, { as, body: { count } });
  assert.equal(r.status, 201, r.text);
  return r.body.codes;
};
const pool = async (size: number, over: Record<string, unknown> = {}) => {
  const r = await t.call('POST', '/api/v1/code-pools', { as: tok.farm, body: { ownerOperatorId: farm.id, printerOperatorId: printer.id, kind: 'item', size, ...over } });
  assert.equal(r.status, 201, r.text);
  return r.body as { id: string; size: number };
};
/** The GTIN with a wrong check digit. */
const badGtin = () => gtin14.slice(0, 13) + ((Number(gtin14[13]) + 1) % 10);
const csvRows = (text: string) => text.trim().split('\r\n').map((l) => l.split(','));
/** The same code with one character changed: caught by the check character. */
const typo = (code: string) => code.slice(0, 6) + CODE_ALPHABET[(CODE_ALPHABET.indexOf(code[6]) + 1) % 31] + code.slice(7);
const journal = async (subjectId: string) =>
  (await t.db.pool.query('SELECT type, payload FROM journal WHERE subject_id = $1 ORDER BY seq', [subjectId])).rows;

test('item codes for a batch: one request, distinct valid codes, journaled; limits and refusals', async () => {
  const codes = await itemCodes(batch, 1000);
  assert.equal(new Set(codes).size, 1000);
  assert.ok(codes.every((c) => c.startsWith('350P')));
  const db = await t.db.pool.query(`SELECT count(*)::int AS n FROM codes WHERE batch_id = $1 AND kind = 'item' AND status = 'active' AND issued_via = 'platform'`, [batch.id]);
  assert.ok(db.rows[0].n >= 1000);
  const j = (await journal(batch.id)).filter((e) => e.type === 'codes.issued' && e.payload.count === 1000);
  assert.equal(j.length, 1);
  assert.deepEqual([j[0].payload.first, j[0].payload.last], [codes[0], codes[999]]);

  const dl = await t.call('POST', `/api/v1/batches/${batch.id}/item-codes`, { as: tok.key, body: { count: 2, issuedVia: 'download' } });
  assert.equal(dl.status, 201);
  const via = await t.db.pool.query('SELECT DISTINCT issued_via FROM codes WHERE code = ANY($1)', [dl.body.codes]);
  assert.deepEqual(via.rows, [{ issued_via: 'download' }]);
  assert.equal((await t.call('POST', `/api/v1/batches/${batch.id}/item-codes`, { as: tok.staff, body: { count: 1 } })).status, 201);

  for (const count of [0, 100_001, 1.5]) {
    const r = await t.call('POST', `/api/v1/batches/${batch.id}/item-codes`, { as: tok.farm, body: { count } });
    assert.deepEqual([r.status, r.body.code], [400, 'VALIDATION_FAILED'], `count ${count}`);
  }
  assert.equal((await t.call('POST', `/api/v1/batches/${batch.id}/item-codes`, { as: tok.other, body: { count: 1 } })).status, 403);
  for (const as of [tok.printer, tok.fuzhou]) assert.equal((await t.call('POST', `/api/v1/batches/${batch.id}/item-codes`, { as, body: { count: 1 } })).status, 403);
  const missing = await t.call('POST', '/api/v1/batches/00000000-0000-4000-8000-000000000000/item-codes', { as: tok.farm, body: { count: 1 } });
  assert.deepEqual([missing.status, missing.body.code], [404, 'BATCH_NOT_FOUND']);
});

test('100,000 item codes in one request', async () => {
  const b = await buildBatch(t, farm);
  const started = Date.now();
  const codes = await itemCodes(b, 100_000);
  const ms = Date.now() - started;
  assert.equal(new Set(codes).size, 100_000);
  const n = await t.db.pool.query(`SELECT count(*)::int AS n FROM codes WHERE batch_id = $1 AND kind = 'item'`, [b.id]);
  assert.equal(n.rows[0].n, 100_000);
  const csv = await t.call('GET', `/api/v1/batches/${b.id}/codes.csv`, { as: tok.farm });
  assert.equal(csvRows(csv.text).length, 1 + 1 + 100_000);
  console.log(`100,000 item codes issued in ${ms} ms`);
});

test('a regenerated code replaces one that collides with an existing code', async () => {
  const [taken] = await itemCodes(batch2, 1);
  let calls = 0;
  const codes = createCodesService({
    db: t.db, nodeId: '350', publicUrl: t.config.publicUrl,
    newCode: (kind) => (++calls === 2 ? taken : generateCode('350', kind)),
  });
  const out = await codes.issueItemCodes(await actor(tok.farm), batch2.id, 5);
  assert.equal(out.codes.length, 5);
  assert.equal(new Set(out.codes).size, 5);
  assert.ok(!out.codes.includes(taken));
  assert.equal(calls, 6, 'one code regenerated');
  const rows = await t.db.pool.query('SELECT count(*)::int AS n FROM codes WHERE code = ANY($1) AND batch_id = $2', [out.codes, batch2.id]);
  assert.equal(rows.rows[0].n, 5);
});

test('batch codes file: batch code first, then items, with scan URL and Digital Link; who may download', async () => {
  const b = await buildBatch(t, farm, { productId: batch.productId, lotNumber: 'CSV-1' });
  const items = await itemCodes(b, 3);
  const r = await t.call('GET', `/api/v1/batches/${b.id}/codes.csv`, { as: tok.staff });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type')!, /text\/csv/);
  assert.match(r.headers.get('content-disposition')!, /attachment; filename="batch-.*-codes\.csv"/);
  const rows = csvRows(r.text);
  assert.deepEqual(rows[0], ['code', 'display', 'kind', 'scan_url', 'digital_link']);
  assert.deepEqual(rows[1], [b.batchCode!.code, formatCode(b.batchCode!.code), 'batch', `http://scan.test/t/${b.batchCode!.code}`, `http://scan.test/01/${gtin14}/10/CSV-1`]);
  assert.deepEqual(rows.slice(2).map((x) => x[0]), items);
  assert.deepEqual(rows[2].slice(2), ['item', `http://scan.test/t/${items[0]}`, `http://scan.test/01/${gtin14}/21/${items[0]}`]);
  for (const as of [tok.farm, tok.key, tok.admin]) assert.equal((await t.call('GET', `/api/v1/batches/${b.id}/codes.csv`, { as })).status, 200);
  for (const as of [tok.other, tok.printer, tok.fuzhou]) assert.equal((await t.call('GET', `/api/v1/batches/${b.id}/codes.csv`, { as })).status, 403);
  assert.equal((await t.call('GET', `/api/v1/batches/${b.id}/codes.csv`)).status, 401);
});

test('code pools: the owner or the admin issues them to a printer; NOT_A_PRINTER; who may read and download', async () => {
  const p = await pool(5, { note: '第 1 卷' });
  assert.deepEqual(p, { ...p, size: 5, kind: 'item', ownerOperatorId: farm.id, printerOperatorId: printer.id, counts: { unassigned: 5, active: 0, void: 0 } });
  const byAdmin = await t.call('POST', '/api/v1/code-pools', { as: tok.admin, body: { ownerOperatorId: farm.id, printerOperatorId: printer.id, kind: 'batch', size: 2 } });
  assert.equal(byAdmin.status, 201);
  const notPrinter = await t.call('POST', '/api/v1/code-pools', { as: tok.farm, body: { ownerOperatorId: farm.id, printerOperatorId: other.id, kind: 'item', size: 2 } });
  assert.deepEqual([notPrinter.status, notPrinter.body.code, notPrinter.body.field], [400, 'NOT_A_PRINTER', 'printerOperatorId']);
  const forOther = await t.call('POST', '/api/v1/code-pools', { as: tok.farm, body: { ownerOperatorId: other.id, printerOperatorId: printer.id, kind: 'item', size: 2 } });
  assert.equal(forOther.status, 403);
  for (const as of [tok.staff, tok.printer, tok.fuzhou]) {
    assert.equal((await t.call('POST', '/api/v1/code-pools', { as, body: { ownerOperatorId: farm.id, printerOperatorId: printer.id, kind: 'item', size: 2 } })).status, 403);
  }
  const unassigned = await t.db.pool.query(`SELECT count(*)::int AS n FROM codes WHERE pool_id = $1 AND status = 'unassigned' AND batch_id IS NULL AND issued_via = 'pool'`, [p.id]);
  assert.equal(unassigned.rows[0].n, 5);

  for (const as of [tok.printer, tok.farm, tok.staff, tok.admin]) {
    assert.equal((await t.call('GET', `/api/v1/code-pools/${p.id}`, { as })).status, 200);
    const file: TestResponse = await t.call('GET', `/api/v1/code-pools/${p.id}/codes.csv`, { as });
    assert.equal(file.status, 200);
    const rows = csvRows(file.text);
    assert.equal(rows.length, 6);
    // Nobody knows the product of an unassigned code: no Digital Link, just the scan URL.
    assert.deepEqual(rows[1].slice(2), ['item', `http://scan.test/t/${rows[1][0]}`, '']);
  }
  for (const as of [tok.otherPrinter, tok.other, tok.fuzhou]) {
    assert.equal((await t.call('GET', `/api/v1/code-pools/${p.id}`, { as })).status, 403);
    assert.equal((await t.call('GET', `/api/v1/code-pools/${p.id}/codes.csv`, { as })).status, 403);
  }
  assert.equal((await t.call('GET', `/api/v1/code-pools/${p.id}/codes.csv`)).status, 401);
  const missing = await t.call('GET', '/api/v1/code-pools/00000000-0000-4000-8000-000000000000', { as: tok.admin });
  assert.deepEqual([missing.status, missing.body.code], [404, 'POOL_NOT_FOUND']);
});

test('pool list: the owner and its staff see the pools they ordered, the printer those it prints, others none; with counts and names', async () => {
  const p = await pool(3, { note: '列表测试' });
  const inList = async (as: string) => {
    const r = await t.call('GET', '/api/v1/code-pools?limit=200', { as });
    assert.equal(r.status, 200, r.text);
    return r.body.items.find((x: { id: string }) => x.id === p.id);
  };
  for (const as of [tok.farm, tok.staff, tok.printer, tok.admin]) {
    const mine = await inList(as);
    assert.ok(mine, 'listed');
    assert.deepEqual(mine.counts, { unassigned: 3, active: 0, void: 0 });
    assert.equal(mine.ownerName, farm.name);
    assert.equal(mine.note, '列表测试');
    assert.ok(mine.printerName);
  }
  for (const as of [tok.otherPrinter, tok.other]) assert.equal(await inList(as), undefined);
  assert.equal((await t.call('GET', '/api/v1/code-pools', { as: tok.fuzhou })).status, 403);
  assert.equal((await t.call('GET', '/api/v1/code-pools')).status, 401);
});

test('activating one pre-printed code: CODE_ALREADY_ACTIVE, CODE_NOT_YOURS, CODE_VOID, a batch of another operator', async () => {
  const p = await pool(4);
  const [c1, c2, c3] = csvRows((await t.call('GET', `/api/v1/code-pools/${p.id}/codes.csv`, { as: tok.printer })).text).slice(1).map((r) => r[0]);
  const ok = await t.call('POST', `/api/v1/codes/${formatCode(c1).toLowerCase()}/activate`, { as: tok.staff, body: { batchId: batch.id } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.status, 'active');
  assert.equal(ok.body.batch.id, batch.id);
  assert.equal(ok.body.digitalLink, `http://scan.test/01/${gtin14}/21/${c1}`);
  assert.equal((await journal(c1)).at(-1)!.type, 'code.activated');
  const again = await t.call('POST', `/api/v1/codes/${c1}/activate`, { as: tok.farm, body: { batchId: batch2.id } });
  assert.deepEqual([again.status, again.body.code], [409, 'CODE_ALREADY_ACTIVE']);
  const theirs = await t.call('POST', `/api/v1/codes/${c2}/activate`, { as: tok.other, body: { batchId: otherBatch.id } });
  assert.deepEqual([theirs.status, theirs.body.code], [403, 'CODE_NOT_YOURS']);
  const wrongBatch = await t.call('POST', `/api/v1/codes/${c2}/activate`, { as: tok.farm, body: { batchId: otherBatch.id } });
  assert.deepEqual([wrongBatch.status, wrongBatch.body.code], [403, 'BATCH_NOT_YOURS']);
  assert.equal((await t.call('POST', `/api/v1/codes/${c2}/activate`, { as: tok.printer, body: { batchId: batch.id } })).status, 403);
  await t.call('POST', `/api/v1/codes/${c3}/void`, { as: tok.farm, body: { reason: '标签破损' } });
  const voided = await t.call('POST', `/api/v1/codes/${c3}/activate`, { as: tok.farm, body: { batchId: batch.id } });
  assert.deepEqual([voided.status, voided.body.code], [409, 'CODE_VOID']);
  const checksum = await t.call('POST', `/api/v1/codes/${typo(c2)}/activate`, { as: tok.farm, body: { batchId: batch.id } });
  assert.deepEqual([checksum.status, checksum.body.code], [400, 'CODE_CHECKSUM']);
  const unknown = await t.call('POST', `/api/v1/codes/${generateCode('350', 'item')}/activate`, { as: tok.farm, body: { batchId: batch.id } });
  assert.deepEqual([unknown.status, unknown.body.code], [404, 'CODE_UNKNOWN']);
  const format = await t.call('POST', '/api/v1/codes/hello/activate', { as: tok.farm, body: { batchId: batch.id } });
  assert.deepEqual([format.status, format.body.code], [400, 'CODE_FORMAT']);
  // c2 was left untouched by every refusal.
  assert.equal((await t.db.pool.query('SELECT status FROM codes WHERE code = $1', [c2])).rows[0].status, 'unassigned');
});

test('bulk activation takes the next N unassigned codes in print order; POOL_EXHAUSTED changes nothing', async () => {
  const p = await pool(10);
  const printed = csvRows((await t.call('GET', `/api/v1/code-pools/${p.id}/codes.csv`, { as: tok.printer })).text).slice(1).map((r) => r[0]);
  await t.call('POST', `/api/v1/codes/${printed[1]}/activate`, { as: tok.farm, body: { batchId: batch2.id } });
  const first = await t.call('POST', `/api/v1/code-pools/${p.id}/activate`, { as: tok.staff, body: { batchId: batch.id, count: 4 } });
  assert.equal(first.status, 200, first.text);
  assert.deepEqual(first.body.codes, [printed[0], printed[2], printed[3], printed[4]]);
  const tooMany = await t.call('POST', `/api/v1/code-pools/${p.id}/activate`, { as: tok.farm, body: { batchId: batch.id, count: 6 } });
  assert.deepEqual([tooMany.status, tooMany.body.code, tooMany.body.remaining], [409, 'POOL_EXHAUSTED', 5]);
  assert.deepEqual((await t.call('GET', `/api/v1/code-pools/${p.id}`, { as: tok.farm })).body.counts, { unassigned: 5, active: 5, void: 0 });
  const rest = await t.call('POST', `/api/v1/code-pools/${p.id}/activate`, { as: tok.farm, body: { batchId: batch.id, count: 5 } });
  assert.deepEqual(rest.body.codes, printed.slice(5));
  const empty = await t.call('POST', `/api/v1/code-pools/${p.id}/activate`, { as: tok.farm, body: { batchId: batch.id, count: 1 } });
  assert.deepEqual([empty.status, empty.body.code, empty.body.remaining], [409, 'POOL_EXHAUSTED', 0]);
  assert.equal((await journal(p.id)).filter((e) => e.type === 'pool.activated').length, 2);

  const p2 = await pool(2);
  const foreign = await t.call('POST', `/api/v1/code-pools/${p2.id}/activate`, { as: tok.farm, body: { batchId: otherBatch.id, count: 1 } });
  assert.deepEqual([foreign.status, foreign.body.code], [403, 'BATCH_NOT_YOURS']);
  for (const as of [tok.other, tok.printer]) assert.equal((await t.call('POST', `/api/v1/code-pools/${p2.id}/activate`, { as, body: { batchId: batch.id, count: 1 } })).status, 403);
});

test('voiding: owner admin or platform admin, with a reason; void is final and resolves as void', async () => {
  const [a, b, c] = await itemCodes(batch, 3);
  const v = await t.call('POST', `/api/v1/codes/${a}/void`, { as: tok.farm, body: { reason: '  打印错误  ' } });
  assert.equal(v.status, 200, v.text);
  assert.equal(v.body.status, 'void');
  assert.equal(v.body.issue.voidReason, '打印错误');
  assert.equal(v.body.batch.id, batch.id, 'a voided code keeps its batch');
  assert.deepEqual((await journal(a)).map((e) => e.type), ['code.voided']);
  const twice = await t.call('POST', `/api/v1/codes/${a}/void`, { as: tok.admin, body: { reason: 'x' } });
  assert.deepEqual([twice.status, twice.body.code], [409, 'CODE_VOID']);
  assert.equal((await t.call('GET', `/t/${a}`)).body.status, 'void');
  const theirs = await t.call('POST', `/api/v1/codes/${b}/void`, { as: tok.other, body: { reason: 'x' } });
  assert.deepEqual([theirs.status, theirs.body.code], [403, 'CODE_NOT_YOURS']);
  assert.equal((await t.call('POST', `/api/v1/codes/${b}/void`, { as: tok.staff, body: { reason: 'x' } })).status, 403);
  const blank = await t.call('POST', `/api/v1/codes/${b}/void`, { as: tok.farm, body: { reason: '   ' } });
  assert.deepEqual([blank.status, blank.body.code], [400, 'REASON_REQUIRED']);
  assert.equal((await t.call('POST', `/api/v1/codes/${c}/void`, { as: tok.admin, body: { reason: '监管要求' } })).status, 200);
});

test('the database keeps codes: no delete, no return from void, no change of text', async () => {
  const [a] = await itemCodes(batch, 1);
  await assert.rejects(t.db.pool.query('DELETE FROM codes WHERE code = $1', [a]), /cannot be deleted/);
  await assert.rejects(t.db.pool.query(`UPDATE codes SET code = $2 WHERE code = $1`, [a, generateCode('350', 'item')]), /cannot change/);
  await t.call('POST', `/api/v1/codes/${a}/void`, { as: tok.farm, body: { reason: '测试' } });
  await assert.rejects(t.db.pool.query(`UPDATE codes SET status = 'active' WHERE code = $1`, [a]), /cannot change/);
});

test('line printer codes: idempotent per (operator, requestId); REQUEST_ID_REUSED; concurrent retries agree', async () => {
  const body = { requestId: 'line1-2024-05-01-0001', batchId: batch.id, count: 3 };
  const first = await t.call('POST', '/api/v1/line-codes', { as: tok.key, body });
  assert.equal(first.status, 201, first.text);
  assert.equal(first.body.replayed, false);
  assert.equal(first.body.codes.length, 3);
  assert.equal(first.body.codes[0].qrUrl, `http://scan.test/01/${gtin14}/21/${first.body.codes[0].code}`);
  const again = await t.call('POST', '/api/v1/line-codes', { as: tok.key, body });
  assert.equal(again.status, 200);
  assert.equal(again.body.replayed, true);
  assert.deepEqual(again.body.codes, first.body.codes);
  // Same operator, another credential: still the same request.
  assert.deepEqual((await t.call('POST', '/api/v1/line-codes', { as: tok.staff, body })).body.codes, first.body.codes);
  const stored = await t.db.pool.query('SELECT code, seq_in_request, issued_via FROM codes WHERE line_request_id = $1 ORDER BY seq_in_request', [body.requestId]);
  assert.deepEqual(stored.rows.map((r) => [r.code, r.seq_in_request, r.issued_via]), first.body.codes.map((c: any, i: number) => [c.code, i + 1, 'line']));
  for (const changed of [{ count: 4 }, { batchId: batch2.id }]) {
    const r = await t.call('POST', '/api/v1/line-codes', { as: tok.key, body: { ...body, ...changed } });
    assert.deepEqual([r.status, r.body.code], [409, 'REQUEST_ID_REUSED']);
  }
  // Request ids are per operator: another operator may use the same one.
  const theirs = await t.call('POST', '/api/v1/line-codes', { as: tok.other, body: { ...body, batchId: otherBatch.id } });
  assert.equal(theirs.status, 201);
  const foreign = await t.call('POST', '/api/v1/line-codes', { as: tok.staff, body: { ...body, requestId: 'x-1', batchId: otherBatch.id } });
  assert.deepEqual([foreign.status, foreign.body.code], [403, 'BATCH_NOT_YOURS']);
  for (const as of [tok.admin, tok.printer, tok.fuzhou]) assert.equal((await t.call('POST', '/api/v1/line-codes', { as, body: { ...body, requestId: 'x-2' } })).status, 403);

  const twin = { requestId: 'line1-concurrent', batchId: batch.id, count: 5 };
  const [x, y] = await Promise.all([t.call('POST', '/api/v1/line-codes', { as: tok.key, body: twin }), t.call('POST', '/api/v1/line-codes', { as: tok.staff, body: twin })]);
  assert.deepEqual([x.status, y.status].sort(), [200, 201]);
  assert.deepEqual(x.body.codes, y.body.codes);
  const n = await t.db.pool.query('SELECT count(*)::int AS n FROM codes WHERE line_request_id = $1', [twin.requestId]);
  assert.equal(n.rows[0].n, 5);
});

test('resolve(): a code in any spacing or case, a scan URL, a Digital Link by lot or by serial', async () => {
  const codes = t.services.codes;
  const [item] = await itemCodes(batch, 1);
  const spaced = await codes.resolve(` ${formatCode(item).toLowerCase()} `);
  assert.equal(spaced.code, item);
  assert.equal(spaced.kind, 'item');
  assert.equal(spaced.status, 'active');
  assert.equal(spaced.nodeId, '350');
  assert.equal(spaced.batch!.id, batch.id);
  assert.equal(spaced.batch!.quantity, '880');
  assert.equal(spaced.product!.name, '有机上海青');
  assert.equal(spaced.operator!.name, '闽侯县绿野蔬菜专业合作社');
  assert.equal((await codes.resolve(`https://elsewhere.example/t/${item}`)).code, item);
  const byLot = await codes.resolve(`https://id.example.com/01/${gtin14}/10/L20240501?linkType=gs1:traceability`);
  assert.deepEqual([byLot.code, byLot.kind, byLot.status, byLot.batch!.id], [null, 'batch', 'active', batch.id]);
  const bySerial = await codes.resolve(`http://scan.test/01/${gtin14}/21/${item}`);
  assert.equal(bySerial.code, item);
  const shortGtin = await codes.resolve(`http://scan.test/01/${gtin14.slice(1)}/21/${item}`);
  assert.equal(shortGtin.code, item, 'a GTIN-13 is read as its GTIN-14');

  const otherGtin = '09506000134352';
  assert.equal((await codes.resolve(`http://scan.test/01/${otherGtin}/21/${item}`)).status, 'unknown', 'serial under another GTIN');
  assert.equal((await codes.resolve(`http://scan.test/01/${gtin14}/10/NO-SUCH-LOT`)).status, 'unknown');
  const foreignNode = await codes.resolve(generateCode('591', 'item'));
  assert.deepEqual([foreignNode.status, foreignNode.nodeId], ['unknown', '591']);
  for (const [input, code] of [
    [typo(item), 'CODE_CHECKSUM'], ['12345', 'CODE_FORMAT'], ['https://scan.test/about', 'CODE_FORMAT'],
    [`http://scan.test/01/${gtin14}`, 'CODE_FORMAT'], [`http://scan.test/01/${badGtin()}/10/X`, 'GTIN_CHECKSUM'],
    [`http://scan.test/01/${gtin14}/21/${typo(item)}`, 'CODE_CHECKSUM'],
  ]) {
    await assert.rejects(codes.resolve(input), (e: unknown) => e instanceof DomainError && e.code === code, input);
  }
});

test('GET /api/v1/codes/:code: full detail for the owner, a regulator over it and the admin only', async () => {
  const [item] = await itemCodes(batch, 1);
  const p = await pool(1);
  for (const as of [tok.farm, tok.staff, tok.key, tok.fuzhou, tok.admin]) {
    const r = await t.call('GET', `/api/v1/codes/${item}`, { as });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.batch.quantity, '880');
    assert.equal(r.body.issue.issuedVia, 'platform');
    assert.equal(r.body.display, formatCode(item));
  }
  for (const as of [tok.xiamen, tok.other, tok.printer]) assert.equal((await t.call('GET', `/api/v1/codes/${item}`, { as })).status, 403);
  assert.equal((await t.call('GET', `/api/v1/codes/${item}`)).status, 401);
  const [pooled] = csvRows((await t.call('GET', `/api/v1/code-pools/${p.id}/codes.csv`, { as: tok.farm })).text).slice(1).map((r) => r[0]);
  const unassigned = await t.call('GET', `/api/v1/codes/${pooled}`, { as: tok.farm });
  assert.deepEqual([unassigned.body.status, unassigned.body.batch, unassigned.body.issue.poolId], ['unassigned', null, p.id]);
  assert.deepEqual((await t.call('GET', `/api/v1/codes/${typo(item)}`, { as: tok.farm })).body.code, 'CODE_CHECKSUM');
  const unknown = await t.call('GET', `/api/v1/codes/${generateCode('350', 'batch')}`, { as: tok.farm });
  assert.deepEqual([unknown.status, unknown.body.code], [404, 'CODE_UNKNOWN']);
});

test('labelsFor(): label records for the renderers, under the download rules', async () => {
  const codes = t.services.codes;
  const b = await buildBatch(t, farm, { productId: batch.productId, lotNumber: 'LBL-1' });
  const items = await itemCodes(b, 3);
  const farmActor = await actor(tok.farm);
  const all = await codes.labelsFor(farmActor, { batchId: b.id });
  assert.deepEqual(all.map((l) => l.code), [b.batchCode!.code, ...items]);
  assert.deepEqual(all[1], {
    code: items[0], display: formatCode(items[0]), qrUrl: `http://scan.test/01/${gtin14}/21/${items[0]}`,
    productName: '有机上海青', operatorName: '闽侯县绿野蔬菜专业合作社', lot: 'LBL-1', producedOn: '2024-05-01', kind: 'item',
  });
  assert.equal(all[0].qrUrl, `http://scan.test/01/${gtin14}/10/LBL-1`);
  assert.deepEqual((await codes.labelsFor(farmActor, { batchId: b.id, kind: 'item', limit: 2 })).map((l) => l.code), items.slice(0, 2));
  await assert.rejects(codes.labelsFor(await actor(tok.other), { batchId: b.id }), (e: unknown) => e instanceof DomainError && e.kind === 'forbidden');
  await assert.rejects(codes.labelsFor(await actor(tok.printer), { batchId: b.id }), (e: unknown) => e instanceof DomainError && e.kind === 'forbidden');
  await assert.rejects(codes.labelsFor(farmActor, { batchId: b.id, poolId: b.id }), (e: unknown) => e instanceof DomainError && e.code === 'PRINT_SOURCE');
  await assert.rejects(codes.labelsFor(farmActor, { batchId: b.id, limit: 0 }), (e: unknown) => e instanceof DomainError && e.code === 'LIMIT_INVALID');

  const p = await pool(3);
  const pooled = await codes.labelsFor(await actor(tok.printer), { poolId: p.id });
  assert.equal(pooled.length, 3);
  assert.deepEqual({ ...pooled[0], code: '', display: '', qrUrl: '' }, { code: '', display: '', qrUrl: '', productName: '', operatorName: '闽侯县绿野蔬菜专业合作社', lot: null, producedOn: null, kind: 'item' });
  assert.equal(pooled[0].qrUrl, `http://scan.test/t/${pooled[0].code}`);
  assert.deepEqual(await codes.labelsFor(await actor(tok.printer), { poolId: p.id, kind: 'batch' }), []);
  await assert.rejects(codes.labelsFor(await actor(tok.otherPrinter), { poolId: p.id }), (e: unknown) => e instanceof DomainError && e.kind === 'forbidden');
});

test('OPERATOR_NOT_APPROVED: a suspended operator cannot issue, pool, activate or take line codes', async () => {
  const op = await buildOperator(t);
  const b = await buildBatch(t, op);
  const r = await t.call('POST', '/api/v1/code-pools', { as: op.adminToken, body: { ownerOperatorId: op.id, printerOperatorId: printer.id, kind: 'item', size: 2 } });
  assert.equal(r.status, 201);
  const [c] = csvRows((await t.call('GET', `/api/v1/code-pools/${r.body.id}/codes.csv`, { as: op.adminToken })).text).slice(1).map((x) => x[0]);
  await t.call('POST', `/api/v1/operators/${op.id}/review`, { as: tok.admin, body: { action: 'suspend', reason: '整改' } });
  const calls: [string, string, unknown][] = [
    ['POST', `/api/v1/batches/${b.id}/item-codes`, { count: 1 }],
    ['POST', '/api/v1/code-pools', { ownerOperatorId: op.id, printerOperatorId: printer.id, kind: 'item', size: 2 }],
    ['POST', `/api/v1/codes/${c}/activate`, { batchId: b.id }],
    ['POST', `/api/v1/code-pools/${r.body.id}/activate`, { batchId: b.id, count: 1 }],
    ['POST', '/api/v1/line-codes', { requestId: 'r-1', batchId: b.id, count: 1 }],
  ];
  for (const [method, path, body] of calls) {
    const x = await t.call(method, path, { as: op.adminToken, body });
    assert.deepEqual([x.status, x.body.code], [409, 'OPERATOR_NOT_APPROVED'], path);
  }
});
