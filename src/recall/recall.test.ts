import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { SYSTEM_ACTOR } from './recall-types.ts';
import { generateCode } from '../codes/code-scheme.ts';
import { buildChain, buildOperator, buildProduct, buildSite, buildUser, type BuiltChain } from '../../test/builders.ts';

// The chain of test/builders: a farm (闽侯 350121) harvests 1000 kg of 青菜 (H) and ships 800 kg to a processor (鼓楼
// 350102), which makes 1500 袋 of 净菜 (P) and ships them to a market (思明 350203); the market sells 1000 袋 to a
// supermarket (湖里 350206), which sells 2 to consumers. A Fuzhou regulator (350100) covers the first two, a Xiamen
// one (350200) the last two.
let t: TestApp;
let chain: BuiltChain;
let fuzhou: string;
let xiamen: string;
let admin: string;
let incidentId: string;
const notices: Record<'farm' | 'processor' | 'market' | 'supermarket', string> = { farm: '', processor: '', market: '', supermarket: '' };

before(async () => {
  t = await startTestApp();
  admin = await t.adminToken();
  chain = await buildChain(t);
  fuzhou = (await buildUser(t, 'regulator', { jurisdiction: '350100' })).token;
  xiamen = (await buildUser(t, 'regulator', { jurisdiction: '350200' })).token;
});
after(async () => { await t?.close(); });

const api = (method: string, path: string, as: string, body?: unknown) => t.call(method, path, { as, body });
const inc = (path = '') => `/api/v1/incidents/${incidentId}${path}`;
/** Holdings as compact rows: code letter, operator, unit, reached, passed on, sold to consumers, processed, on hand. */
function holdingRows(body: any) {
  const who = (id: string) => (['farm', 'processor', 'market', 'supermarket'] as const).find((k) => chain[k].id === id);
  const code = (c: string) => (c === chain.codes.harvest ? 'H' : c === chain.codes.processed ? 'P' : c);
  return body.holdings.map((h: any) => [code(h.code), who(h.operator.id), h.unit, h.reached, h.passedOn, h.soldToConsumers, h.processed, h.onHand, h.soldOn])
    .sort((a: any[], b: any[]) => `${a[0]}${a[1]}`.localeCompare(`${b[0]}${b[1]}`));
}

test('a regulator opens an incident on the farm batch; one outside the goods\' path is refused', async () => {
  const refused = await api('POST', '/api/v1/incidents', xiamen, { codes: [chain.codes.harvest], reason: 'failed_inspection', severity: 'level_1' });
  assert.deepEqual([refused.status, refused.body.code, refused.body.field], [403, 'OUTSIDE_JURISDICTION', 'codes.0']);
  const unknown = await api('POST', '/api/v1/incidents', fuzhou, { codes: [generateCode('350', 'batch')], reason: 'complaint', severity: 'level_3' });
  assert.deepEqual([unknown.status, unknown.body.code], [404, 'CODE_UNKNOWN']);

  const r = await api('POST', '/api/v1/incidents', fuzhou, {
    codes: [`https://scan.test/t/${chain.codes.harvest}`], reason: 'failed_inspection', severity: 'level_1', description: '抽检农药残留超标',
  });
  assert.equal(r.status, 201, r.text);
  incidentId = r.body.incident.id;
  assert.equal(r.body.created, true);
  const { computedAt, ...size } = r.body.incident.affected;
  assert.deepEqual(
    [r.body.incident.status, r.body.incident.jurisdiction, r.body.incident.escalateAfterMinutes, size],
    ['open', '350100', 24 * 60, { codes: 2, operators: 4, holdings: 5, truncated: false }],
  );
  assert.match(computedAt, /^\d{4}-/);
  const got = await api('GET', inc(), fuzhou);
  assert.deepEqual(got.body.codes, [chain.codes.harvest]);
});

