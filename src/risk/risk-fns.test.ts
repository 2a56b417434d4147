import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fns from './risk-fns.ts';
import { generateCode } from '../codes/code-scheme.ts';
import { admitKeys, frontierKeys, startTrace } from '../trace/trace-fns.ts';
import { type Finding, type RiskEvent, type RuleId, type RuleSettings, SETTINGS_SCHEMAS } from './risk-types.ts';

const OP = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const SITE = 'urn:suyuan:site:33333333-3333-4333-8333-333333333333';
const FAR_SITE = 'urn:suyuan:site:44444444-4444-4444-8444-444444444444';
const CODE = '350B000000000001';
const INPUT_CODE = '350B000000000002';

let seq = 0;
/** A stored event as the rules read it; China time unless the body says otherwise. */
const ev = (p: Partial<RiskEvent> & { day?: string }): RiskEvent => ({
  seq: String(++seq), eventType: 'ObjectEvent', action: 'OBSERVE', bizStep: null, disposition: null,
  eventTime: new Date(`${p.day ?? '2024-05-10'}T10:00:00+08:00`), bizLocation: SITE, operatorId: OP, divisionCode: '350121', counterpartyId: null,
  ids: [], ...p, body: { eventTimeZoneOffset: '+08:00', ...(p.body ?? {}) },
});
const settings = <R extends RuleId>(id: R, over: Record<string, unknown> = {}) => SETTINGS_SCHEMAS[id].parse(over) as RuleSettings<R>;
const subjects = (fs: Finding[]) => fs.map((f) => f.subject).sort();

test('dayDiff counts calendar days across months; merged findings keep the highest severity and unite codes and events', () => {
  assert.equal(fns.dayDiff('2024-04-28', '2024-05-05'), 7);
  assert.equal(fns.dayDiff('2024-05-05', '2024-05-01'), -4);
  const base: Finding = { rule: 'mass_balance', subject: 's', severity: 'medium', operatorId: OP, divisionCode: null, codes: ['A'], explanation: { zh: '一', en: 'one' }, facts: {}, eventSeqs: ['1'] };
  const merged = fns.mergeFindings([base, { ...base, severity: 'high', codes: ['B', 'A'], eventSeqs: ['2'], explanation: { zh: '二', en: 'two' } }, { ...base, subject: 't' }]);
  assert.equal(merged.length, 2);
  assert.deepEqual([merged[0].severity, merged[0].codes, merged[0].eventSeqs, merged[0].explanation.en], ['high', ['A', 'B'], ['1', '2'], 'two']);
});

test('rule 1: a failed inspection fires (official sampling critical, rapid test high); a pass does not', () => {
  const inspection = (result: string, kind: string, disposition: string) => ev({
    bizStep: 'inspecting', disposition, ids: [{ key: CODE, role: 'q' }],
    body: { 'sy:inspection': { kind, lab: '福州市食品检验所', result, reportNo: 'R-1', items: [{ name: '毒死蜱', value: 0.12, limit: 0.02, unit: 'mg/kg', result }] } },
  });
  const s = settings('inspection_failed');
  const [official] = fns.inspectionFindings([inspection('fail', 'official_sampling', 'non_conformant')], s);
  assert.deepEqual([official.subject, official.severity, official.codes], [`code:${CODE}`, 'critical', [CODE]]);
  assert.match(official.explanation.zh, /监督抽检不合格.*毒死蜱 0\.12 mg\/kg（限量 0\.02）.*报告编号 R-1/);
  assert.match(official.explanation.en, /Official sampling failed .*0\.12 mg\/kg \(limit 0\.02\)/);
  assert.equal(fns.inspectionFindings([inspection('fail', 'rapid_test', 'non_conformant')], s)[0].severity, 'high');
  assert.deepEqual(fns.inspectionFindings([inspection('pass', 'rapid_test', 'conformant')], s), []);
  // EPCIS capture may only say non_conformant.
  assert.equal(fns.inspectionFindings([ev({ bizStep: 'inspecting', disposition: 'non_conformant', ids: [{ key: CODE, role: 'e' }] })], s).length, 1);
});

