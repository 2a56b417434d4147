import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { indexEvent, type EpcisEvent } from '../events/events-fns.ts';
import { admitKeys, startTrace } from '../trace/trace-fns.ts';
import {
  answerEvents, linkingEvents, movementAmount, type DetailedMovement, commonDivision, consumerDivision, divisionLevels, fromMilli, holdingsOf, impactByDivision, onHand,
  progressByUnit, rankSources, retryDelayMs, signWebhook, toMilli, webhookUrlProblem, type Holding,
} from './recall-fns.ts';
import { cteCsv, cteRows, type CteRow } from './recall-export.ts';

let seq = 0;
const LISTS: Record<string, string> = { q: 'quantityList', j: 'inputQuantityList', k: 'outputQuantityList', d: 'childQuantityList' };
/** The movements of one stored event, as the store's reader makes them (one per identifier and role). */
function ev(body: EpcisEvent, who: { operatorId?: string | null; counterpartyId?: string | null } = {}): DetailedMovement[] {
  const x = indexEvent(body);
  seq++;
  const linking = x.eventType === 'TransformationEvent' || x.eventType === 'AggregationEvent';
  return x.ids.map(({ key, role }) => ({
    seq: String(seq), eventId: `ev-${seq}`, eventTime: new Date(Date.UTC(2024, 4, 1, 0, seq)), eventType: x.eventType, action: x.action,
    bizStep: x.bizStep, disposition: x.disposition, operatorId: who.operatorId ?? null, counterpartyId: who.counterpartyId ?? null, key, role,
    amount: movementAmount(role, key, body[LISTS[role]] ?? null, body['sy:units'] ?? null),
    links: linking ? x.ids : null,
    details: { bizLocation: null, record: body['sy:record'] ?? null, invoiceNo: body['sy:invoiceNo'] ?? null, admissionInvoice: null, transactionType: null, transaction: null },
  }));
}
const qty = (k: string, n: number, unit = 'kg') => ({ quantityList: [{ epcClass: k, quantity: n }], 'sy:units': [{ epcClass: k, unit }] });
const row = (h: Holding) => [h.code, h.operatorId, h.unit, fromMilli(h.reached), fromMilli(h.passedOn), fromMilli(h.soldToConsumers), fromMilli(h.processed), fromMilli(h.destroyed), fromMilli(onHand(h))];

test('quantities are summed exactly in thousandths', () => {
  assert.equal(toMilli(0.1)! + toMilli('0.2')!, 300);
  assert.equal(toMilli(1e20), null, 'beyond exact integers');
  assert.equal(fromMilli(300), '0.3');
  assert.equal(fromMilli(1_500_000), '1500');
  assert.equal(fromMilli(12_345), '12.345');
  assert.deepEqual([toMilli(-1), toMilli('x'), toMilli(undefined), toMilli('')], [null, null, null, null]);
});

test('holdings: a hand-over recorded by both sides counts once, at the larger quantity; each step moves its part', () => {
  const A = 'urn:x:A'; const B = 'urn:x:B';
  const events = [
    ...ev({ type: 'ObjectEvent', action: 'ADD', bizStep: 'commissioning', ...qty(A, 1000) }, { operatorId: 'farm' }),
    ...ev({ type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'shipping', ...qty(A, 800) }, { operatorId: 'farm', counterpartyId: 'plant' }),
    ...ev({ type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'receiving', ...qty(A, 790) }, { operatorId: 'plant', counterpartyId: 'farm' }),
    // Entry admission with no shipment recorded by the seller.
    ...ev({ type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'receiving', ...qty(A, 100) }, { operatorId: 'shop', counterpartyId: 'farm' }),
    ...ev({ type: 'TransformationEvent', inputQuantityList: [{ epcClass: A, quantity: 800 }], outputQuantityList: [{ epcClass: B, quantity: 50 }], 'sy:units': [{ epcClass: A, unit: 'kg' }, { epcClass: B, unit: '箱' }] }, { operatorId: 'plant' }),
    ...ev({ type: 'TransactionEvent', action: 'ADD', bizStep: 'urn:suyuan:bizstep:selling', ...qty(B, 30, '箱') }, { operatorId: 'plant', counterpartyId: 'shop' }),
    ...ev({ type: 'TransactionEvent', action: 'ADD', bizStep: 'retail_selling', ...qty(B, 4, '箱') }, { operatorId: 'shop' }),
    ...ev({ type: 'ObjectEvent', action: 'DELETE', bizStep: 'destroying', disposition: 'destroyed', ...qty(B, 1, '箱') }, { operatorId: 'shop' }),
    // An inspection names the batch without a quantity; an admin capture without an operator is nobody's holding.
    ...ev({ type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'inspecting', quantityList: [{ epcClass: A }] }, { operatorId: 'farm' }),
    ...ev({ type: 'ObjectEvent', action: 'ADD', bizStep: 'commissioning', ...qty(B, 9, '箱') }),
  ];
  const rows = holdingsOf(events).map(row).sort((a, b) => `${a[0]}${a[1]}`.localeCompare(`${b[0]}${b[1]}`));
  assert.deepEqual(rows, [
    [A, 'farm', 'kg', '1000', '900', '0', '0', '0', '100'],
    [A, 'plant', 'kg', '800', '0', '0', '800', '0', '0'],
    [A, 'shop', 'kg', '100', '0', '0', '0', '0', '100'],
    [B, 'plant', '箱', '50', '30', '0', '0', '0', '20'],
    [B, 'shop', '箱', '30', '0', '4', '0', '1', '25'],
  ]);
});

