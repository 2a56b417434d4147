import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { startBrowserTest, shot, textMatching, watchErrors, type BrowserTest } from './browser.ts';
import { DEMO_PASSWORD } from '../../src/demo/demo.ts';
import { buildUscc } from '../builders.ts';
import { USCC_ALPHABET } from '../../src/registry/uscc.ts';
import { gs1CheckDigit } from '../../src/catalog/gtin.ts';

let b: BrowserTest;
before(async () => { b = await startBrowserTest({ demo: true }); });
after(async () => { await b?.close(); });

const FARM = { name: '厦门思明绿源家庭农场', username: 'lvyuan-farm', password: 'lvyuan-pass-1' };
const farm: { uscc: string; id?: string; batchId?: string; poolId?: string } = { uscc: buildUscc('350203') };

// The sign-in init script of test/browser/browser.ts runs in every frame, also inside Chromium's PDF viewer, where
// localStorage is null; that error is the harness's, not the page's.
const HARNESS_IN_PDF_VIEWER = "pageerror: Cannot read properties of null (reading 'getItem')";
const pageErrors = (errors: string[]) => errors.filter((e) => e !== HARNESS_IN_PDF_VIEWER);

/** The page must not be wider than the viewport (no sideways scrolling on a phone). */
async function assertNoSideScroll(page: Page) {
  const [scroll, view] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= view + 1, `page is ${scroll}px wide in a ${view}px viewport`);
}

test('an invalid USCC shows the checksum error in Chinese, and in English after the switch', async () => {
  const page = await (await b.context()).newPage();
  const errors = watchErrors(page);
  await page.goto('/register');
  const good = buildUscc('350203');
  const bad = good.slice(0, 17) + USCC_ALPHABET[(USCC_ALPHABET.indexOf(good[17]) + 1) % 31];
  await page.getByLabel('统一社会信用代码').fill(bad);
  await page.getByText('统一社会信用代码校验位错误').waitFor();
  await page.getByRole('button', { name: 'Switch to English' }).click();
  await page.getByText('The USCC check character is wrong').waitFor();
  assert.equal(await page.getByText('统一社会信用代码校验位错误').count(), 0);
  // A valid code is accepted as the user types, and the division it encodes is named.
  await page.getByLabel('Unified social credit code (USCC)').fill(good);
  await page.getByText('Checksum valid').waitFor();
  await page.getByText(/Division in the code: 福建省 厦门市 思明区/).waitFor();
  assert.deepEqual(errors, []);
});

test('a farm registers through /register and is told it awaits the regulator of its division', async () => {
  const page = await (await b.context()).newPage();
  const errors = watchErrors(page);
  await page.goto('/register');
  await page.getByLabel('统一社会信用代码').fill(farm.uscc);
  await page.getByText('校验通过').waitFor();
  await page.getByLabel('主体名称').fill(FARM.name);
  await page.getByLabel('种养殖/生产主体').check();
  // The division picker takes the division the USCC encodes; the county is chosen.
  await page.waitForFunction(() => [...document.querySelectorAll('select')].some((s) => s.value === '350203'));
  assert.equal(await page.getByLabel('区县').inputValue(), '350203');
  await page.getByLabel('地址').fill('厦门市思明区环岛南路 88 号');
  await page.getByLabel('联系人').fill('林绿源');
  await page.getByLabel('联系电话').fill('0592-5550123');
  await page.getByLabel('用户名').fill(FARM.username);
  await page.getByLabel(/^密码/).fill(FARM.password);
  await page.getByLabel('确认密码').fill(FARM.password);
  await shot(page, 'register');
  await page.getByRole('button', { name: '提交注册' }).click();
  const done = page.getByRole('status').filter({ hasText: '等待' });
  await done.waitFor();
  assert.match(await done.innerText(), /厦门市 思明区所属监管部门审核/);
  const check = await b.t.call('GET', `/api/v1/registry/check-uscc?uscc=${farm.uscc}`);
  assert.equal(check.body.registered.status, 'pending');
  farm.id = check.body.registered.id;
  assert.deepEqual(errors, []);
});