test('rule 2: harvest inside the pre-harvest interval fires; on its last day and after, or elsewhere, it does not', () => {
  const s = settings('pre_harvest_interval');
  const applied = fns.applicationOf(ev({
    bizStep: 'urn:suyuan:bizstep:applying_inputs', ids: [],
    body: { 'sy:input': { category: 'pesticide', product: '5%阿维菌素乳油', appliedOn: '2024-05-01', intervalDays: 7 } },
  }))!;
  const harvest = (day: string, site = SITE) => fns.productionOf(ev({
    action: 'ADD', bizStep: 'commissioning', bizLocation: site, ids: [{ key: CODE, role: 'q' }], body: { ilmd: { 'sy:producedOn': day } },
  }))!;
  const [hit] = fns.preHarvestFindings([harvest('2024-05-07')], [applied], s);
  assert.deepEqual([hit.subject, hit.codes], [`code:${CODE}`, [CODE]]);
  assert.match(hit.explanation.zh, /仅 6 天，未过安全间隔期 7 天/);
  assert.deepEqual(fns.preHarvestFindings([harvest('2024-05-08')], [applied], s), [], 'day 7 of a 7-day interval is allowed');
  assert.deepEqual(fns.preHarvestFindings([harvest('2024-05-07', FAR_SITE)], [applied], s), [], 'another site');
  assert.deepEqual(fns.preHarvestFindings([harvest('2024-04-30')], [applied], s), [], 'harvested before the input');

  // Slaughter: a veterinary drug given to the pigs, the pigs turned into carcasses 10 days later, inside a 28-day withdrawal period.
  const drug = fns.applicationOf(ev({
    bizStep: 'urn:suyuan:bizstep:applying_inputs', bizLocation: FAR_SITE, ids: [{ key: INPUT_CODE, role: 'q' }],
    body: { 'sy:input': { category: 'vet_drug', product: '恩诺沙星注射液', appliedOn: '2024-05-01', intervalDays: 28 } },
  }))!;
  const slaughter = fns.productionOf(ev({
    eventType: 'TransformationEvent', action: null, bizStep: 'commissioning', ids: [{ key: INPUT_CODE, role: 'j' }, { key: CODE, role: 'k' }],
    body: { 'sy:outputs': [{ epcClass: `urn:suyuan:code:${CODE}`, producedOn: '2024-05-11' }] },
  }))!;
  const [withdrawal] = fns.preHarvestFindings([slaughter], [drug], s);
  assert.match(withdrawal.explanation.zh, /屠宰.*仅 10 天，未过休药期 28 天/);
  // A drug given to another batch at the slaughterhouse's own site does not concern these pigs.
  assert.deepEqual(fns.preHarvestFindings([slaughter], [{ ...drug, codes: ['350B000000000009'], site: SITE }], s), []);
});

test('rule 3: banned and restricted substances by name, a name inside a longer one does not count', () => {
  const s = settings('banned_input');
  const applying = (product: string) => fns.applicationOf(ev({ bizStep: 'urn:suyuan:bizstep:applying_inputs', body: { 'sy:input': { category: 'pesticide', product, appliedOn: '2024-05-01', intervalDays: 14 } } }))!;
  const [banned] = fns.bannedInputFindings([applying('40%甲胺磷乳油')], s);
  assert.deepEqual([banned.subject, banned.severity, banned.facts.banned], [`operator:${OP}:甲胺磷`, 'critical', true]);
  const acephate = fns.bannedInputFindings([applying('30%乙酰甲胺磷乳油')], s);
  assert.deepEqual(acephate.map((f) => [f.facts.substance, f.severity]), [['乙酰甲胺磷', 'high']], 'acephate is restricted, not the banned methamidophos');
  assert.deepEqual(fns.bannedInputFindings([applying('40%氧乐果乳油')], s).map((f) => f.facts.substance), ['氧乐果']);
  assert.deepEqual(fns.bannedInputFindings([applying('1.8%阿维菌素乳油')], s), []);
  assert.deepEqual(fns.bannedInputFindings([applying('1.8%阿维菌素乳油')], settings('banned_input', { banned: ['阿维菌素'] })).length, 1, 'the list is a setting');
});

