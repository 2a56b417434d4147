import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { buildBatch, buildChain, buildOperator, buildProduct, buildSite, buildUser, type BuiltChain } from '../../test/builders.ts';
import { chinaDate } from '../catalog/catalog-fns.ts';
import { DomainError } from '../platform/errors.ts';

// Warnings as people handle them: dedup, who sees what, acknowledge and close, settings, and the scheduled run.
let t: TestApp;
let admin: string;
let chain: BuiltChain;
before(async () => {
  t = await startTestApp();
  admin = await t.adminToken();
  chain = await buildChain(t);
});
after(async () => { await t.close(); });

const root = path.resolve(import.meta.dirname, '../..');
async function record(as: string, kind: string, body: unknown) {
  const r = await t.call('POST', `/api/v1/records/${kind}`, { as, body });
  assert.equal(r.status, 201, `${kind}: ${r.text}`);
}
const failedTest = (as: string, code: string, reportNo: string) => record(as, 'inspection', {
  code, kind: 'rapid_test', lab: '市场快检室', reportNo, result: 'fail', items: [{ name: '有机磷和氨基甲酸酯类农药', value: '62%', limit: '50%', result: 'fail' }],
});
const list = async (as: string, query: string) => {
  const r = await t.call('GET', `/api/v1/risk/warnings?${query}`, { as });
  assert.equal(r.status, 200, r.text);
  return r.body.items as any[];
};

test('the same failure again adds to the open warning; once closed, it raises a new one; warnings are never deleted', async () => {
  const g = await buildOperator(t, { division: '350121' });
  const code = (await buildBatch(t, g)).batchCode!.code;
  await failedTest(g.adminToken, code, 'KJ-1');
  // The worker evaluates the capture after its commit without being asked.
  let first: any[] = [];
  for (let i = 0; i < 50 && first.length === 0; i++) {
    first = await list(admin, `rule=inspection_failed&operatorId=${g.id}`);
    if (first.length === 0) await sleep(200);
  }
  assert.equal(first.length, 1, 'evaluated by the worker');
  await failedTest(g.adminToken, code, 'KJ-2');
  await t.services.risk.evaluatePending();
  const [w] = await list(admin, `rule=inspection_failed&operatorId=${g.id}`);
  assert.deepEqual([w.id, w.occurrences, w.severity, w.explanation.zh.includes('KJ-2')], [first[0].id, 2, 'high', true]);
  assert.equal((await t.call('GET', `/api/v1/risk/warnings/${w.id}`, { as: admin })).body.events.length, 2);
  const proposals = await t.db.pool.query('SELECT count(*)::int AS n FROM risk_hold_proposals WHERE warning_id = $1', [w.id]);
  assert.equal(proposals.rows[0].n, 1, 'one hold proposal per warning');

  assert.equal((await t.call('POST', `/api/v1/risk/warnings/${w.id}/close`, { as: admin, body: { reason: '已销毁该批次' } })).status, 200);
  await failedTest(g.adminToken, code, 'KJ-3');
  await t.services.risk.evaluatePending();
  const all = await list(admin, `rule=inspection_failed&operatorId=${g.id}`);
  assert.deepEqual(all.map((x) => [x.status, x.occurrences]), [['open', 1], ['closed', 2]], 'newest first');

  await assert.rejects(t.db.pool.query('DELETE FROM risk_warnings WHERE id = $1', [w.id]), /cannot be deleted/);
  await assert.rejects(t.db.pool.query(`UPDATE risk_warnings SET status = 'open', closed_at = NULL WHERE id = $1`, [w.id]), /cannot change/);
});

