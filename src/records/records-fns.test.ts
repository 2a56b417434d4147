import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '../platform/errors.ts';
import { generateCode } from '../codes/code-scheme.ts';
import { epcisSchemaIssues } from '../events/epcis-validate.ts';
import { eventHashId, preHashString } from '../events/epcis-hash.ts';
import { indexEvent } from '../events/events-fns.ts';
import {
  SY_NAMESPACE, aggregationEvent, assertInspectionConsistent, certificateEvent, certificateUri, commissioningEvent, defaultLot,
  destructionEvent, eventTimeOf, inputsAppliedEvent, inspectionEvent, isSscc, parsePrice, pastDay, quantityAt, receivingEvent,
  requestFingerprint, saleEvent, shippingEvent, transformationEvent, uomOf, validateAppliedInput, validateCertificates, type GoodsLine,
} from './records-fns.ts';

const code = (fn: () => unknown) => {
  try { fn(); } catch (e) { return (e as DomainError).code; }
  return null;
};
const field = (fn: () => unknown) => {
  try { fn(); } catch (e) { return (e as DomainError).details.field; }
  return null;
};

const T = '2024-05-02T01:30:00.000Z';
const SITE = '0b6c2d8e-1f3a-4b5c-9d7e-2f1a3b4c5d6e';
const FARM = '91350121MA2XYZ0001';
const MARKET = '91350203MA2XYZ0002';
const batchCode = generateCode('350', 'batch');
const otherBatch = generateCode('350', 'batch');
const itemCode = generateCode('350', 'item');
const batchLine: GoodsLine = { kind: 'batch', code: batchCode, quantity: '800.5', unit: 'kg' };
const itemLine: GoodsLine = { kind: 'item', code: itemCode };
const cert = { type: 'commitment' as const, number: 'HG-2024-0001', issuer: '闽侯县绿源合作社', issuedOn: '2024-05-01' };

/** Every built event must pass the EPCIS 2.0 JSON Schema rules as a bare event (it carries its own @context). */
function valid(event: Record<string, unknown>) {
  assert.deepEqual(epcisSchemaIssues(event), [], JSON.stringify(event));
  assert.deepEqual(event['@context'], [{ sy: SY_NAMESPACE }]);
  return event as Record<string, any>;
}

test('production / harvest: ObjectEvent ADD commissioning, active, batch as quantity, lot and dates in ilmd', () => {
  const e = valid(commissioningEvent({
    record: 'harvest', eventTime: T, siteId: SITE, code: batchCode, quantity: '1200.5', unit: '千克', lotNumber: '20240501-A', producedOn: '2024-05-01', expiresOn: '2024-05-08',
  }));
  assert.equal(e.type, 'ObjectEvent');
  assert.deepEqual([e.action, e.bizStep, e.disposition, e['sy:record']], ['ADD', 'commissioning', 'active', 'harvest']);
  assert.deepEqual(e.quantityList, [{ epcClass: `urn:suyuan:code:${batchCode}`, quantity: 1200.5, uom: 'KGM' }]);
  assert.deepEqual(e.bizLocation, { id: `urn:suyuan:site:${SITE}` });
  assert.deepEqual(e.ilmd, { 'cbvmda:lotNumber': '20240501-A', 'cbvmda:itemExpirationDate': '2024-05-08', 'sy:producedOn': '2024-05-01' });
  assert.deepEqual(e['sy:units'], [{ epcClass: `urn:suyuan:code:${batchCode}`, unit: '千克' }]);
  assert.equal(e.eventTimeZoneOffset, '+08:00');
  const noExpiry = commissioningEvent({ record: 'production', eventTime: T, siteId: SITE, code: batchCode, quantity: '3', unit: '斤', lotNumber: 'L', producedOn: '2024-05-01', expiresOn: null });
  assert.equal(noExpiry.ilmd['cbvmda:itemExpirationDate'], undefined);
  assert.deepEqual(noExpiry.quantityList, [{ epcClass: `urn:suyuan:code:${batchCode}`, quantity: 3 }], '斤 has no UN/ECE code: no uom, the unit stays in sy:units');
});