test('rule 3: restricted pesticides sold on without a valid designated-dealer licence; the maker and licensed dealers are fine', () => {
  const s = settings('undesignated_dealer');
  const goods = new Map([
    [CODE, { code: CODE, ownerOperatorId: OTHER, productName: '3%克百威颗粒剂', categoryCode: 'INPUT.PESTICIDE.RESTRICTED' }],
    [INPUT_CODE, { code: INPUT_CODE, ownerOperatorId: OTHER, productName: '复合肥', categoryCode: 'INPUT.FERTILIZER' }],
  ]);
  const sale = (codes: string[], operatorId = OP) => fns.saleOf(ev({ bizStep: 'retail_selling', operatorId, ids: codes.map((key) => ({ key, role: 'q' })) }))!;
  const licence = (validUntil: string | null) => new Map([[OP, [{ type: '农药经营许可证（限制使用农药）', number: 'NY-1', validUntil }]]]);
  const [hit] = fns.dealerFindings([sale([CODE, INPUT_CODE])], goods, new Map(), s);
  assert.deepEqual([hit.subject, hit.codes], [`operator:${OP}`, [CODE]]);
  assert.deepEqual(fns.dealerFindings([sale([CODE])], goods, licence('2024-05-10'), s), [], 'valid on the day of sale');
  assert.equal(fns.dealerFindings([sale([CODE])], goods, licence('2024-05-09'), s).length, 1, 'expired the day before');
  assert.deepEqual(fns.dealerFindings([sale([CODE])], goods, licence(null), s), []);
  assert.deepEqual(fns.dealerFindings([sale([CODE], OTHER)], goods, new Map(), s), [], 'the maker sells its own');
  assert.deepEqual(fns.dealerFindings([sale([INPUT_CODE])], goods, new Map(), s), [], 'fertiliser');
  const byName = new Map([[CODE, { ...goods.get(CODE)!, categoryCode: 'INPUT.PESTICIDE' }]]);
  assert.equal(fns.dealerFindings([sale([CODE])], byName, new Map(), s).length, 1, 'recognised by name outside the category');
});

test('rule 4: trading after suspension or after every licence of a type expired fires; on the expiry day or within grace it does not', () => {
  const s = settings('trading_while_barred');
  const party = (p: Partial<fns.PartyFacts>): Map<string, fns.PartyFacts> => new Map([[OP, { id: OP, status: 'approved', divisionCode: '350121', suspendedAt: null, licences: [], ...p }]]);
  const shipping = ev({ bizStep: 'shipping', ids: [{ key: CODE, role: 'q' }] });
  const suspended = party({ status: 'suspended', suspendedAt: new Date('2024-05-09T09:00:00+08:00') });
  const [hit] = fns.barredTradingFindings([shipping], suspended, s);
  assert.deepEqual([hit.subject, hit.severity, hit.codes], [`operator:${OP}:suspended`, 'high', [CODE]]);
  assert.match(hit.explanation.zh, /2024-05-09 被暂停，仍于 2024-05-10 有发货记录/);
  assert.deepEqual(fns.barredTradingFindings([ev({ bizStep: 'shipping', day: '2024-05-08' })], suspended, s), [], 'shipped before the suspension');
  assert.deepEqual(fns.barredTradingFindings([ev({ bizStep: 'inspecting' })], suspended, s), [], 'an inspection is not trading');
  // The suspended operator as the other party: its buyer recorded receiving from it.
  assert.equal(fns.barredTradingFindings([ev({ bizStep: 'receiving', operatorId: OTHER, counterpartyId: OP })], suspended, s)[0].operatorId, OP);

  const licensed = (validUntil: string | null, more: fns.LicenceFact[] = []) => party({ licences: [{ type: '食品经营许可证', number: 'JY1', validUntil }, ...more] });
  const [expired] = fns.barredTradingFindings([shipping], licensed('2024-05-09'), s);
  assert.deepEqual([expired.subject, expired.severity], [`operator:${OP}:licence:食品经营许可证`, 'medium']);
  assert.deepEqual(fns.barredTradingFindings([shipping], licensed('2024-05-10'), s), [], 'valid through its last day');
  assert.deepEqual(fns.barredTradingFindings([shipping], licensed('2024-05-09'), settings('trading_while_barred', { licenceGraceDays: 1 })), []);
  assert.deepEqual(fns.barredTradingFindings([shipping], licensed('2024-05-09', [{ type: '食品经营许可证', number: 'JY2', validUntil: '2029-01-01' }]), s), [], 'renewed');
  assert.deepEqual(fns.barredTradingFindings([shipping], licensed(null), s), [], 'no expiry');
});