test('holdings: items count one each', () => {
  const events = ev({ type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'shipping', epcList: ['urn:x:i1', 'urn:x:i2'], ...qty('urn:x:other', 5) }, { operatorId: 'a', counterpartyId: 'b' })
    .filter((m) => m.key === 'urn:x:i1');
  assert.deepEqual(holdingsOf(events).map(row).sort(), [
    ['urn:x:i1', 'a', '件', '0', '1', '0', '0', '0', '0'],
    ['urn:x:i1', 'b', '件', '1', '0', '0', '0', '0', '1'],
  ]);
});

test('the engine reads only the linking events of a level, each once with every identifier it names', () => {
  const events = linkingEvents([
    ...ev({ type: 'TransformationEvent', inputQuantityList: [{ epcClass: 'urn:x:A', quantity: 1 }, { epcClass: 'urn:x:C', quantity: 1 }], outputQuantityList: [{ epcClass: 'urn:x:B', quantity: 1 }] }),
    ...ev({ type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'shipping', ...qty('urn:x:A', 1) }, { operatorId: 'a', counterpartyId: 'b' }),
  ]);
  assert.deepEqual(events.map((e) => [e.eventType, e.ids.map((i) => `${i.role}:${i.key}`)]), [['TransformationEvent', ['j:urn:x:A', 'j:urn:x:C', 'k:urn:x:B']]]);
});

test('admitKeys adds the items of an affected batch to the next level, once, within the size limit', () => {
  const s = startTrace(['B'], 'forward', 3);
  admitKeys(s, ['i1', 'i2', 'i1'], 'forward');
  assert.deepEqual([...s.frontier.keys()].sort(), ['B', 'i1', 'i2']);
  assert.equal(s.nodes.get('i1'), 0);
  admitKeys(s, ['i3'], 'forward');
  assert.deepEqual([s.nodes.has('i3'), s.truncated], [false, true]);
});

test('divisions: common division, levels, and where consumers scan', () => {
  assert.equal(commonDivision(['350102', '350102']), '350102');
  assert.equal(commonDivision(['350102', '350121']), '350100');
  assert.equal(commonDivision(['350102', '350203']), '350000');
  assert.equal(commonDivision(['350102', '330106']), '000000');
  assert.equal(commonDivision([]), '000000');
  assert.deepEqual(divisionLevels('350102').map((d) => d.code), ['350000', '350100', '350102']);
  assert.deepEqual(divisionLevels('350100').map((d) => d.level), ['province', 'city']);
  const h = (divisionCode: string, sold: number, held: number) => ({ divisionCode, soldToConsumers: sold, onHand: held });
  assert.equal(consumerDivision([h('350121', 0, 5), h('350206', 2, 0)]), '350206', 'where it was sold to consumers');
  assert.equal(consumerDivision([h('350121', 0, 5), h('350102', 0, 0)]), '350121', 'else where it is held');
  assert.equal(consumerDivision([h('350121', 0, 0), h('350102', 0, 0)]), '350100', 'else wherever it went');
});

test('impact by division sums per unit and counts each operator once per division', () => {
  const p = (operatorId: string, divisionCode: string, unit: string, reached: number) => ({ operatorId, divisionCode, types: ['retailer'], unit, reached, onHand: reached, soldToConsumers: 0 });
  const [fj] = impactByDivision([p('a', '350102', 'kg', 1000), p('a', '350102', '袋', 2000), p('b', '350100', 'kg', 500)]);
  assert.deepEqual([fj.code, fj.operators, fj.totals.map((t) => [t.unit, t.reached])], ['350000', 2, [['kg', 1500], ['袋', 2000]]]);
  const [fz] = fj.children;
  assert.deepEqual([fz.code, fz.operators, fz.children.map((c) => [c.code, c.operators])], ['350100', 2, [['350102', 1]]]);
});

