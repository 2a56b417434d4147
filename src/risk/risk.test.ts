import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { riskKit } from '../../test/risk-kit.ts';
import { buildBatch, buildChain, buildOperator, buildProduct, buildSite, buildUser } from '../../test/builders.ts';
import { captureAs, receiving } from '../../test/event-builders.ts';
import { captureInTx } from '../events/events-service.ts';
import { codeUri, siteUri } from '../events/events-fns.ts';
import { chinaDate } from '../catalog/catalog-fns.ts';

// Each rule through the real capture path (native records, or captureInTx as EPCIS capture uses it), then the
// outbox pass that runs after commit.
let t: TestApp;
let admin: string;
type Kit = ReturnType<typeof riskKit>;
let record: Kit['record'];
let warnings: Kit['warnings'];
let grower: Kit['grower'];
let settings: Kit['settings'];
before(async () => {
  t = await startTestApp();
  admin = await t.adminToken();
  ({ record, warnings, grower, settings } = riskKit(t, admin));
});
after(async () => { await t.close(); });

const day = (offset: number) => chinaDate(new Date(Date.now() + offset * 86_400_000));
const harvest = async (g: Awaited<ReturnType<typeof grower>>, harvestedOn: string, quantity = 100) =>
  (await record(g.adminToken, 'harvest', { productId: g.productId, siteId: g.siteId, quantity, harvestedOn })).batches[0].batchCode.code;

test('rule 1: a failed official sampling warns its regulator and proposes holding the batch and everything downstream', async () => {
  const chain = await buildChain(t);
  const regulator = await buildUser(t, 'regulator', { jurisdiction: '350100' });
  await record(regulator.token, 'inspection', {
    code: chain.codes.harvest, kind: 'official_sampling', lab: '福州市食品药品检验所', reportNo: 'FZ-2024-0512', result: 'fail',
    items: [{ name: '毒死蜱', value: 0.12, limit: 0.02, unit: 'mg/kg', result: 'fail' }, { name: '铅', value: 0.05, limit: 0.3, unit: 'mg/kg', result: 'pass' }],
  });
  const [w] = await warnings('inspection_failed', chain.farm.id);
  assert.deepEqual([w.severity, w.status, w.subject, w.divisionCode, w.codes, w.operator.id], ['critical', 'open', `code:${chain.codes.harvest}`, '350121', [chain.codes.harvest], chain.farm.id]);
  assert.match(w.explanation.zh, /监督抽检不合格.*毒死蜱/);
  assert.doesNotMatch(w.explanation.zh, /铅/, 'only the failed items');
  const detail = (await t.call('GET', `/api/v1/risk/warnings/${w.id}`, { as: regulator.token })).body;
  const hold = detail.holdProposal;
  assert.deepEqual(hold.startCodes, [chain.codes.harvest]);
  assert.deepEqual([...hold.affectedCodes].sort(), [chain.codes.harvest, chain.codes.processed].sort(), 'the greens and the packs made of them');
  assert.deepEqual(new Set(hold.affectedOperatorIds), new Set([chain.farm.id, chain.processor.id, chain.market.id, chain.supermarket.id]));
  assert.equal(detail.events.length, 1, 'the inspection event is the evidence');

  // A passing rapid test raises nothing.
  await record(chain.farm.adminToken, 'inspection', { code: chain.codes.harvest, kind: 'rapid_test', lab: '基地快检室', result: 'pass', items: [{ name: '有机磷', result: 'pass' }] });
  assert.equal((await warnings('inspection_failed', chain.farm.id)).length, 1);
});

