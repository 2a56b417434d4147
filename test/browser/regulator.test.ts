import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startBrowserTest, shot, watchErrors, type BrowserTest } from './browser.ts';
import { DEMO_PASSWORD } from '../../src/demo/demo.ts';
import { ADMIN_PASSWORD } from '../harness.ts';
import { buildUscc } from '../builders.ts';

let b: BrowserTest;
before(async () => { b = await startBrowserTest({ demo: true }); });
after(async () => { await b?.close(); });

/** The figure a dashboard stat shows, as a number. */
async function stat(page: Page, metric: string): Promise<number> {
  const text = await page.locator(`.stat[data-metric="${metric}"] .n`).innerText();
  return Number(text.replace(/[^\d]/g, ''));
}

/** The text drawn in a map's SVG (region labels), once the map has rendered. */
async function mapTexts(page: Page, division: string): Promise<string[]> {
  const map = page.locator(`.map[data-map="${division}"]`);
  await map.locator('svg text').first().waitFor();
  // SVG text has no innerText; its content is the label.
  return (await map.locator('svg text').allTextContents()).map((x) => x.trim());
}

test('xm-regulator approves a pending operator with a reason; the decision is on record', async () => {
  const name = `厦门测试食品有限公司${Date.now() % 100000}`;
  const reg = await b.t.call('POST', '/api/v1/operators', {
    body: { uscc: buildUscc('350206'), name, types: ['retailer'], divisionCode: '350206', address: '湖里区测试路 1 号',
      licences: [{ type: '食品经营许可证', number: 'JY13502060099', issuer: '厦门市湖里区市场监督管理局' }],
      account: { username: `xmtest${Date.now() % 100000}`, password: 'secret-pass-1' } },
  });
  assert.equal(reg.status, 201, reg.text);
  const page = await b.signedIn('xm-regulator', DEMO_PASSWORD);
  const errors = watchErrors(page);
  await page.goto('/reg');
  await page.getByRole('link', { name: '主体审核' }).click();
  await page.getByRole('link', { name }).click();
  await page.getByRole('heading', { name: '许可证' }).waitFor();
  assert.ok(await page.getByRole('cell', { name: 'JY13502060099' }).isVisible());
  // No decision without a reason.
  assert.ok(await page.getByRole('button', { name: '通过' }).isDisabled());
  await page.getByRole('combobox', { name: '操作' }).selectOption('approve');
  await page.getByLabel('理由').fill('材料齐全，许可证在有效期内');
  await page.getByRole('button', { name: '通过' }).click();
  await page.getByRole('status').filter({ hasText: `已通过：${name}` }).waitFor();
  await page.getByRole('cell', { name: '材料齐全，许可证在有效期内' }).waitFor();
  // The decision changed the status; what applies now is suspension.
  assert.equal(await page.getByRole('combobox', { name: '操作' }).inputValue(), 'suspend');
  assert.ok(await page.getByRole('button', { name: '暂停' }).isVisible());
  await shot(page, 'regulator-review');
  const tok = await b.t.login('xm-regulator', DEMO_PASSWORD);
  assert.equal((await b.t.call('GET', `/api/v1/operators/${reg.body.id}`, { as: tok })).body.status, 'approved');
  const history = (await b.t.call('GET', `/api/v1/operators/${reg.body.id}/reviews`, { as: tok })).body.items;
  assert.equal(history.at(-1).reason, '材料齐全，许可证在有效期内');
  assert.equal(history.at(-1).to, 'approved');
  assert.deepEqual(errors, []);
});