test('the pending farm sees it must wait; approved by xm-regulator it adds a site, a product and a batch, and prints labels', async () => {
  assert.ok(farm.id, 'registration test ran');
  const page = await b.signedIn(FARM.username, FARM.password);
  const errors = watchErrors(page);
  await page.goto('/op');
  await page.getByRole('heading', { name: FARM.name }).waitFor();
  await page.getByText('待审核').waitFor();
  await page.getByRole('status').filter({ hasText: '正在等待' }).waitFor();

  const reg = await b.t.login('xm-regulator', DEMO_PASSWORD);
  const review = await b.t.call('POST', `/api/v1/operators/${farm.id}/review`, { as: reg, body: { action: 'approve' } });
  assert.equal(review.status, 200, review.text);

  await page.reload();
  await page.getByText('已通过').waitFor();
  // The counts load after the page (a dash until then).
  await textMatching(page.getByRole('region', { name: '统计' }), /0\s*场所/);
  await shot(page, 'operator-home');

  // Site, with its division picked province → city → county.
  await page.getByRole('link', { name: '组织', exact: true }).click();
  await page.getByRole('button', { name: '添加场所' }).click();
  const siteForm = page.getByRole('form', { name: '添加场所' });
  await siteForm.getByLabel('场所名称').fill('环岛南路蔬菜基地');
  await siteForm.getByLabel('场所类型').selectOption('farm_plot');
  await siteForm.getByLabel('省').selectOption('350000');
  await siteForm.getByLabel('市').selectOption('350200');
  await siteForm.getByLabel('区县').selectOption('350203');
  await siteForm.getByLabel('纬度').fill('24.4431');
  await siteForm.getByLabel('经度').fill('118.1130');
  await siteForm.getByRole('button', { name: '保存场所' }).click();
  await page.getByText('已添加场所“环岛南路蔬菜基地”').waitFor();
  await page.getByRole('cell', { name: '福建省 厦门市 思明区 350203' }).waitFor();

  // Product: a GTIN with a wrong check digit is refused with the API's message before anything is sent.
  await page.getByRole('link', { name: '产品', exact: true }).click();
  const body = '697531299001';
  const gtin = body + gs1CheckDigit(body);
  const wrong = body + ((gs1CheckDigit(body) + 1) % 10);
  await page.getByLabel('产品名称').fill('小白菜');
  await page.getByLabel('产品分类').selectOption('AGRI.VEG.LEAFY');
  await page.getByLabel('规格').fill('500g/袋');
  await page.getByLabel('计量单位').fill('袋');
  await page.getByLabel('保质期（天）').fill('5');
  await page.getByLabel('GTIN 商品条码（可选）').fill(wrong);
  await page.getByText('GTIN 校验位错误').waitFor();
  await page.getByLabel('GTIN 商品条码（可选）').fill(gtin);
  assert.equal(await page.getByText('GTIN 校验位错误').count(), 0);
  await page.getByRole('button', { name: '登记产品', exact: true }).click();
  await page.getByText('已登记产品“小白菜”').waitFor();
  await page.getByRole('cell', { name: `0${gtin}` }).waitFor();

  // Batch: recorded, then its detail page with the batch code.
  await page.getByRole('status').getByRole('link', { name: '登记批次' }).click();
  const batchForm = page.getByRole('form', { name: '登记批次' });
  await batchForm.getByLabel('产品').selectOption({ label: '小白菜 · 500g/袋' });
  await batchForm.getByLabel('批次号').fill('LY-20250601');
  await batchForm.getByLabel(/^数量/).fill('240');
  await batchForm.getByRole('button', { name: '登记并生成批次码' }).click();
  await page.waitForURL(/\/op\/batches\/[0-9a-f-]{36}\?created=1/);
  farm.batchId = /batches\/([0-9a-f-]{36})/.exec(page.url())![1];
  await page.getByText('批次已登记，批次码已生成。').waitFor();
  const api = await b.t.call('GET', `/api/v1/batches/${farm.batchId}`, { as: await b.t.login(FARM.username, FARM.password) });
  assert.equal(api.body.quantity, '240');
  await page.getByText(api.body.batchCode.display).first().waitFor();

  // Item codes: issue 6, then the list shows them.
  const issue = page.getByRole('form', { name: '生成单品码' });
  await issue.getByLabel('数量').fill('6');
  await issue.getByRole('button', { name: '生成' }).click();
  await page.getByText('已生成 6 个单品码').waitFor();
  await page.getByText('共 6 个单品码').waitFor();
  await shot(page, 'operator-batch-detail');

  await page.getByRole('link', { name: '批次与标签', exact: true }).click();
  await page.getByRole('link', { name: 'LY-20250601' }).waitFor();
  await shot(page, 'operator-batches');

  // Labels: PDF preview in an iframe, then the PDF download itself.
  await page.getByRole('link', { name: 'LY-20250601' }).click();
  await page.getByRole('link', { name: '打印标签' }).click();
  await page.getByRole('button', { name: '预览 PDF' }).click();
  const frame = page.getByTitle('标签 PDF 预览');
  await frame.waitFor();
  assert.match((await frame.getAttribute('src')) ?? '', /^blob:/);
  await shot(page, 'operator-labels');
  const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载 PDF' }).click()]);
  const bytes = fs.readFileSync((await pdf.path())!);
  assert.equal(bytes.subarray(0, 4).toString('latin1'), '%PDF');
  const [zpl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载 ZPL' }).click()]);
  assert.match(fs.readFileSync((await zpl.path())!, 'utf8'), /^\^XA/);
  assert.deepEqual(pageErrors(errors), []);
});

test('a pool for the printer: created by the farm, activated by scanning/typing with each result listed, seen by the printer without activation', async () => {
  assert.ok(farm.batchId, 'batch test ran');
  const fj = await b.t.login('fj-regulator', DEMO_PASSWORD);
  const printer = (await b.t.call('GET', '/api/v1/operators?type=printer', { as: fj })).body.items[0];
  const page = await b.signedIn(FARM.username, FARM.password);
  const errors = watchErrors(page);
  await page.goto('/op/pools');
  const create = page.getByRole('form', { name: '生成码池' });
  await create.getByLabel('印刷企业统一社会信用代码').fill(printer.uscc);
  await create.getByText(printer.name).waitFor();
  await create.getByLabel('数量').fill('20');
  await create.getByLabel('备注').fill('小白菜袋装预印标签');
  await create.getByRole('button', { name: '生成码池' }).click();
  await page.waitForURL(/\/op\/pools\/[0-9a-f-]{36}\?created=1/);
  farm.poolId = /pools\/([0-9a-f-]{36})/.exec(page.url())![1];
  const token = await b.t.login(FARM.username, FARM.password);
  const csv = (await b.t.call('GET', `/api/v1/code-pools/${farm.poolId}/codes.csv`, { as: token })).text.trim().split('\n').slice(1).map((l) => l.split(','));
  assert.equal(csv.length, 20);

  // Activate two codes by typing them (a scanner types the same), once more the first, then a code of another operator.
  await page.getByText('码池已生成').waitFor();
  const scan = page.locator('section.card', { has: page.getByRole('heading', { name: '扫码激活预印码' }) });
  await scan.getByLabel('激活到批次').selectOption(farm.batchId!);
  const input = scan.getByLabel('预印标签上的追溯码');
  for (const code of [csv[0][0], `https://trace.example.cn/t/${csv[1][0]}`, csv[0][0]]) {
    await input.fill(code);
    await input.press('Enter');
  }
  const foreign = await foreignCode(fj);
  await input.fill(foreign);
  await input.press('Enter');
  const results = page.getByRole('list', { name: '激活结果' });
  await results.getByText('属于其他主体').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('ul.results li').length === 4);
  const outcomes = await results.locator('li > .badge').allInnerTexts();
  assert.deepEqual(outcomes.sort(), ['属于其他主体', '已激活', '已激活', '此前已激活'].sort());
  await shot(page, 'operator-pools');
  await page.reload();
  const stats = await page.locator('.stats').innerText();
  assert.match(stats, /18\s*未激活/);
  assert.match(stats, /2\s*已激活/);
  assert.deepEqual(errors, []);

  // The printer finds the pool in its list (and could open it by id): counts, codes file and labels, no activation.
  const pp = await b.signedIn('fz-printer', DEMO_PASSWORD);
  const perrors = watchErrors(pp);
  await pp.goto('/op/pools');
  assert.equal(await pp.getByRole('link', { name: '批次与标签', exact: true }).count(), 0);
  const listed = pp.getByRole('row').filter({ hasText: '小白菜袋装预印标签' });
  await listed.getByText(FARM.name).waitFor();
  await listed.getByRole('link').first().click();
  await pp.waitForURL(`**/op/pools/${farm.poolId}`);
  await pp.getByText('小白菜袋装预印标签').waitFor();
  assert.equal(await pp.getByText('扫码激活预印码').count(), 0);
  assert.equal(await pp.getByRole('button', { name: '生成码池' }).count(), 0);
  await pp.getByRole('link', { name: '打印标签' }).click();
  const [pdf] = await Promise.all([pp.waitForEvent('download'), pp.getByRole('button', { name: '下载 PDF' }).click()]);
  assert.equal(fs.readFileSync((await pdf.path())!).subarray(0, 4).toString('latin1'), '%PDF');
  assert.deepEqual(perrors, []);
});

