import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { buildBatch, buildOperator, buildProduct, buildSite, type BuiltOperator } from '../../test/builders.ts';
import type { BatchView } from '../batches/batches-service.ts';
import { gs1CheckDigit } from '../catalog/gtin.ts';
import { CODE_ALPHABET, formatCode, generateCode } from '../codes/code-scheme.ts';
import { captureInTx } from '../events/events-service.ts';
import { codeUri, partyUri, siteUri, type EpcisEvent } from '../events/events-fns.ts';

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const JSON_ACCEPT = 'application/json';
const SY = { namespaces: { sy: 'https://suyuan.dev/ns/epcis/' } };

let t: TestApp;
let farm: BuiltOperator;
let wholesaler: BuiltOperator;
let buyer: BuiltOperator;
let processor: BuiltOperator;
let gtin14: string;
let batch: BatchView;
let processed: BatchView;
let processedItem: string;
let items: string[];

/** Things a consumer must never see, whatever page or JSON it gets. */
const SECRETS = {
  buyerName: '思明区好邻居生鲜超市', wholesalerName: '厦门鹭江果蔬批发有限公司', farmName: '闽侯县绿野蔬菜专业合作社',
  batchQuantity: '98765', shipped: '4321.5', sold: '1234.5', price: '87.65', invoice: 'INV-555', vehicle: '闽A·12345',
  lab: '闽侯县农产品检测站', privateInspection: '企业内部自检', privateReport: 'SECRET-77', marketCert: '入场查验证明',
};

const typo = (code: string) => code.slice(0, 6) + CODE_ALPHABET[(CODE_ALPHABET.indexOf(code[6]) + 1) % 31] + code.slice(7);
const get = (path: string, accept: string, headers: Record<string, string> = {}) => t.call('GET', path, { headers: { accept, ...headers } });
const itemCodes = async (b: { id: string }, count: number, owner = farm): Promise<string[]> => {
  const r = await t.call('POST', `/api/v1/batches/${b.id}/item-codes`, { as: owner.adminToken, body: { count } });
  assert.equal(r.status, 201, r.text);
  return r.body.codes;
};

/** Records events as the operator would, through the shared capture path. */
async function record(op: BuiltOperator, events: EpcisEvent[]) {
  const actor = await t.services.accounts.actorFromToken(op.adminToken);
  const r = await t.db.tx((q) => captureInTx(q, actor, { events, source: 'native', errorBehaviour: 'rollback', context: SY }));
  assert.equal(r.stored.length, events.length, JSON.stringify(r));
}

const base = (time: string, extra: EpcisEvent): EpcisEvent => ({
  type: 'ObjectEvent', action: 'OBSERVE', eventTime: time, eventTimeZoneOffset: '+08:00', ...extra,
});
const qty = (code: string, quantity: number) => [{ epcClass: codeUri(code), quantity, uom: 'KGM' }];
const party = (op: BuiltOperator) => [{ type: 'urn:epcglobal:cbv:sdt:owning_party', source: partyUri(op.uscc) }];
const toParty = (op: BuiltOperator) => [{ type: 'urn:epcglobal:cbv:sdt:owning_party', destination: partyUri(op.uscc) }];

