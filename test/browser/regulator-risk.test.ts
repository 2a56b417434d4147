import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startBrowserTest, shot, watchErrors, type BrowserTest } from './browser.ts';
import { DEMO_PASSWORD } from '../../src/demo/demo.ts';
import { ADMIN_PASSWORD } from '../harness.ts';

// The regulator console's risk part on the demo chain: a failed inspection recorded by the cooperative raises a
// warning; the provincial regulator opens an incident from it in one click, reads the affected set and the impact,
// sends recall notices, follows the progress and exports the workbook; a consumer's complaint reaches the inbox.
let b: BrowserTest;
let greens: string;
before(async () => {
  b = await startBrowserTest({ demo: true });
  const coop = await b.t.login('mh-coop', DEMO_PASSWORD);
  const me = (await b.t.call('GET', '/api/v1/auth/me', { as: coop })).body;
  const batches = (await b.t.call('GET', `/api/v1/operators/${me.operatorId}/batches?limit=50`, { as: coop })).body.items as any[];
  // The cooperative's 青梗菜 lot (QGC…) went to the market, the Xiamen supermarket and the restaurant.
  greens = batches.find((x) => x.lotNumber.startsWith('QGC')).batchCode.code;
});
after(async () => { await b?.close(); });

test('a failed inspection raises a warning; the regulator opens an incident in one click, reads its affected set and impact, sends notices, sees progress and exports', async () => {
  const coop = await b.t.login('mh-coop', DEMO_PASSWORD);
  const r = await b.t.call('POST', '/api/v1/records/inspection', {
    as: coop,
    body: {
      code: greens, kind: 'rapid_test', lab: '合作社快检室', result: 'fail',
      items: [{ name: '有机磷和氨基甲酸酯类农药（酶抑制率）', value: 72.4, limit: 50, unit: '%', result: 'fail' }],
    },
  });
  assert.equal(r.status, 201, r.text);
  // The rules run after the capture has committed (the server's worker polls; the test runs the pass itself).
  await b.t.services.risk.evaluatePending();

  const page = await b.signedIn('fj-regulator', DEMO_PASSWORD);
  const errors = watchErrors(page);
  await page.goto('/reg/warnings');
  await page.getByLabel('规则').selectOption('inspection_failed');
  const row = page.getByRole('row').filter({ hasText: '闽侯县绿源蔬菜专业合作社' });
  await row.first().waitFor();
  assert.match(await row.first().innerText(), /检验不合格/);
  await shot(page, 'regulator-warnings');

  await row.first().getByRole('link', { name: '检验不合格' }).click();
  await page.getByRole('heading', { name: '预警说明' }).waitFor();
  const explanation = await page.locator('.risk-explanation').innerText();
  assert.match(explanation, /不合格/);
  assert.match(await page.getByText(greens).first().innerText(), new RegExp(greens));
  await page.getByRole('heading', { name: '暂停销售建议' }).waitFor();
  // Acknowledging needs a note: the form says so before asking the API.
  await page.getByRole('button', { name: '确认预警' }).click();
  await page.getByText('请填写处理说明').waitFor();
  await page.getByLabel('处理说明').fill('已通知合作社暂停出货，复检中');
  await page.getByRole('button', { name: '确认预警' }).click();
  await page.getByText('预警已确认。').waitFor();
  await page.getByText('状态：已确认').waitFor();
  // The rule's explanation follows the language switch.
  await page.getByRole('button', { name: 'Switch to English' }).click();
  await page.getByRole('heading', { name: 'What was found' }).waitFor();
  assert.doesNotMatch(await page.getByText('Rule: ').innerText(), /[\u4e00-\u9fff]/);
  await shot(page, 'regulator-warning-detail');
  await page.getByRole('button', { name: '切换到中文' }).click();

  const warningId = page.url().split('/').pop()!;
  await page.getByRole('button', { name: '一键立案' }).click();
  await page.waitForURL(/\/reg\/incidents\/[0-9a-f-]{36}$/);
  const incidentId = page.url().split('/').pop()!;
  // The affected set: every operator the greens reached, with quantities.
  const affected = page.getByRole('tabpanel');
  for (const name of ['闽侯县绿源蔬菜专业合作社', '厦门鹭岛农产品批发市场有限公司', '厦门鹭江生鲜超市有限公司', '厦门集美嘉庚闽菜馆有限公司']) {
    await affected.getByRole('row').filter({ hasText: name }).first().waitFor();
  }
  const market = await affected.getByRole('row').filter({ hasText: '厦门鹭岛农产品批发市场有限公司' }).first().innerText();
  assert.match(market, /500 kg/, 'the market received 500 kg');
  // The warning's hold proposal travels with the incident.
  await page.getByText(/预警建议暂停 \d+ 个追溯码/).waitFor();
  await shot(page, 'regulator-incident');

  // Three consumers scan the greens' label: the impact counts them by day and place.
  const scanned = 3;
  for (let k = 0; k < scanned; k++) assert.equal((await b.t.call('GET', `/t/${greens}`, { headers: { accept: 'application/json', 'user-agent': `phone-${k}` } })).status, 200);
  await page.getByRole('tab', { name: '影响评估' }).click();
  await page.getByRole('heading', { name: '按行政区划' }).waitFor();
  await page.getByRole('img', { name: '各县（区）受影响数量' }).locator('canvas').waitFor();
  await page.getByRole('img', { name: '每日消费者扫码次数' }).locator('canvas').waitFor();
  const impact = (await b.t.call('GET', `/api/v1/incidents/${incidentId}/impact`, { as: await b.t.login('fj-regulator', DEMO_PASSWORD) })).body;
  assert.equal(await page.locator('.stat .n').first().innerText(), String(impact.operators));
  assert.equal(impact.scans.total, scanned);
  assert.equal(await page.locator('.stat').filter({ hasText: '消费者扫码次数' }).locator('.n').innerText(), String(scanned));
  await page.getByRole('row').filter({ hasText: '湖里区' }).first().waitFor();
  await shot(page, 'regulator-incident-impact');

  await page.getByRole('tab', { name: '通知与流程' }).click();
  await page.getByLabel('通知类型').selectOption('recall');
  await page.getByLabel('通知内容').fill('请立即下架并封存该批次青梗菜，报告现存数量。');
  await page.getByRole('button', { name: '发出通知' }).last().click();
  await page.getByText('通知流程：已完成').waitFor();
  const sent = page.getByRole('table').first();
  for (const name of ['厦门鹭岛农产品批发市场有限公司', '厦门鹭江生鲜超市有限公司']) await sent.getByRole('row').filter({ hasText: name }).waitFor();
  assert.ok((await page.getByText('发出通知').count()) >= 1);
  for (const step of ['刷新受影响范围', '确定通知对象', '发出通知']) await page.getByRole('listitem').filter({ hasText: step }).first().waitFor();

  // The market acknowledges and reports 200 kg held; the progress tab counts it.
  const marketTok = await b.t.login('xm-market', DEMO_PASSWORD);
  const inbox = (await b.t.call('GET', '/api/v1/inbox', { as: marketTok })).body.items as any[];
  const notice = inbox.find((n) => n.incident?.id === incidentId || n.incidentId === incidentId);
  assert.ok(notice, 'the market has the notice');
  assert.equal((await b.t.call('POST', `/api/v1/inbox/${notice.id}/ack`, { as: marketTok })).status, 200);
  const answer = await b.t.call('POST', `/api/v1/inbox/${notice.id}/responses`, { as: marketTok, body: { lines: [{ code: greens, action: 'held', quantity: 200 }] } });
  assert.equal(answer.status, 201, answer.text);
  const listed = (await b.t.call('GET', `/api/v1/incidents/${incidentId}/notices`, { as: await b.t.login('fj-regulator', DEMO_PASSWORD) })).body;
  const marketNotice = listed.notices.find((n: any) => n.id === notice.id);
  assert.deepEqual(marketNotice.accounted, [{ action: 'held', unit: 'kg', quantity: '200' }], JSON.stringify(marketNotice));
  await page.reload();
  await page.getByRole('row').filter({ hasText: '厦门鹭岛农产品批发市场有限公司' }).filter({ hasText: '封存 200 kg' }).waitFor();
  await shot(page, 'regulator-notices');
  await page.getByRole('tab', { name: '处置进度' }).click();
  await page.getByRole('row').filter({ hasText: 'kg' }).filter({ hasText: '200' }).first().waitFor();
  const acknowledged = page.locator('.stat').filter({ hasText: '已确认' }).locator('.n');
  assert.equal(await acknowledged.innerText(), '1');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 XLSX' }).click()]);
  assert.match(download.suggestedFilename(), /^incident-.+\.xlsx$/);
  const file = await download.path();
  const head = fs.readFileSync(file!).subarray(0, 2).toString('latin1');
  assert.equal(head, 'PK', 'an XLSX is a zip');
  // The warning now leads to its incident instead of offering to open another.
  await page.goto(`/reg/warnings/${warningId}`);
  await page.getByText('已由此预警立案').waitFor();
  assert.equal(await page.getByRole('button', { name: '一键立案' }).count(), 0);
  // The link names the incident by its number and leads to it.
  const opened = (await b.t.call('GET', `/api/v1/incidents/${incidentId}`, { as: await b.t.login('fj-regulator', DEMO_PASSWORD) })).body;
  const toIncident = page.getByRole('link', { name: opened.number, exact: true });
  await toIncident.waitFor();
  assert.equal(await toIncident.getAttribute('href'), `/reg/incidents/${incidentId}`);
  assert.deepEqual(errors, []);
});