test('the affected set: who holds how much of each downstream code, and whether it was sold on', async () => {
  const r = await api('GET', inc('/affected'), fuzhou);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.body.codes, r.body.operators], [2, 4]);
  assert.deepEqual(holdingRows(r.body), [
    ['H', 'farm', 'kg', '1000', '800', '0', '0', '200', true],
    ['H', 'processor', 'kg', '800', '0', '0', '800', '0', false],
    ['P', 'market', '袋', '1500', '1000', '0', '0', '500', true],
    ['P', 'processor', '袋', '1500', '1500', '0', '0', '0', true],
    ['P', 'supermarket', '袋', '1000', '0', '2', '0', '998', true],
  ]);
  const market = r.body.holdings.find((h: any) => h.operator.id === chain.market.id);
  assert.deepEqual([market.product, market.depth, market.inJurisdiction, market.operator.divisionCode], ['净菜', 1, false, '350203']);
  const log = await t.db.pool.query(`SELECT result_count FROM query_log WHERE kind = 'incident.affected' ORDER BY id DESC LIMIT 1`);
  assert.equal(log.rows[0].result_count, 5, 'reading the affected set is logged');
});

test('impact: quantities and operators by province → city → county, by operator type, and consumer scans by division and day', async () => {
  for (let k = 0; k < 3; k++) assert.equal((await t.call('GET', `/t/${chain.codes.processed}`)).status, 200);
  await t.call('GET', `/t/${chain.codes.harvest}`);
  const r = await api('GET', inc('/impact'), fuzhou);
  assert.equal(r.status, 200, r.text);
  const [province] = r.body.byDivision;
  assert.deepEqual([province.divisionCode, province.name, province.level, province.operators], ['350000', '福建省', 'province', 4]);
  assert.deepEqual(province.totals, [
    { unit: 'kg', reached: '1800', onHand: '200', soldToConsumers: '0' },
    { unit: '袋', reached: '4000', onHand: '1498', soldToConsumers: '2' },
  ]);
  assert.deepEqual(province.children.map((c: any) => [c.divisionCode, c.name, c.operators, c.children.map((x: any) => x.divisionCode)]), [
    ['350100', '福州市', 2, ['350102', '350121']],
    ['350200', '厦门市', 2, ['350203', '350206']],
  ]);
  assert.deepEqual(r.body.byOperatorType.map((x: any) => [x.type, x.operators]), [['processor', 1], ['producer', 1], ['retailer', 1], ['wholesale_market', 1]]);
  // Scans of P count where it was sold to consumers (the supermarket's county); H is sold nowhere, so where it is held.
  assert.equal(r.body.scans.total, 4);
  assert.deepEqual(r.body.scans.byDivisionAndDay.map((s: any) => [s.divisionCode, s.scans]).sort(), [['350121', 1], ['350206', 3]]);
  assert.match(r.body.scans.byDivisionAndDay[0].day, /^\d{4}-\d\d-\d\d$/);
});

test('the consumer page warns while the incident is open: on hold first', async () => {
  const json = await t.call('GET', `/t/${chain.codes.processed}`, { headers: { accept: 'application/json' } });
  assert.equal(json.body.recall.action, 'hold');
  assert.match(json.body.recall.since, /^\d{4}-/);
  const html = await t.call('GET', `/t/${chain.codes.processed}`, { headers: { accept: 'text/html' } });
  assert.match(html.text, /此批次产品正在接受食品安全排查/);
  assert.doesNotMatch(html.text, /本平台登记的有效追溯码/, 'no reassuring check mark next to the warning');
});