test('who sees a warning: admins all, regulators their jurisdiction, operators their own; acknowledged and closed with who and why', async () => {
  await failedTest(chain.farm.adminToken, chain.codes.harvest, 'KJ-F1');
  await t.services.risk.evaluatePending();
  const [w] = await list(admin, `rule=inspection_failed&operatorId=${chain.farm.id}`);
  assert.equal(w.divisionCode, '350121');
  const token = {
    fuzhou: (await buildUser(t, 'regulator', { jurisdiction: '350100' })).token,
    xiamen: (await buildUser(t, 'regulator', { jurisdiction: '350200' })).token,
    national: (await buildUser(t, 'regulator', { jurisdiction: '000000' })).token,
    staff: (await buildUser(t, 'operator-staff', { operatorId: chain.farm.id })).token,
  };
  const sees = async (as: string) => (await list(as, 'rule=inspection_failed')).some((x) => x.id === w.id);
  assert.deepEqual(
    [await sees(admin), await sees(token.national), await sees(token.fuzhou), await sees(chain.farm.adminToken), await sees(token.staff), await sees(token.xiamen), await sees(chain.market.adminToken)],
    [true, true, true, true, true, false, false]);
  for (const as of [token.xiamen, chain.market.adminToken]) {
    const r = await t.call('GET', `/api/v1/risk/warnings/${w.id}`, { as });
    assert.deepEqual([r.status, r.body.code], [404, 'RISK_WARNING_NOT_FOUND']);
  }
  const mine = (await t.call('GET', `/api/v1/risk/warnings/${w.id}`, { as: chain.farm.adminToken })).body;
  assert.deepEqual(Object.keys(mine.holdProposal).sort(), ['affectedCount', 'createdAt', 'truncated'], 'operators see how far it reaches, not who is downstream');
  assert.equal(mine.holdProposal.affectedCount, 2);
  assert.equal(mine.events.length, 1, 'its own inspection');
  assert.equal((await t.call('GET', `/api/v1/risk/warnings/${w.id}`, { as: token.fuzhou })).body.holdProposal.affectedCodes.length, 2);

  const act = (as: string, action: string, reason?: string) => t.call('POST', `/api/v1/risk/warnings/${w.id}/${action}`, { as, body: reason === undefined ? {} : { reason } });
  assert.equal((await act(token.staff, 'acknowledge', '看到了')).status, 403);
  assert.equal((await act(chain.market.adminToken, 'acknowledge', '看到了')).status, 404);
  assert.equal((await act(chain.farm.adminToken, 'acknowledge')).status, 400, 'a reason is required');
  const ack = await act(chain.farm.adminToken, 'acknowledge', '已暂停销售，复检中');
  assert.equal(ack.status, 200, ack.text);
  assert.deepEqual([ack.body.status, ack.body.acknowledged.role, ack.body.acknowledged.reason], ['acknowledged', 'operator-admin', '已暂停销售，复检中']);
  assert.ok(ack.body.acknowledged.by);
  assert.deepEqual([(await act(token.fuzhou, 'acknowledge', '再次')).status, (await act(token.fuzhou, 'acknowledge', '再次')).body.code], [409, 'RISK_WARNING_NOT_OPEN']);
  assert.equal((await act(chain.farm.adminToken, 'close', '处理完毕')).status, 403);
  assert.equal((await act(token.xiamen, 'close', '处理完毕')).status, 404);
  const closed = await act(token.fuzhou, 'close', '复检合格，解除');
  assert.deepEqual([closed.status, closed.body.status, closed.body.closed.role, closed.body.closed.reason], [200, 'closed', 'regulator', '复检合格，解除']);
  assert.equal((await act(admin, 'close', '再次')).body.code, 'RISK_WARNING_CLOSED');
  const journal = await t.db.pool.query(`SELECT type, payload FROM journal WHERE subject_type = 'risk_warning' AND subject_id = $1 ORDER BY seq`, [w.id]);
  assert.deepEqual(journal.rows.map((r) => [r.type, r.payload.reason]), [['risk.warning.acknowledged', '已暂停销售，复检中'], ['risk.warning.closed', '复检合格，解除']]);
  const logged = await t.db.pool.query(`SELECT count(*)::int AS n FROM query_log WHERE kind IN ('risk.warnings', 'risk.warning')`);
  assert.ok(logged.rows[0].n >= 10, 'every read is logged');
});

test('settings: defaults in code, per-node overrides by platform admins checked against the rule; a disabled rule raises nothing', async () => {
  const rules = (await t.call('GET', '/api/v1/risk/rules', { as: chain.market.adminToken })).body.items;
  assert.equal(rules.length, 10);
  const tolerance = () => rules.find((r: any) => r.id === 'mass_balance').settings.find((s: any) => s.key === 'tolerancePercent');
  assert.deepEqual([tolerance().default, tolerance().value, tolerance().description.zh], [5, 5, '容差（%）']);
  assert.deepEqual(rules.find((r: any) => r.id === 'complaint_cluster').triggers, ['schedule']);

  const put = (as: string, body: unknown) => t.call('PUT', '/api/v1/risk/settings', { as, body });
  assert.equal((await put((await buildUser(t, 'regulator', { jurisdiction: '350000' })).token, { rule: 'mass_balance', settings: {} })).status, 403);
  const unknown = await put(admin, { rule: 'mass_balance', settings: { tolerance: 10 } });
  assert.deepEqual([unknown.status, unknown.body.code, unknown.body.field], [400, 'RISK_SETTINGS_INVALID', 'settings']);
  const wrong = await put(admin, { rule: 'mass_balance', settings: { tolerancePercent: 'ten' } });
  assert.deepEqual([wrong.status, wrong.body.code, wrong.body.field], [400, 'RISK_SETTINGS_INVALID', 'settings.tolerancePercent']);
  const ok = await put(admin, { rule: 'mass_balance', settings: { tolerancePercent: 10 } });
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual([ok.body.overrides, ok.body.effective.tolerancePercent, ok.body.effective.windowDays, ok.body.defaults.tolerancePercent], [{ tolerancePercent: 10 }, 10, 30, 5]);
  const after = (await t.call('GET', '/api/v1/risk/rules', { as: admin })).body.items.find((r: any) => r.id === 'mass_balance').settings.find((s: any) => s.key === 'tolerancePercent');
  assert.deepEqual([after.default, after.value], [5, 10]);
  assert.deepEqual((await put(admin, { rule: 'mass_balance', settings: {} })).body.effective.tolerancePercent, 5, '{} restores the defaults');

  assert.equal((await put(admin, { rule: 'banned_input', settings: { enabled: false } })).status, 200);
  const g = await buildOperator(t, { division: '350121' });
  const site = await buildSite(t, g);
  const applying = () => record(g.adminToken, 'inputs_applied', {
    siteId: site.id, category: 'pesticide', productName: '40%甲胺磷乳油', registrationNo: 'PD0000', dose: 30, doseUnit: 'mL', appliedOn: chinaDate(new Date()), intervalDays: 14,
  });
  await applying();
  await t.services.risk.evaluatePending();
  assert.deepEqual(await list(admin, `rule=banned_input&operatorId=${g.id}`), []);
  await put(admin, { rule: 'banned_input', settings: {} });
  await applying();
  await t.services.risk.evaluatePending();
  assert.equal((await list(admin, `rule=banned_input&operatorId=${g.id}`)).length, 1);
  const settings = (await t.call('GET', '/api/v1/risk/settings', { as: admin })).body.items;
  assert.equal(settings.find((s: any) => s.rule === 'banned_input').updatedBy !== null, true);
});