before(async () => {
  t = await startTestApp();
  farm = await buildOperator(t, { division: '350121', name: SECRETS.farmName });
  wholesaler = await buildOperator(t, { division: '350203', name: SECRETS.wholesalerName, types: ['wholesale_market'] });
  buyer = await buildOperator(t, { division: '350203', name: SECRETS.buyerName, types: ['retailer'] });
  processor = await buildOperator(t, { division: '350102', name: '榕城净菜加工有限公司', types: ['processor'] });
  const gtinBody = `690${String(Date.now() % 1e9).padStart(9, '0')}`;
  const product = await buildProduct(t, farm, { name: '有机上海青', gtin: gtinBody + gs1CheckDigit(gtinBody), shelfLifeDays: 5 });
  gtin14 = product.gtin!;
  const site = await buildSite(t, farm, { name: '上街镇基地', divisionCode: '350121' });
  batch = await buildBatch(t, farm, { productId: product.id, siteId: site.id, lotNumber: 'L20240501', quantity: 98765.4 });
  items = await itemCodes(batch, 8);
  const stall = await buildSite(t, wholesaler, { name: '鹭江市场 A 区 12 号', kind: 'stall', divisionCode: '350203' });
  const code = batch.batchCode!.code;

  // POST /batches commissioned the batch (production, dated by its producedOn); the rest as docs/events.md shapes it.
  await record(farm, [
    base('2024-05-01T02:00:00Z', { bizStep: 'inspecting', disposition: 'conformant', quantityList: [{ epcClass: codeUri(code) }], 'sy:record': 'inspection',
      'sy:inspection': { kind: 'rapid_test', lab: SECRETS.lab, items: [{ name: '毒死蜱', value: '0.01', limit: '0.1', unit: 'mg/kg', result: 'pass' }], result: 'pass', reportNo: 'MH-2024-0501', public: true } }),
    base('2024-05-01T03:00:00Z', { bizStep: 'inspecting', disposition: 'conformant', quantityList: [{ epcClass: codeUri(code) }], 'sy:record': 'inspection',
      'sy:inspection': { kind: SECRETS.privateInspection, lab: SECRETS.lab, items: [{ name: '铅', result: 'pass' }], result: 'pass', reportNo: SECRETS.privateReport, public: false } }),
    base('2024-05-01T04:00:00Z', { bizStep: 'urn:suyuan:bizstep:certifying', quantityList: [{ epcClass: codeUri(code) }], 'sy:record': 'certificate',
      certificationInfo: ['urn:suyuan:cert:commitment:CN-350121-0001'],
      'sy:certificates': [{ type: 'commitment', number: 'CN-350121-0001', issuer: '闽侯县绿野蔬菜专业合作社', issuedOn: '2024-05-01' }] }),
    base('2024-05-02T00:00:00Z', { bizStep: 'urn:epcglobal:cbv:bizstep:shipping', disposition: 'urn:epcglobal:cbv:disp:in_transit', quantityList: qty(code, 4321.5),
      sourceList: party(farm), destinationList: toParty(wholesaler), 'sy:record': 'shipping', 'sy:vehicle': SECRETS.vehicle }),
    base('2024-05-02T00:10:00Z', { bizStep: 'urn:epcglobal:cbv:bizstep:shipping', disposition: 'urn:epcglobal:cbv:disp:in_transit', quantityList: qty(code, 500),
      sourceList: party(farm), destinationList: toParty(processor), 'sy:record': 'shipping' }),
  ]);
  await record(wholesaler, [
    base('2024-05-02T06:00:00Z', { bizStep: 'urn:epcglobal:cbv:bizstep:receiving', disposition: 'urn:epcglobal:cbv:disp:in_progress', quantityList: qty(code, 4321.5),
      bizLocation: { id: siteUri(stall.id) }, sourceList: party(farm), destinationList: toParty(wholesaler), 'sy:record': 'receiving',
      certificationInfo: [`urn:suyuan:cert:${SECRETS.marketCert}:M-1`], 'sy:certificates': [{ type: SECRETS.marketCert, number: 'M-1', issuer: SECRETS.wholesalerName }] }),
    { type: 'TransactionEvent', action: 'ADD', eventTime: '2024-05-03T01:00:00Z', eventTimeZoneOffset: '+08:00', bizStep: 'urn:suyuan:bizstep:selling',
      disposition: 'urn:epcglobal:cbv:disp:in_transit', bizTransactionList: [{ type: 'urn:epcglobal:cbv:btt:inv', bizTransaction: `urn:suyuan:inv:${SECRETS.invoice}` }],
      quantityList: qty(code, 1234.5), sourceList: party(wholesaler), destinationList: toParty(buyer), 'sy:record': 'sale', 'sy:price': { amount: 87.65, currency: 'CNY' } },
  ]);

  // The processor turns part of the farm's batch into a new product whose packs carry new item codes.
  const plant = await buildSite(t, processor, { name: '仓山净菜车间', kind: 'plant', divisionCode: '350104' });
  const salad = await buildProduct(t, processor, { name: '净菜沙拉' });
  processed = await buildBatch(t, processor, { productId: salad.id, siteId: plant.id, lotNumber: 'P-0503', quantity: 321, producedOn: '2024-05-03' });
  [processedItem] = await itemCodes(processed, 1, processor);
  await record(processor, [{
    type: 'TransformationEvent', eventTime: '2024-05-03T02:00:00Z', eventTimeZoneOffset: '+08:00', bizStep: 'commissioning',
    disposition: 'active', inputQuantityList: qty(code, 500), outputEPCList: [codeUri(processedItem)],
    bizLocation: { id: siteUri(plant.id) }, 'sy:record': 'transformation',
  }]);
});
after(async () => { await t.close(); });