test('notices go to the operators of the issuer\'s jurisdiction; the others are listed for hand-over and notified by their regulator', async () => {
  const r = await api('POST', inc('/notices'), fuzhou, { kind: 'recall', message: '请立即下架封存' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.run.status, 'succeeded');
  assert.deepEqual(r.body.run.steps.map((s: any) => [s.name, s.status, s.attempts]), [['refresh_affected', 'done', 1], ['select_recipients', 'done', 1], ['create_notices', 'done', 1]]);
  assert.deepEqual(r.body.handover.map((h: any) => h.operator.id).sort(), [chain.market.id, chain.supermarket.id].sort());

  // The Xiamen regulator sees the incident handed over to it, may notify its own operators, but may not close it.
  assert.equal((await api('GET', inc(), xiamen)).status, 200);
  assert.ok((await api('GET', '/api/v1/incidents', xiamen)).body.items.some((i: any) => i.id === incidentId));
  const x = await api('POST', inc('/notices'), xiamen, { kind: 'recall' });
  assert.equal(x.body.run.status, 'succeeded');
  assert.deepEqual(x.body.handover.map((h: any) => h.operator.id).sort(), [], 'nothing left to hand over from Xiamen');
  assert.equal((await api('POST', inc('/close'), xiamen, { conclusion: 'x' })).status, 403);
  const zhejiang = (await buildUser(t, 'regulator', { jurisdiction: '330000' })).token;
  assert.equal((await api('GET', inc(), zhejiang)).status, 404);

  const list = await api('GET', inc('/notices'), fuzhou);
  for (const n of list.body.notices) notices[(['farm', 'processor', 'market', 'supermarket'] as const).find((k) => chain[k].id === n.operator.id)!] = n.id;
  assert.equal(list.body.notices.length, 4);
  const byIssuer = list.body.notices.map((n: any) => [n.operator.divisionCode.slice(0, 4), n.issuedBy.jurisdiction]).sort();
  assert.deepEqual(byIssuer, [['3501', '350100'], ['3501', '350100'], ['3502', '350200'], ['3502', '350200']]);
  const again = await api('POST', inc('/notices'), fuzhou, { kind: 'recall' });
  assert.equal(again.body.run.status, 'succeeded');
  assert.equal((await api('GET', inc('/notices'), fuzhou)).body.notices.length, 4, 'issuing again sends nobody a second notice');

  const page = await t.call('GET', `/t/${chain.codes.processed}`, { headers: { accept: 'text/html' } });
  assert.match(page.text, /此批次产品正在召回/);
});

test('operators see their own notices only, acknowledge them, and report quantities that become events', async () => {
  const inbox = await api('GET', '/api/v1/inbox', chain.farm.adminToken);
  assert.deepEqual(inbox.body.items.map((n: any) => n.id), [notices.farm]);
  const n = inbox.body.items[0];
  assert.deepEqual([n.kind, n.message, n.incident.reason, n.incident.severity], ['recall', '请立即下架封存', 'failed_inspection', 'level_1']);
  assert.deepEqual(n.lines.map((l: any) => [l.code, l.unit, l.onHand, l.product]), [[chain.codes.harvest, 'kg', '200', '青菜']]);
  assert.equal((await api('GET', `/api/v1/inbox/${notices.farm}`, chain.market.adminToken)).status, 404, "another operator's notice does not exist for it");

  const ack = await api('POST', `/api/v1/inbox/${notices.processor}/ack`, chain.processor.adminToken);
  assert.equal(ack.status, 200, ack.text);
  assert.match(ack.body.acknowledgedAt, /^\d{4}-/);

  const wrong = await api('POST', `/api/v1/inbox/${notices.farm}/responses`, chain.farm.adminToken, { lines: [{ code: chain.codes.processed, action: 'held', quantity: 1 }] });
  assert.deepEqual([wrong.status, wrong.body.code, wrong.body.field], [400, 'CODE_NOT_IN_NOTICE', 'lines.0.code']);
  const body = { requestId: 'farm-1', lines: [{ code: chain.codes.harvest, action: 'destroyed', quantity: 150 }, { code: chain.codes.harvest, action: 'held', quantity: 50 }] };
  const r = await api('POST', `/api/v1/inbox/${notices.farm}/responses`, chain.farm.adminToken, body);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.eventIds.length, 2);
  const events = (await t.db.pool.query(
    `SELECT event_type, action, biz_step, disposition, operator_id, body FROM events WHERE event_id = ANY($1) ORDER BY seq`, [r.body.eventIds])).rows;
  assert.deepEqual(events.map((e) => [e.event_type, e.action, e.biz_step, e.disposition, e.operator_id]), [
    ['ObjectEvent', 'OBSERVE', 'holding', 'non_conformant', chain.farm.id],
    ['ObjectEvent', 'DELETE', 'destroying', 'destroyed', chain.farm.id],
  ]);
  assert.deepEqual(events[1].body.quantityList, [{ epcClass: `urn:suyuan:code:${chain.codes.harvest}`, quantity: 150, uom: 'KGM' }]);
  assert.equal(events[1].body['sy:recall'].noticeId, notices.farm);
  const retry = await api('POST', `/api/v1/inbox/${notices.farm}/responses`, chain.farm.adminToken, body);
  assert.deepEqual([retry.body.replayed, retry.body.eventIds], [true, r.body.eventIds], 'a retried answer stores nothing twice');
  const reordered = await api('POST', `/api/v1/inbox/${notices.farm}/responses`, chain.farm.adminToken, { ...body, lines: [body.lines[1], { ...body.lines[0], quantity: '150.0' }] });
  assert.deepEqual([reordered.status, reordered.body.replayed], [201, true], 'the same lines in another order and notation are the same answer');
  const reused = await api('POST', `/api/v1/inbox/${notices.farm}/responses`, chain.farm.adminToken, { ...body, lines: [{ code: chain.codes.harvest, action: 'destroyed', quantity: 10 }] });
  assert.deepEqual([reused.status, reused.body.code, reused.body.field], [409, 'REQUEST_ID_REUSED', 'requestId']);

  const market = await api('POST', `/api/v1/inbox/${notices.market}/responses`, chain.market.adminToken, { lines: [{ code: chain.codes.processed, action: 'returned', quantity: 500 }] });
  assert.equal(market.status, 201, market.text);
  const ret = (await t.db.pool.query('SELECT biz_step, disposition FROM events WHERE event_id = $1', [market.body.eventIds[0]])).rows[0];
  assert.deepEqual(ret, { biz_step: 'urn:suyuan:bizstep:returning', disposition: 'recalled' });
  assert.equal((await api('POST', `/api/v1/inbox/${notices.supermarket}/responses`, chain.supermarket.adminToken, { lines: [{ code: chain.codes.processed, action: 'held', quantity: 900 }] })).status, 201);
});

