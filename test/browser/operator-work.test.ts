import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { exact, startBrowserTest, shot, typeCode, watchErrors, type BrowserTest } from './browser.ts';
import { DEMO_PASSWORD } from '../../src/demo/demo.ts';

/**
 * The operator workbench's daily work on the demo chain: entry admission by typing an upstream code, a sale to a
 * supermarket that then sees it one step up in its trace, a transformation into new coded batches, a ledger import
 * with a bad row (and a re-import that adds nothing), and a hold notice acknowledged and answered.
 */
let b: BrowserTest;
const tokens: Record<string, string> = {};
let choySum: string;
let carcass: string;
let marketId: string;
let xmMartUscc: string;

const as = (user: string) => tokens[user];
async function ok(method: string, path: string, user: string, body?: unknown) {
  const r = await b.t.call(method, path, { as: as(user), body });
  assert.ok(r.status < 300, `${method} ${path} as ${user}: ${r.status} ${r.text}`);
  return r.body;
}
/** The code of the operator's batch of a product, found through the API as the operator sees it. */
async function batchCode(user: string, product: string) {
  const me = await ok('GET', '/api/v1/auth/me', user);
  const batches = await ok('GET', `/api/v1/operators/${me.operatorId}/batches?limit=100`, user);
  return batches.items.find((x: any) => x.productName === product).batchCode.code as string;
}
const chinaToday = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

before(async () => {
  b = await startBrowserTest({ demo: true });
  for (const u of ['mh-coop', 'xm-market', 'xm-mart', 'fq-slaughter', 'xm-regulator']) tokens[u] = await b.t.login(u, DEMO_PASSWORD);
  choySum = await batchCode('mh-coop', '菜心');
  carcass = await batchCode('fq-slaughter', '白条猪肉');
  marketId = (await ok('GET', '/api/v1/auth/me', 'xm-market')).operatorId;
  const martId = (await ok('GET', '/api/v1/auth/me', 'xm-mart')).operatorId;
  xmMartUscc = (await ok('GET', `/api/v1/operators/${martId}`, 'xm-mart')).uscc;
  // The cooperative ships another 100 bags of choy sum to the market, with its commitment certificate.
  await ok('POST', '/api/v1/records/shipping', 'mh-coop', {
    to: { operatorId: marketId }, goods: [{ code: choySum, quantity: 100 }], vehiclePlate: '闽A·E2001',
    certificates: [{ type: 'commitment', number: 'HG-E2-TEST-01', issuer: '闽侯县绿源蔬菜专业合作社', issuedOn: chinaToday() }],
  });
});
after(async () => { await b?.close(); });