test('one click opens an incident from a warning: codes, reason and level from the warning, its hold proposal on the incident; a second click answers the same', async () => {
  const chain = await buildChain(t);
  const fuzhou = await buildUser(t, 'regulator', { jurisdiction: '350100' });
  const xiamen = await buildUser(t, 'regulator', { jurisdiction: '350200' });
  await record(fuzhou.token, 'inspection', {
    code: chain.codes.harvest, kind: 'official_sampling', lab: '福州市食品药品检验所', reportNo: 'FZ-2024-0601', result: 'fail',
    items: [{ name: '毒死蜱', value: 0.12, limit: 0.02, unit: 'mg/kg', result: 'fail' }],
  });
  const [w] = await warnings('inspection_failed', chain.farm.id);
  assert.deepEqual([w.severity, w.incidentId], ['critical', null]);
  const click = (as: string) => t.call('POST', `/api/v1/risk/warnings/${w.id}/incident`, { as });

  assert.equal((await click(xiamen.token)).status, 404, 'another jurisdiction does not see the warning');
  assert.equal((await click(chain.farm.adminToken)).status, 403, 'operators do not open incidents');
  const first = await click(fuzhou.token);
  assert.equal(first.status, 201, first.text);
  const i = first.body.incident;
  assert.deepEqual([first.body.created, i.reason, i.severity, i.codes, i.jurisdiction, i.warningId, i.status], [true, 'failed_inspection', 'level_1', [chain.codes.harvest], '350100', w.id, 'open']);
  assert.match(i.description, /监督抽检不合格/);
  assert.deepEqual([i.affected.codes, i.affected.operators], [2, 4]);
  assert.deepEqual(i.holdProposal.startCodes, [chain.codes.harvest], 'the automatic hold proposal shows on the incident');
  assert.deepEqual([i.holdProposal.warningId, i.holdProposal.affectedCount, new Set(i.holdProposal.affectedOperatorIds).size], [w.id, 2, 4]);
  assert.deepEqual([first.body.warning.incidentId, first.body.warning.status], [i.id, 'acknowledged']);
  assert.match(first.body.warning.acknowledged.reason, new RegExp(i.number));

  const again = await click(fuzhou.token);
  assert.deepEqual([again.status, again.body.created, again.body.incident.id], [200, false, i.id]);
  const byAdmin = await click(admin);
  assert.deepEqual([byAdmin.status, byAdmin.body.incident.id], [200, i.id]);
  const shown = await t.call('GET', `/api/v1/incidents/${i.id}`, { as: fuzhou.token });
  assert.deepEqual([shown.status, shown.body.holdProposal.startCodes], [200, [chain.codes.harvest]]);
  const listed = await t.call('GET', `/api/v1/risk/warnings?rule=inspection_failed&operatorId=${chain.farm.id}`, { as: fuzhou.token });
  assert.equal(listed.body.items[0].incidentId, i.id, 'the warning links to its incident');
  const count = await t.db.pool.query('SELECT count(*)::int AS n FROM incidents WHERE warning_id = $1', [w.id]);
  assert.equal(count.rows[0].n, 1);
});

test('a warning without trace codes, or closed before any incident, opens none', async () => {
  const o = await buildOperator(t, { division: '350102' });
  const rows = await t.db.pool.query<{ id: string }>(
    `INSERT INTO risk_warnings (rule, subject, severity, operator_id, division_code, codes, explanation_zh, explanation_en, raised_by)
     VALUES ('entry_admission_missing', $1, 'medium', $2, '350102', '{}', '进货无上游记录', 'No upstream record', 'schedule'),
            ('mass_balance', $3, 'high', $2, '350102', '{}', '销量超过产量', 'Sold more than made', 'schedule') RETURNING id`,
    [`operator:${o.id}`, o.id, `operator:${o.id}:x`]);
  const [noCodes, other] = rows.rows.map((r) => r.id);
  const r = await t.call('POST', `/api/v1/risk/warnings/${noCodes}/incident`, { as: admin });
  assert.deepEqual([r.status, r.body.code], [409, 'RISK_WARNING_NO_CODES']);
  await t.call('POST', `/api/v1/risk/warnings/${other}/close`, { as: admin, body: { reason: '核实无误' } });
  const closed = await t.call('POST', `/api/v1/risk/warnings/${other}/incident`, { as: admin });
  assert.deepEqual([closed.status, closed.body.code], [409, 'RISK_WARNING_CLOSED']);
});