test('source candidates rank what most problem codes share, then what is closest', () => {
  const up = (code: string, nodes: Array<[string, number]>, ops: Array<[string, 'producer' | 'processor' | 'handler']>) =>
    ({ code, nodes: new Map([[code, 0], ...nodes]), operators: new Map(ops.map(([id, part]) => [id, new Set([part])])) });
  const r = rankSources([
    up('P1', [['H', 2], ['X', 1]], [['farm', 'producer'], ['plant1', 'processor']]),
    up('P2', [['H', 1], ['Y', 1]], [['farm', 'handler'], ['plant2', 'processor']]),
    up('P3', [['H', 3], ['Y', 2]], [['farm', 'producer']]),
  ]);
  assert.deepEqual(r.batches.map((b) => [b.key, b.codes.length, b.depth]), [['H', 3, 1], ['Y', 2, 1], ['X', 1, 1]]);
  assert.deepEqual(r.operators[0], { id: 'farm', codes: ['P1', 'P2', 'P3'], parts: ['handler', 'producer'] });
});

test('an answer becomes one event per action: held, returned, destroyed (the native destruction record)', () => {
  const recall = { incidentId: 'i', incidentNumber: '7', noticeId: 'n', responseId: 'r', kind: 'recall' as const };
  const events = answerEvents({
    eventTime: '2024-05-02T00:00:00.000Z', recall,
    lines: [
      { code: 'C1', kind: 'batch', action: 'destroyed', quantity: '2.5', unit: 'kg' },
      { code: 'C1', kind: 'batch', action: 'held', quantity: '10', unit: '斤' },
      { code: 'I1', kind: 'item', action: 'held', quantity: '1', unit: '件' },
      { code: 'urn:epc:id:sscc:0614141.1234567890', kind: 'epc', action: 'returned', quantity: '1', unit: '件' },
    ],
  });
  assert.deepEqual(events.map((e) => [e.type, e.action, e.bizStep, e.disposition, e['sy:record'], e['sy:recall'].action]), [
    ['ObjectEvent', 'OBSERVE', 'holding', 'non_conformant', 'recall', 'held'],
    ['ObjectEvent', 'OBSERVE', 'urn:suyuan:bizstep:returning', 'recalled', 'recall', 'returned'],
    ['ObjectEvent', 'DELETE', 'destroying', 'destroyed', 'destruction', 'destroyed'],
  ]);
  assert.deepEqual(events[0].quantityList, [{ epcClass: 'urn:suyuan:code:C1', quantity: 10 }], '斤 has no UN/ECE code');
  assert.deepEqual(events[0]['sy:units'], [{ epcClass: 'urn:suyuan:code:C1', unit: '斤' }]);
  assert.deepEqual(events[0].epcList, ['urn:suyuan:code:I1']);
  assert.deepEqual(events[1].epcList, ['urn:epc:id:sscc:0614141.1234567890']);
  assert.deepEqual(events[2].quantityList, [{ epcClass: 'urn:suyuan:code:C1', quantity: 2.5, uom: 'KGM' }]);
  assert.deepEqual(events[2]['sy:recall'], { ...recall, action: 'destroyed' });
});