test('the sy: prefix is declared on the event, so its hash expands sy: fields to the Suyuan namespace', () => {
  const e = commissioningEvent({ record: 'production', eventTime: T, siteId: SITE, code: batchCode, quantity: '1', unit: 'kg', lotNumber: 'L', producedOn: '2024-05-01', expiresOn: null });
  assert.match(preHashString(e), /\{https:\/\/suyuan\.dev\/ns\/epcis\/\}record=production/);
  const { '@context': _context, ...bare } = e;
  assert.equal(eventHashId(bare, { namespaces: { sy: SY_NAMESPACE } }), eventHashId(e), 'same hash whether the document or the event declares sy');
});

test('inputs_applied: ObjectEvent OBSERVE at the site, on a batch when known, with the input details', () => {
  const input = validateAppliedInput({ category: 'pesticide', productName: ' 吡虫啉 ', registrationNo: 'PD20080001', dose: '30', doseUnit: 'g/亩', appliedOn: '2024-04-20', intervalDays: 7 }, '2024-05-02');
  const e = valid(inputsAppliedEvent({ eventTime: T, siteId: SITE, target: { kind: 'batch', code: batchCode }, input }));
  assert.deepEqual([e.type, e.action, e.bizStep, e.disposition], ['ObjectEvent', 'OBSERVE', 'urn:suyuan:bizstep:applying_inputs', undefined]);
  assert.deepEqual(e.quantityList, [{ epcClass: `urn:suyuan:code:${batchCode}` }]);
  assert.deepEqual(e['sy:input'], { category: 'pesticide', product: '吡虫啉', registrationNo: 'PD20080001', dose: '30', doseUnit: 'g/亩', appliedOn: '2024-04-20', intervalDays: 7 });
  const onSite = valid(inputsAppliedEvent({ eventTime: T, siteId: SITE, target: null, input: validateAppliedInput({ category: 'fertilizer', productName: '有机肥', dose: 200, doseUnit: 'kg/亩', appliedOn: '2024-04-01' }, '2024-05-02') }));
  assert.deepEqual(onSite.epcList, [], 'a site-level application names no code');
  assert.equal(onSite['sy:input'].registrationNo, undefined);
});

test('inputs: pesticides and veterinary drugs need registration and interval; doses and dates are checked', () => {
  const base = { category: 'vet_drug' as const, productName: '恩诺沙星', registrationNo: '兽药字(2020)100010001', dose: '2', doseUnit: 'mL/头', appliedOn: '2024-04-01', intervalDays: 10 };
  assert.equal(code(() => validateAppliedInput({ ...base, registrationNo: ' ' }, '2024-05-02')), 'REGISTRATION_REQUIRED');
  assert.equal(code(() => validateAppliedInput({ ...base, intervalDays: undefined }, '2024-05-02')), 'INTERVAL_REQUIRED');
  assert.equal(code(() => validateAppliedInput({ ...base, dose: '-1' }, '2024-05-02')), 'QUANTITY_INVALID');
  assert.equal(field(() => validateAppliedInput({ ...base, dose: 'abc' }, '2024-05-02')), 'dose');
  assert.equal(code(() => validateAppliedInput({ ...base, appliedOn: '2024-05-03' }, '2024-05-02')), 'DATE_IN_FUTURE');
  assert.equal(code(() => validateAppliedInput({ ...base, category: 'seed', registrationNo: undefined, intervalDays: undefined }, '2024-05-02')), null);
});

test('inspection: inspecting, conformant or non_conformant, with the results', () => {
  const inspection = { kind: 'official_sampling', lab: '福州市食品检验所', items: [{ name: '毒死蜱', value: 0.3, limit: 0.1, unit: 'mg/kg', result: 'fail' as const }], result: 'fail' as const, reportNo: 'FZ-2024-88', public: true, jurisdiction: '350100' };
  const e = valid(inspectionEvent({ eventTime: T, siteId: null, target: { kind: 'batch', code: batchCode }, inspection }));
  assert.deepEqual([e.action, e.bizStep, e.disposition], ['OBSERVE', 'inspecting', 'non_conformant']);
  assert.equal(e.bizLocation, undefined);
  assert.deepEqual(e['sy:inspection'], inspection);
  const pass = valid(inspectionEvent({ eventTime: T, siteId: SITE, target: { kind: 'item', code: itemCode }, inspection: { ...inspection, items: [{ name: '农残快检', result: 'pass' }], result: 'pass', reportNo: null, jurisdiction: null } }));
  assert.equal(pass.disposition, 'conformant');
  assert.deepEqual(pass.epcList, [`urn:suyuan:code:${itemCode}`]);
  assert.equal(pass['sy:inspection'].reportNo, undefined);
  assert.equal(code(() => assertInspectionConsistent(inspection.items, 'pass')), 'INSPECTION_RESULT_INCONSISTENT');
  assert.equal(code(() => assertInspectionConsistent(inspection.items, 'fail')), null);
});