test('rule 2: harvesting inside a pesticide\'s pre-harvest interval warns; after the interval it does not', async () => {
  const g = await grower();
  const applying = (appliedOn: string, siteId: string) => record(g.adminToken, 'inputs_applied', {
    siteId, category: 'pesticide', productName: '1.8%阿维菌素乳油', registrationNo: 'PD20080001', dose: 50, doseUnit: 'mL', appliedOn, intervalDays: 7,
  });
  await applying(day(-3), g.siteId);
  const early = await harvest(g, day(0));
  const [w] = await warnings('pre_harvest_interval', g.id);
  assert.deepEqual([w.subject, w.codes, w.severity], [`code:${early}`, [early], 'high']);
  assert.match(w.explanation.zh, /仅 3 天，未过安全间隔期 7 天/);

  const other = await buildSite(t, g, { divisionCode: g.division });
  await applying(day(-7), other.id);
  await record(g.adminToken, 'harvest', { productId: g.productId, siteId: other.id, quantity: 80, harvestedOn: day(0) });
  assert.equal((await warnings('pre_harvest_interval', g.id)).length, 1, 'seven days after a seven-day interval is fine');
});

test('rule 3: a banned pesticide applied, and a restricted one sold by a dealer without the designated-dealer licence', async () => {
  const g = await grower();
  await record(g.adminToken, 'inputs_applied', {
    siteId: g.siteId, category: 'pesticide', productName: '40%甲胺磷乳油', registrationNo: 'PD0000', dose: 30, doseUnit: 'mL', appliedOn: day(-1), intervalDays: 14,
  });
  const [banned] = await warnings('banned_input', g.id);
  assert.deepEqual([banned.severity, banned.facts.substance], ['critical', '甲胺磷']);

  const maker = await grower({ division: '350102', types: ['processor'], categoryCode: 'INPUT.PESTICIDE.RESTRICTED', productName: '3%克百威颗粒剂' });
  const dealer = await grower({ division: '350102', types: ['retailer'] });
  const code = (await buildBatch(t, maker, { productId: maker.productId, siteId: maker.siteId, quantity: 500 })).batchCode!.code;
  await record(maker.adminToken, 'shipping', { siteId: maker.siteId, to: { operatorId: dealer.id }, goods: [{ code, quantity: 200 }] });
  assert.deepEqual(await warnings('undesignated_dealer', maker.id), [], 'the maker sells its own');
  await record(dealer.adminToken, 'sale', { siteId: dealer.siteId, goods: [{ code, quantity: 5 }], price: { amount: 60 } });
  const [dealing] = await warnings('undesignated_dealer', dealer.id);
  assert.deepEqual([dealing.subject, dealing.codes], [`operator:${dealer.id}`, [code]]);

  // Once licensed, its sales add nothing to the warning.
  const l = await t.call('POST', `/api/v1/operators/${dealer.id}/licences`, { as: dealer.adminToken, body: { type: '农药经营许可证（限制使用农药）', number: '农药经许（闽）35010220001', validUntil: day(365) } });
  assert.equal(l.status, 201, l.text);
  await record(dealer.adminToken, 'sale', { siteId: dealer.siteId, goods: [{ code, quantity: 5 }], price: { amount: 60 } });
  assert.equal((await warnings('undesignated_dealer', dealer.id))[0].occurrences, 1);
});

test('rule 4: trading on an expired licence (native record) and while suspended (a buyer records goods received from it)', async () => {
  const g = await grower();
  const l = await t.call('POST', `/api/v1/operators/${g.id}/licences`, { as: g.adminToken, body: { type: '食品经营许可证', number: 'JY13501210000001', validUntil: day(-1) } });
  assert.equal(l.status, 201, l.text);
  const code = await harvest(g, day(0));
  const [expired] = await warnings('trading_while_barred', g.id);
  assert.deepEqual([expired.subject, expired.severity, expired.codes], [`operator:${g.id}:licence:食品经营许可证`, 'medium', [code]]);

  const seller = await grower({ division: '350102' });
  const buyer = await grower({ division: '350102' });
  const batch = await buildBatch(t, seller, { productId: seller.productId, siteId: seller.siteId });
  const r = await t.call('POST', `/api/v1/operators/${seller.id}/review`, { as: admin, body: { action: 'suspend', reason: '抽检不合格停业整顿' } });
  assert.equal(r.status, 200, r.text);
  // The capture path refuses a suspended operator's own records; trade with it still shows in its counterparties' records.
  await captureAs(t, buyer, [receiving(buyer, seller, batch.batchCode!.code)]);
  const [suspended] = await warnings('trading_while_barred', seller.id);
  assert.deepEqual([suspended.subject, suspended.severity, suspended.divisionCode], [`operator:${seller.id}:suspended`, 'high', '350102']);
  assert.deepEqual(await warnings('trading_while_barred', buyer.id), []);
});