test('webhooks: URL rules, backoff, signature', () => {
  assert.equal(webhookUrlProblem('https://erp.example.com/hooks/suyuan', false), null);
  assert.equal(webhookUrlProblem('http://erp.example.com/h', false), 'WEBHOOK_URL_NOT_HTTPS');
  for (const host of ['localhost', 'a.localhost', '127.0.0.1', '10.0.0.8', '172.20.1.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '[::1]', '[fd00::1]', '[fe80::1]', '[::ffff:10.0.0.1]']) {
    assert.equal(webhookUrlProblem(`https://${host}/h`, false), 'WEBHOOK_URL_PRIVATE', host);
  }
  assert.equal(webhookUrlProblem('https://172.32.0.1/h', false), null);
  assert.equal(webhookUrlProblem('http://127.0.0.1:8080/h', true), null);
  assert.equal(webhookUrlProblem('not a url', true), 'WEBHOOK_URL_INVALID');
  assert.deepEqual([1, 2, 3, 10].map((n) => retryDelayMs(n, 30_000, 3_600_000)), [30_000, 60_000, 120_000, 3_600_000]);
  const expected = createHmac('sha256', 's3cret').update('1714521600.{"a":1}').digest('hex');
  assert.equal(signWebhook('s3cret', 1714521600, '{"a":1}'), `t=1714521600,v1=${expected}`);
  assert.notEqual(signWebhook('s3cret', 1714521600, '{"a":1}'), signWebhook('s3cret', 1714521601, '{"a":1}'), 'the timestamp is signed');
});

test('CTE rows and the FSMA CSV: one row per affected lot of each CTE; cells that would run as formulas stay text', () => {
  const L = 'urn:x:L';
  const events = [
    ...ev({ type: 'ObjectEvent', action: 'ADD', bizStep: 'commissioning', 'sy:record': 'harvest', ...qty(L, 10) }, { operatorId: 'o1' }),
    ...ev({ type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'inspecting', quantityList: [{ epcClass: L }] }, { operatorId: 'o1' }),
    ...ev({ type: 'TransactionEvent', action: 'ADD', bizStep: 'urn:suyuan:bizstep:selling', ...qty(L, 4), 'sy:invoiceNo': '=HYPERLINK("x")' }, { operatorId: 'o1', counterpartyId: 'o2' }),
    ...ev({ type: 'TransformationEvent', inputQuantityList: [{ epcClass: 'urn:x:M', quantity: 3 }], outputQuantityList: [{ epcClass: L, quantity: 6 }] }, { operatorId: 'o1' }),
  ];
  const ctx = {
    lots: new Map([[L, { product: '青菜, 散装', lotNumber: 'QC-1', source: null }]]),
    operators: new Map([['o1', { name: '农场', uscc: 'U1', divisionCode: '350121' }], ['o2', { name: '市场', uscc: 'U2', divisionCode: '350203' }]]),
    sites: new Map(),
  };
  const rows = cteRows(events.filter((m) => m.key === L), ctx);
  assert.deepEqual(rows.map((r) => [r.cte, r.quantity, r.unit, r.subsequentRecipient, r.referenceType, r.inputLots]), [
    ['Harvesting', '10', 'kg', '', '', ''], ['Shipping', '4', 'kg', '市场 (U2)', 'Invoice', ''], ['Transformation', '6', '', '', '', 'urn:x:M'],
  ]);
  const csv = cteCsv(rows).toString('utf8');
  assert.ok(csv.startsWith('\uFEFFTraceability Lot Code,'));
  assert.ok(csv.includes('"青菜, 散装"'));
  assert.ok(csv.includes(`"'=HYPERLINK(""x"")"`));
  const blank: CteRow = { ...rows[0], quantity: '-5' };
  assert.ok(cteCsv([blank]).toString('utf8').includes(',-5,'), 'negative numbers are numbers, not formulas');
});

test('progress: reports count per code and operator up to what it was asked about; operators not asked yet count with what they hold', () => {
  const h = (operatorId: string, code: string, onHand: number) => ({ operatorId, code, unit: 'kg', reached: onHand, onHand, soldToConsumers: 0 });
  const [p] = progressByUnit(
    // The store after a refresh: A's reported destruction already left its on-hand; C was never asked.
    [h('A', 'X', 0), h('B', 'X', 40), h('C', 'X', 30)],
    // A was asked twice (a hold, then a recall) about the same 100: the larger counts once.
    [{ operatorId: 'A', code: 'X', unit: 'kg', onHand: 100 }, { operatorId: 'A', code: 'X', unit: 'kg', onHand: 90 }, { operatorId: 'B', code: 'X', unit: 'kg', onHand: 40 }],
    [
      // A held 100 and later destroyed the same 100: reported 200, accounted 100.
      { operatorId: 'A', code: 'X', unit: 'kg', action: 'held', quantity: 100 }, { operatorId: 'A', code: 'X', unit: 'kg', action: 'destroyed', quantity: 100 },
      { operatorId: 'B', code: 'X', unit: 'kg', action: 'returned', quantity: 10 },
    ],
  );
  assert.deepEqual(p, { unit: 'kg', reached: 70, onHand: 70, soldToConsumers: 0, held: 100, returned: 10, destroyed: 100, toAccount: 100 + 40 + 30, accounted: 110 });
  assert.deepEqual(progressByUnit([], [], []), []);
  // B, asked about X, has since made Z from it: no notice asked about Z, so Z counts with what B holds of it now.
  const [z] = progressByUnit([h('B', 'X', 0), h('B', 'Z', 25)], [{ operatorId: 'B', code: 'X', unit: 'kg', onHand: 40 }], []);
  assert.equal(z.toAccount, 40 + 25);
});