test('the scheduled run (`suyuan risk run`): copied item codes from the scan log and complaint clusters; one run at a time', async () => {
  const maker = await buildOperator(t, { division: '350206' });
  const product = await buildProduct(t, maker, { name: '鲜肉水饺' });
  const batch = await buildBatch(t, maker, { productId: product.id });
  const issued = await t.call('POST', `/api/v1/batches/${batch.id}/item-codes`, { as: maker.adminToken, body: { count: 1 } });
  assert.equal(issued.status, 201, issued.text);
  const [item] = issued.body.codes as string[];
  // Scanned in Xiamen and, an hour later, in Beijing.
  await t.db.pool.query(
    `INSERT INTO scans (code, at, result, lat, lng, located_at) VALUES
       ($1, now() - interval '2 hours', 'active', 24.5, 118.1, now() - interval '2 hours'),
       ($1, now() - interval '1 hour', 'active', 39.9, 116.4, now() - interval '1 hour')`, [item]);
  await t.db.pool.query(
    `INSERT INTO complaints (product_id, summary, channel, received_at) SELECT $1, '吃后腹泻', '12315', now() - n * interval '1 day' FROM generate_series(1, 3) n`, [product.id]);
  await t.db.pool.query(`INSERT INTO complaints (operator_id, summary, channel) VALUES ($1, '态度差', '12315'), ($1, '缺斤少两', '12315')`, [maker.id]);

  const cli = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/suyuan.js', 'risk', 'run', '--json'], { cwd: root, env: { ...process.env, DATABASE_URL: t.config.DATABASE_URL } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  assert.equal(cli.code, 0, cli.stderr);
  const result = JSON.parse(cli.stdout);
  assert.equal(result.ran, true);
  assert.deepEqual(Object.keys(result.rules).sort(), ['complaint_cluster', 'entry_admission_missing', 'mass_balance', 'suspected_clone']);
  assert.deepEqual([result.rules.suspected_clone.created, result.rules.complaint_cluster.created], [1, 2]);

  const [clone] = await list(admin, `rule=suspected_clone&operatorId=${maker.id}`);
  assert.deepEqual([clone.subject, clone.facts.reason, clone.raisedBy, clone.divisionCode], [`code:${item}`, 'far_apart', 'schedule', '350206']);
  const clusters = (await list(admin, `rule=complaint_cluster&operatorId=${maker.id}`)).map((w: any) => [w.subject, w.facts.complaints]).sort();
  // The operator's count takes the product's complaints too: two about the operator alone are news beyond the product's cluster.
  assert.deepEqual(clusters, [[`operator:${maker.id}`, 5], [`product:${product.id}`, 3]]);

  const again = await t.services.risk.run({ role: 'platform-admin' });
  assert.ok(again.ran);
  assert.deepEqual([again.rules.suspected_clone, again.rules.complaint_cluster].map((r) => [r.created, r.updated]), [[0, 0], [0, 0]], 'nothing new');
  await assert.rejects(t.services.risk.run({ role: 'regulator', jurisdiction: '350000' }), (e: DomainError) => e.kind === 'forbidden');

  await t.db.pool.query(`UPDATE risk_schedule SET holder = 'another-node', lease_until = now() + interval '1 minute'`);
  assert.deepEqual(await t.services.risk.run({ role: 'platform-admin' }), { ran: false }, 'another instance holds the lease');
  await t.db.pool.query('UPDATE risk_schedule SET lease_until = NULL');
});