test('rule 5: temperature readings from EPCIS sensor reports, excursions longer than allowed fire, at the limit they do not', () => {
  const at = (min: number) => new Date(Date.parse('2024-05-10T08:00:00+08:00') + min * 60_000).toISOString();
  const sensorEvent = (temps: Array<[number, number]>, extra: Record<string, unknown> = {}) => ev({
    ids: [{ key: CODE, role: 'q' }],
    body: { sensorElementList: [{ sensorMetadata: { deviceID: 'urn:epc:id:giai:4000001.111' }, sensorReport: temps.map(([min, value]) => ({ type: 'gs1:Temperature', value, uom: 'CEL', time: at(min), ...extra })) }] },
  });
  assert.deepEqual(fns.temperatureReadings({ eventTime: at(0), sensorElementList: [{ sensorMetadata: { time: at(5) }, sensorReport: [{ type: 'Temperature', value: 50, uom: 'FAH' }, { type: 'Humidity', value: 80 }] }] })
    .map((r) => [r.at, Math.round(r.high)]), [[Date.parse(at(5)), 10]]);
  const s = settings('cold_chain_excursion');
  const subject = (e: RiskEvent) => fns.sensorSubjects([e], new Map());
  // Out from minute 10, back in range at minute 40: 30 minutes, the limit.
  assert.deepEqual(fns.coldChainFindings(subject(sensorEvent([[0, 4], [10, 9], [20, 12], [30, 11], [40, 5]])), s), []);
  const [hit] = fns.coldChainFindings(subject(sensorEvent([[0, 4], [10, 9], [20, 12], [30, 11], [41, 5]])), s);
  assert.deepEqual([hit.subject, hit.facts.minutes, hit.facts.extremeCelsius], [`code:${CODE}`, 31, 12]);
  // Never back in range: the run lasts to the last reading.
  assert.equal(fns.coldChainFindings(subject(sensorEvent([[0, 9], [45, 10]])), s).length, 1);
  assert.equal(fns.coldChainFindings(subject(sensorEvent([[0, 2], [40, 2]], { exception: 'ALARM_CONDITION' })), s).length, 1, 'a device alarm counts');
  // Frozen goods by category: -10 °C is too warm for them, fine for everything else.
  const frozen = settings('cold_chain_excursion', { ranges: [{ categoryPrefix: 'IMPORT.COLDCHAIN', maxCelsius: -18 }, { categoryPrefix: '', maxCelsius: 8 }] });
  const cold = sensorEvent([[0, -10], [60, -10]]);
  assert.equal(fns.coldChainFindings(fns.sensorSubjects([cold], new Map([[CODE, 'IMPORT.COLDCHAIN.MEAT']])), frozen).length, 1);
  assert.deepEqual(fns.coldChainFindings(fns.sensorSubjects([cold], new Map([[CODE, 'AGRI.MEAT.PORK']])), frozen), []);
  assert.equal(fns.coldChainFindings(subject(cold), settings('cold_chain_excursion', { ranges: [{ categoryPrefix: '', minCelsius: 0, maxCelsius: 4 }] })).length, 1, 'a lower bound');
});