test('on a phone an incident stays readable: wide tables scroll inside their frame, not the page', async () => {
  const page = await b.signedIn('fj-regulator', DEMO_PASSWORD, { mobile: true });
  const errors = watchErrors(page);
  await page.goto('/reg/incidents');
  await page.getByRole('table').getByRole('link').first().click();
  await page.getByRole('tab', { name: '受影响范围' }).waitFor();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 391, `no sideways scrolling of the page (${width}px wide on a 390 px screen)`);
  await shot(page, 'regulator-incident-phone');
  assert.deepEqual(errors, []);
});

test('rule thresholds: a regulator reads them; the platform admin changes one and the API keeps the override', async () => {
  const reg = await b.signedIn('xm-regulator', DEMO_PASSWORD);
  const regErrors = watchErrors(reg);
  await reg.goto('/reg/risk-rules');
  const cluster = reg.locator('section.card').filter({ has: reg.getByRole('heading', { name: /投诉聚集/ }) });
  await cluster.getByRole('row').filter({ hasText: 'minComplaints' }).waitFor();
  assert.equal(await reg.getByRole('button', { name: '修改' }).count(), 0, 'regulators do not edit thresholds');
  assert.deepEqual(regErrors, []);

  const page = await b.signedIn('admin', ADMIN_PASSWORD);
  const errors = watchErrors(page);
  await page.goto('/reg/risk-rules');
  const card = page.locator('section.card').filter({ has: page.getByRole('heading', { name: /投诉聚集/ }) });
  await card.getByRole('button', { name: '修改' }).click();
  await card.getByLabel(/^minComplaints/).fill('4');
  await card.getByRole('button', { name: '保存' }).click();
  await card.getByText('已保存，新阈值即时生效。').waitFor();
  assert.match(await card.getByRole('row').filter({ hasText: 'minComplaints' }).innerText(), /4/);
  const settings = (await b.t.call('GET', '/api/v1/risk/settings', { as: await b.t.adminToken() })).body.items as any[];
  assert.deepEqual(settings.find((x) => x.rule === 'complaint_cluster').overrides, { minComplaints: 4 });
  // A value the rule's schema refuses comes back as the API's problem, in the user's language.
  await card.getByRole('button', { name: '修改' }).click();
  await card.getByLabel(/^minComplaints/).fill('1');
  await card.getByRole('button', { name: '保存' }).click();
  const problem = card.getByRole('alert');
  await problem.waitFor();
  assert.match(await problem.innerText(), /RISK_SETTINGS_INVALID/);
  await shot(page, 'regulator-risk-rules');
  assert.deepEqual(errors, []);
});