test('the dashboard shows the API\'s figures and a map of Xiamen\'s districts; it fits a phone', async () => {
  const tok = await b.t.login('xm-regulator', DEMO_PASSWORD);
  const api = (await b.t.call('GET', '/api/v1/dashboard?days=30', { as: tok })).body;
  assert.ok(api.totals.window.events > 0 && api.totals.operators.approved > 0, 'the demo chain is in Xiamen\'s figures');
  const page = await b.signedIn('xm-regulator', DEMO_PASSWORD);
  const errors = watchErrors(page);
  await page.goto('/reg');
  await page.locator('.stat[data-metric="events"]').waitFor();
  assert.equal(await stat(page, 'events'), api.totals.window.events);
  assert.equal(await stat(page, 'scans'), api.totals.window.scans);
  assert.equal(await stat(page, 'batches'), api.totals.window.batches);
  assert.equal(await stat(page, 'operators-approved'), api.totals.operators.approved);
  assert.equal(await stat(page, 'operators-pending'), api.totals.operators.pending);
  assert.equal(await stat(page, 'warnings-open'), api.totals.warnings.open);
  const texts = await mapTexts(page, '350200');
  for (const d of ['思明区', '湖里区', '集美区']) assert.ok(texts.includes(d), `${d} on the map: ${texts.join(',')}`);
  // The table under the map carries the same per-district figures.
  for (const item of api.map.items) {
    const row = page.getByRole('row').filter({ hasText: item.code });
    assert.match(await row.innerText(), new RegExp(`${item.operators}\\s+${item.events}\\s*$`));
  }
  await page.locator('.chart svg').first().waitFor();
  await shot(page, 'regulator-dashboard');
  // 90 days: the figures follow the API again.
  await page.getByRole('button', { name: '近 90 天' }).click();
  const api90 = (await b.t.call('GET', '/api/v1/dashboard?days=90', { as: tok })).body;
  await page.getByText(`统计区间 ${api90.from}`).waitFor();
  assert.equal(await stat(page, 'events'), api90.totals.window.events);
  assert.deepEqual(errors, []);

  const phone = await b.signedIn('xm-regulator', DEMO_PASSWORD, { mobile: true });
  const phoneErrors = watchErrors(phone);
  await phone.goto('/reg');
  await mapTexts(phone, '350200');
  assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no sideways scrolling on a phone');
  await shot(phone, 'regulator-dashboard-mobile');
  assert.deepEqual(phoneErrors, []);
});

test('maps: Fujian\'s regulator sees its prefectures and can open one; the national map has Taiwan and the South China Sea islands', async () => {
  const page = await b.signedIn('fj-regulator', DEMO_PASSWORD);
  const errors = watchErrors(page);
  await page.goto('/reg');
  const fj = await mapTexts(page, '350000');
  for (const c of ['福州市', '厦门市', '南平市']) assert.ok(fj.includes(c), `${c} on Fujian's map`);
  // From the table under the map, a prefecture opens its own dashboard.
  await page.getByRole('button', { name: '厦门市' }).click();
  await page.getByRole('heading', { name: '监管概览 · 福建省 厦门市' }).waitFor();
  await mapTexts(page, '350200');
  assert.deepEqual(errors, []);

  const admin = await b.signedIn('admin', ADMIN_PASSWORD);
  const adminErrors = watchErrors(admin);
  await admin.goto('/reg');
  await admin.getByRole('heading', { name: '监管概览 · 全国' }).waitFor();
  const national = await mapTexts(admin, '000000');
  assert.ok(national.includes('台湾'), 'Taiwan is drawn');
  assert.ok(national.includes('南海诸岛'), 'the South China Sea islands inset is drawn');
  assert.ok(national.includes('福建'));
  const geo = (await b.t.call('GET', '/api/v1/geo/000000')).body;
  assert.ok(geo.features.some((f: { id: string }) => f.id === '710000'));
  await shot(admin, 'regulator-map-national');
  assert.deepEqual(adminErrors, []);
});