test('certificate: certifying, certificationInfo URIs and the certificates as written', () => {
  const certs = validateCertificates([{ ...cert, number: ' HG 2024/1 ' }], '2024-05-02');
  const e = valid(certificateEvent({ eventTime: T, siteId: SITE, target: { kind: 'batch', code: batchCode }, certificates: certs }));
  assert.deepEqual([e.action, e.bizStep], ['OBSERVE', 'urn:suyuan:bizstep:certifying']);
  assert.deepEqual(e.certificationInfo, ['urn:suyuan:cert:commitment:HG%202024%2F1']);
  assert.deepEqual(e['sy:certificates'], [{ ...cert, number: 'HG 2024/1' }]);
  assert.equal(certificateUri({ type: 'animal_quarantine', number: '动检A-1' }), `urn:suyuan:cert:animal_quarantine:${encodeURIComponent('动检A-1')}`);
  assert.equal(field(() => validateCertificates([{ ...cert, issuedOn: '2024-13-01' }], '2024-05-02', 'certificates')), 'certificates.0.issuedOn');
});

test('shipping: in transit from owner to owner, items and batches, vehicle and inline certificates', () => {
  const e = valid(shippingEvent({ eventTime: T, siteId: SITE, goods: [batchLine, itemLine], from: FARM, to: MARKET, vehiclePlate: '闽A12345', certificates: [cert] }));
  assert.deepEqual([e.type, e.action, e.bizStep, e.disposition], ['ObjectEvent', 'OBSERVE', 'shipping', 'in_transit']);
  assert.deepEqual(e.epcList, [`urn:suyuan:code:${itemCode}`]);
  assert.deepEqual(e.quantityList, [{ epcClass: `urn:suyuan:code:${batchCode}`, quantity: 800.5, uom: 'KGM' }]);
  assert.deepEqual(e.sourceList, [{ type: 'owning_party', source: `urn:suyuan:party:${FARM}` }]);
  assert.deepEqual(e.destinationList, [{ type: 'owning_party', destination: `urn:suyuan:party:${MARKET}` }]);
  assert.deepEqual(e['sy:vehicle'], { plate: '闽A12345' });
  assert.deepEqual(e.certificationInfo, [certificateUri(cert)]);
  const x = indexEvent(e);
  assert.deepEqual([x.sources, x.destinations], [[FARM], [MARKET]]);
  assert.deepEqual(x.ids.map((i) => i.role).sort(), ['e', 'q']);
  const bare = valid(shippingEvent({ eventTime: T, siteId: null, goods: [batchLine], from: FARM, to: MARKET, vehiclePlate: null, certificates: [] }));
  assert.equal(bare['sy:vehicle'], undefined);
  assert.equal(bare.certificationInfo, undefined);
});

test('receiving: in progress with entry admission; goods with no upstream record enter with ADD and are flagged', () => {
  const e = valid(receivingEvent({
    eventTime: T, siteId: SITE, goods: [batchLine], from: FARM, to: MARKET, noUpstreamRecord: false, supplier: null,
    certificates: [cert], invoices: [{ number: 'INV-1', issuedOn: '2024-05-01' }],
  }));
  assert.deepEqual([e.action, e.bizStep, e.disposition], ['OBSERVE', 'receiving', 'in_progress']);
  assert.deepEqual(e['sy:entryAdmission'], { noUpstreamRecord: false, certificates: [cert], invoices: [{ number: 'INV-1', issuedOn: '2024-05-01' }] });
  assert.equal(e.sourceList[0].source, `urn:suyuan:party:${FARM}`);
  const local = valid(receivingEvent({ eventTime: T, siteId: SITE, goods: [batchLine], from: null, to: MARKET, noUpstreamRecord: true, supplier: '张三（散户）', certificates: [], invoices: [] }));
  assert.equal(local.action, 'ADD');
  assert.equal(local.sourceList, undefined);
  assert.deepEqual(local['sy:entryAdmission'], { noUpstreamRecord: true, supplier: '张三（散户）', certificates: [], invoices: [] });
});