// A 1×1 PNG, as a phone camera's photo would be sent.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

test('a consumer\'s complaint reaches the inbox with its photo and contact; the regulator links it to the trace and moves it to investigating', async () => {
  const form = new FormData();
  form.set('category', 'quality');
  form.set('text', '买回的青梗菜有刺鼻的农药味，洗过也去不掉');
  form.set('contact', '13800138000');
  form.set('code', greens);
  form.set('photo', new Blob([PNG], { type: 'image/png' }), 'photo.png');
  const sent = await b.t.call('POST', '/api/v1/complaints', { body: form });
  assert.equal(sent.status, 201, sent.text);

  const page = await b.signedIn('fj-regulator', DEMO_PASSWORD);
  const errors = watchErrors(page);
  await page.goto('/reg/complaints');
  const row = page.getByRole('row').filter({ hasText: '刺鼻的农药味' });
  await row.waitFor();
  assert.match(await row.innerText(), /已受理/);
  await shot(page, 'regulator-complaints');

  await row.getByRole('link').first().click();
  await page.getByRole('heading', { name: '投诉内容' }).waitFor();
  await page.getByText('13800138000').waitFor();
  const img = page.getByRole('img', { name: '投诉人上传的照片' });
  await img.waitFor();
  assert.equal(await img.evaluate((el) => (el as HTMLImageElement).naturalWidth), 1, 'the photo loaded');
  const trace = page.getByRole('link', { name: greens }).first();
  assert.equal(await trace.getAttribute('href'), `/reg/trace?code=${greens}`);

  await page.getByLabel('新状态').selectOption('investigating');
  await page.getByLabel('办理说明').fill('已派员到超市和批发市场抽样');
  await page.getByRole('button', { name: '更新状态' }).click();
  await page.getByText('状态已更新。').waitFor();
  await page.locator('.risk-badges').getByText('调查中').waitFor();
  const id = page.url().split('/').pop();
  const stored = (await b.t.call('GET', `/api/v1/complaints/${id}`, { as: await b.t.login('fj-regulator', DEMO_PASSWORD) })).body;
  assert.equal(stored.status, 'investigating');
  // Closing asks for what was found: the form says so before the API does.
  await page.getByLabel('新状态').selectOption('closed');
  await page.getByRole('button', { name: '更新状态' }).click();
  await page.getByText('办结时请填写办理说明').waitFor();
  await shot(page, 'regulator-complaint-detail');
  assert.deepEqual(errors, []);
});