test('rule 6: sending out more than was produced and received fires beyond the tolerance; both records of one hand-over count once', () => {
  const s = settings('mass_balance');
  const m = (p: Partial<fns.Movement>): fns.Movement => ({ code: CODE, operatorId: OP, counterpartyId: null, eventType: 'ObjectEvent', action: 'OBSERVE', bizStep: null, role: 'q', uom: 'KGM', unit: null, quantity: 0, ...p });
  const produced = m({ action: 'ADD', bizStep: 'commissioning', quantity: 100 });
  const pair = [{ operatorId: OP, code: CODE, divisionCode: '350121' }];
  assert.deepEqual(fns.massBalanceFindings(pair, [produced, m({ bizStep: 'shipping', quantity: 105 })], s), [], '5% over is within tolerance');
  const [hit] = fns.massBalanceFindings(pair, [produced, m({ bizStep: 'shipping', quantity: 60 }), m({ bizStep: 'retail_selling', quantity: 46 })], s);
  assert.deepEqual([hit.subject, hit.facts.in, hit.facts.out, hit.facts.dimension], [`operator:${OP}:code:${CODE}`, 100, 106, 'kg']);
  // Received 50 kg (its own receipt and the seller's shipping name the same goods), shipped and sold the same 50 kg.
  const received = [m({ bizStep: 'receiving', quantity: 50 }), m({ operatorId: OTHER, counterpartyId: OP, bizStep: 'shipping', quantity: 50 })];
  const sent = [m({ bizStep: 'shipping', quantity: 50 }), m({ bizStep: 'urn:suyuan:bizstep:selling', quantity: 50 })];
  assert.deepEqual(fns.massBalanceFindings(pair, [...received, ...sent], s), []);
  // Units: 100 斤 is 50 kg; 60,000 g is 60 kg.
  assert.equal(fns.massBalanceFindings(pair, [m({ bizStep: 'receiving', uom: null, unit: '斤', quantity: 100 }), m({ bizStep: 'shipping', uom: 'GRM', quantity: 60_000 })], s).length, 1);
  // Used in processing counts as going out; the processor's output is produced.
  assert.equal(fns.massBalanceFindings(pair, [m({ bizStep: 'receiving', quantity: 100 }), m({ eventType: 'TransformationEvent', role: 'j', quantity: 120 })], s).length, 1);
  assert.deepEqual(fns.balanceOf([m({ eventType: 'TransformationEvent', role: 'k', quantity: 30 })], OP).get('kg'), { in: 30, out: 0 });
});

test('rule 7: clone codes by the scan rule; complaints about one product or operator at the threshold', () => {
  const s = settings('suspected_clone');
  const t0 = Date.parse('2024-05-10T08:00:00Z');
  const scan = (min: number, lat: number, lng: number) => ({ at: new Date(t0 + min * 60_000), lat, lng, uaHash: `ua${min}` });
  const item = (scans: ReturnType<typeof scan>[]) => [{ code: CODE, ownerOperatorId: OP, divisionCode: '350121', scans, latestAt: scans[scans.length - 1].at }];
  const [clone] = fns.cloneFindings(item([scan(0, 26.1, 119.3), scan(60, 39.9, 116.4)]), s);
  assert.deepEqual([clone.subject, clone.facts.reason], [`code:${CODE}`, 'far_apart']);
  assert.deepEqual(fns.cloneFindings(item([scan(0, 26.1, 119.3), scan(60, 24.5, 118.1)]), s), [], 'Fuzhou and Xiamen');

  const c = settings('complaint_cluster');
  const now = new Date('2024-05-10T12:00:00Z');
  const complaint = (daysAgo: number, productId: string | null): fns.ComplaintFact => ({
    id: `c${daysAgo}${productId}`, receivedAt: new Date(now.getTime() - daysAgo * 86_400_000), productId, productName: productId ? '净菜' : null,
    operatorId: OP, operatorName: '鲜切净菜加工厂', divisionCode: '350102', code: null,
  });
  const P = '55555555-5555-4555-8555-555555555555';
  const [cluster] = fns.complaintClusterFindings([complaint(1, P), complaint(2, P), complaint(6, P)], now, c);
  assert.deepEqual([cluster.subject, cluster.facts.complaints], [`product:${P}`, 3]);
  assert.match(cluster.explanation.zh, /产品“净菜”/);
  assert.deepEqual(fns.complaintClusterFindings([complaint(1, P), complaint(2, P), complaint(8, P)], now, c), [], 'one is older than the window');
  assert.deepEqual(subjects(fns.complaintClusterFindings([complaint(1, null), complaint(2, null), complaint(3, null), complaint(1, P)], now, c)), [`operator:${OP}`]);
});