test('sale: TransactionEvent ADD, retail to consumers or selling to an operator, invoice as business transaction', () => {
  const retail = valid(saleEvent({ eventTime: T, siteId: null, goods: [batchLine], seller: MARKET, buyer: null, price: { amount: '25.80', currency: 'CNY' }, invoiceNo: null, transactionId: 'urn:uuid:6f1c0c1e-1111-4a4a-8b8b-123456789abc' }));
  assert.deepEqual([retail.type, retail.action, retail.bizStep, retail.disposition], ['TransactionEvent', 'ADD', 'retail_selling', 'retail_sold']);
  assert.deepEqual(retail.bizTransactionList, [{ bizTransaction: 'urn:uuid:6f1c0c1e-1111-4a4a-8b8b-123456789abc' }]);
  assert.equal(retail.destinationList, undefined);
  assert.deepEqual(retail['sy:price'], { amount: 25.8, currency: 'CNY' });
  const b2b = valid(saleEvent({ eventTime: T, siteId: SITE, goods: [itemLine], seller: FARM, buyer: MARKET, price: null, invoiceNo: '0123 456', transactionId: 'urn:uuid:x' }));
  assert.deepEqual([b2b.bizStep, b2b.disposition], ['urn:suyuan:bizstep:selling', 'in_transit']);
  assert.deepEqual(b2b.bizTransactionList, [{ type: 'inv', bizTransaction: `urn:suyuan:inv:${FARM}:0123%20456` }]);
  assert.equal(b2b['sy:invoiceNo'], '0123 456');
  assert.equal(indexEvent(b2b).destinations[0], MARKET);
});

test('transformation: inputs to new outputs; processing and mixing commission, repackaging repackages', () => {
  const outputs = [{ code: otherBatch, quantity: '1500', unit: '袋', lotNumber: 'P-1', producedOn: '2024-05-02', expiresOn: '2024-05-05' }];
  const e = valid(transformationEvent({ eventTime: T, siteId: SITE, kind: 'processing', inputs: [batchLine, itemLine], outputs }));
  assert.deepEqual([e.type, e.bizStep, e.disposition, e['sy:transformation']], ['TransformationEvent', 'commissioning', 'active', 'processing']);
  assert.equal(e.action, undefined);
  assert.deepEqual(e.inputQuantityList, [{ epcClass: `urn:suyuan:code:${batchCode}`, quantity: 800.5, uom: 'KGM' }]);
  assert.deepEqual(e.inputEPCList, [`urn:suyuan:code:${itemCode}`]);
  assert.deepEqual(e.outputQuantityList, [{ epcClass: `urn:suyuan:code:${otherBatch}`, quantity: 1500, uom: 'H87' }]);
  assert.deepEqual(e['sy:outputs'], [{ epcClass: `urn:suyuan:code:${otherBatch}`, lotNumber: 'P-1', producedOn: '2024-05-02', expiresOn: '2024-05-05' }]);
  assert.equal(e['sy:units'].length, 2);
  assert.deepEqual(indexEvent(e).ids.map((i) => i.role).sort(), ['i', 'j', 'k']);
  assert.equal(transformationEvent({ eventTime: T, siteId: SITE, kind: 'repackaging', inputs: [batchLine], outputs }).bizStep, 'repackaging');
});