test('a city regulator opens an incident by typing codes; unknown codes come back as the API\'s problem; operators elsewhere are listed for hand-over', async () => {
  const page = await b.signedIn('xm-regulator', DEMO_PASSWORD, { lang: 'en' });
  const errors = watchErrors(page);
  await page.goto('/reg/incidents');
  await page.getByRole('link', { name: 'New incident' }).click();
  await page.getByRole('button', { name: 'Open and compute the affected set' }).click();
  await page.getByText('Enter at least one trace code').waitFor();
  await page.getByLabel('Problem trace codes').fill('350NOSUCHCODE0000');
  await page.getByLabel('Reason').selectOption('complaint');
  await page.getByLabel('Recall level').selectOption('level_3');
  await page.getByRole('button', { name: 'Open and compute the affected set' }).click();
  const problem = page.getByRole('alert');
  await problem.waitFor();
  assert.doesNotMatch(await problem.innerText(), /[\u4e00-\u9fff]/, 'the API\'s message in English');
  assert.ok(await problem.getAttribute('data-code'));

  await page.getByLabel('Problem trace codes').fill(greens);
  await page.getByRole('button', { name: 'Open and compute the affected set' }).click();
  await page.waitForURL(/\/reg\/incidents\/[0-9a-f-]{36}$/);
  await page.getByRole('tab', { name: 'Notices and runs' }).click();
  await page.getByLabel('Kind').selectOption('hold');
  await page.getByRole('button', { name: 'Send notices' }).last().click();
  await page.getByText('Notice run: Succeeded').waitFor();
  // Xiamen notifies its own operators; the Fuzhou cooperative is handed over to its regulator.
  const handover = page.locator('section.card').filter({ has: page.getByRole('heading', { name: 'To hand over (operators elsewhere)' }) });
  await handover.getByRole('row').filter({ hasText: '闽侯县绿源蔬菜专业合作社' }).waitFor();
  const sent = page.locator('section.card').filter({ has: page.getByRole('heading', { name: 'Notices sent' }) });
  assert.equal(await sent.getByRole('row').filter({ hasText: '闽侯县绿源蔬菜专业合作社' }).count(), 0);
  await sent.getByRole('row').filter({ hasText: '厦门鹭江生鲜超市有限公司' }).waitFor();
  await shot(page, 'regulator-incident-handover-en');
  assert.deepEqual(errors, []);
});