/** Asserts that none of the secrets appears anywhere in a response. */
function assertOriginOnly(text: string, what: string, allow: string[] = []) {
  for (const [name, secret] of Object.entries(SECRETS)) {
    if (!allow.includes(name)) assert.ok(!text.includes(secret), `${what}: ${name} (${secret}) must not appear`);
  }
  assert.ok(!/quantit|price|lotNumber|vehicle|counterpart|invoice/i.test(text), `${what}: no quantity, price, lot or party fields`);
}

test('HTML for browsers, JSON for Accept: application/json; Chinese first with an English switch', async () => {
  const item = items[0];
  const html = await get(`/t/${item}`, BROWSER);
  assert.equal(html.status, 200);
  assert.match(html.headers.get('content-type')!, /^text\/html; charset=utf-8/);
  assert.match(html.headers.get('vary')!, /Accept, Accept-Language/);
  assert.match(html.headers.get('content-security-policy')!, /default-src 'none'/);
  assert.match(html.text, /^<!doctype html><html lang="zh-CN">/);
  for (const s of ['有机上海青', '闽侯县绿野蔬菜专业合作社', '上街镇基地', '福建省 福州市 闽侯县', '2024-05-01', '2024-05-06', formatCode(item), 'href="?lang=en"'])
    assert.ok(html.text.includes(s), s);
  assert.ok(!/(?:src|href|action)="(?:https?:)?\/\//.test(html.text), 'no external resources or links');
  assert.ok(!/<(?:link|img|iframe)\b/.test(html.text));
  const bytes = Buffer.byteLength(html.text);
  assert.ok(bytes < 30_000, `page weight ${bytes} bytes`);
  console.log(`scan page: ${bytes} bytes of HTML with inline CSS and script`);

  const en = await get(`/t/${item}?lang=en`, BROWSER);
  assert.match(en.text, /<html lang="en">/);
  assert.ok(en.text.includes('From farm to here') && en.text.includes('href="?lang=zh"'));
  assert.match((await get(`/t/${item}`, BROWSER, { 'accept-language': 'en-GB,en;q=0.9' })).text, /<html lang="en">/);
  assert.match((await get(`/t/${item}`, BROWSER, { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' })).text, /<html lang="zh-CN">/);

  const json = await get(`/t/${item}`, JSON_ACCEPT);
  assert.equal(json.status, 200);
  assert.match(json.headers.get('content-type')!, /application\/json/);
  assert.deepEqual(Object.keys(json.body).sort(), [
    'certificates', 'code', 'expiresOn', 'inputOrigins', 'inspections', 'kind', 'origin', 'producedOn', 'producer', 'product', 'scanId',
    'status', 'suspectedClone', 'timeline', 'voidedAt',
  ]);
  assert.deepEqual(
    { ...json.body, scanId: undefined, inspections: undefined, certificates: undefined, timeline: undefined },
    {
      code: item, kind: 'item', status: 'active', voidedAt: null, product: { name: '有机上海青', spec: '500g/袋' }, producer: { name: '闽侯县绿野蔬菜专业合作社' },
      origin: { site: '上街镇基地', divisionCode: '350121', division: '福建省 福州市 闽侯县', point: null }, producedOn: '2024-05-01', expiresOn: '2024-05-06',
      inputOrigins: [], suspectedClone: null, scanId: undefined, inspections: undefined, certificates: undefined, timeline: undefined,
    },
  );
  // API clients that send no particular Accept (curl, fetch) keep getting JSON.
  assert.equal((await get(`/t/${item}`, '*/*')).body.code, item);
});

test('consumers see origin information only: no quantities, prices, customers or other operators\' names', async () => {
  const item = items[1];
  const code = batch.batchCode!.code;
  const paths = [`/t/${item}`, `/t/${code}`, `/01/${gtin14}/10/L20240501`, `/01/${gtin14}/21/${item}`, `/t/${code}?lang=en`];
  for (const path of paths) {
    for (const accept of [BROWSER, JSON_ACCEPT]) {
      const r = await get(path, accept);
      assert.equal(r.status, 200, `${path} ${r.text}`);
      assertOriginOnly(r.text, `${path} as ${accept}`, ['farmName']);
    }
  }
  const j = (await get(`/t/${code}`, JSON_ACCEPT)).body;
  assert.deepEqual(j.inspections, [{
    date: '2024-05-01', kind: 'rapid_test', result: 'pass', items: [{ name: '毒死蜱', result: 'pass', value: '0.01 mg/kg', limit: '0.1 mg/kg' }],
    reportNo: 'MH-2024-0501', divisionCode: '350121', division: '福建省 福州市 闽侯县',
  }]);
  assert.deepEqual(j.certificates, [{ type: 'commitment', number: 'CN-350121-0001', issuer: '闽侯县绿野蔬菜专业合作社', issuedOn: '2024-05-01', uri: null }]);
  assert.deepEqual(j.timeline.map((s: any) => [s.date, s.step, s.place, s.divisionCode]), [
    ['2024-05-01', 'produced', null, '350121'], ['2024-05-02', 'shipped', null, '350121'],
    ['2024-05-02', 'arrived', 'stall', '350203'], ['2024-05-03', 'sold', null, '350203'],
  ]);
  const html = (await get(`/t/${code}`, BROWSER)).text;
  for (const s of ['快速检测', '合格', '毒死蜱 0.01 mg/kg（限量 0.1 mg/kg）：合格', '承诺达标合格证', '生产', '发货运输', '到达市场', '批发销售', '福建省 厦门市 思明区'])
    assert.ok(html.includes(s), s);
});

test('public vs non-public inspections: only those marked public reach the consumer', async () => {
  for (const accept of [BROWSER, JSON_ACCEPT]) {
    const r = await get(`/t/${items[2]}`, accept);
    assert.ok(r.text.includes('MH-2024-0501'), 'the public one');
    assert.ok(!r.text.includes(SECRETS.privateInspection) && !r.text.includes(SECRETS.privateReport), 'not the private one');
  }
});

test('a processed product: the processor is the producer; inputs by division only', async () => {
  const r = await get(`/t/${processedItem}`, JSON_ACCEPT);
  assert.equal(r.status, 200);
  assert.deepEqual([r.body.producer.name, r.body.origin.division], ['榕城净菜加工有限公司', '福建省 福州市 仓山区']);
  assert.deepEqual(r.body.inputOrigins, [{ divisionCode: '350121', division: '福建省 福州市 闽侯县' }]);
  // POST /batches commissioned the processed batch too ('produced'); the transformation made this pack ('processed').
  assert.deepEqual(r.body.timeline.map((s: any) => [s.step, s.date, s.divisionCode]),
    [['raw_material', '2024-05-01', '350121'], ['produced', '2024-05-03', '350104'], ['processed', '2024-05-03', '350104']]);
  assert.deepEqual(r.body.inspections, [], 'the inputs\' inspections belong to the inputs');
  const html = await get(`/t/${processedItem}`, BROWSER);
  assert.ok(html.text.includes('原料产地') && html.text.includes('原料生产') && html.text.includes('加工'));
  for (const text of [r.text, html.text]) assertOriginOnly(text, 'processed product');
});

test('void, unknown, other node\'s and mistyped codes say so', async () => {
  const voided = items[3];
  assert.equal((await t.call('POST', `/api/v1/codes/${voided}/void`, { as: farm.adminToken, body: { reason: '标签破损' } })).status, 200);
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  const v = await get(`/t/${voided}`, BROWSER);
  assert.equal(v.status, 200);
  assert.ok(v.text.includes(`此码已作废（${today}）`), v.text);
  assert.ok(!v.text.includes('快速检测') && !v.text.includes('<script>'), 'a void label shows no inspections and asks for no location');
  const vj = await get(`/t/${voided}`, JSON_ACCEPT);
  assert.deepEqual([vj.body.status, vj.body.inspections, vj.body.timeline, vj.body.product.name], ['void', [], [], '有机上海青']);
  assert.ok(vj.body.voidedAt.startsWith(new Date().toISOString().slice(0, 4)));
  assert.match((await get(`/t/${voided}?lang=en`, BROWSER)).text, /This code was voided \(\d{4}-\d{2}-\d{2}\)/);

  const pool = await t.call('POST', '/api/v1/code-pools', { as: farm.adminToken, body: { ownerOperatorId: farm.id, kind: 'item', size: 1 } });
  const pooled = (await t.call('GET', `/api/v1/code-pools/${pool.body.id}/codes.csv`, { as: farm.adminToken })).text.split('\r\n')[1].split(',')[0];
  const fresh = await get(`/t/${pooled}`, JSON_ACCEPT);
  assert.deepEqual([fresh.body.status, fresh.body.product, fresh.body.producer.name, fresh.body.timeline], ['unassigned', null, SECRETS.farmName, []]);
  assert.ok((await get(`/t/${pooled}`, BROWSER)).text.includes('此码尚未启用'));

  const unknown = generateCode('350', 'item');
  const u = await get(`/t/${unknown}`, BROWSER);
  assert.equal(u.status, 404);
  assert.ok(u.text.includes('未查到此码') && u.text.includes('请核对标签上印的'), u.text);
  const uj = await get(`/t/${unknown}`, JSON_ACCEPT);
  assert.deepEqual([uj.status, uj.body.code, uj.body.traceCode], [404, 'CODE_UNKNOWN', unknown]);
  assert.equal((await get(`/01/${gtin14}/10/NOPE`, BROWSER)).status, 404);

  const foreign = generateCode('591', 'batch');
  const f = await get(`/t/${foreign}`, BROWSER);
  assert.equal(f.status, 404);
  assert.ok(f.text.includes('此码由其他平台签发') && f.text.includes('平台节点 591 签发'), f.text);
  const fj = await get(`/t/${foreign}`, JSON_ACCEPT);
  assert.deepEqual([fj.status, fj.body.code, fj.body.issuedBy, fj.body.traceCode], [404, 'CODE_OTHER_NODE', '591', foreign]);

  for (const [path, code, says] of [
    [`/t/${typo(items[0])}`, 'CODE_CHECKSUM', '校验位不符'], ['/t/not-a-code', 'CODE_FORMAT', '16 位'],
    [`/01/${gtin14.slice(0, 13)}${(Number(gtin14[13]) + 1) % 10}/10/L20240501`, 'GTIN_CHECKSUM', '商品条码'],
    [`/01/${gtin14}/21/${typo(items[0])}`, 'CODE_CHECKSUM', '校验位不符'],
  ]) {
    const h = await get(path, BROWSER);
    assert.equal(h.status, 400, path);
    assert.ok(h.text.includes('追溯码可能输错了') && h.text.includes(says), `${path}: ${h.text}`);
    const j = await get(path, JSON_ACCEPT);
    assert.deepEqual([j.status, j.body.code], [400, code], path);
  }
  assert.match((await get('/t/not-a-code?lang=en', BROWSER)).text, /The code was probably mistyped/);
});

test('Digital Links resolve to the same record as the trace code', async () => {
  const item = items[4];
  const strip = (b: any) => ({ ...b, scanId: undefined });
  const byCode = await get(`/t/${item}`, JSON_ACCEPT);
  const bySerial = await get(`/01/${gtin14}/21/${item}`, JSON_ACCEPT);
  const shortGtin = await get(`/01/${gtin14.slice(1)}/21/${item}?linkType=gs1:traceability`, JSON_ACCEPT);
  assert.deepEqual(strip(bySerial.body), strip(byCode.body));
  assert.deepEqual(strip(shortGtin.body), strip(byCode.body));
  const byBatchCode = await get(`/t/${batch.batchCode!.code}`, JSON_ACCEPT);
  const byLot = await get(`/01/${gtin14}/10/L20240501`, JSON_ACCEPT);
  assert.deepEqual(strip(byLot.body), { ...strip(byBatchCode.body), code: null });
  const spaced = await get(`/t/${formatCode(item).toLowerCase().replace(/ /g, '%20')}`, JSON_ACCEPT);
  assert.equal(spaced.body.code, item);
  await buildBatch(t, farm, { productId: batch.productId, lotNumber: 'A/B', producedOn: '2024-05-09' });
  const slash = await get(`/01/${gtin14}/10/A%2FB`, JSON_ACCEPT);
  assert.deepEqual([slash.status, slash.body.producedOn], [200, '2024-05-09'], 'a lot with a slash');
  assert.equal((await get(`/01/09506000134352/21/${item}`, JSON_ACCEPT)).status, 404, 'a serial under another GTIN');
  const html = await get(`/01/${gtin14}/10/L20240501`, BROWSER);
  assert.ok(html.text.includes('批次（GS1 数字链接）') && html.text.includes('有机上海青'));
});

test('every scan is logged with hashed user agent and IP prefix; the page may add a coarse location once', async () => {
  const ua = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) TestBrowser/1.0';
  const item = items[5];
  const r = await get(`/t/${item}`, JSON_ACCEPT, { 'user-agent': ua, 'x-forwarded-for': '203.0.113.77' });
  const salt = (await t.db.pool.query(`SELECT value FROM node_settings WHERE key = 'scan.salt'`)).rows[0].value;
  const sha = (v: string) => createHash('sha256').update(`${salt}\u0000${v}`).digest('hex');
  const row = (await t.db.pool.query('SELECT * FROM scans WHERE id = $1', [r.body.scanId])).rows[0];
  assert.deepEqual([row.code, row.result, row.ua_hash, row.ip_hash, row.lat], [item, 'active', sha(ua), sha('203.0.113.0/24'), null]);
  assert.ok(!JSON.stringify(row).includes('TestBrowser') && !JSON.stringify(row).includes('203.0.113'), 'nothing in clear');

  const loc = await t.call('POST', `/scans/${r.body.scanId}/location`, { body: { lat: 26.0749, lng: 119.2963 } });
  assert.deepEqual([loc.status, loc.body], [200, { suspectedClone: null }]);
  const located = (await t.db.pool.query('SELECT lat, lng, located_at FROM scans WHERE id = $1', [r.body.scanId])).rows[0];
  assert.deepEqual([located.lat, located.lng, !!located.located_at], ['26.1', '119.3', true]);
  const again = await t.call('POST', `/scans/${r.body.scanId}/location`, { body: { lat: 39.9, lng: 116.4 } });
  assert.deepEqual([again.status, again.body.code], [404, 'SCAN_NOT_FOUND'], 'a location is attached once');
  assert.equal((await t.call('POST', `/scans/${r.body.scanId}/location`, { body: { lat: 91, lng: 0 } })).status, 400);

  // Every outcome is logged, the HTML page's scans as well.
  await get(`/t/${item}`, BROWSER);
  await get('/t/not-a-code', BROWSER);
  await get(`/t/${generateCode('591', 'item')}`, JSON_ACCEPT);
  await get(`/01/${gtin14}/10/L20240501`, JSON_ACCEPT);
  const log = (await t.db.pool.query(`SELECT code, result FROM scans WHERE code = ANY($1) OR result IN ('malformed', 'other_node') ORDER BY at`,
    [[item, `01/${gtin14}/10/L20240501`]])).rows;
  assert.deepEqual(log.filter((x) => x.code === item).map((x) => x.result), ['active', 'active']);
  assert.ok(log.some((x) => x.result === 'malformed' && x.code === 'not-a-code'));
  assert.ok(log.some((x) => x.result === 'other_node' && x.code.startsWith('591')));
  assert.ok(log.some((x) => x.result === 'active' && x.code === `01/${gtin14}/10/L20240501`));
  const html = (await get(`/t/${item}`, BROWSER)).text;
  assert.match(html, /<button type="button" id="loc" hidden data-url="\/scans\/[0-9a-f-]{36}\/location"/);
});

test('suspected clone: an item code scanned in Fuzhou and in Beijing within the hour is flagged; a batch code never', async () => {
  const item = items[6];
  const scanFrom = async (code: string, ua: string, lat: number, lng: number) => {
    const r = await get(`/t/${code}`, JSON_ACCEPT, { 'user-agent': ua });
    assert.equal(r.status, 200);
    return (await t.call('POST', `/scans/${r.body.scanId}/location`, { body: { lat, lng } })).body;
  };
  assert.deepEqual(await scanFrom(item, 'phone-in-fuzhou', 26.08, 119.3), { suspectedClone: null });
  const flagged = await scanFrom(item, 'phone-in-beijing', 39.9, 116.4);
  assert.equal(flagged.suspectedClone.reason, 'far_apart');
  const next = await get(`/t/${item}`, JSON_ACCEPT);
  assert.deepEqual(next.body.suspectedClone, flagged.suspectedClone);
  const page = await get(`/t/${item}`, BROWSER);
  assert.ok(page.text.includes('此码在短时间内于相距很远的两地被扫描') && page.text.includes('role="alert"'));
  assert.ok(!page.text.includes('本平台登记的有效追溯码'), 'a suspected clone is not called valid');

  const code = batch.batchCode!.code;
  await scanFrom(code, 'phone-in-fuzhou', 26.08, 119.3);
  assert.deepEqual(await scanFrom(code, 'phone-in-beijing', 39.9, 116.4), { suspectedClone: null }, 'batch codes are scanned by many people');
  assert.equal((await get(`/t/${code}`, JSON_ACCEPT)).body.suspectedClone, null);
  assert.equal((await get(`/t/${items[7]}`, JSON_ACCEPT)).body.suspectedClone, null, 'another item of the batch is not affected');
});
