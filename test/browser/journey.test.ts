/**
 * The journeys of issue 5, end to end through the browser against the real server, the built UI and the embedded
 * PostgreSQL with the demo chain: a farm registers and is approved by its city regulator, creates a batch and prints
 * its label; it ships to the market, which receives it (entry admission) and sells part to a supermarket; a consumer
 * opens the code's page and sees origin only; the regulator traces the batch forward and sees the supermarket.
 * Each step is done by the person who would do it, in the UI; the API is only read to check what the UI claimed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { exact, startBrowserTest, shot, typeCode, watchErrors, type BrowserTest } from './browser.ts';
import { DEMO_PASSWORD } from '../../src/demo/demo.ts';
import { buildUscc } from '../builders.ts';

let b: BrowserTest;
before(async () => { b = await startBrowserTest({ demo: true }); });
after(async () => { await b?.close(); });

const FARM = { name: '厦门同安山野家庭农场', username: 'shanye-farm', password: 'shanye-pass-1', uscc: buildUscc('350212') };
// Chromium's PDF viewer runs the harness's sign-in script in a frame without localStorage.
const real = (errors: string[]) => errors.filter((e) => !e.includes("reading 'getItem'"));

async function usccOf(username: string): Promise<string> {
  const tok = await b.t.login(username, DEMO_PASSWORD);
  const me = (await b.t.call('GET', '/api/v1/auth/me', { as: tok })).body;
  return (await b.t.call('GET', `/api/v1/operators/${me.operatorId}`, { as: tok })).body.uscc;
}
async function choosePartner(page: Page, label: string, uscc: string, name: string) {
  await page.getByLabel(label).selectOption({ label: '其他：输入统一社会信用代码' });
  await page.getByLabel('对方统一社会信用代码').fill(uscc);
  await page.getByText(`已登记: ${name}`).waitFor();
}

test('farm to table through the browser: register, approve, batch, label, ship, receive, sell, scan, trace', async () => {
  const errors: string[] = [];
  const open = async (p: Promise<Page>) => { const page = await p; errors.push(...[]); const e = watchErrors(page); return { page, e }; };

  // 1. The farm registers itself.
  const { page: reg, e: regErrors } = await open((await b.context()).newPage());
  await reg.goto('/register');
  await reg.getByLabel('统一社会信用代码').fill(FARM.uscc);
  await reg.getByText('校验通过').waitFor();
  await reg.getByLabel('主体名称').fill(FARM.name);
  await reg.getByLabel('种养殖/生产主体').check();
  await reg.waitForFunction(() => [...document.querySelectorAll('select')].some((s) => s.value === '350212'));
  await reg.getByLabel('地址').fill('厦门市同安区五显镇山野路 1 号');
  await reg.getByLabel('联系人').fill('陈山野');
  await reg.getByLabel('联系电话').fill('0592-7770001');
  await reg.getByLabel('用户名').fill(FARM.username);
  await reg.getByLabel(/^密码/).fill(FARM.password);
  await reg.getByLabel('确认密码').fill(FARM.password);
  await reg.getByRole('button', { name: '提交注册' }).click();
  await reg.getByRole('status').filter({ hasText: '等待' }).waitFor();
  await shot(reg, 'journey-1-registered');

  // 2. The city regulator (Xiamen) approves it from its review queue, with a reason.
  const { page: city, e: cityErrors } = await open(b.signedIn('xm-regulator', DEMO_PASSWORD));
  await city.goto('/reg');
  await city.getByRole('navigation').getByRole('link', { name: '主体审核' }).click();
  await city.getByRole('link', { name: FARM.name }).click();
  await city.getByRole('combobox', { name: '操作' }).selectOption('approve');
  await city.getByLabel('理由').fill('现场核查通过');
  await city.getByRole('button', { name: '通过' }).click();
  await city.getByRole('status').filter({ hasText: `已通过：${FARM.name}` }).waitFor();
  await shot(city, 'journey-2-approved');

  // 3. The farm signs in, records a product and a batch, and prints its label.
  const { page: farm, e: farmErrors } = await open((await b.context()).newPage());
  await farm.goto('/login');
  await farm.getByLabel('用户名').fill(FARM.username);
  await farm.getByLabel('密码').fill(FARM.password);
  await farm.getByRole('button', { name: '登录' }).click();
  await farm.waitForURL('**/op');
  await farm.getByText('已通过').waitFor();
  await farm.getByRole('navigation').getByRole('link', { name: '组织', exact: true }).click();
  await farm.getByRole('button', { name: '添加场所' }).click();
  const siteForm = farm.getByRole('form', { name: '添加场所' });
  await siteForm.getByLabel('场所名称').fill('山野养鸡场');
  await siteForm.getByLabel('场所类型').selectOption('farm_plot');
  await siteForm.getByLabel('省').selectOption('350000');
  await siteForm.getByLabel('市').selectOption('350200');
  await siteForm.getByLabel('区县').selectOption('350212');
  await siteForm.getByLabel('纬度').fill('24.7500');
  await siteForm.getByLabel('经度').fill('118.1500');
  await siteForm.getByRole('button', { name: '保存场所' }).click();
  await farm.getByText('已添加场所“山野养鸡场”').waitFor();
  await farm.getByRole('navigation').getByRole('link', { name: '产品', exact: true }).click();
  await farm.getByLabel('产品名称').fill('山野土鸡蛋');
  await farm.getByLabel('产品分类').selectOption('AGRI.EGG');
  await farm.getByLabel('规格').fill('30枚/盒');
  await farm.getByLabel('计量单位').fill('盒');
  await farm.getByRole('button', { name: '登记产品', exact: true }).click();
  await farm.getByText('已登记产品“山野土鸡蛋”').waitFor();
  await farm.getByRole('status').getByRole('link', { name: '登记批次' }).click();
  const batchForm = farm.getByRole('form', { name: '登记批次' });
  await batchForm.getByLabel('产品').selectOption({ label: '山野土鸡蛋 · 30枚/盒' });
  await batchForm.getByLabel('批次号').fill('SY-EGG-001');
  await batchForm.getByLabel(/^数量/).fill('200');
  await batchForm.getByRole('button', { name: '登记并生成批次码' }).click();
  await farm.waitForURL(/\/op\/batches\/[0-9a-f-]{36}/);
  const batchId = /batches\/([0-9a-f-]{36})/.exec(farm.url())![1];
  const farmTok = await b.t.login(FARM.username, FARM.password);
  const batch = (await b.t.call('GET', `/api/v1/batches/${batchId}`, { as: farmTok })).body;
  const code: string = batch.batchCode.code;
  await farm.getByRole('link', { name: '打印标签' }).click();
  await farm.getByRole('button', { name: '预览 PDF' }).click();
  await farm.getByTitle('标签 PDF 预览').waitFor();
  const [pdf] = await Promise.all([farm.waitForEvent('download'), farm.getByRole('button', { name: '下载 PDF' }).click()]);
  assert.equal(fs.readFileSync((await pdf.path())!).subarray(0, 4).toString('latin1'), '%PDF');
  await shot(farm, 'journey-3-label');

  // 4. The farm ships 200 boxes to the market.
  const marketUscc = await usccOf('xm-market');
  await farm.goto('/op/records/shipping');
  await typeCode(farm, '扫描或输入追溯码', code);
  await farm.getByText('山野土鸡蛋').first().waitFor();
  await farm.getByRole('list', { name: '货品清单' }).getByLabel(exact('数量')).fill('200');
  await choosePartner(farm, '收货方', marketUscc, '厦门鹭岛农产品批发市场有限公司');
  await farm.getByLabel('车牌号').fill('闽D·SY001');
  await farm.getByRole('button', { name: '提交记录' }).click();
  await farm.getByRole('status').filter({ hasText: '已记录' }).waitFor();

  // 5. The market receives it (entry admission finds the farm's delivery) and sells 60 boxes to the supermarket.
  const { page: market, e: marketErrors } = await open(b.signedIn('xm-market', DEMO_PASSWORD));
  await market.goto('/op/records/receiving');
  await typeCode(market, '扫描或输入上游追溯码', code);
  await market.getByText('有上游发货记录').first().waitFor();
  await market.getByLabel(exact('场所')).selectOption({ index: 1 });
  await market.getByRole('button', { name: '确认收货' }).click();
  await market.getByRole('status').filter({ hasText: '已记录' }).waitFor();
  const martUscc = await usccOf('xm-mart');
  await market.goto('/op/records/sale');
  await typeCode(market, '扫描或输入追溯码', code);
  await market.getByText('山野土鸡蛋').first().waitFor();
  await market.getByRole('list', { name: '货品清单' }).getByLabel(exact('数量')).fill('60');
  await choosePartner(market, '购货方', martUscc, '厦门鹭江生鲜超市有限公司');
  await market.getByLabel('发票号').fill('INV-SY-0001');
  await market.getByLabel(exact('场所')).selectOption({ index: 1 });
  await market.getByRole('button', { name: '提交记录' }).click();
  await market.getByRole('status').filter({ hasText: '已记录: 销售' }).waitFor();
  await shot(market, 'journey-5-sold');

  // 6. A consumer scans the code on a phone: origin only — the farm, not the market or the supermarket, no quantities.
  const phone = await (await b.context({ mobile: true })).newPage();
  const phoneErrors = watchErrors(phone);
  await phone.goto(`/t/${code}`);
  await phone.getByText(FARM.name).first().waitFor();
  const seen = await phone.locator('body').innerText();
  assert.match(seen, /山野土鸡蛋/);
  for (const hidden of ['厦门鹭岛农产品批发市场有限公司', '厦门鹭江生鲜超市有限公司', 'INV-SY-0001', '闽D·SY001']) {
    assert.ok(!seen.includes(hidden), `the consumer page shows ${hidden}`);
  }
  // The origin on a small offline map, the site to about a kilometre: 24.7500, 118.1500 → 24.75, 118.15.
  await phone.getByRole('img', { name: /产地位置示意图：福建省 厦门市 同安区/ }).locator('circle').waitFor();
  const json = await b.t.call('GET', `/t/${code}`, { headers: { accept: 'application/json' } });
  assert.deepEqual(json.body.origin.point, { lat: 24.75, lng: 118.15 });
  await shot(phone, 'journey-6-consumer');

  // 7. The city regulator traces the batch forward and finds the supermarket.
  await city.goto('/reg/trace');
  await city.getByRole('button', { name: '向下追踪（去向）' }).click();
  await city.getByLabel('追溯码、扫码链接、GS1 数字链接或 EPC').fill(code);
  await city.getByRole('button', { name: '确定' }).click();
  await city.getByTestId('trace-graph').locator('canvas').first().waitFor();
  const nodes = await city.getByLabel('选择节点').locator('option').allInnerTexts();
  assert.ok(nodes.includes('主体：厦门鹭江生鲜超市有限公司'), nodes.join(' | '));
  await city.getByRole('button', { name: '表格' }).click();
  await city.getByRole('row').filter({ hasText: '销售' }).filter({ hasText: '厦门鹭江生鲜超市有限公司' }).first().waitFor();
  await shot(city, 'journey-7-traced');

  assert.deepEqual([...real(regErrors), ...real(cityErrors), ...real(farmErrors), ...real(marketErrors), ...real(phoneErrors)], []);
});