test('the market receives the shipment by typing its code (entry admission) and sells part of it to the supermarket, which sees the sale one step up', async () => {
  const page = await b.signedIn('xm-market', DEMO_PASSWORD);
  const errors = watchErrors(page);
  await page.goto('/op/records');
  await page.getByRole('link', { name: '收货（进场准入）' }).click();
  await typeCode(page, '扫描或输入上游追溯码', choySum);
  await page.getByText('有上游发货记录').first().waitFor();
  // The supplier and quantity come from the cooperative's shipment to the market.
  const qty = page.getByRole('list', { name: '货品清单' }).getByLabel(exact('数量'));
  await page.waitForFunction(() => (document.querySelector('ul[aria-label="货品清单"] input[inputmode="decimal"]') as HTMLInputElement | null)?.value === '100');
  assert.equal(await qty.inputValue(), '100');
  assert.match(await page.getByLabel('供货方').locator('option:checked').innerText(), /闽侯县绿源蔬菜专业合作社/);
  await page.getByRole('button', { name: /采用上游发货单上的 1 份合格证明/ }).click();
  assert.equal(await page.getByLabel('证明编号').inputValue(), 'HG-E2-TEST-01');
  await page.getByLabel(exact('场所')).selectOption({ label: '蔬菜交易区' });
  await page.getByRole('button', { name: '添加票据' }).click();
  await page.getByLabel('票据编号').fill('FP-E2-0001');
  await shot(page, 'operator-receive');
  await page.getByRole('button', { name: '确认收货' }).click();
  await page.getByRole('status').filter({ hasText: '已记录' }).waitFor();
  const history = page.getByRole('table', { name: /按时间先后/ });
  await history.getByText('FP-E2-0001').waitFor();

  const received = (await ok('GET', `/api/v1/trace?code=${choySum}&direction=backward`, 'xm-market')).events
    .filter((e: any) => e['sy:record'] === 'receiving' && e['sy:entryAdmission']?.invoices?.[0]?.number === 'FP-E2-0001');
  assert.equal(received.length, 1);
  assert.equal(received[0].quantityList[0].quantity, 100);
  assert.equal(received[0]['sy:certificates'][0].number, 'HG-E2-TEST-01');

  // Sale: part of it to the supermarket, named by its USCC (checked live against the registry).
  await page.goto('/op/records/sale');
  await typeCode(page, '扫描或输入追溯码', choySum);
  await page.getByText('菜心', { exact: false }).first().waitFor();
  await page.getByRole('list', { name: '货品清单' }).getByLabel(exact('数量')).fill('40');
  await page.getByLabel('购货方').selectOption({ label: '其他：输入统一社会信用代码' });
  await page.getByLabel('对方统一社会信用代码').fill(xmMartUscc);
  await page.getByText('已登记: 厦门鹭江生鲜超市有限公司').waitFor();
  await page.getByLabel('金额').fill('320.00');
  await page.getByLabel('发票号').fill('INV-E2-0001');
  await page.getByLabel(exact('场所')).selectOption({ label: '蔬菜交易区' });
  await page.getByRole('button', { name: '提交记录' }).click();
  await page.getByRole('status').filter({ hasText: '已记录: 销售' }).waitFor();
  await page.getByRole('table', { name: /按时间先后/ }).getByText('INV-E2-0001').waitFor();
  await shot(page, 'operator-sale');
  assert.deepEqual(errors, []);

  // The supermarket's trace shows the market's sale to it, one step up, with the quantity and invoice.
  const mart = await b.signedIn('xm-mart', DEMO_PASSWORD);
  const martErrors = watchErrors(mart);
  await mart.goto('/op');
  await mart.getByRole('link', { name: '追溯查询' }).click();
  await mart.getByLabel('方向').selectOption('backward');
  await typeCode(mart, '追溯码', choySum);
  const row = mart.getByRole('row').filter({ hasText: 'INV-E2-0001' });
  await row.waitFor();
  const text = await row.innerText();
  assert.match(text, /销售/);
  assert.match(text, /厦门鹭岛农产品批发市场有限公司 → 厦门鹭江生鲜超市有限公司/);
  assert.match(text, new RegExp(`${choySum} 40`));
  // One step up only: the cooperative's shipment to the market is not the supermarket's to see.
  assert.equal(await mart.getByRole('row').filter({ hasText: 'FP-E2-0001' }).count(), 0);
  await shot(mart, 'operator-trace');
  assert.deepEqual(martErrors, []);
});

test('the slaughterhouse cuts carcass into a new batch with a new code, shown with links to its labels', async () => {
  const page = await b.signedIn('fq-slaughter', DEMO_PASSWORD);
  const errors = watchErrors(page);
  await page.goto('/op/records/transformation');
  await typeCode(page, '扫描或输入追溯码', carcass);
  await page.getByText('白条猪肉').first().waitFor();
  await page.getByRole('list', { name: '货品清单' }).getByLabel(exact('数量')).fill('100');
  await page.getByLabel(exact('场所')).selectOption({ label: '城头镇屠宰分割车间' });
  const out = page.getByRole('group', { name: '产出（新批次）' });
  await out.getByLabel('产品').selectOption({ label: '冷鲜猪里脊（400g/盒） · 盒' });
  await out.getByLabel(exact('数量')).fill('60');
  await out.getByLabel('批次号').fill('LJ-E2-TEST');
  await page.getByRole('button', { name: '提交记录' }).click();
  const created = page.getByRole('row').filter({ hasText: 'LJ-E2-TEST' });
  await created.first().waitFor();
  const newCode = (await created.first().locator('code').innerText()).replace(/\s|-/g, '');
  assert.notEqual(newCode, carcass);
  await created.first().getByRole('link', { name: '批次详情与标签' }).waitFor();
  await created.first().getByRole('button', { name: '下载标签 PDF' }).waitFor();
  const view = await ok('GET', `/api/v1/trace?code=${carcass}&direction=forward`, 'fq-slaughter');
  const lot = view.nodes.find((n: any) => n.batch?.lotNumber === 'LJ-E2-TEST');
  assert.ok(lot, 'the new batch is downstream of the carcass');
  assert.equal(lot.batch.quantity, '60');
  await shot(page, 'operator-transformation');
  assert.deepEqual(errors, []);
});