test('progress: how much of what should still be at operators is accounted for', async () => {
  const r = await api('GET', inc('/progress'), fuzhou);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.notices, { total: 4, acknowledged: 4, responded: 3, escalated: 0, unanswered: 0 });
  assert.deepEqual(r.body.quantities, [
    { unit: 'kg', reached: '1800', onHand: '200', soldToConsumers: '0', held: '50', returned: '0', destroyed: '150', toAccount: '200', accounted: '200', accountedShare: 1 },
    { unit: '袋', reached: '4000', onHand: '1498', soldToConsumers: '2', held: '900', returned: '500', destroyed: '0', toAccount: '1498', accounted: '1400', accountedShare: 0.9346 },
  ]);
  const n = (await api('GET', inc('/notices'), fuzhou)).body.notices.find((x: any) => x.id === notices.farm);
  assert.deepEqual(n.accounted, [{ action: 'destroyed', unit: 'kg', quantity: '150' }, { action: 'held', unit: 'kg', quantity: '50' }]);

  // The farm destroys the 50 kg it held and says so; a notice run refreshes the affected set, whose on-hand quantity
  // now leaves out what the reported destructions removed. Measured against what the farm was asked about, the
  // share stays whole: neither the held-then-destroyed goods nor the smaller on-hand count twice.
  assert.equal((await api('POST', `/api/v1/inbox/${notices.farm}/responses`, chain.farm.adminToken, { lines: [{ code: chain.codes.harvest, action: 'destroyed', quantity: 50 }] })).status, 201);
  assert.equal((await api('POST', inc('/notices'), fuzhou, { kind: 'recall' })).body.run.status, 'succeeded');
  const after = (await api('GET', inc('/progress'), fuzhou)).body.quantities[0];
  assert.deepEqual(after, { unit: 'kg', reached: '1800', onHand: '0', soldToConsumers: '0', held: '50', returned: '0', destroyed: '200', toAccount: '200', accounted: '200', accountedShare: 1 });
});