/** An item code of a demo operator other than the farm (the cooperative's first batch). */
async function foreignCode(token: string): Promise<string> {
  const coop = (await b.t.call('GET', `/api/v1/operators?type=producer&limit=50`, { as: token })).body.items.find((o: { id: string }) => o.id !== farm.id);
  const batches = (await b.t.call('GET', `/api/v1/operators/${coop.id}/batches`, { as: token })).body.items;
  return batches[0].batchCode.code;
}

test('on a phone: the workbench, the batch page and the organisation fit a 390 px screen', async () => {
  assert.ok(farm.batchId, 'batch test ran');
  const page = await b.signedIn(FARM.username, FARM.password, { mobile: true });
  const errors = watchErrors(page);
  await page.goto('/op');
  await page.getByRole('heading', { name: FARM.name }).waitFor();
  await assertNoSideScroll(page);
  await page.goto(`/op/batches/${farm.batchId}`);
  // 6 issued on the platform and 2 pre-printed pool codes activated for this batch.
  await page.getByText('共 8 个单品码').waitFor();
  await assertNoSideScroll(page);
  await page.goto(`/op/batches/${farm.batchId}/labels`);
  await page.getByRole('button', { name: '预览 PDF' }).click();
  await page.getByTitle('标签 PDF 预览').waitFor();
  const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载 PDF' }).click()]);
  assert.equal(fs.readFileSync((await pdf.path())!).subarray(0, 4).toString('latin1'), '%PDF');
  await page.goto('/op/org');
  await page.getByRole('cell', { name: '环岛南路蔬菜基地' }).waitFor();
  await shot(page, 'operator-org-mobile');
  assert.deepEqual(pageErrors(errors), []);
});

test('operator staff see what the API lets staff do: no staff accounts, API keys, new sites or new pools', async () => {
  const page = await b.signedIn('xm-mart-staff', DEMO_PASSWORD);
  const errors = watchErrors(page);
  await page.goto('/op/org');
  await page.getByRole('tab', { name: '场所' }).waitFor();
  await page.getByRole('table').waitFor();
  assert.equal(await page.getByRole('tab', { name: '员工账号' }).count(), 0);
  assert.equal(await page.getByRole('tab', { name: 'API 密钥' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: '添加场所' }).count(), 0);
  await page.goto('/op/pools');
  await page.getByRole('heading', { name: '扫码激活预印码' }).waitFor();
  assert.equal(await page.getByRole('form', { name: '生成码池' }).count(), 0);
  const staff = await b.t.login('xm-mart-staff', DEMO_PASSWORD);
  assert.equal((await b.t.call('GET', '/api/v1/users', { as: staff })).status, 403);
  assert.deepEqual(errors, []);
});
