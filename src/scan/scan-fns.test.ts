import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CLONE_DISTANCE_KM, CLONE_MAX_DEVICES, CLONE_MAX_SCANS, CLONE_VOLUME_WINDOW_MS, CLONE_WINDOW_MS,
  coarse, consumerFacts, distanceKm, ipPrefix, localDate, pickLang, prefersHtml, suspectClone, type ConsumerEventRow,
} from './scan-fns.ts';
import type { ScanFact } from './scan-types.ts';

const T0 = Date.parse('2024-06-01T08:00:00Z');
const FUZHOU = { lat: 26.1, lng: 119.3 };
/** Degrees of latitude for a distance along a meridian (the haversine radius is 6371 km). */
const degFor = (km: number) => (km / 6371) * (180 / Math.PI);
const at = (ms: number, where: { lat: number; lng: number } | null = null, ua: string | null = 'ua'): ScanFact =>
  ({ at: new Date(T0 + ms), lat: where?.lat ?? null, lng: where?.lng ?? null, uaHash: ua });
const north = (km: number) => ({ lat: FUZHOU.lat + degFor(km), lng: FUZHOU.lng });

test('distance: Fuzhou to Beijing is about 1,560 km; a meridian degree about 111 km', () => {
  assert.ok(Math.abs(distanceKm(FUZHOU, { lat: 39.9, lng: 116.4 }) - 1563) < 10);
  assert.ok(Math.abs(distanceKm({ lat: 0, lng: 0 }, { lat: 1, lng: 0 }) - 111.19) < 0.01);
  assert.ok(Math.abs(distanceKm(FUZHOU, north(CLONE_DISTANCE_KM)) - CLONE_DISTANCE_KM) < 1e-6);
});

test('clone rule, far apart: fires above 300 km within 6 hours, not at or below, not after', () => {
  assert.deepEqual(suspectClone([at(0, FUZHOU), at(3_600_000, north(CLONE_DISTANCE_KM + 0.1))]),
    { reason: 'far_apart', since: new Date(T0 + 3_600_000).toISOString() });
  assert.equal(suspectClone([at(0, FUZHOU), at(3_600_000, north(CLONE_DISTANCE_KM - 0.1))]), null);
  assert.equal(suspectClone([at(0, FUZHOU), at(CLONE_WINDOW_MS, north(1000))])?.reason, 'far_apart', 'exactly 6 hours is within');
  assert.equal(suspectClone([at(0, FUZHOU), at(CLONE_WINDOW_MS + 1, north(1000))]), null, 'just after 6 hours');
  // Scans without a location never count for this rule; order of input does not matter.
  assert.equal(suspectClone([at(60_000, north(1000)), at(30_000), at(0, FUZHOU)])?.since, new Date(T0 + 60_000).toISOString());
  assert.equal(suspectClone([at(0), at(1000, north(1000))]), null);
  // A far scan that follows a near one still compares with the earlier far-away scan.
  const s = suspectClone([at(0, FUZHOU), at(60_000, north(10)), at(120_000, north(700))]);
  assert.equal(s?.since, new Date(T0 + 120_000).toISOString());
});

test('clone rule, volume: more than 50 devices or more than 200 scans in 24 hours', () => {
  const devices = (n: number, spacing = 60_000) => Array.from({ length: n }, (_, i) => at(i * spacing, null, `ua${i}`));
  assert.equal(suspectClone(devices(CLONE_MAX_DEVICES)), null, 'exactly 50 devices');
  assert.deepEqual(suspectClone(devices(CLONE_MAX_DEVICES + 1)), { reason: 'many_devices', since: new Date(T0 + CLONE_MAX_DEVICES * 60_000).toISOString() });
  const spread = (CLONE_VOLUME_WINDOW_MS / CLONE_MAX_DEVICES) + 1;
  assert.equal(suspectClone(devices(CLONE_MAX_DEVICES + 1, spread)), null, '51 devices spread over more than 24 hours');

  const scans = (n: number, spacing: number) => Array.from({ length: n }, (_, i) => at(i * spacing, null, 'same-browser'));
  assert.equal(suspectClone(scans(CLONE_MAX_SCANS, 1000)), null, 'exactly 200 scans');
  assert.deepEqual(suspectClone(scans(CLONE_MAX_SCANS + 1, 1000)), { reason: 'many_scans', since: new Date(T0 + CLONE_MAX_SCANS * 1000).toISOString() });
  // 201 scans whose first and last lie exactly 24 hours apart are inside one window; a millisecond more is not.
  assert.equal(suspectClone(scans(CLONE_MAX_SCANS + 1, CLONE_VOLUME_WINDOW_MS / CLONE_MAX_SCANS))?.reason, 'many_scans');
  assert.equal(suspectClone(scans(CLONE_MAX_SCANS + 1, CLONE_VOLUME_WINDOW_MS / CLONE_MAX_SCANS + 1)), null);
  assert.equal(suspectClone([]), null);
});