test('rule 6 (audit): only like units are compared: 20 pieces or a quantity with no unit against 100 kg received raise nothing; kg over the tolerance fires', () => {
  const s = settings('mass_balance');
  const m = (p: Partial<fns.Movement>): fns.Movement => ({ code: CODE, operatorId: OP, counterpartyId: null, eventType: 'ObjectEvent', action: 'OBSERVE', bizStep: null, role: 'q', uom: 'KGM', unit: 'kg', quantity: 0, ...p });
  const pair = [{ operatorId: OP, code: CODE, divisionCode: '350121' }];
  const received = m({ bizStep: 'receiving', quantity: 100 });
  assert.deepEqual(fns.massBalanceFindings(pair, [received, m({ bizStep: 'retail_selling', uom: 'H87', unit: '件', quantity: 20 })], s), [], '20 pieces of a batch received in kg');
  assert.deepEqual(fns.massBalanceFindings(pair, [received, m({ bizStep: 'retail_selling', uom: null, unit: null, quantity: 5 })], s), [], 'a quantity with no unit');
  const [hit] = fns.massBalanceFindings(pair, [received, m({ bizStep: 'retail_selling', uom: 'H87', unit: '件', quantity: 20 }), m({ bizStep: 'shipping', quantity: 110 })], s);
  assert.deepEqual([hit.facts.dimension, hit.facts.in, hit.facts.out], ['kg', 100, 110], 'kg against kg, the pieces left aside');
  const pieces = [m({ bizStep: 'receiving', uom: 'H87', unit: '件', quantity: 10 }), m({ bizStep: 'retail_selling', uom: 'H87', unit: '件', quantity: 11 })];
  assert.deepEqual(fns.massBalanceFindings(pair, pieces, s).map((f) => [f.facts.dimension, f.facts.out]), [['pcs', 11]], 'pieces against pieces');
  assert.deepEqual(fns.massBalanceFindings(pair, [m({ bizStep: 'shipping', quantity: 10 })], s).map((f) => [f.facts.in, f.facts.out]), [[0, 10]],
    'sent out of a batch of which nothing came in at all');
});