test('trace explorer: a demo batch traced forward reaches the supermarket in the graph and the table; export; the query log lists the trace', async () => {
  const carcass = (await b.t.db.pool.query<{ code: string }>(
    `SELECT c.code FROM codes c JOIN batches b ON b.id = c.batch_id WHERE b.lot_number LIKE 'BT%' AND c.kind = 'batch'`)).rows[0].code;
  const page = await b.signedIn('xm-regulator', DEMO_PASSWORD);
  const errors = watchErrors(page);
  await page.goto('/reg/trace');
  await page.getByRole('button', { name: '向下追踪（去向）' }).click();
  await page.getByLabel('追溯码、扫码链接、GS1 数字链接或 EPC').fill(carcass);
  await page.getByRole('button', { name: '确定' }).click();
  await page.getByTestId('trace-graph').locator('canvas').first().waitFor();
  const picker = page.getByLabel('选择节点');
  const options = await picker.locator('option').allInnerTexts();
  assert.ok(options.includes('主体：厦门鹭江生鲜超市有限公司'), options.join(' | '));
  // Picking the supermarket (as a click on its node does) lists its events beside the graph.
  await picker.selectOption({ label: '主体：厦门鹭江生鲜超市有限公司' });
  const panel = page.getByRole('region', { name: '节点事件' });
  await panel.getByText('收货').first().waitFor();
  assert.match(await panel.innerText(), /销售/);
  await shot(page, 'regulator-trace-graph');

  await page.getByRole('button', { name: '表格' }).click();
  const received = page.getByRole('row').filter({ hasText: '收货' }).filter({ hasText: '厦门鹭江生鲜超市有限公司' });
  await received.first().waitFor();
  await shot(page, 'regulator-trace-table');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: '导出 CSV' }).click();
  const file = await download;
  assert.match(file.suggestedFilename(), new RegExp(`^trace-${carcass}-forward\\.csv$`));
  const csv = Buffer.concat(await (await file.createReadStream()).toArray()).toString('utf8');
  assert.match(csv, /厦门鹭江生鲜超市有限公司/);
  assert.match(csv.split('\r\n')[0], /时间,环节,事件类型,货品,交出方,接收方,eventID/);

  await page.getByRole('link', { name: '查询日志' }).click();
  await page.getByLabel('查询类型').selectOption('trace');
  await page.getByRole('button', { name: '查询' }).click();
  await page.getByRole('row').filter({ hasText: carcass }).filter({ hasText: '"direction":"forward"' }).first().waitFor();
  await shot(page, 'regulator-query-log');
  assert.deepEqual(errors, []);
});

test('the explorer\'s graph (lineage.ts, from the API\'s answer): goods flow from inputs to outputs in either direction, parties hand over', async () => {
  const { buildGraph, eventRows, eventsOfNode, traceCsv } = await import('../../web/src/regulator/core/lineage.ts');
  const tr = (zh: string) => zh;
  const tok = await b.t.login('fj-regulator', DEMO_PASSWORD);
  const carcass = (await b.t.db.pool.query<{ code: string }>(
    `SELECT c.code FROM codes c JOIN batches b ON b.id = c.batch_id WHERE b.lot_number LIKE 'BT%' AND c.kind = 'batch'`)).rows[0].code;
  for (const direction of ['backward', 'both']) {
    const a = (await b.t.call('GET', `/api/v1/trace?code=${carcass}&direction=${direction}`, { as: tok })).body;
    const g = buildGraph(a, tr);
    const label = (id: string) => g.nodes.find((n) => n.id === id)!.label;
    const made = g.edges.filter((e) => e.kind === 'transformation').map((e) => `${label(e.source).split('\n')[0]} → ${label(e.target).split('\n')[0]}`);
    assert.deepEqual(made, ['建瓯土猪（生猪） → 白条猪肉'], direction);
    const handovers = g.edges.filter((e) => e.kind === 'handover').map((e) => `${label(e.source)} → ${label(e.target)}`);
    assert.ok(handovers.includes('建瓯市东游生态养殖有限公司 → 福清市兴旺肉类联合加工有限公司'), handovers.join('; '));
    assert.equal(g.nodes.find((n) => n.code?.key === carcass)?.start, true);
    // Every event shows once in the table, and the CSV has a row per event.
    assert.equal(eventRows(a, tr).length, a.events.length);
    assert.equal(traceCsv(a, tr).trim().split('\r\n').length, a.events.length + 1);
    const pig = g.nodes.find((n) => n.label.startsWith('建瓯土猪'))!;
    assert.ok(eventsOfNode(a, g, pig).some((e) => e.type === 'TransformationEvent'));
  }
});