test('export: the FSMA 204 sortable spreadsheet has one row per critical tracking event with its key data elements', async () => {
  const started = Date.now();
  const r = await api('GET', inc('/export?format=csv'), fuzhou);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type')!, /^text\/csv/);
  assert.match(r.headers.get('content-disposition')!, /incident-\d+-fsma204\.csv/);
  const rows: Array<Record<string, string>> = parse(r.text, { bom: true, columns: true });
  assert.deepEqual(Object.keys(rows[0]).slice(0, 8), ['Traceability Lot Code', 'Lot Number', 'Product Description', 'Quantity', 'Unit of Measure', 'Critical Tracking Event', 'Event Date', 'Event Time']);
  assert.ok(r.text.includes('\r\n'), 'CRLF lines');
  const cte = (lot: string) => rows.filter((x) => x['Traceability Lot Code'] === lot).map((x) => [x['Critical Tracking Event'], x.Quantity, x['Unit of Measure']]);
  assert.deepEqual(cte(chain.codes.harvest), [
    ['Harvesting', '1000', 'kg'], ['Shipping', '800', 'kg'], ['Receiving', '800', 'kg'], ['Recall Hold', '50', 'kg'], ['Destruction', '150', 'kg'],
    ['Destruction', '50', 'kg'],
  ]);
  assert.deepEqual(cte(chain.codes.processed), [
    ['Transformation', '1500', '袋'], ['Shipping', '1500', '袋'], ['Receiving', '1500', '袋'], ['Shipping', '1000', '袋'], ['Receiving', '1000', '袋'],
    ['Retail Sale', '2', '袋'], ['Recall Return', '500', '袋'], ['Recall Hold', '900', '袋'],
  ]);
  const transformation = rows.find((x) => x['Critical Tracking Event'] === 'Transformation')!;
  assert.equal(transformation['Input Traceability Lot Codes'], chain.codes.harvest);
  assert.match(transformation['Traceability Lot Code Source'], /^鲜切净菜加工厂\d+场所/);
  const sale = rows.find((x) => x['Critical Tracking Event'] === 'Shipping' && x.Quantity === '1000')!;
  assert.equal(sale['Reference Document Type'], 'Invoice');
  assert.match(sale['Reference Document Number'], /^XS-/);
  assert.match(sale['Immediate Subsequent Recipient'], new RegExp(chain.supermarket.uscc));
  const receipt = rows.find((x) => x['Critical Tracking Event'] === 'Receiving' && x.Quantity === '800')!;
  assert.match(receipt['Immediate Previous Source'], new RegExp(chain.farm.uscc));
  assert.match(receipt['Location Identifier'], /^urn:suyuan:site:/);
  assert.match(receipt['Event Time'], /\+08:00$/);

  const x = await fetch(`${t.url}${inc('/export')}`, { headers: { authorization: `Bearer ${fuzhou}` } });
  assert.equal(x.status, 200);
  assert.match(x.headers.get('content-disposition')!, /incident-\d+\.xlsx/);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(await x.arrayBuffer());
  assert.deepEqual(wb.worksheets.map((w) => w.name), [
    '事件 Incident', '受影响 Affected', '可疑来源 Source lots', '可疑主体 Source operators', '影响评估 Impact', '消费者扫码 Scans', '通知 Notices', '进度 Progress', '关键追溯事件 CTEs',
  ]);
  assert.equal(wb.getWorksheet('受影响 Affected')!.rowCount, 6);
  assert.equal(wb.getWorksheet('关键追溯事件 CTEs')!.rowCount, rows.length + 1);
  const reached = [2, 3, 4, 5, 6].map((r) => wb.getWorksheet('受影响 Affected')!.getRow(r).getCell(10).value as number);
  assert.deepEqual(reached.sort((a, b) => a - b), [800, 1000, 1000, 1500, 1500], 'quantities are numbers, so the sheet sorts them');
  assert.ok(Date.now() - started < 5000, 'exports are produced in seconds');
});

test('closing keeps a summary; the consumer warning ends and answers are refused after', async () => {
  const r = await api('POST', inc('/close'), fuzhou, { conclusion: '涉事批次已下架、销毁或封存' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.body.status, r.body.conclusion, r.body.summary.notices.total], ['closed', '涉事批次已下架、销毁或封存', 4]);
  assert.equal((await api('POST', inc('/close'), fuzhou, { conclusion: 'again' })).body.code, 'INCIDENT_CLOSED');
  const json = await t.call('GET', `/t/${chain.codes.processed}`, { headers: { accept: 'application/json' } });
  assert.equal(json.body.recall, undefined);
  const late = await api('POST', `/api/v1/inbox/${notices.processor}/responses`, chain.processor.adminToken, { lines: [{ code: chain.codes.processed, action: 'held', quantity: 1 }] });
  assert.deepEqual([late.status, late.body.code], [409, 'INCIDENT_CLOSED']);
  assert.ok((await api('GET', '/api/v1/incidents?status=closed', admin)).body.items.some((i: any) => i.id === incidentId));
});