test('rule 3 (audit): a banned input sold fires critical whoever sells it; an ordinary input, or a restricted one with a longer name, does not', () => {
  const s = settings('banned_input');
  const goods = new Map([
    [CODE, { code: CODE, ownerOperatorId: OTHER, productName: '40%甲胺磷乳油', categoryCode: 'INPUT.PESTICIDE' }],
    [INPUT_CODE, { code: INPUT_CODE, ownerOperatorId: OTHER, productName: '复合肥', categoryCode: 'INPUT.FERTILIZER' }],
    ['350B000000000003', { code: '350B000000000003', ownerOperatorId: OTHER, productName: '30%乙酰甲胺磷乳油', categoryCode: 'INPUT.PESTICIDE' }],
  ]);
  const sale = (codes: string[], operatorId = OP, bizStep = 'retail_selling') => fns.saleOf(ev({ bizStep, operatorId, ids: codes.map((key) => ({ key, role: 'q' })) }))!;
  const [hit] = fns.bannedSaleFindings([sale([CODE, INPUT_CODE])], goods, s);
  assert.deepEqual([hit.rule, hit.subject, hit.severity, hit.codes, hit.facts.substance], ['banned_input', `operator:${OP}:sold:甲胺磷`, 'critical', [CODE], '甲胺磷']);
  assert.match(hit.explanation.zh, /销售了国家禁用的“甲胺磷”/);
  assert.equal(fns.bannedSaleFindings([sale([CODE], OTHER, 'shipping')], goods, s)[0].subject, `operator:${OTHER}:sold:甲胺磷`, 'the maker shipping its own');
  assert.deepEqual(fns.bannedSaleFindings([sale([INPUT_CODE])], goods, s), [], 'fertiliser');
  assert.deepEqual(fns.bannedSaleFindings([sale(['350B000000000003'])], goods, s), [], 'acephate is restricted, not banned');
});

test('rule 7 (audit): an operator counts the complaints naming its products; one product\'s cluster is not warned twice', () => {
  const c = settings('complaint_cluster');
  const now = new Date('2024-05-10T12:00:00Z');
  let n = 0;
  const complaint = (productId: string | null, operatorId = OP): fns.ComplaintFact => ({
    id: `k${++n}`, receivedAt: new Date(now.getTime() - n * 3_600_000), productId, productName: productId ? `产品${productId.slice(0, 1)}` : null,
    operatorId, operatorName: '鲜切净菜加工厂', divisionCode: '350102', code: null,
  });
  const [A, B] = ['aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb'];
  const mixed = [complaint(A), complaint(A), complaint(B), complaint(B), complaint(null), complaint(null)];
  const found = fns.complaintClusterFindings(mixed, now, c);
  const [op] = found;
  assert.deepEqual([op.subject, op.facts.complaints, op.facts.namingProduct], [`operator:${OP}`, 6, 4]);
  assert.equal(found.length, 1, 'no product reached the threshold');
  assert.match(op.explanation.zh, /经营主体“鲜切净菜加工厂”的投诉 6 件（其中 4 件指明其产品）/);
  // One product's cluster: the product's warning alone, not a second one for the same complaints.
  assert.deepEqual(subjects(fns.complaintClusterFindings([complaint(A), complaint(A), complaint(A)], now, c)), [`product:${A}`]);
  assert.deepEqual(subjects(fns.complaintClusterFindings([complaint(A), complaint(A), complaint(A), complaint(B), complaint(B), complaint(B)], now, c)), [`product:${A}`, `product:${B}`]);
  // A complaint in no product's cluster makes the operator's count news.
  assert.deepEqual(subjects(fns.complaintClusterFindings([complaint(A), complaint(A), complaint(A), complaint(null)], now, c)), [`operator:${OP}`, `product:${A}`]);
});

test('rule 8: the share of receipts without upstream record above the rate fires, given enough receipts', () => {
  const s = settings('entry_admission_missing');
  const stats = (total: number, missing: number) => [{ operatorId: OP, divisionCode: '350203', total, missing }];
  const [hit] = fns.entryAdmissionFindings(stats(10, 3), s);
  assert.deepEqual([hit.subject, hit.facts.ratePercent], [`operator:${OP}`, 30]);
  assert.deepEqual(fns.entryAdmissionFindings(stats(10, 2), s), [], '20% is the limit, not above it');
  assert.deepEqual(fns.entryAdmissionFindings(stats(9, 9), s), [], 'too few receipts to judge');
});