test('aggregation: packing into an item code or an SSCC (ADD), unpacking (DELETE, children optional)', () => {
  const pack = valid(aggregationEvent({ eventTime: T, siteId: SITE, action: 'pack', parent: { code: itemCode }, children: [batchLine] }));
  assert.deepEqual([pack.type, pack.action, pack.bizStep, pack.parentID], ['AggregationEvent', 'ADD', 'packing', `urn:suyuan:code:${itemCode}`]);
  assert.deepEqual(pack.childQuantityList, [{ epcClass: `urn:suyuan:code:${batchCode}`, quantity: 800.5, uom: 'KGM' }]);
  const sscc = 'urn:epc:id:sscc:0614141.1234567890';
  const unpack = valid(aggregationEvent({ eventTime: T, siteId: null, action: 'unpack', parent: { sscc }, children: [] }));
  assert.deepEqual([unpack.action, unpack.bizStep, unpack.parentID, unpack.childEPCs], ['DELETE', 'unpacking', sscc, undefined]);
  assert.equal(isSscc(sscc), true);
  assert.equal(isSscc('urn:epc:id:sscc:0614141.12345'), false, 'wrong number of digits');
  assert.equal(isSscc('urn:epc:id:sgtin:0614141.107346.2017'), false);
});

test('destruction: ObjectEvent DELETE destroying destroyed, with the reason', () => {
  const e = valid(destructionEvent({ eventTime: T, siteId: SITE, goods: [batchLine], reason: '抽检不合格' }));
  assert.deepEqual([e.action, e.bizStep, e.disposition, e['sy:reason'], e['sy:record']], ['DELETE', 'destroying', 'destroyed', '抽检不合格', 'destruction']);
});

test('times, days, quantities, prices and units', () => {
  const now = new Date('2024-05-02T02:00:00Z');
  assert.equal(eventTimeOf(undefined, now), now.toISOString());
  assert.equal(eventTimeOf('2024-05-02T09:30:00+08:00', now), '2024-05-02T01:30:00.000Z');
  assert.equal(eventTimeOf('2024-05-02T02:04:00Z', now), '2024-05-02T02:04:00.000Z', 'a few minutes of clock skew pass');
  assert.equal(code(() => eventTimeOf('2024-05-02T12:00:00+08:00', now)), 'TIME_IN_FUTURE');
  for (const bad of ['2024-05-02', '2024-05-02T09:30:00', '2024-02-30T00:00:00Z', 'yesterday']) assert.equal(code(() => eventTimeOf(bad, now)), 'TIME_INVALID', bad);
  assert.equal(pastDay('2024-05-02', '2024-05-02', 'd'), '2024-05-02');
  assert.equal(code(() => pastDay('2024-5-2', '2024-05-02', 'd')), 'DATE_INVALID');
  assert.equal(quantityAt(' 12.5 ', 'q'), '12.5');
  for (const bad of [undefined, -3, 0, 'abc', '1e3', Number.NaN]) {
    assert.equal(code(() => quantityAt(bad, 'goods.0.quantity')), 'QUANTITY_INVALID', String(bad));
    assert.equal(field(() => quantityAt(bad, 'goods.0.quantity')), 'goods.0.quantity');
  }
  assert.equal(parsePrice(0), '0');
  assert.equal(parsePrice('25.80'), '25.80');
  for (const bad of [-1, '1.234', 'free']) assert.equal(code(() => parsePrice(bad)), 'PRICE_INVALID');
  assert.deepEqual(['kg', 'KG', '公斤', '吨', '袋', '头', 'L', '斤', '亩'].map(uomOf), ['KGM', 'KGM', 'KGM', 'TNE', 'H87', 'H87', 'LTR', null, null]);
  assert.equal(defaultLot('2024-05-01', '7K2M'), '20240501-7K2M');
});

test('request fingerprints ignore key order and the requestId, and tell kinds and bodies apart', () => {
  const a = requestFingerprint('shipping', { requestId: 'r1', to: { uscc: MARKET }, goods: [{ code: batchCode, quantity: 1 }] });
  assert.equal(a, requestFingerprint('shipping', { goods: [{ quantity: 1, code: batchCode }], to: { uscc: MARKET }, requestId: 'r2' }));
  assert.notEqual(a, requestFingerprint('sale', { to: { uscc: MARKET }, goods: [{ code: batchCode, quantity: 1 }] }));
  assert.notEqual(a, requestFingerprint('shipping', { to: { uscc: MARKET }, goods: [{ code: batchCode, quantity: 2 }] }));
});