test('clone rule: the reason that fired first wins', () => {
  const many = Array.from({ length: CLONE_MAX_DEVICES + 1 }, (_, i) => at(i * 1000, null, `ua${i}`));
  const r = suspectClone([...many, at(0, FUZHOU), at(500, north(800))]);
  assert.deepEqual(r, { reason: 'far_apart', since: new Date(T0 + 500).toISOString() });
});

test('coarse coordinates and IP prefixes keep nothing finer than ~10 km and a /24 or /48', () => {
  assert.deepEqual([coarse(26.0749), coarse(119.2963), coarse(-33.86), coarse(179.96)], [26.1, 119.3, -33.9, 180]);
  assert.equal(ipPrefix('203.0.113.77'), '203.0.113.0/24');
  assert.equal(ipPrefix('::ffff:203.0.113.77'), '203.0.113.0/24');
  assert.equal(ipPrefix('2001:db8:abcd:12::1'), '2001:db8:abcd::/48');
  assert.equal(ipPrefix('2001:DB8::1'), '2001:db8:0::/48');
  assert.equal(ipPrefix('fe80::1%eth0'), 'fe80:0:0::/48');
  assert.equal(ipPrefix('::1'), '0:0:0::/48');
});

test('HTML for browsers, JSON for API clients; Chinese unless English is preferred', () => {
  const chrome = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
  assert.equal(prefersHtml(chrome), true);
  assert.equal(prefersHtml('text/html'), true);
  for (const a of ['application/json', '*/*', undefined, '', 'application/json, text/html;q=0.9', 'application/problem+json']) assert.equal(prefersHtml(a), false, String(a));
  assert.equal(prefersHtml('application/json;q=0.5, text/html'), true);

  assert.equal(pickLang(undefined, 'en-US,en;q=0.9'), 'en');
  assert.equal(pickLang(undefined, 'zh-CN,zh;q=0.9,en;q=0.8'), 'zh');
  assert.equal(pickLang(undefined, 'en;q=0.5,zh-TW;q=0.6'), 'zh');
  assert.equal(pickLang(undefined, undefined), 'zh');
  assert.equal(pickLang(undefined, 'fr-FR'), 'zh');
  assert.equal(pickLang('en', 'zh-CN'), 'en');
  assert.equal(pickLang('zh', 'en'), 'zh');
  assert.equal(pickLang('fr', 'en'), 'en', 'an unknown ?lang falls back to the header');
});

test('event dates are taken where the event happened, China Standard Time by default', () => {
  const t = new Date('2024-05-01T17:30:00Z');
  assert.equal(localDate(t, '+08:00'), '2024-05-02');
  assert.equal(localDate(t, undefined), '2024-05-02');
  assert.equal(localDate(t, '-05:00'), '2024-05-01');
});

const ev = (o: Partial<ConsumerEventRow> & { body?: Record<string, unknown> }): ConsumerEventRow => ({
  eventType: 'ObjectEvent', bizStep: null, disposition: null, eventTime: new Date('2024-05-01T02:00:00Z'), divisionCode: '350121',
  operatorId: 'producer', roles: ['q'], siteKind: null, ...o, body: { eventTimeZoneOffset: '+08:00', ...o.body },
});