test('rule 5: a cold-chain excursion longer than allowed in EPCIS sensor data warns; a short one does not', async () => {
  const g = await grower({ division: '350206', types: ['logistics'] });
  const sensing = async (temps: Array<[number, number]>) => {
    const code = (await buildBatch(t, g, { productId: g.productId, siteId: g.siteId })).batchCode!.code;
    const start = Date.now() - 3 * 3_600_000;
    const time = (min: number) => new Date(start + min * 60_000).toISOString();
    const r = await t.db.tx((q) => captureInTx(q, { role: 'operator-admin', operatorId: g.id }, {
      source: 'epcis', errorBehaviour: 'rollback',
      events: [{
        type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'storing', eventTime: time(temps.at(-1)![0]), eventTimeZoneOffset: '+08:00',
        quantityList: [{ epcClass: codeUri(code) }], bizLocation: { id: siteUri(g.siteId) },
        sensorElementList: [{ sensorMetadata: { deviceID: 'urn:epc:id:giai:4000001.111' }, sensorReport: temps.map(([min, value]) => ({ type: 'gs1:Temperature', value, uom: 'CEL', time: time(min) })) }],
      }],
    }));
    assert.equal(r.stored.length, 1);
    return code;
  };
  const short = await sensing([[0, 4], [10, 9], [30, 6]]);
  const long = await sensing([[0, 4], [10, 9], [20, 14.5], [50, 6]]);
  const found = await warnings('cold_chain_excursion', g.id);
  assert.deepEqual(found.map((w) => w.subject), [`code:${long}`]);
  assert.deepEqual([found[0].facts.minutes, found[0].facts.extremeCelsius], [40, 14.5]);
  assert.ok(!found.some((w) => w.codes.includes(short)));
});

test('rule 6: shipping more of a batch than was harvested warns beyond the 5% tolerance', async () => {
  const g = await grower();
  const buyer = await grower({ division: '350102', types: ['wholesale_market'] });
  const code = await harvest(g, day(0), 100);
  const ship = (quantity: number) => record(g.adminToken, 'shipping', { siteId: g.siteId, to: { operatorId: buyer.id }, goods: [{ code, quantity }] });
  await ship(60);
  await ship(45);
  assert.deepEqual(await warnings('mass_balance', g.id), [], '105 of 100 kg is within tolerance');
  await ship(1);
  const [w] = await warnings('mass_balance', g.id);
  assert.deepEqual([w.subject, w.facts.in, w.facts.out, w.facts.dimension], [`operator:${g.id}:code:${code}`, 100, 106, 'kg']);
  assert.equal((await t.call('GET', `/api/v1/risk/warnings/${w.id}`, { as: admin })).body.events.length, 1, 'the shipping that tipped it');
});

test('rule 8: receipts without upstream record above the configured rate warn the receiving operator', async () => {
  const put = (values: Record<string, unknown>) => settings('entry_admission_missing', values);
  assert.equal((await put({ minReceipts: 2, maxRatePercent: 50 })).status, 200);
  try {
    const market = await grower({ division: '350203', types: ['wholesale_market'] });
    const unrecorded = () => record(market.adminToken, 'receiving', {
      siteId: market.siteId, from: { name: '散户王某' }, noUpstreamRecord: { productId: market.productId, quantity: 20 },
    });
    await unrecorded();
    assert.deepEqual(await warnings('entry_admission_missing', market.id), [], 'one receipt is too few to judge');
    await unrecorded();
    const [w] = await warnings('entry_admission_missing', market.id);
    assert.deepEqual([w.subject, w.divisionCode, w.facts.total, w.facts.missing], [`operator:${market.id}`, '350203', 2, 2]);
  } finally {
    await put({});
  }
});
