import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { buildBatch, buildChain, buildOperator, buildProduct, buildSite, buildUser, type BuiltChain, type ChainOperator } from '../../test/builders.ts';
import { generateCode } from '../codes/code-scheme.ts';

let t: TestApp;
let chain: BuiltChain;
before(async () => {
  t = await startTestApp();
  chain = await buildChain(t);
});
after(async () => { await t.close(); });

const record = (as: string | undefined, kind: string, body: unknown) => t.call('POST', `/api/v1/records/${kind}`, { as, body });
/** The stored row of an event, with the identifiers it is indexed by. */
async function stored(seq: string) {
  const e = (await t.db.pool.query('SELECT * FROM events WHERE seq = $1', [seq])).rows[0];
  const ids = (await t.db.pool.query('SELECT key, role FROM event_ids WHERE seq = $1 ORDER BY role, key', [seq])).rows.map((r) => `${r.role}:${r.key}`);
  return { ...e, ids };
}
const count = async (table: string) => Number((await t.db.pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
/** A fresh operator with a product, a site and a 100 kg batch of its own. */
async function grower(division = '350121') {
  const o = await buildOperator(t, { division });
  const product = await buildProduct(t, o, { unit: 'kg' });
  const site = await buildSite(t, o, { divisionCode: division });
  const batch = await buildBatch(t, o, { productId: product.id, siteId: site.id, quantity: 100 });
  return { ...o, divisionCode: division, productId: product.id, siteId: site.id, batch, code: batch.batchCode!.code };
}

test('the chain: every step is stored as its EPCIS event with the attribution the visibility rule reads', async () => {
  const { farm, processor, market, supermarket, codes, events } = chain;
  const expect: Array<[keyof BuiltChain['events'], string, string | null, string, string | null, ChainOperator, ChainOperator | null]> = [
    ['harvest', 'ObjectEvent', 'ADD', 'commissioning', 'active', farm, null],
    ['farmShipping', 'ObjectEvent', 'OBSERVE', 'shipping', 'in_transit', farm, processor],
    ['processorReceiving', 'ObjectEvent', 'OBSERVE', 'receiving', 'in_progress', processor, farm],
    ['transformation', 'TransformationEvent', null, 'commissioning', 'active', processor, null],
    ['processorShipping', 'ObjectEvent', 'OBSERVE', 'shipping', 'in_transit', processor, market],
    ['marketReceiving', 'ObjectEvent', 'OBSERVE', 'receiving', 'in_progress', market, processor],
    ['marketSale', 'TransactionEvent', 'ADD', 'urn:suyuan:bizstep:selling', 'in_transit', market, supermarket],
    ['supermarketReceiving', 'ObjectEvent', 'OBSERVE', 'receiving', 'in_progress', supermarket, market],
    ['retailSale', 'TransactionEvent', 'ADD', 'retail_selling', 'retail_sold', supermarket, null],
  ];
  for (const [name, type, action, bizStep, disposition, who, other] of expect) {
    const e = await stored(events[name].seq);
    assert.deepEqual(
      [e.event_type, e.action, e.biz_step, e.disposition, e.source, e.operator_id, e.counterparty_id, e.division_code],
      [type, action, bizStep, disposition, 'native', who.id, other?.id ?? null, who.divisionCode], name,
    );
    assert.equal(e.hash_id, events[name].hashId);
    assert.equal(e.event_id, events[name].eventId, 'eventID defaults to the hash ID');
    assert.equal(e.biz_location, `urn:suyuan:site:${who.siteId}`);
  }
  assert.deepEqual((await stored(events.harvest.seq)).ids, [`q:${codes.harvest}`]);
  assert.deepEqual((await stored(events.transformation.seq)).ids, [`j:${codes.harvest}`, `k:${codes.processed}`]);
  const shipping = await stored(events.farmShipping.seq);
  assert.deepEqual(shipping.body.quantityList, [{ epcClass: `urn:suyuan:code:${codes.harvest}`, quantity: 800, uom: 'KGM' }]);
  assert.deepEqual(shipping.body.destinationList, [{ type: 'owning_party', destination: `urn:suyuan:party:${processor.uscc}` }]);
  assert.equal(shipping.body['sy:certificates'][0].type, 'commitment');
  assert.equal((await stored(events.processorReceiving.seq)).body['sy:entryAdmission'].invoices[0].number.startsWith('FP-'), true);
  const harvest = await stored(events.harvest.seq);
  assert.equal(harvest.body['sy:record'], 'harvest');
  assert.equal(harvest.body.ilmd['cbvmda:lotNumber'].startsWith('QC-'), true);
  assert.equal(harvest.body.ilmd['cbvmda:itemExpirationDate'], '2024-05-06', 'product shelf life of 5 days');
  // The output is a new batch of the processor, with a new code, produced at its plant.
  const out = (await t.db.pool.query('SELECT b.operator_id, b.quantity, b.unit, c.code FROM batches b JOIN codes c ON c.batch_id = b.id WHERE b.id = $1', [chain.batches.processed])).rows[0];
  assert.deepEqual([out.operator_id, out.quantity, out.unit, out.code], [processor.id, '1500.000', '袋', codes.processed]);
  assert.notEqual(codes.processed, codes.harvest);
});

test('POST /batches and harvest both commission the batch in the same transaction; outputs are commissioned by their transformation', async () => {
  const g = await grower();
  const e = (await t.db.pool.query(`SELECT e.* FROM events e JOIN event_ids i ON i.seq = e.seq WHERE i.key = $1`, [g.code])).rows;
  assert.equal(e.length, 1);
  assert.deepEqual([e[0].biz_step, e[0].action, e[0].body['sy:record'], e[0].operator_id, e[0].counterparty_id], ['commissioning', 'ADD', 'production', g.id, null]);
  assert.equal(e[0].event_time.toISOString(), new Date(g.batch.createdAt).toISOString());
  const r = await record(g.adminToken, 'harvest', { productId: g.productId, siteId: g.siteId, quantity: '12.5', unit: '斤', harvestedOn: '2024-05-01' });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual([r.body.record, r.body.replayed, r.body.requestId, r.body.event.duplicate], ['harvest', false, null, false]);
  assert.match(r.body.batches[0].lotNumber, /^20240501-[0-9A-Z]{4}$/, 'a lot number is made up when none is given');
  assert.equal(r.body.event.body.quantityList[0].uom, undefined, '斤 has no UN/ECE code');
  assert.deepEqual(r.body.event.body['sy:units'], [{ epcClass: `urn:suyuan:code:${r.body.batches[0].batchCode.code}`, unit: '斤' }]);
  // The admin records on the product's operator's behalf, as with POST /batches.
  const byAdmin = await record(await t.adminToken(), 'harvest', { productId: g.productId, siteId: g.siteId, quantity: 1, harvestedOn: '2024-05-01' });
  assert.equal(byAdmin.status, 201, byAdmin.text);
  assert.equal((await stored(byAdmin.body.event.seq)).operator_id, g.id);
  // Transformation outputs have exactly one event: the transformation.
  const commissioned = await t.db.pool.query(
    `SELECT e.event_type FROM event_ids i JOIN events e ON e.seq = i.seq WHERE i.key = $1 AND e.biz_step = 'commissioning'`, [chain.codes.processed]);
  assert.deepEqual(commissioned.rows.map((x) => x.event_type), ['TransformationEvent']);
});

test('inputs applied, certificates, own inspection, destruction: stored at the operator\'s site with their details', async () => {
  const g = await grower('350121');
  const inputs = await record(g.adminToken, 'inputs_applied', {
    siteId: g.siteId, code: g.code, category: 'pesticide', productName: '吡虫啉', registrationNo: 'PD20080001', dose: 30, doseUnit: 'g/亩', appliedOn: '2024-04-20', intervalDays: 7,
  });
  assert.equal(inputs.status, 201, inputs.text);
  const ie = await stored(inputs.body.event.seq);
  assert.deepEqual([ie.event_type, ie.action, ie.biz_step, ie.operator_id, ie.division_code], ['ObjectEvent', 'OBSERVE', 'urn:suyuan:bizstep:applying_inputs', g.id, '350121']);
  assert.deepEqual(ie.body['sy:input'], { category: 'pesticide', product: '吡虫啉', registrationNo: 'PD20080001', dose: '30', doseUnit: 'g/亩', appliedOn: '2024-04-20', intervalDays: 7 });
  assert.deepEqual(ie.ids, [`q:${g.code}`]);
  const siteOnly = await record(g.adminToken, 'inputs_applied', { siteId: g.siteId, category: 'fertilizer', productName: '有机肥', dose: '200', doseUnit: 'kg/亩', appliedOn: '2024-04-01' });
  assert.equal(siteOnly.status, 201, siteOnly.text);
  assert.deepEqual((await stored(siteOnly.body.event.seq)).ids, []);

  const cert = await record(g.adminToken, 'certificate', { batchId: g.batch.id, certificates: [{ type: 'commitment', number: 'HG-9', issuer: g.name, issuedOn: '2024-05-01' }] });
  assert.equal(cert.status, 201, cert.text);
  const ce = await stored(cert.body.event.seq);
  assert.deepEqual([ce.biz_step, ce.body.certificationInfo], ['urn:suyuan:bizstep:certifying', ['urn:suyuan:cert:commitment:HG-9']]);

  const insp = await record(g.adminToken, 'inspection', {
    code: g.code, siteId: g.siteId, kind: 'rapid_test', lab: '基地快检室', items: [{ name: '有机磷', value: '12%', limit: '50%', result: 'pass' }], result: 'pass',
  });
  assert.equal(insp.status, 201, insp.text);
  const se = await stored(insp.body.event.seq);
  assert.deepEqual([se.biz_step, se.disposition, se.operator_id, se.body['sy:inspection'].public], ['inspecting', 'conformant', g.id, false]);

  const gone = await record(g.adminToken, 'destruction', { goods: [{ code: g.code, quantity: 5 }], reason: '运输途中腐烂' });
  assert.equal(gone.status, 201, gone.text);
  const de = await stored(gone.body.event.seq);
  assert.deepEqual([de.action, de.biz_step, de.disposition, de.body['sy:reason'], de.division_code], ['DELETE', 'destroying', 'destroyed', '运输途中腐烂', g.divisionCode]);
});

test('receiving with no upstream record creates a local batch and code for the buyer, flagged in the event', async () => {
  const { market } = chain;
  const product = await buildProduct(t, market, { name: '土鸡蛋', unit: '枚' });
  const r = await record(market.adminToken, 'receiving', {
    siteId: market.siteId, from: { name: '李大姐（散户）' }, noUpstreamRecord: { productId: product.id, quantity: 300 },
    invoices: [{ number: 'SJ-001' }],
  });
  assert.equal(r.status, 201, r.text);
  const [b] = r.body.batches;
  assert.deepEqual([b.operatorId, b.quantity, b.unit, b.site.id], [market.id, '300', '枚', market.siteId]);
  const e = await stored(r.body.event.seq);
  assert.deepEqual([e.action, e.biz_step, e.operator_id, e.counterparty_id], ['ADD', 'receiving', market.id, null]);
  assert.deepEqual(e.body['sy:entryAdmission'], { noUpstreamRecord: true, supplier: '李大姐（散户）', certificates: [], invoices: [{ number: 'SJ-001' }] });
  assert.deepEqual(e.ids, [`q:${b.batchCode.code}`]);
  // No separate commissioning event: the receipt is the batch's first event.
  assert.equal((await t.db.pool.query('SELECT count(*)::int AS n FROM event_ids WHERE key = $1', [b.batchCode.code])).rows[0].n, 1);
  // The market may now sell the local batch like any of its own.
  assert.equal((await record(market.adminToken, 'sale', { goods: [{ code: b.batchCode.code, quantity: 30 }] })).status, 201);
  // A registered supplier is the counterparty even without upstream codes.
  const withSeller = await record(market.adminToken, 'receiving', { siteId: market.siteId, from: { operatorId: chain.farm.id }, noUpstreamRecord: { productId: product.id, quantity: 10, lotNumber: 'EGG-2' } });
  assert.equal(withSeller.status, 201, withSeller.text);
  assert.equal((await stored(withSeller.body.event.seq)).counterparty_id, chain.farm.id);
});

test('received goods may be sold on and transformed, own goods packed; a receipt the supplier never shipped counts too', async () => {
  const g = await grower('350121');
  const buyer = await buildOperator(t, { division: '350102' });
  const site = await buildSite(t, buyer, { divisionCode: '350102', kind: 'plant' });
  const product = await buildProduct(t, buyer, { unit: '袋' });
  // The grower recorded no shipment: the buyer's own receipt of the code is the hand-over.
  const recv = await record(buyer.adminToken, 'receiving', { siteId: site.id, from: { uscc: g.uscc }, goods: [{ code: g.code, quantity: 100 }] });
  assert.equal(recv.status, 201, recv.text);
  assert.equal((await stored(recv.body.event.seq)).counterparty_id, g.id);
  assert.equal((await record(buyer.adminToken, 'sale', { goods: [{ code: g.code, quantity: 10 }] })).status, 201, 'sold on to consumers');
  const items = (await t.call('POST', `/api/v1/batches/${g.batch.id}/item-codes`, { as: g.adminToken, body: { count: 2 } })).body.codes as string[];
  const mix = await record(buyer.adminToken, 'transformation', {
    siteId: site.id, kind: 'repackaging', inputs: [{ code: g.code, quantity: 100 }],
    outputs: [{ productId: product.id, quantity: 200, lotNumber: 'FZ-A' }, { productId: product.id, quantity: 50, lotNumber: 'FZ-B', producedOn: '2024-05-01' }],
  });
  assert.equal(mix.status, 201, mix.text);
  assert.equal(mix.body.batches.length, 2);
  const te = await stored(mix.body.event.seq);
  assert.equal(te.biz_step, 'repackaging');
  assert.deepEqual(te.ids.filter((x: string) => x.startsWith('k:')).sort(), mix.body.batches.map((b: any) => `k:${b.batchCode.code}`).sort());
  assert.equal(te.body['sy:outputs'][1].producedOn, '2024-05-01');

  // Packing: the grower packs its two item codes and the rest of the batch into a case labelled with an SSCC.
  const sscc = 'urn:epc:id:sscc:0614141.1234567890';
  const pack = await record(g.adminToken, 'aggregation', { action: 'pack', parent: sscc, children: [{ code: items[0] }, { code: items[1], quantity: 1 }] });
  assert.equal(pack.status, 201, pack.text);
  const pe = await stored(pack.body.event.seq);
  assert.deepEqual([pe.event_type, pe.action, pe.biz_step, pe.body.parentID], ['AggregationEvent', 'ADD', 'packing', sscc]);
  assert.deepEqual(pe.ids, [`c:${items[0]}`, `c:${items[1]}`, `p:${sscc}`].sort((a, b) => (a < b ? -1 : 1)));
  const unpack = await record(g.adminToken, 'aggregation', { action: 'unpack', parent: sscc });
  assert.equal(unpack.status, 201, unpack.text);
  assert.deepEqual([(await stored(unpack.body.event.seq)).action, (await stored(unpack.body.event.seq)).biz_step], ['DELETE', 'unpacking']);
  // An item code of the operator's own as the case label.
  const caseCode = (await t.call('POST', `/api/v1/batches/${g.batch.id}/item-codes`, { as: g.adminToken, body: { count: 1 } })).body.codes[0];
  const inCase = await record(g.adminToken, 'aggregation', { action: 'pack', parent: caseCode, children: [{ batchId: g.batch.id, quantity: 20 }] });
  assert.equal(inCase.status, 201, inCase.text);
  assert.deepEqual((await stored(inCase.body.event.seq)).body.childQuantityList, [{ epcClass: `urn:suyuan:code:${g.code}`, quantity: 20, uom: 'KGM' }]);
});

test('transformation outputs may bind a pre-printed code never used; reusing a code is refused', async () => {
  const { processor } = chain;
  const pool = await t.call('POST', '/api/v1/code-pools', { as: processor.adminToken, body: { ownerOperatorId: processor.id, kind: 'batch', size: 3 } });
  assert.equal(pool.status, 201, pool.text);
  const preprinted = (await t.db.pool.query('SELECT code FROM codes WHERE pool_id = $1 ORDER BY seq', [pool.body.id])).rows.map((r) => r.code);
  const g = await grower('350121');
  await record(processor.adminToken, 'receiving', { from: { operatorId: g.id }, goods: [{ code: g.code, quantity: 100 }] });
  const body = (outputs: unknown[]) => ({ siteId: processor.siteId, kind: 'mixing', inputs: [{ code: g.code, quantity: 100 }], outputs });
  const out = (over: Record<string, unknown> = {}) => ({ productId: processor.productId, quantity: 10, ...over });

  const before = await count('events');
  const activeCode = await record(processor.adminToken, 'transformation', body([out({ code: chain.codes.processed })]));
  assert.deepEqual([activeCode.status, activeCode.body.code, activeCode.body.field], [409, 'OUTPUT_CODE_REUSED', 'outputs.0.code']);
  const twice = await record(processor.adminToken, 'transformation', body([out({ code: preprinted[0] }), out({ code: preprinted[0], lotNumber: 'X2' })]));
  assert.deepEqual([twice.status, twice.body.code, twice.body.field], [409, 'OUTPUT_CODE_REUSED', 'outputs.1.code']);
  const foreign = await record(processor.adminToken, 'transformation', body([out({ code: g.code })]));
  assert.deepEqual([foreign.status, foreign.body.code], [403, 'CODE_NOT_YOURS']);
  assert.equal(await count('events'), before, 'refusals store nothing');

  const ok = await record(processor.adminToken, 'transformation', body([out({ code: preprinted[1].replace(/(.{4})/g, '$1 ').trim() })]));
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.body.batches[0].batchCode.code, preprinted[1]);
  const c = (await t.db.pool.query('SELECT status, batch_id FROM codes WHERE code = $1', [preprinted[1]])).rows[0];
  assert.deepEqual([c.status, c.batch_id], ['active', ok.body.batches[0].id]);
  assert.equal((await t.db.pool.query('SELECT count(*)::int AS n FROM codes WHERE batch_id = $1', [ok.body.batches[0].id])).rows[0].n, 1, 'no code issued besides the pre-printed one');
  const again = await record(processor.adminToken, 'transformation', body([out({ code: preprinted[1], lotNumber: 'again' })]));
  assert.deepEqual([again.status, again.body.code], [409, 'OUTPUT_CODE_REUSED']);
});

test('refusals carry stable codes and leave nothing behind', async () => {
  const { farm, processor, market } = chain;
  const g = await grower('350121');
  const stranger = await grower('350203');
  const pending = await buildOperator(t, { approve: false });
  const unknownCode = generateCode('350', 'batch');
  const ship = (over: Record<string, unknown> = {}) => ({ to: { uscc: market.uscc }, goods: [{ code: g.code, quantity: 10 }], ...over });
  const events = await count('events');
  const batches = await count('batches');
  const cases: Array<[string, string, string | undefined, Record<string, unknown>, number, string, string?]> = [
    ['unknown code', 'shipping', g.adminToken, ship({ goods: [{ code: unknownCode, quantity: 1 }] }), 404, 'CODE_UNKNOWN', 'goods.0'],
    ['malformed code', 'shipping', g.adminToken, ship({ goods: [{ code: 'NOT-A-CODE', quantity: 1 }] }), 400, 'CODE_FORMAT', 'goods.0.code'],
    ['another operator\'s code', 'shipping', g.adminToken, ship({ goods: [{ code: stranger.code, quantity: 1 }] }), 403, 'CODE_NOT_YOURS', 'goods.0'],
    ['another operator\'s batch', 'destruction', g.adminToken, { goods: [{ batchId: stranger.batch.id, quantity: 1 }], reason: 'x' }, 403, 'BATCH_NOT_YOURS', 'goods.0.batchId'],
    ['codes handed to someone else', 'shipping', g.adminToken, ship({ goods: [{ code: chain.codes.processed, quantity: 1 }] }), 403, 'CODE_NOT_YOURS'],
    ['inspection of another\'s batch', 'inspection', g.adminToken, { code: stranger.code, kind: 'rapid_test', lab: 'x', items: [{ name: 'a', result: 'pass' }], result: 'pass' }, 403, 'CODE_NOT_YOURS'],
    ['negative quantity', 'shipping', g.adminToken, ship({ goods: [{ code: g.code, quantity: -5 }] }), 400, 'QUANTITY_INVALID', 'goods.0.quantity'],
    ['non-numeric quantity', 'shipping', g.adminToken, ship({ goods: [{ code: g.code, quantity: 'lots' }] }), 400, 'QUANTITY_INVALID', 'goods.0.quantity'],
    ['batch without quantity', 'sale', g.adminToken, { goods: [{ code: g.code }] }, 400, 'QUANTITY_INVALID', 'goods.0.quantity'],
    ['negative harvest', 'harvest', g.adminToken, { productId: g.productId, siteId: g.siteId, quantity: -1, harvestedOn: '2024-05-01' }, 400, 'QUANTITY_INVALID', 'quantity'],
    ['bad output quantity', 'transformation', g.adminToken, { siteId: g.siteId, kind: 'processing', inputs: [{ code: g.code, quantity: 1 }], outputs: [{ productId: g.productId, quantity: '0' }] }, 400, 'QUANTITY_INVALID', 'outputs.0.quantity'],
    ['unknown buyer (USCC)', 'shipping', g.adminToken, ship({ to: { uscc: '91350100MA00000000' } }), 404, 'OPERATOR_NOT_FOUND', 'to'],
    ['unknown buyer (id)', 'sale', g.adminToken, { to: { operatorId: '00000000-0000-4000-8000-000000000000' }, goods: [{ code: g.code, quantity: 1 }] }, 404, 'OPERATOR_NOT_FOUND', 'to'],
    ['buyer not approved', 'shipping', g.adminToken, ship({ to: { operatorId: pending.id } }), 409, 'COUNTERPARTY_NOT_APPROVED', 'to'],
    ['shipping to oneself', 'shipping', g.adminToken, ship({ to: { operatorId: g.id } }), 400, 'COUNTERPARTY_SELF', 'to'],
    ['no buyer named', 'shipping', g.adminToken, ship({ to: {} }), 400, 'OPERATOR_REF_REQUIRED', 'to'],
    ['another operator\'s site', 'shipping', g.adminToken, ship({ siteId: stranger.siteId }), 400, 'SITE_NOT_OWNED', 'siteId'],
    ['neither code nor batch', 'destruction', g.adminToken, { goods: [{ quantity: 1 }], reason: 'x' }, 400, 'CODE_REQUIRED', 'goods.0.code'],
    ['the same code twice', 'shipping', g.adminToken, ship({ goods: [{ code: g.code, quantity: 1 }, { batchId: g.batch.id, quantity: 2 }] }), 400, 'CODE_REPEATED', 'goods.1'],
    ['a zero quantity', 'aggregation', g.adminToken, { action: 'pack', parent: 'urn:epc:id:sscc:0614141.1234567890', children: [{ code: g.code, quantity: 0 }] }, 400, 'QUANTITY_INVALID', 'children.0.quantity'],
    ['pesticide without registration', 'inputs_applied', g.adminToken, { siteId: g.siteId, category: 'pesticide', productName: 'x', dose: 1, doseUnit: 'g', appliedOn: '2024-04-01', intervalDays: 7 }, 400, 'REGISTRATION_REQUIRED', 'registrationNo'],
    ['vet drug without withdrawal period', 'inputs_applied', g.adminToken, { siteId: g.siteId, category: 'vet_drug', productName: 'x', registrationNo: 'R', dose: 1, doseUnit: 'mL', appliedOn: '2024-04-01' }, 400, 'INTERVAL_REQUIRED', 'intervalDays'],
    ['pass with a failed item', 'inspection', g.adminToken, { code: g.code, kind: 'rapid_test', lab: 'x', items: [{ name: 'a', result: 'fail' }], result: 'pass' }, 400, 'INSPECTION_RESULT_INCONSISTENT', 'result'],
    ['receiving nothing', 'receiving', g.adminToken, { from: { operatorId: farm.id } }, 400, 'RECEIVING_GOODS_REQUIRED', 'goods'],
    ['receiving codes from nobody', 'receiving', g.adminToken, { goods: [{ code: chain.codes.harvest, quantity: 1 }] }, 400, 'SUPPLIER_REQUIRED', 'from'],
    ['unrecorded goods without a site', 'receiving', g.adminToken, { noUpstreamRecord: { productId: g.productId, quantity: 1 } }, 400, 'SITE_REQUIRED', 'siteId'],
    ['unrecorded goods without quantity', 'receiving', g.adminToken, { siteId: g.siteId, noUpstreamRecord: { productId: g.productId, quantity: 'some' } }, 400, 'QUANTITY_INVALID', 'noUpstreamRecord.quantity'],
    ['packing nothing', 'aggregation', g.adminToken, { action: 'pack', parent: 'urn:epc:id:sscc:0614141.1234567890' }, 400, 'CHILDREN_REQUIRED', 'children'],
    ['packing goods not held', 'aggregation', g.adminToken, { action: 'pack', parent: g.code, children: [{ code: chain.codes.harvest, quantity: 1 }] }, 403, 'CODE_NOT_YOURS', 'children.0'],
    ['own batch code as case', 'aggregation', processor.adminToken, { action: 'pack', parent: chain.codes.processed, children: [{ code: chain.codes.harvest, quantity: 1 }] }, 400, 'PARENT_INVALID', 'parent'],
    ['a bad SSCC', 'aggregation', g.adminToken, { action: 'pack', parent: 'urn:epc:id:sscc:123', children: [{ code: g.code, quantity: 1 }] }, 400, 'PARENT_INVALID', 'parent'],
    ['a time in the future', 'destruction', g.adminToken, { goods: [{ code: g.code, quantity: 1 }], reason: 'x', occurredAt: '2999-01-01T00:00:00+08:00' }, 400, 'TIME_IN_FUTURE', 'occurredAt'],
    ['a negative price', 'sale', g.adminToken, { goods: [{ code: g.code, quantity: 1 }], price: { amount: -3 } }, 400, 'PRICE_INVALID', 'price.amount'],
    ['anonymous', 'inspection', undefined, {}, 401, 'AUTH_REQUIRED'],
  ];
  for (const [name, kind, as, body, status, code, field] of cases) {
    const r = await record(as, kind, body);
    assert.deepEqual([r.status, r.body.code], [status, code], `${name}: ${r.text}`);
    if (field) assert.equal(r.body.field, field, name);
    assert.ok(r.body.message?.zh && r.body.message?.en, `${name}: messages in Chinese and English`);
  }
  assert.equal(await count('events'), events, 'no refused record stored an event');
  assert.equal(await count('batches'), batches, 'no refused record left a batch');

  // Void codes and suspended operators.
  await t.call('POST', `/api/v1/codes/${g.code}/void`, { as: g.adminToken, body: { reason: '标签损坏' } });
  const v = await record(g.adminToken, 'destruction', { goods: [{ code: g.code, quantity: 1 }], reason: 'x' });
  assert.deepEqual([v.status, v.body.code], [409, 'CODE_VOID']);
  const admin = await t.adminToken();
  await t.call('POST', `/api/v1/operators/${stranger.id}/review`, { as: admin, body: { action: 'suspend', reason: '整改' } });
  const s = await record(stranger.adminToken, 'destruction', { goods: [{ code: stranger.code, quantity: 1 }], reason: 'x' });
  assert.deepEqual([s.status, s.body.code, s.body.operatorStatus], [403, 'OPERATOR_NOT_ACTIVE', 'suspended']);
  const toSuspended = await record(market.adminToken, 'sale', { to: { uscc: stranger.uscc }, goods: [{ code: chain.codes.processed, quantity: 1 }] });
  assert.deepEqual([toSuspended.status, toSuspended.body.code], [409, 'COUNTERPARTY_NOT_APPROVED']);
  // Roles: a printer and a regulator cannot ship; only the inspection route admits regulators.
  const printer = await buildOperator(t, { types: ['printer'] });
  const regulator = await buildUser(t, 'regulator', { jurisdiction: '350100' });
  for (const as of [printer.adminToken, regulator.token, admin]) assert.equal((await record(as, 'shipping', ship())).status, 403);
});

test('idempotent retries: the same requestId returns the first answer and stores nothing twice', async () => {
  const g = await grower('350121');
  const body = { requestId: 'phone-42', productId: g.productId, siteId: g.siteId, quantity: 50, harvestedOn: '2024-05-01' };
  const batches = await count('batches');
  const first = await record(g.adminToken, 'harvest', body);
  assert.equal(first.status, 201, first.text);
  const retry = await record(g.adminToken, 'harvest', { ...body });
  assert.equal(retry.status, 201);
  assert.equal(retry.body.replayed, true);
  assert.deepEqual({ ...retry.body, replayed: false }, first.body, 'the retry gets the same answer');
  assert.equal(await count('batches'), batches + 1);
  // Two copies of a request in flight at once: one does the work, the other waits and replays it.
  const twin = { ...body, requestId: 'phone-43' };
  const [a, b] = await Promise.all([record(g.adminToken, 'harvest', twin), record(g.adminToken, 'harvest', twin)]);
  assert.deepEqual([a.status, b.status], [201, 201], `${a.text} ${b.text}`);
  assert.equal(a.body.batches[0].id, b.body.batches[0].id);
  assert.deepEqual([a.body.replayed, b.body.replayed].sort(), [false, true]);
  assert.equal(await count('batches'), batches + 2);
  // A requestId reused for another request is refused, also for another kind.
  const reused = await record(g.adminToken, 'harvest', { ...body, quantity: 51 });
  assert.deepEqual([reused.status, reused.body.code, reused.body.field], [409, 'REQUEST_ID_REUSED', 'requestId']);
  const otherKind = await record(g.adminToken, 'destruction', { requestId: 'phone-42', goods: [{ code: g.code, quantity: 1 }], reason: 'x' });
  assert.deepEqual([otherKind.status, otherKind.body.code], [409, 'REQUEST_ID_REUSED']);
  // requestIds belong to one operator: another may use the same one.
  const h = await grower('350121');
  const theirs = await record(h.adminToken, 'harvest', { ...body, productId: h.productId, siteId: h.siteId });
  assert.deepEqual([theirs.status, theirs.body.replayed], [201, false]);
  // A staff member of the same operator retrying (e.g. on another phone) gets the stored answer.
  const staff = await buildUser(t, 'operator-staff', { operatorId: g.id });
  assert.equal((await record(staff.token, 'harvest', body)).body.replayed, true);

  // Transformations and receipts that create batches are idempotent too.
  const buyer = chain.processor;
  await record(buyer.adminToken, 'receiving', { from: { operatorId: g.id }, goods: [{ code: g.code, quantity: 100 }] });
  const tf = { requestId: 'tf-1', siteId: buyer.siteId, kind: 'processing', inputs: [{ code: g.code, quantity: 40 }], outputs: [{ productId: buyer.productId, quantity: 80 }] };
  const t1 = await record(buyer.adminToken, 'transformation', tf);
  const t2 = await record(buyer.adminToken, 'transformation', tf);
  assert.equal(t1.status, 201, t1.text);
  assert.deepEqual([t2.body.replayed, t2.body.batches[0].batchCode.code, t2.body.event.seq], [true, t1.body.batches[0].batchCode.code, t1.body.event.seq]);
  assert.equal((await t.db.pool.query('SELECT count(*)::int AS n FROM event_ids WHERE key = $1 AND role = $2', [g.code, 'j'])).rows[0].n, 1);

  // Without a requestId, an identical event (same time, same content) is recognised by its hash and not stored again.
  const ship = { occurredAt: '2024-05-02T10:00:00+08:00', to: { operatorId: chain.market.id }, goods: [{ code: g.code, quantity: 5 }] };
  const s1 = await record(g.adminToken, 'shipping', ship);
  const s2 = await record(g.adminToken, 'shipping', ship);
  assert.deepEqual([s1.status, s2.status, s1.body.event.duplicate, s2.body.event.duplicate], [201, 201, false, true]);
  assert.deepEqual([s2.body.event.seq, s2.body.event.hashId], [s1.body.event.seq, s1.body.event.hashId]);
});

test('regulators record official sampling of batches whose operator lies in their jurisdiction, attributed to that operator', async () => {
  const { farm, market } = chain;
  const fuzhou = await buildUser(t, 'regulator', { jurisdiction: '350100' });
  const xiamen = await buildUser(t, 'regulator', { jurisdiction: '350200' });
  const sample = { code: chain.codes.harvest, kind: 'official_sampling', lab: '福州市食品药品检验所', items: [{ name: '毒死蜱', value: 0.02, limit: 0.1, unit: 'mg/kg', result: 'pass' }], result: 'pass', reportNo: 'FZ-2024-001', public: true };
  const r = await record(fuzhou.token, 'inspection', sample);
  assert.equal(r.status, 201, r.text);
  const e = await stored(r.body.event.seq);
  assert.deepEqual([e.biz_step, e.disposition, e.operator_id, e.division_code, e.counterparty_id, e.biz_location], ['inspecting', 'conformant', farm.id, farm.divisionCode, null, null]);
  assert.deepEqual([e.body['sy:inspection'].jurisdiction, e.body['sy:inspection'].reportNo, e.captured_by], ['350100', 'FZ-2024-001', fuzhou.id]);
  // The farm sees the sampling of its batch among its records.
  const farmView = await t.call('GET', `/api/v1/batches/${chain.batches.harvest}/records`, { as: farm.adminToken });
  assert.ok(farmView.body.items.some((x: any) => x.seq === r.body.event.seq && x.record === 'inspection'));
  // The processed batch belongs to the processor in Fuzhou too, even while the market in Xiamen holds it.
  const held = await record(fuzhou.token, 'inspection', { ...sample, code: chain.codes.processed, result: 'fail', items: [{ name: '菌落总数', result: 'fail' }] });
  assert.equal(held.status, 201, held.text);
  assert.equal((await stored(held.body.event.seq)).disposition, 'non_conformant');
  const outside = await record(xiamen.token, 'inspection', sample);
  assert.deepEqual([outside.status, outside.body.code], [403, 'OUTSIDE_JURISDICTION']);
  const withSite = await record(fuzhou.token, 'inspection', { ...sample, siteId: market.siteId });
  assert.deepEqual([withSite.status, withSite.body.code], [400, 'SITE_NOT_OWNED']);
  const unknown = await record(fuzhou.token, 'inspection', { ...sample, code: generateCode('350', 'batch') });
  assert.deepEqual([unknown.status, unknown.body.code], [404, 'CODE_UNKNOWN']);
});

test('a batch\'s records as each party may see them: own, one up, one down, not further; regulators by jurisdiction; logged', async () => {
  const { farm, processor, market, supermarket, batches } = chain;
  const stranger = await buildOperator(t, { division: '350121' });
  const fuzhou = await buildUser(t, 'regulator', { jurisdiction: '350100' });
  const xiamen = await buildUser(t, 'regulator', { jurisdiction: '350200' });
  const kinds = async (batchId: string, as: string) => {
    const r = await t.call('GET', `/api/v1/batches/${batchId}/records`, { as });
    assert.equal(r.status, 200, r.text);
    return r.body.items.filter((x: any) => x.record !== 'inspection').map((x: any) => `${x.record}@${x.operator.name.replace(/\d+$/, '')}`);
  };
  const harvestFor = (as: string) => kinds(batches.harvest, as);
  const processedFor = (as: string) => kinds(batches.processed, as);
  const F = '绿源蔬菜合作社'; const P = '鲜切净菜加工厂'; const M = '海峡农产品批发市场'; const S = '鲜丰超市湖里店';

  assert.deepEqual(await harvestFor(farm.adminToken), [`harvest@${F}`, `shipping@${F}`, `receiving@${P}`], 'farm: its own, and its customer\'s receipt');
  assert.deepEqual(await harvestFor(processor.adminToken), [`shipping@${F}`, `receiving@${P}`, `transformation@${P}`], 'processor: its supplier\'s shipment to it and its own');
  assert.deepEqual(await harvestFor(market.adminToken), [], 'two steps down sees nothing of the harvest batch');
  assert.deepEqual(await harvestFor(stranger.adminToken), []);
  assert.deepEqual(await processedFor(farm.adminToken), [], 'two steps up sees nothing of the processed batch');
  assert.deepEqual(await processedFor(processor.adminToken), [`transformation@${P}`, `shipping@${P}`, `receiving@${M}`]);
  assert.deepEqual(await processedFor(market.adminToken), [`shipping@${P}`, `receiving@${M}`, `sale@${M}`, `receiving@${S}`]);
  assert.deepEqual(await processedFor(supermarket.adminToken), [`sale@${M}`, `receiving@${S}`, `sale@${S}`]);
  assert.deepEqual(await processedFor(fuzhou.token), [`transformation@${P}`, `shipping@${P}`], 'a regulator sees what happened in its jurisdiction');
  assert.deepEqual(await processedFor(xiamen.token), [`receiving@${M}`, `sale@${M}`, `receiving@${S}`, `sale@${S}`]);
  assert.equal((await processedFor(await t.adminToken())).length, 6);

  const r = await t.call('GET', `/api/v1/batches/${batches.processed}/records?limit=2`, { as: market.adminToken });
  assert.equal(r.body.items.length, 2);
  assert.deepEqual(Object.keys(r.body.items[0]).sort(), ['action', 'bizStep', 'counterparty', 'disposition', 'divisionCode', 'event', 'eventId', 'eventTime', 'eventType', 'hashId', 'operator', 'record', 'recordTime', 'seq']);
  assert.equal(r.body.items[0].counterparty.id, market.id);
  const rest = await t.call('GET', `/api/v1/batches/${batches.processed}/records?after=${r.body.next}`, { as: market.adminToken });
  assert.deepEqual(rest.body.items.map((x: any) => x.record), ['sale', 'receiving']);
  const log = (await t.db.pool.query(`SELECT actor_role, operator_id, subject_division, result_count, query FROM query_log WHERE kind = 'batch.records' AND operator_id = $1 ORDER BY id`, [market.id])).rows;
  assert.ok(log.length >= 3);
  assert.deepEqual([log.at(-1)!.subject_division, log.at(-1)!.query.batchId], [processor.divisionCode, batches.processed]);
  const missing = await t.call('GET', '/api/v1/batches/00000000-0000-4000-8000-000000000000/records', { as: farm.adminToken });
  assert.deepEqual([missing.status, missing.body.code], [404, 'BATCH_NOT_FOUND']);
  assert.equal((await t.call('GET', `/api/v1/batches/${batches.harvest}/records`)).status, 401);
});