test('consumer facts: public inspections only, producer certificates, a timeline of step kinds without parties', () => {
  const facts = consumerFacts([
    ev({ bizStep: 'commissioning', body: { 'sy:record': 'harvest', quantityList: [{ quantity: 880 }], ilmd: { 'sy:producedOn': '2024-04-30' } } }),
    ev({ bizStep: 'inspecting', disposition: 'conformant', body: { 'sy:inspection': {
      kind: 'rapid_test', lab: '某市场快检室', items: [{ name: '有机磷', value: 0.01, limit: '0.1', unit: 'mg/kg', result: 'pass' }, '氨基甲酸酯', { name: '铅', result: '阴性' }],
      result: 'pass', reportNo: 'R-1', public: true } } }),
    ev({ bizStep: 'inspecting', disposition: 'non_conformant', body: { 'sy:inspection': { kind: '内部抽检', public: false } } }),
    ev({ bizStep: 'inspecting', body: { 'sy:inspection': { kind: 'no flag' } } }),
    ev({ bizStep: 'urn:suyuan:bizstep:certifying', body: {
      certificationInfo: ['urn:suyuan:cert:commitment:C-1'], 'sy:certificates': [{ type: 'commitment', number: 'C-1', issuer: '本社', issuedOn: '2024-05-01' }] } }),
    ev({ bizStep: 'urn:suyuan:bizstep:certifying', operatorId: null, body: { certificationInfo: 'urn:suyuan:cert:animal_quarantine:Q%2F7' } }),
    ev({ bizStep: 'shipping', eventTime: new Date('2024-05-02T01:00:00Z'), body: { certificationInfo: 'https://cert.example/1' } }),
    ev({ bizStep: 'receiving', operatorId: 'market', siteKind: 'stall', divisionCode: '350203', eventTime: new Date('2024-05-02T09:00:00Z'),
      body: { 'sy:certificates': [{ type: '入场证明', issuer: '某某批发市场' }] } }),
    ev({ bizStep: 'receiving', operatorId: 'market', siteKind: 'stall', divisionCode: '350203', eventTime: new Date('2024-05-02T10:00:00Z') }),
    ev({ eventType: 'TransactionEvent', bizStep: 'retail_selling', operatorId: 'market', divisionCode: '350203', eventTime: new Date('2024-05-03T01:00:00Z') }),
    ev({ bizStep: 'shipping', eventTime: new Date('2024-05-03T01:00:00Z'), body: { errorDeclaration: { declarationTime: '2024-05-04T00:00:00Z' } } }),
    ev({ bizStep: 'urn:suyuan:bizstep:applying_inputs', body: { 'sy:input': { product: '某农药' } } }),
    ev({ eventType: 'TransformationEvent', bizStep: 'commissioning', roles: ['j'] }),
  ], 'producer', []);
  assert.deepEqual(facts.inspections, [{
    date: '2024-05-01', kind: 'rapid_test', result: 'pass', reportNo: 'R-1', divisionCode: '350121', division: '福建省 福州市 闽侯县',
    items: [
      { name: '有机磷', result: 'pass', value: '0.01 mg/kg', limit: '0.1 mg/kg' }, { name: '氨基甲酸酯', result: null, value: null, limit: null },
      { name: '铅', result: 'pass', value: null, limit: null },
    ],
  }]);
  assert.deepEqual(facts.certificates, [
    { type: 'commitment', number: 'C-1', issuer: '本社', issuedOn: '2024-05-01', uri: null },
    { type: 'animal_quarantine', number: 'Q/7', issuer: null, issuedOn: null, uri: null },
    { type: null, number: null, issuer: null, issuedOn: null, uri: 'https://cert.example/1' },
  ], 'the URIs that repeat sy:certificates are read once; a regulator\'s certificate counts; a buyer\'s does not');
  assert.deepEqual(facts.timeline.map((s) => [s.date, s.step, s.place, s.divisionCode]), [
    ['2024-04-30', 'harvested', null, '350121'], ['2024-05-02', 'shipped', null, '350121'],
    ['2024-05-02', 'arrived', 'stall', '350203'], ['2024-05-03', 'retailed', null, '350203'],
  ]);
  assert.deepEqual(facts.inputOrigins, []);
  assert.ok(!/880|某市场|某某批发|某农药/.test(JSON.stringify(facts)));
});

test('consumer facts of a processed product: the processing step and its inputs\' divisions', () => {
  const facts = consumerFacts([ev({ eventType: 'TransformationEvent', bizStep: 'commissioning', roles: ['k'], divisionCode: '350102' })], 'processor',
    [{ divisionCode: '350121', producedOn: '2024-04-28' }, { divisionCode: '350181', producedOn: '2024-04-29' }, { divisionCode: '350121', producedOn: '2024-04-30' }]);
  assert.deepEqual(facts.inputOrigins.map((p) => p.division), ['福建省 福州市 闽侯县', '福建省 福州市 福清市']);
  assert.deepEqual(facts.timeline.map((s) => s.step), ['raw_material', 'raw_material', 'raw_material', 'processed']);
});
