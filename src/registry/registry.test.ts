import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { buildUscc, buildOperator, buildUser } from '../../test/builders.ts';

let t: TestApp;
before(async () => { t = await startTestApp(); });
after(async () => { await t.close(); });

const base = (over: Record<string, unknown> = {}) => ({
  uscc: buildUscc(), name: '闽侯县绿野蔬菜专业合作社', types: ['producer'], divisionCode: '350121',
  account: { username: `u${Math.random().toString(36).slice(2, 10)}`, password: 'secret-pass-1' }, ...over,
});

test('self-registration creates a pending operator and its admin account', async () => {
  const body = base({ licences: [{ type: '食品经营许可证', number: 'JY13501210001', issuer: '闽侯县市场监督管理局', validUntil: '2028-12-31' }] });
  const r = await t.call('POST', '/api/v1/operators', { body });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.status, 'pending');
  assert.equal(r.body.divisionName, '福建省 福州市 闽侯县');
  assert.equal(r.body.licences[0].number, 'JY13501210001');
  const token = await t.login(body.account.username, 'secret-pass-1');
  const me = await t.call('GET', '/api/v1/auth/me', { as: token });
  assert.equal(me.body.role, 'operator-admin');
  assert.equal(me.body.operatorId, r.body.id);
});

test('bad USCC, unknown division: 400 problem+json with stable codes and both languages', async () => {
  const bad = base();
  bad.uscc = (bad.uscc as string).slice(0, 17) + ((bad.uscc as string)[17] === '0' ? '1' : '0');
  const r = await t.call('POST', '/api/v1/operators', { body: bad });
  assert.equal(r.status, 400);
  assert.match(r.headers.get('content-type')!, /application\/problem\+json/);
  assert.equal(r.body.code, 'USCC_CHECKSUM');
  assert.equal(r.body.field, 'uscc');
  assert.ok(r.body.message.zh && r.body.message.en);
  const d = await t.call('POST', '/api/v1/operators', { body: base({ divisionCode: '359999' }) });
  assert.equal(d.status, 400);
  assert.equal(d.body.code, 'DIVISION_UNKNOWN');
  const v = await t.call('POST', '/api/v1/operators', { body: base({ types: [] }) });
  assert.equal(v.status, 400);
  assert.equal(v.body.code, 'VALIDATION_FAILED');
  assert.equal(v.body.field, 'body.types');
  const m = await t.call('POST', '/api/v1/operators', { body: '{not json', headers: { 'content-type': 'application/json' } });
  assert.equal(m.status, 400);
  assert.equal(m.body.code, 'MALFORMED_BODY');
});

test('one USCC = one operator: a second registration names the existing record, and nothing is half-written', async () => {
  const first = base();
  assert.equal((await t.call('POST', '/api/v1/operators', { body: first })).status, 201);
  const again = base({ uscc: (first.uscc as string).toLowerCase(), name: '另一个名字' });
  const r = await t.call('POST', '/api/v1/operators', { body: again });
  assert.equal(r.status, 409);
  assert.equal(r.body.code, 'OPERATOR_EXISTS');
  assert.equal(r.body.existing.name, '闽侯县绿野蔬菜专业合作社');
  // The account of the refused registration was not created.
  const login = await t.call('POST', '/api/v1/auth/login', { body: { username: again.account.username, password: 'secret-pass-1' } });
  assert.equal(login.status, 401);
});

test('checksum override: only an admin, only with a reason, and it is recorded', async () => {
  const good = buildUscc('350102');
  const pilot = good.slice(0, 17) + (good[17] === 'A' ? 'B' : 'A');
  const asPublic = await t.call('POST', '/api/v1/operators', { body: base({ uscc: pilot, usccOverride: { reason: '试点期代码' } }) });
  assert.equal(asPublic.status, 403);
  assert.equal(asPublic.body.code, 'USCC_OVERRIDE_FORBIDDEN');
  const admin = await t.adminToken();
  const noReason = await t.call('POST', '/api/v1/operators', { as: admin, body: { ...base({ uscc: pilot, usccOverride: { reason: ' ' } }), account: undefined } });
  assert.equal(noReason.body.code, 'USCC_OVERRIDE_REASON');
  const ok = await t.call('POST', '/api/v1/operators', { as: admin, body: { ...base({ uscc: pilot, usccOverride: { reason: '2015 年试点期代码，工商确认真实' } }), account: undefined } });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.body.usccOverride.reason, '2015 年试点期代码，工商确认真实');
  const j = await t.db.pool.query(`SELECT payload FROM journal WHERE subject_id = $1 AND type = 'operator.registered'`, [ok.body.id]);
  assert.ok(j.rows[0].payload.usccOverride);
});