test('source candidates: with several problem codes, the upstream batch and operators they share rank first', async () => {
  // A second chain, whose processor also mixes its farm's batch with a second farm's into another product (P2).
  const c = await buildChain(t);
  const farm2 = await buildOperator(t, { division: '350181', types: ['producer'], name: '福清果蔬场' });
  const site2 = await buildSite(t, farm2, { divisionCode: '350181' });
  const product2 = await buildProduct(t, farm2, { unit: 'kg', name: '菠菜' });
  const post = async (as: string, kind: string, body: unknown) => {
    const r = await t.call('POST', `/api/v1/records/${kind}`, { as, body });
    assert.equal(r.status, 201, `${kind}: ${r.text}`);
    return r.body;
  };
  const h2 = (await post(farm2.adminToken, 'harvest', { productId: product2.id, siteId: site2.id, quantity: 300, harvestedOn: '2024-05-02' })).batches[0].batchCode.code;
  await post(farm2.adminToken, 'shipping', { to: { operatorId: c.processor.id }, goods: [{ code: h2, quantity: 300 }] });
  const p2 = (await post(c.processor.adminToken, 'transformation', {
    siteId: c.processor.siteId, kind: 'mixing', inputs: [{ code: c.codes.harvest, quantity: 100 }, { code: h2, quantity: 300 }],
    outputs: [{ productId: c.processor.productId, quantity: 700 }],
  })).batches[0].batchCode.code;

  const opened = await api('POST', '/api/v1/incidents', admin, { codes: [c.codes.processed, p2], reason: 'illness_cluster', severity: 'level_2' });
  assert.equal(opened.status, 201, opened.text);
  assert.equal(opened.body.incident.jurisdiction, '350102', "the platform's incident belongs to the named goods' common division");
  const r = await api('GET', `/api/v1/incidents/${opened.body.incident.id}/sources`, admin);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.batches.map((b: any) => [b.code, b.shared, b.of]), [[c.codes.harvest, 2, 2], [h2, 1, 2]]);
  assert.deepEqual([r.body.batches[0].product, r.body.batches[0].operator.id], ['青菜', c.farm.id]);
  const ops = r.body.operators.map((o: any) => [o.id, o.shared]);
  assert.deepEqual(ops.slice(0, 2).map((o: any) => o[1]), [2, 2]);
  assert.deepEqual(new Set(ops.slice(0, 2).map((o: any) => o[0])), new Set([c.farm.id, c.processor.id]));
  assert.deepEqual(ops.find((o: any) => o[0] === farm2.id), [farm2.id, 1]);
  assert.deepEqual(r.body.operators.find((o: any) => o.id === c.farm.id).parts, ['handler', 'producer']);
});

test('the platform opens an incident from a risk warning once', async () => {
  const first = await t.services.recall.openIncident(SYSTEM_ACTOR, { codes: [chain.codes.harvest], reason: 'failed_inspection', severity: 'level_2', warningId: 'w-1' });
  const second = await t.services.recall.openIncident(SYSTEM_ACTOR, { codes: [chain.codes.harvest], reason: 'failed_inspection', severity: 'level_2', warningId: 'w-1' });
  assert.deepEqual([first.created, second.created, second.incident.id], [true, false, first.incident.id]);
  assert.deepEqual(await t.services.recall.openRecallsFor([chain.codes.processed]).then((rs) => rs.map((x) => [x.incidentId, x.action])), [[first.incident.id, 'hold']]);
});

test('a hold can be followed by a recall: the operators asked to hold get the recall, and the consumer page says so', async () => {
  const own = await buildChain(t);
  const opened = await api('POST', '/api/v1/incidents', fuzhou, { codes: [own.codes.harvest], reason: 'complaint', severity: 'level_2' });
  assert.equal(opened.status, 201, opened.text);
  const id = opened.body.incident.id;
  const kinds = async () => (await api('GET', `/api/v1/incidents/${id}/notices`, fuzhou)).body.notices
    .map((n: any) => [(['farm', 'processor', 'market', 'supermarket'] as const).find((k) => own[k].id === n.operator.id), n.kind]).sort();
  const page = async () => (await t.call('GET', `/t/${own.codes.processed}`, { headers: { accept: 'application/json' } })).body.recall.action;

  assert.equal((await api('POST', `/api/v1/incidents/${id}/notices`, fuzhou, { kind: 'hold' })).body.run.status, 'succeeded');
  // Xiamen's regulator asks its own operators to hold too.
  assert.equal((await api('POST', `/api/v1/incidents/${id}/notices`, xiamen, { kind: 'hold' })).body.run.status, 'succeeded');
  assert.deepEqual(await kinds(), [['farm', 'hold'], ['market', 'hold'], ['processor', 'hold'], ['supermarket', 'hold']]);
  assert.equal(await page(), 'hold');
  const recall = await api('POST', `/api/v1/incidents/${id}/notices`, fuzhou, { kind: 'recall', message: '升级为召回' });
  assert.equal(recall.body.run.status, 'succeeded');
  assert.deepEqual(await kinds(), [['farm', 'hold'], ['farm', 'recall'], ['market', 'hold'], ['processor', 'hold'], ['processor', 'recall'], ['supermarket', 'hold']]);
  assert.equal(await page(), 'recall');
  // Xiamen's operators had the hold but not the recall: they are still Fuzhou's to hand over.
  assert.deepEqual(recall.body.handover.map((h: any) => h.operator.id).sort(), [own.market.id, own.supermarket.id].sort());
  // A hold the recall replaced is no longer counted among the notices still open (nor escalated).
  const progress = (await api('GET', `/api/v1/incidents/${id}/progress`, fuzhou)).body;
  assert.deepEqual([progress.notices.total, progress.notices.unanswered], [4, 4], 'two recalls in Fuzhou and two holds in Xiamen');
  // A hold after the recall asks less than the operators already have: nobody gets it.
  assert.equal((await api('POST', `/api/v1/incidents/${id}/notices`, fuzhou, { kind: 'hold' })).body.run.status, 'succeeded');
  assert.equal((await kinds()).length, 6);
  const inbox = await t.call('GET', '/api/v1/inbox', { as: own.farm.adminToken });
  assert.deepEqual(inbox.body.items.filter((n: any) => n.incident.id === id).map((n: any) => n.kind).sort(), ['hold', 'recall']);
});

