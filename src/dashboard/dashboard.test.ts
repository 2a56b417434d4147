import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { buildBatch, buildOperator, buildSite, buildUser } from '../../test/builders.ts';
import { dayWindow, fillSeries, scopeOf } from './dashboard-fns.ts';

let t: TestApp;
let xmReg: string, fzReg: string, fjReg: string;
before(async () => {
  t = await startTestApp();
  // Xiamen: one approved operator with two batches (and their commissioning events), one pending; Fuzhou: one with one batch.
  const xm = await buildOperator(t, { division: '350203' });
  await buildOperator(t, { division: '350206', approve: false });
  const fz = await buildOperator(t, { division: '350102' });
  const xmSite = await buildSite(t, xm, { divisionCode: '350203' });
  const a = await buildBatch(t, xm, { siteId: xmSite.id });
  await buildBatch(t, xm, { siteId: xmSite.id });
  const b = await buildBatch(t, fz, { siteId: (await buildSite(t, fz, { divisionCode: '350102' })).id });
  // Consumer scans: two of a Xiamen code, one of a Fuzhou code.
  for (const code of [a.batchCode!.code, a.batchCode!.code, b.batchCode!.code]) {
    assert.equal((await t.call('GET', `/t/${code}`, { headers: { accept: 'application/json' } })).status, 200);
  }
  // Warnings come from the rule engine; two are written here directly, one per city.
  for (const [division, op] of [['350203', xm.id], ['350102', fz.id]]) {
    await t.db.pool.query(
      `INSERT INTO risk_warnings (rule, subject, severity, operator_id, division_code, explanation_zh, explanation_en, raised_by)
       VALUES ('test', $1, 'high', $2, $3, '测试', 'test', 'schedule')`, [`operator:${op}`, op, division]);
  }
  xmReg = (await buildUser(t, 'regulator', { jurisdiction: '350200' })).token;
  fzReg = (await buildUser(t, 'regulator', { jurisdiction: '350100' })).token;
  fjReg = (await buildUser(t, 'regulator', { jurisdiction: '350000' })).token;
});
after(async () => { await t.close(); });

const eventsIn = async (prefix: string) =>
  (await t.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE division_code LIKE $1`, [`${prefix}%`])).rows[0].n;

test('a city regulator sees only its city: operators by status, batches, events, scans, open warnings, per day and per county', async () => {
  const r = await t.call('GET', '/api/v1/dashboard?days=30', { as: xmReg });
  assert.equal(r.status, 200, r.text);
  const d = r.body;
  assert.deepEqual(d.division, { code: '350200', name: '福建省 厦门市' });
  assert.equal(d.days, 30);
  assert.equal(d.series.length, 30);
  assert.equal(d.series.at(-1).date, d.to);
  assert.deepEqual(d.totals.operators, { pending: 1, approved: 1, rejected: 0, suspended: 0, total: 2 });
  assert.deepEqual(d.totals.warnings, { open: 1, acknowledged: 0 });
  const xmEvents = await eventsIn('3502');
  assert.ok(xmEvents >= 2, 'the two batches were recorded with their events');
  assert.deepEqual(d.totals.window, { operators: 2, batches: 2, events: xmEvents, scans: 2, warnings: 1 });
  // Everything happened today.
  const today = d.series.at(-1);
  assert.deepEqual({ ...today, date: undefined }, { date: undefined, operators: 2, batches: 2, events: xmEvents, scans: 2, warnings: 1 });
  assert.equal(d.map.level, 'county');
  assert.deepEqual(d.map.items, [{ code: '350203', name: '思明区', operators: 1, events: xmEvents }]);
});

test('another city, the province and the platform admin each see their own area', async () => {
  const fz = (await t.call('GET', '/api/v1/dashboard?days=7', { as: fzReg })).body;
  assert.deepEqual(fz.totals.window, { operators: 1, batches: 1, events: await eventsIn('3501'), scans: 1, warnings: 1 });
  assert.equal(fz.totals.operators.total, 1);

  const fj = (await t.call('GET', '/api/v1/dashboard', { as: fjReg })).body;
  assert.equal(fj.days, 30);
  assert.equal(fj.map.level, 'city');
  assert.deepEqual(fj.map.items.map((i: { code: string; operators: number }) => [i.code, i.operators]), [['350100', 1], ['350200', 1]]);
  assert.equal(fj.totals.window.batches, 3);
  assert.equal(fj.totals.window.scans, 3);

  const all = (await t.call('GET', '/api/v1/dashboard?days=90', { as: await t.adminToken() })).body;
  assert.equal(all.division.code, '000000');
  assert.equal(all.map.level, 'province');
  assert.deepEqual(all.map.items.map((i: { code: string; name: string }) => [i.code, i.name]), [['350000', '福建省']]);
  assert.equal(all.series.length, 90);
  assert.equal(all.totals.operators.total, 3);
});

test('a regulator may narrow to a division inside its jurisdiction, never outside it; bad windows and other roles are refused', async () => {
  const inside = await t.call('GET', '/api/v1/dashboard?division=350203', { as: fjReg });
  assert.equal(inside.status, 200);
  assert.equal(inside.body.totals.window.batches, 2);
  assert.equal(inside.body.map.items[0].code, '350203');

  const outside = await t.call('GET', '/api/v1/dashboard?division=350100', { as: xmReg });
  assert.equal(outside.status, 403);
  assert.equal(outside.body.code, 'OUT_OF_JURISDICTION');
  assert.ok(outside.body.message.zh && outside.body.message.en);

  assert.equal((await t.call('GET', '/api/v1/dashboard?days=45', { as: xmReg })).status, 400);
  assert.equal((await t.call('GET', '/api/v1/dashboard?division=359999', { as: fjReg })).body.code, 'DIVISION_UNKNOWN');
  const op = await buildOperator(t, { division: '350203' });
  assert.equal((await t.call('GET', '/api/v1/dashboard', { as: op.adminToken })).status, 403);
  assert.equal((await t.call('GET', '/api/v1/dashboard')).status, 401);
});

test('domain core: scopes, the China-time window and zero-filled series', () => {
  assert.deepEqual(scopeOf('000000'), { division: '000000', prefix: '', level: 'province', childDigits: 2 });
  assert.deepEqual(scopeOf('350000'), { division: '350000', prefix: '35', level: 'city', childDigits: 4 });
  assert.deepEqual(scopeOf('110000'), { division: '110000', prefix: '11', level: 'county', childDigits: 6 });
  assert.deepEqual(scopeOf('350200'), { division: '350200', prefix: '3502', level: 'county', childDigits: 6 });
  // 20:30 UTC is already the next day in China.
  const w = dayWindow(new Date('2024-03-01T20:30:00Z'), 7);
  assert.equal(w.to, '2024-03-02');
  assert.equal(w.from, '2024-02-25');
  assert.equal(w.since.toISOString(), '2024-02-24T16:00:00.000Z');
  const s = fillSeries(w.dates, [{ day: '2024-03-02', metric: 'events', n: 3 }, { day: '2024-03-02', metric: 'events', n: 2 }, { day: '2023-01-01', metric: 'scans', n: 9 }]);
  assert.equal(s.length, 7);
  assert.equal(s[6].events, 5);
  assert.equal(s.reduce((a, d) => a + d.scans, 0), 0);
});
