import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { buildOperator } from '../../test/builders.ts';
import { DomainError } from '../platform/errors.ts';
import { checkUscc, usccDivision } from '../registry/uscc.ts';
import { getDivision } from '../registry/division.ts';
import { checkGtin } from '../catalog/gtin.ts';
import { DEMO_PASSWORD, DEMO_USERS, seedDemo, seedDemoIfEmpty } from './demo.ts';

let t: TestApp;
let lines: string[];
before(async () => {
  t = await startTestApp();
  lines = await seedDemoIfEmpty(t.db, t.config, () => {});
});
after(async () => { await t.close(); });

const q = async (sql: string, params: unknown[] = []) => (await t.db.pool.query(sql, params)).rows;
const counts = async () => (await q(`SELECT (SELECT count(*) FROM operators) AS operators, (SELECT count(*) FROM users) AS users,
  (SELECT count(*) FROM batches) AS batches, (SELECT count(*) FROM codes) AS codes, (SELECT count(*) FROM events) AS events,
  (SELECT count(*) FROM journal) AS journal`))[0];
const sampleCodes = () => lines.flatMap((l) => /\/t\/([0-9A-Z]{16})\s/.exec(l)?.[1] ?? []);
const codeOfLot = async (prefix: string) => (await q(`SELECT c.code FROM codes c JOIN batches b ON b.id = c.batch_id WHERE b.lot_number LIKE $1 AND c.kind = 'batch'`, [`${prefix}%`]))[0].code as string;

test('an empty node gets the Fujian chain: valid USCCs of their own real divisions, licences, sites, all approved by a regulator', async () => {
  const ops = await q('SELECT id, uscc, name, types, division_code, status FROM operators ORDER BY name');
  assert.equal(ops.length, 9);
  for (const o of ops) {
    assert.equal(checkUscc(o.uscc), null, `${o.name} ${o.uscc}`);
    assert.equal(usccDivision(o.uscc), o.division_code, `${o.name}: the USCC names its division`);
    assert.equal(getDivision(o.division_code)?.level, 'county', `${o.name} ${o.division_code}`);
    assert.ok(o.division_code.startsWith('35'), 'in Fujian');
    assert.equal(o.status, 'approved', o.name);
  }
  assert.ok(ops.find((o) => o.name.includes('专业合作社'))!.uscc.startsWith('93'), 'a farmers\' cooperative is organisation type 93');
  const reviews = await q(`SELECT o.division_code, r.actor_role, u.jurisdiction FROM operator_reviews r JOIN operators o ON o.id = r.operator_id
    JOIN users u ON u.id::text = r.actor_id WHERE r.to_status = 'approved'`);
  assert.equal(reviews.length, 9);
  for (const r of reviews) assert.equal(r.jurisdiction, r.division_code.startsWith('3502') ? '350200' : '350000');
  assert.deepEqual((await q('SELECT count(*)::int AS n FROM operators o WHERE NOT EXISTS (SELECT 1 FROM licences l WHERE l.operator_id = o.id)'))[0].n, 0);
  for (const s of await q('SELECT s.division_code, s.lat, s.lng, o.division_code AS op FROM sites s JOIN operators o ON o.id = s.operator_id')) {
    assert.equal(s.division_code, s.op);
    assert.ok(s.lat > 23.5 && s.lat < 28.5 && s.lng > 115.8 && s.lng < 120.7, 'coordinates in Fujian');
  }
  const gtins = (await q('SELECT gtin FROM products WHERE gtin IS NOT NULL')).map((r) => r.gtin as string);
  assert.ok(gtins.length >= 3);
  for (const g of gtins) assert.ok(checkGtin(g) === null && /^069\d/.test(g), `GS1 China GTIN ${g}`);

  const pool = (await q(`SELECT p.size, count(*) FILTER (WHERE c.status = 'active')::int AS active, count(*) FILTER (WHERE c.status = 'unassigned')::int AS unassigned
    FROM code_pools p JOIN codes c ON c.pool_id = p.id JOIN operators pr ON pr.id = p.printer_operator_id WHERE 'printer' = ANY(pr.types) GROUP BY p.id`))[0];
  assert.deepEqual(pool, { size: 1000, active: 600, unassigned: 400 });
  assert.equal((await q(`SELECT count(*)::int AS n FROM codes WHERE kind = 'item' AND pool_id IS NULL`))[0].n, 120, 'item codes for the tenderloin');
  assert.equal((await q(`SELECT count(*)::int AS n FROM journal WHERE type = 'operator.registered'`))[0].n, 9, 'journalled like any registration');
  assert.equal(sampleCodes().length, 5);
});

test('every demo login works through the HTTP app with its role; the city regulator sees only Xiamen', async () => {
  assert.ok(lines[0].includes(DEMO_PASSWORD) && /演示|demonstration/.test(lines[0]), 'the lines say these are demo accounts and give the password');
  for (const u of DEMO_USERS) {
    assert.ok(lines.some((l) => l.includes(u.username)), `${u.username} is printed`);
    const me = await t.call('GET', '/api/v1/auth/me', { as: await t.login(u.username, DEMO_PASSWORD) });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.role, u.role, u.username);
  }
  const xm = await t.call('GET', '/api/v1/operators', { as: await t.login('xm-regulator', DEMO_PASSWORD) });
  assert.equal(xm.body.total, 4);
  assert.ok(xm.body.items.every((o: { divisionCode: string }) => o.divisionCode.startsWith('3502')));
  for (const code of sampleCodes()) assert.equal((await t.call('GET', `/t/${code}`)).status, 200, `scan ${code}`);
});

test('the chain joins up: the carcass traces back to the pigs, the greens forward to the supermarket and the restaurant', async () => {
  const fj = await t.login('fj-regulator', DEMO_PASSWORD);
  const back = await t.call('GET', `/api/v1/trace?code=${await codeOfLot('BT')}&direction=backward`, { as: fj });
  assert.equal(back.status, 200, back.text);
  const pigs = await codeOfLot('JO');
  assert.ok(back.body.nodes.some((n: { key: string }) => n.key === pigs), 'the pigs are upstream of the carcass');
  const fwd = await t.call('GET', `/api/v1/trace?code=${await codeOfLot('QGC')}&direction=forward`, { as: fj });
  assert.equal(fwd.status, 200, fwd.text);
  const text = JSON.stringify(fwd.body);
  for (const name of ['厦门鹭岛农产品批发市场有限公司', '厦门鹭江生鲜超市有限公司', '厦门集美嘉庚闽菜馆有限公司']) assert.ok(text.includes(name), name);
});

test('seeding twice is refused or a no-op and adds nothing', async () => {
  const before = await counts();
  await assert.rejects(seedDemo(t.db, t.config, () => {}), (e: DomainError) => e.code === 'DEMO_ALREADY_SEEDED' && e.kind === 'conflict');
  assert.deepEqual(await seedDemoIfEmpty(t.db, t.config, () => {}), lines, 'the logins are printed again on later starts');
  assert.deepEqual(await counts(), before);
});

test('a node that already holds other operators is not seeded on start', async () => {
  const other = await startTestApp();
  try {
    await buildOperator(other);
    assert.deepEqual(await seedDemoIfEmpty(other.db, other.config, () => {}), []);
    assert.equal((await other.db.pool.query('SELECT count(*)::int AS n FROM operators')).rows[0].n, 1);
  } finally {
    await other.close();
  }
});