test('item codes of an affected batch that moved on their own are followed, and their pages warn too', async () => {
  const farm = await buildOperator(t, { division: '350121', types: ['producer'] });
  const site = await buildSite(t, farm, { divisionCode: '350121' });
  const product = await buildProduct(t, farm, { unit: '箱' });
  const shop = await buildOperator(t, { division: '350102', types: ['retailer'] });
  const harvest = await t.call('POST', '/api/v1/records/harvest', { as: farm.adminToken, body: { productId: product.id, siteId: site.id, quantity: 10, harvestedOn: '2024-05-01' } });
  const batch = harvest.body.batches[0];
  const items: string[] = (await t.call('POST', `/api/v1/batches/${batch.id}/item-codes`, { as: farm.adminToken, body: { count: 3 } })).body.codes;
  assert.equal((await t.call('POST', '/api/v1/records/shipping', { as: farm.adminToken, body: { to: { operatorId: shop.id }, goods: [{ code: items[0] }, { code: items[1] }] } })).status, 201);
  assert.equal((await t.call('POST', '/api/v1/records/sale', { as: shop.adminToken, body: { goods: [{ code: items[0] }] } })).status, 201);

  const opened = await api('POST', '/api/v1/incidents', fuzhou, { codes: [batch.batchCode.code], reason: 'complaint', severity: 'level_3' });
  assert.equal(opened.status, 201, opened.text);
  const affected = await api('GET', `/api/v1/incidents/${opened.body.incident.id}/affected`, fuzhou);
  const atShop = affected.body.holdings.filter((h: any) => h.operator.id === shop.id).map((h: any) => [h.code, h.kind, h.unit, h.reached, h.soldToConsumers, h.onHand]);
  assert.deepEqual(atShop.sort(), [[items[0], 'item', '件', '1', '1', '0'], [items[1], 'item', '件', '1', '0', '1']].sort());
  const page = await t.call('GET', `/t/${items[2]}`, { headers: { accept: 'application/json' } });
  assert.equal(page.body.recall.action, 'hold', 'an item that never moved is covered through its batch');

  // Consumer scans keep the lot they resolved, and each counts once in the impact (the moved item is affected and of
  // an affected lot: it used to count twice). Which code each counts for is checked in recall-scale.test.ts.
  await t.call('GET', `/t/${items[2]}`);
  await t.call('GET', `/t/${items[0]}`);
  await t.call('GET', `/t/${batch.batchCode.code}`);
  const logged = (await t.db.pool.query<{ code: string; batch_id: string }>('SELECT code, batch_id FROM scans WHERE code = ANY($1)', [[items[0], items[2], batch.batchCode.code]])).rows;
  assert.equal(logged.length, 4);
  assert.ok(logged.every((r) => r.batch_id === batch.id), 'every scan logged with its lot');
  const impact = await api('GET', `/api/v1/incidents/${opened.body.incident.id}/impact`, fuzhou);
  assert.equal(impact.body.scans.total, 4);
});