test('newest evidence: kept by merging, taken from complaints, scans and receipts; declared events are not live; moved items join a forward trace', () => {
  const at = (iso: string) => new Date(iso);
  const base: Finding = { rule: 'complaint_cluster', subject: 's', severity: 'medium', operatorId: OP, divisionCode: null, codes: [], explanation: { zh: '一', en: 'one' }, facts: {}, eventSeqs: [] };
  const [merged] = fns.mergeFindings([{ ...base, evidenceAt: at('2024-05-02T00:00:00Z') }, { ...base, evidenceAt: at('2024-05-01T00:00:00Z') }, base]);
  assert.equal(merged.evidenceAt?.toISOString(), '2024-05-02T00:00:00.000Z');
  const now = at('2024-05-10T12:00:00Z');
  const complaint = (id: string, iso: string): fns.ComplaintFact => ({ id, receivedAt: at(iso), productId: null, productName: null, operatorId: OP, operatorName: '某店', divisionCode: '350102', code: null });
  const [cluster] = fns.complaintClusterFindings([complaint('a', '2024-05-08T00:00:00Z'), complaint('b', '2024-05-09T00:00:00Z'), complaint('c', '2024-05-07T00:00:00Z')], now, settings('complaint_cluster'));
  assert.equal(cluster.evidenceAt?.toISOString(), '2024-05-09T00:00:00.000Z', 'the latest complaint');
  const [rate] = fns.entryAdmissionFindings([{ operatorId: OP, divisionCode: '350203', total: 10, missing: 5, latestMissingAt: at('2024-05-03T00:00:00Z') }], settings('entry_admission_missing'));
  assert.equal(rate.evidenceAt?.toISOString(), '2024-05-03T00:00:00.000Z');
  const scans = [{ at: at('2024-05-10T08:00:00Z'), lat: 26.1, lng: 119.3, uaHash: 'a' }, { at: at('2024-05-10T09:00:00Z'), lat: 39.9, lng: 116.4, uaHash: 'b' }];
  assert.equal(fns.cloneFindings([{ code: CODE, ownerOperatorId: OP, divisionCode: null, scans, latestAt: scans[1].at }], settings('suspected_clone'))[0].evidenceAt?.toISOString(), '2024-05-10T09:00:00.000Z');

  assert.deepEqual(fns.liveEvents([ev({ seq: 'a' }), ev({ seq: 'b', body: { errorDeclaration: { declarationTime: '2024-05-11T00:00:00Z' } } })]).map((e) => e.seq), ['a']);

  const state = startTrace([CODE], 'forward');
  admitKeys(state, [INPUT_CODE, CODE], 'forward');
  assert.deepEqual([...state.nodes.keys()], [CODE, INPUT_CODE]);
  assert.deepEqual(frontierKeys(state), [CODE, INPUT_CODE].sort(), 'the item is expanded with its batch');
  const small = startTrace([CODE], 'forward', 1);
  admitKeys(small, [INPUT_CODE], 'forward');
  assert.deepEqual([small.nodes.size, small.truncated], [1, true], 'past the size limit the proposal says it is truncated');
});

test('from a warning to an incident: platform codes, the reason of the rule, the level of the severity', () => {
  const w = (rule: string, severity: string, codes: string[]) => fns.incidentFromWarning({ rule, severity, codes, explanation_zh: '中文', explanation_en: 'English' });
  const code = generateCode('350', 'batch');
  assert.deepEqual(w('inspection_failed', 'critical', [code, 'urn:epc:class:lgtin:4012345.012345.A1', code]), { codes: [code], reason: 'failed_inspection', severity: 'level_1', description: '中文\nEnglish' });
  assert.deepEqual([w('complaint_cluster', 'high', [code])!.reason, w('complaint_cluster', 'high', [code])!.severity], ['complaint', 'level_2']);
  assert.deepEqual([w('cold_chain_excursion', 'medium', [code])!.reason, w('mass_balance', 'medium', [code])!.severity, w('x', 'low', [code])!.severity], ['other', 'level_3', 'level_3']);
  assert.equal(w('inspection_failed', 'high', ['urn:epc:class:lgtin:4012345.012345.A1']), null, 'no platform code: nothing to open on');
});