test('a sales ledger with one bad row shows that row and why; importing it again adds nothing', async () => {
  const page = await b.signedIn('xm-market', DEMO_PASSWORD);
  const errors = watchErrors(page);
  await page.goto('/op/ledgers');
  await page.getByRole('tab', { name: '销售台账' }).click();
  const csv = [
    '销售日期,购货者名称,购货者统一社会信用代码,追溯码,数量,单位,金额（元）,发票号,销售场所',
    `${chinaToday()},散客,,${choySum},5,,30.00,,蔬菜交易区`,
    `${chinaToday()},散客,,${choySum},-3,,18.00,,蔬菜交易区`,
  ].join('\n');
  const file = { name: 'sales-e2.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') };
  const stat = (label: string) => page.locator('.stat').filter({ hasText: label }).locator('.n');

  await page.getByLabel('台账文件（CSV 或 XLSX）').setInputFiles(file);
  await page.getByRole('button', { name: '上传并导入' }).click();
  await page.getByText('导入完成').waitFor();
  assert.equal(await stat('数据行').innerText(), '2');
  assert.equal(await stat('本次新增记录').innerText(), '1');
  assert.equal(await stat('有误未导入').innerText(), '1');
  const bad = page.getByRole('table', { name: /有误的行/ }).getByRole('row').nth(1);
  const cells = await bad.getByRole('cell').allInnerTexts();
  assert.equal(cells[0], '3');
  assert.match(cells[1], /数量/);
  assert.match(cells[2], /[\u4e00-\u9fff]/);
  await shot(page, 'operator-ledger-errors');

  await page.getByRole('button', { name: '导入另一个文件' }).click();
  await page.getByLabel('台账文件（CSV 或 XLSX）').setInputFiles(file);
  await page.getByRole('button', { name: '上传并导入' }).click();
  await page.getByText('导入完成').waitFor();
  assert.equal(await stat('本次新增记录').innerText(), '0');
  assert.equal(await stat('已导入过（未重复记录）').innerText(), '1');
  assert.equal(await stat('有误未导入').innerText(), '1');
  assert.deepEqual(errors, []);
});

test('a hold notice reaches the market\'s inbox; it acknowledges it and reports a quantity held', async () => {
  const { incident } = await ok('POST', '/api/v1/incidents', 'xm-regulator', { codes: [choySum], reason: 'complaint', severity: 'level_2', description: '消费者投诉菜心异味（测试）' });
  await ok('POST', `/api/v1/incidents/${incident.id}/notices`, 'xm-regulator', { kind: 'hold', message: '请暂停销售并就地封存' });
  const page = await b.signedIn('xm-market', DEMO_PASSWORD);
  const errors = watchErrors(page);
  await page.goto('/op');
  await page.getByRole('link', { name: '通知收件箱' }).click();
  await page.getByRole('link', { name: incident.number }).click();
  await page.getByText('请暂停销售并就地封存').waitFor();
  await page.getByRole('button', { name: '确认收到', exact: true }).click();
  await page.getByRole('status').filter({ hasText: '已确认收到' }).waitFor();
  const form = page.getByRole('group', { name: new RegExp(choySum) });
  assert.equal(await form.getByLabel('处置').inputValue(), 'held');
  await form.getByLabel(/数量/).fill('12');
  await page.getByRole('button', { name: '提交处置报告' }).click();
  await page.getByText('已报告处置，并记录为追溯事件').waitFor();
  await shot(page, 'operator-inbox');

  const inbox = await ok('GET', '/api/v1/inbox', 'xm-market');
  const n = inbox.items.find((x: any) => x.incident.id === incident.id);
  assert.ok(n.acknowledgedAt);
  assert.deepEqual(n.accounted.map((a: any) => [a.action, a.quantity]), [['held', '12']]);
  assert.deepEqual(errors, []);
});

test('a record form on a phone: labelled, no sideways scrolling', async () => {
  const page = await b.signedIn('xm-mart-staff', DEMO_PASSWORD, { mobile: true });
  const errors = watchErrors(page);
  await page.goto('/op/records/receiving');
  await typeCode(page, '扫描或输入上游追溯码', carcass);
  await page.getByText('白条猪肉').first().waitFor();
  await page.getByLabel('供货方').waitFor();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `page is ${width}px wide on a 390px phone`);
  await shot(page, 'operator-phone-receive');
  assert.deepEqual(errors, []);
});

test('the organisation pages and the record forms read the operator\'s sites under one cache key in one shape: moving between them keeps both lists', async () => {
  const page = await b.signedIn('xm-market', DEMO_PASSWORD);
  const errors = watchErrors(page);
  await page.goto('/op/org');
  await page.getByRole('cell', { name: '蔬菜交易区' }).first().waitFor();
  // Client-side navigation keeps the query cache, so the form reads what the organisation page just fetched.
  await page.getByRole('link', { name: '生产经营记录' }).click();
  await page.getByRole('link', { name: '收货（进场准入）' }).click();
  const site = page.getByLabel(exact('场所'));
  await site.locator('option', { hasText: '蔬菜交易区' }).waitFor({ state: 'attached', timeout: 4_000 });
  await site.selectOption({ label: '蔬菜交易区' });
  await page.getByRole('link', { name: '组织' }).click();
  await page.getByRole('cell', { name: '蔬菜交易区' }).first().waitFor();
  assert.deepEqual(errors, []);
});