test('review workflow: city regulator approves inside its city only; transitions and reasons are enforced', async () => {
  const fuzhou = await buildUser(t, 'regulator', { jurisdiction: '350100' });
  const xiamen = await buildUser(t, 'regulator', { jurisdiction: '350200' });
  const op = await buildOperator(t, { division: '350121', approve: false });
  const outside = await t.call('POST', `/api/v1/operators/${op.id}/review`, { as: xiamen.token, body: { action: 'approve' } });
  assert.equal(outside.status, 403);
  const reject = await t.call('POST', `/api/v1/operators/${op.id}/review`, { as: fuzhou.token, body: { action: 'reject' } });
  assert.equal(reject.body.code, 'REASON_REQUIRED');
  const ok = await t.call('POST', `/api/v1/operators/${op.id}/review`, { as: fuzhou.token, body: { action: 'approve' } });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.status, 'approved');
  const twice = await t.call('POST', `/api/v1/operators/${op.id}/review`, { as: fuzhou.token, body: { action: 'approve' } });
  assert.equal(twice.status, 409);
  assert.equal(twice.body.code, 'REVIEW_NOT_ALLOWED');
  await t.call('POST', `/api/v1/operators/${op.id}/review`, { as: fuzhou.token, body: { action: 'suspend', reason: '抽检不合格' } });
  const back = await t.call('POST', `/api/v1/operators/${op.id}/review`, { as: fuzhou.token, body: { action: 'reinstate', reason: '整改完成' } });
  assert.equal(back.body.status, 'approved');
  const hist = await t.call('GET', `/api/v1/operators/${op.id}/reviews`, { as: op.adminToken });
  assert.deepEqual(hist.body.items.map((h: any) => h.to), ['pending', 'approved', 'suspended', 'approved']);
  assert.equal(hist.body.items[2].reason, '抽检不合格');
  // The operator itself cannot review.
  const self = await t.call('POST', `/api/v1/operators/${op.id}/review`, { as: op.adminToken, body: { action: 'suspend', reason: 'x' } });
  assert.equal(self.status, 403);
});

test('listing is scoped: regulator sees its jurisdiction, an operator only itself, anonymous nobody', async () => {
  const a = await buildOperator(t, { division: '350203' });
  const b = await buildOperator(t, { division: '350102' });
  const xiamen = await buildUser(t, 'regulator', { jurisdiction: '350200' });
  const list = await t.call('GET', '/api/v1/operators?limit=500', { as: xiamen.token });
  const ids = list.body.items.map((o: any) => o.id);
  assert.ok(ids.includes(a.id));
  assert.ok(!ids.includes(b.id));
  const widen = await t.call('GET', '/api/v1/operators?divisionCode=350000', { as: xiamen.token });
  assert.equal(widen.body.total, 0);
  const own = await t.call('GET', '/api/v1/operators', { as: a.adminToken });
  assert.deepEqual(own.body.items.map((o: any) => o.id), [a.id]);
  assert.equal((await t.call('GET', `/api/v1/operators/${b.id}`, { as: a.adminToken })).status, 403);
  assert.equal((await t.call('GET', '/api/v1/operators')).status, 401);
});

test('sites and licences belong to an operator and are managed by its admin', async () => {
  const op = await buildOperator(t);
  const other = await buildOperator(t);
  const site = { name: '上街镇基地 3 号地块', kind: 'farm_plot', divisionCode: '350121', lat: 26.05, lng: 119.2 };
  const r = await t.call('POST', `/api/v1/operators/${op.id}/sites`, { as: op.adminToken, body: site });
  assert.equal(r.status, 201, r.text);
  assert.equal((await t.call('POST', `/api/v1/operators/${op.id}/sites`, { as: other.adminToken, body: site })).status, 403);
  assert.equal((await t.call('POST', `/api/v1/operators/${op.id}/sites`, { as: op.adminToken, body: { ...site, gln: '6901234567891' } })).body.code, 'GLN_CHECKSUM');
  const list = await t.call('GET', `/api/v1/operators/${op.id}/sites`, { as: op.adminToken });
  assert.equal(list.body.items.length, 1);
  const lic = await t.call('POST', `/api/v1/operators/${op.id}/licences`, { as: op.adminToken, body: { type: '食品生产许可证', number: 'SC10135012100012', validUntil: '2027-06-30' } });
  assert.equal(lic.status, 201);
});

test('division look-up and live USCC check for forms', async () => {
  const d = await t.call('GET', '/api/v1/divisions/350100');
  assert.equal(d.body.name, '福州市');
  assert.ok(d.body.children.some((c: any) => c.code === '350121'));
  assert.equal((await t.call('GET', '/api/v1/divisions/999999')).body.code, 'DIVISION_UNKNOWN');
  const c = await t.call('GET', '/api/v1/registry/check-uscc?uscc=9144030071526726XG');
  assert.equal(c.body.valid, true);
  assert.equal((await t.call('GET', '/api/v1/registry/check-uscc?uscc=9144030071526726XA')).body.problem, 'USCC_CHECKSUM');
});

test('API keys: issued once, usable as the operator, revocable; login failures are 401', async () => {
  const op = await buildOperator(t);
  const k = await t.call('POST', `/api/v1/operators/${op.id}/api-keys`, { as: op.adminToken, body: { name: '产线 1' } });
  assert.equal(k.status, 201);
  const me = await t.call('GET', '/api/v1/auth/me', { as: k.body.key });
  assert.equal(me.body.operatorId, op.id);
  const listed = await t.call('GET', `/api/v1/operators/${op.id}/api-keys`, { as: op.adminToken });
  assert.equal(JSON.stringify(listed.body).includes(k.body.key), false, 'the key itself is never shown again');
  await t.call('POST', `/api/v1/api-keys/${k.body.id}/revoke`, { as: op.adminToken });
  const after = await t.call('GET', '/api/v1/auth/me', { as: k.body.key });
  assert.equal(after.status, 401);
  assert.equal(after.body.code, 'API_KEY_INVALID');
  assert.equal((await t.call('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'wrong' } })).body.code, 'LOGIN_FAILED');
  assert.equal((await t.call('GET', '/api/v1/auth/me', { as: 'garbage' })).body.code, 'TOKEN_INVALID');
});

test('OpenAPI document and docs are served', async () => {
  const o = await t.call('GET', '/openapi.json');
  assert.equal(o.status, 200);
  assert.ok(o.body.paths['/api/v1/operators']);
  assert.match(o.body.paths['/api/v1/operators'].post.description, /allowed: public/);
  const d = await t.call('GET', '/docs/');
  assert.equal(d.status, 200);
});
