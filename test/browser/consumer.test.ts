import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startBrowserTest, shot, watchErrors, type BrowserTest } from './browser.ts';
import { DEMO_PASSWORD } from '../../src/demo/demo.ts';
import { demoDal } from '../../src/demo/demo-dal.ts';
import { generateCode } from '../../src/codes/code-scheme.ts';
import { WEB_ROOT } from '../../src/web/web-routes.ts';

/** The consumer page a QR label opens: a phone, no login, the demo chain. */
let b: BrowserTest;
let codes: { choySum: string; carcass: string; tenderloinItem: string; cherries: string };
/** Every operator name in the demo, and the one a page may show (its producer). */
let operatorNames: string[];

before(async () => {
  b = await startBrowserTest({ demo: true });
  const sample = (await demoDal(b.t.db.pool).marker())!.sampleCodes.map((c) => c.code);
  codes = { choySum: sample[0], carcass: sample[2], tenderloinItem: sample[3], cherries: sample[4] };
  operatorNames = (await b.t.db.pool.query('SELECT name FROM operators')).rows.map((r) => r.name);
});
after(async () => { await b?.close(); });

async function phone(lang?: 'zh' | 'en'): Promise<Page> {
  return (await b.context({ mobile: true, lang })).newPage();
}

const scansOf = async (code: string) => Number((await b.t.db.pool.query('SELECT count(*) FROM scans WHERE code = $1', [code])).rows[0].count);

/** What a consumer must never see: other operators' names, quantities, prices, plates and invoices of the demo chain. */
function assertOriginOnly(text: string, producer: string) {
  for (const name of operatorNames.filter((n) => n !== producer)) assert.ok(!text.includes(name), `another operator's name: ${name}`);
  for (const secret of ['3450.00', '1505.40', '576.00', '624.00', '1520.5', '闽A·K3391', '闽A·F2786', '闽H·D5287', 'FP3501', 'FP3507', '35022100461'])
    assert.ok(!text.includes(secret), `a quantity, price, plate or invoice: ${secret}`);
  assert.doesNotMatch(text, /数量|价格|金额|quantity|price|invoice|发票|车牌/i);
}

test('a batch code on a phone: origin, certificates and the way here in Chinese, no quantities, prices or customers; English in place', async () => {
  const page = await phone();
  const errors = watchErrors(page);
  const before = await scansOf(codes.carcass);
  const res = await page.goto(`/t/${codes.carcass}`);
  assert.equal(res!.status(), 200);
  const producer = '福清市兴旺肉类联合加工有限公司';
  assert.ok(operatorNames.includes(producer), 'the demo names its slaughterhouse so');
  await page.getByRole('heading', { name: '产地信息' }).waitFor();
  assert.match(await page.title(), new RegExp(`白条猪肉.*${producer}`));
  const origin = await page.getByRole('region', { name: '产地信息' }).innerText();
  assert.match(origin, /生产者\s+福清市兴旺肉类联合加工有限公司/);
  assert.match(origin, /产地[\s\S]*福建省 福州市 福清市/);
  assert.match(await page.getByRole('region', { name: '证书' }).innerText(), /肉品品质检验合格证/);
  const timeline = await page.getByRole('region', { name: '从产地到这里' }).innerText();
  for (const step of ['生产', '发货运输', '到达市场', '批发销售']) assert.ok(timeline.includes(step), step);
  assert.ok(timeline.includes('福建省 厦门市'), 'the divisions it went through');
  await page.getByRole('button', { name: /提供大致位置/ }).waitFor();
  const text = await page.locator('body').innerText();
  assertOriginOnly(text, producer);
  assertOriginOnly(await page.content(), producer);
  await shot(page, 'consumer-scan-zh');

  await page.getByRole('link', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'Origin information' }).waitFor();
  assert.match(page.url(), /[?&]lang=en\b/);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  for (const s of ['Producer', 'From farm to here', 'Shipped', 'Arrived at market', 'Meat quality certificate', 'Report a problem'])
    assert.ok((await page.locator('body').innerText()).includes(s), s);
  assert.doesNotMatch(await page.getByRole('region', { name: 'From farm to here' }).innerText(), /[发到]/, 'the timeline is in English');
  assert.equal(await scansOf(codes.carcass), before + 1, 'one scan for the page, none for the language switch');
  await shot(page, 'consumer-scan-en');
  await page.getByRole('link', { name: '中文' }).click();
  await page.getByRole('heading', { name: '产地信息' }).waitFor();
  assert.deepEqual(errors, []);
});

test('the page is also readable without JavaScript: the server renders the first view', async () => {
  const ctx = await b.browser.newContext({ baseURL: b.t.url, javaScriptEnabled: false, locale: 'zh-CN', viewport: { width: 390, height: 844 } });
  const page = await ctx.newPage();
  await page.goto(`/t/${codes.choySum}`);
  const text = await page.locator('body').innerText();
  assert.match(text, /菜心/);
  assert.match(text, /福建省 福州市 闽侯县/);
  await ctx.close();
});

test('void and unknown codes say so plainly', async () => {
  const slaughter = await b.t.login('fq-slaughter', DEMO_PASSWORD);
  const voided = await b.t.call('POST', `/api/v1/codes/${codes.tenderloinItem}/void`, { as: slaughter, body: { reason: '标签破损，已重新贴标' } });
  assert.equal(voided.status, 200, voided.text);
  const page = await phone();
  const errors = watchErrors(page);
  await page.goto(`/t/${codes.tenderloinItem}`);
  const alert = page.getByRole('alert');
  await alert.first().waitFor();
  assert.match(await alert.first().innerText(), /此码已作废（\d{4}-\d{2}-\d{2}）[\s\S]*请勿信赖此标签/);
  assert.equal(await page.getByRole('region', { name: '检验结果（公开）' }).count(), 0, 'a void label borrows no inspections');
  assert.equal(await page.getByRole('button', { name: /提供大致位置/ }).count(), 0);
  await shot(page, 'consumer-void');

  const unknown = generateCode('350', 'item');
  const res = await page.goto(`/t/${unknown}`);
  assert.equal(res!.status(), 404);
  await page.getByRole('heading', { name: '未查到此码' }).waitFor();
  assert.match(await page.locator('main').innerText(), /请核对标签上印的 16 位追溯码/);
  await page.getByRole('link', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'Code not found' }).waitFor();
  await page.getByRole('link', { name: '中文' }).click();
  await page.getByRole('heading', { name: '未查到此码' }).waitFor();
  await shot(page, 'consumer-unknown');
  assert.deepEqual(errors, []);
});

test('while an incident is open on the batch, its page warns first', async () => {
  const fj = await b.t.login('fj-regulator', DEMO_PASSWORD);
  const opened = await b.t.call('POST', '/api/v1/incidents', { as: fj, body: { codes: [codes.cherries], reason: 'customs_notice', severity: 'level_1' } });
  assert.ok([200, 201].includes(opened.status), opened.text);
  const page = await phone();
  const errors = watchErrors(page);
  await page.goto(`/t/${codes.cherries}`);
  const alert = page.getByRole('alert').first();
  await alert.waitFor();
  assert.match(await alert.innerText(), /此批次产品正在召回|已暂停销售/);
  assert.equal(await page.getByText('本平台登记的有效追溯码').count(), 0, 'a recalled batch is not called valid');
  await shot(page, 'consumer-recall');
  assert.deepEqual(errors, []);
});

test('report a problem: checked as the API checks it, then sent with a photo; the reference number comes back and the regulator of the producer sees it', async () => {
  const page = await phone();
  const errors = watchErrors(page);
  await page.goto(`/t/${codes.choySum}`);
  await page.getByRole('heading', { name: '反映问题（举报）' }).click();
  await page.getByRole('button', { name: '提交' }).click();
  const problems = await page.getByRole('alert').innerText();
  assert.match(problems, /请选择问题类型/);
  assert.match(problems, /请填写问题描述/);
  assert.equal(await page.getByLabel('问题类型').getAttribute('aria-invalid'), 'true');
  await page.getByLabel('问题类型').selectOption({ label: '质量问题（变质、异味、异物）' });
  await page.getByLabel('问题描述').fill('菜心叶片发黄、有异味，购于厦门鹭江生鲜超市莲前西路店。');
  await page.getByLabel('联系方式（可选）').fill('13800000000');
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
  await page.getByLabel('照片（可选）').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: png });
  await page.getByRole('button', { name: '提交' }).click();
  const done = page.getByRole('status');
  await done.waitFor();
  const reference = /TS-\d{8}-\d{6}/.exec(await done.innerText())?.[0];
  assert.ok(reference, await done.innerText());
  await shot(page, 'consumer-complaint');
  assert.deepEqual(errors, []);

  // The cooperative is in Minhou (Fuzhou): the province sees the complaint with its photo, Xiamen does not.
  const fj = await b.t.login('fj-regulator', DEMO_PASSWORD);
  const mine = (await b.t.call('GET', '/api/v1/complaints', { as: fj })).body.items.find((c: any) => c.reference === reference);
  assert.ok(mine, 'the provincial regulator has it');
  const xm = await b.t.login('xm-regulator', DEMO_PASSWORD);
  assert.ok(!(await b.t.call('GET', '/api/v1/complaints', { as: xm })).body.items.some((c: any) => c.reference === reference));
  const photo = await b.t.call('GET', `/api/v1/complaints/${mine.id}/photo`, { as: fj });
  assert.equal(photo.status, 200);
});

test('page weight: the first view loads well under 200 KB of JavaScript, raw and as transferred', async () => {
  const page = await phone();
  const scripts: Array<{ url: string; transferred: number; decoded: number; encoding: string }> = [];
  page.on('requestfinished', async (req) => {
    if (req.resourceType() !== 'script') return;
    const res = (await req.response())!;
    const sizes = await req.sizes();
    scripts.push({ url: req.url(), transferred: sizes.responseBodySize, decoded: (await res.body()).length, encoding: (await res.headerValue('content-encoding')) ?? 'identity' });
  });
  await page.goto(`/t/${codes.choySum}`, { waitUntil: 'networkidle' });
  await page.getByRole('heading', { name: '产地信息' }).waitFor();
  assert.ok(scripts.length >= 1, 'the page loads its script');
  const transferred = scripts.reduce((n, s) => n + s.transferred, 0);
  const decoded = scripts.reduce((n, s) => n + s.decoded, 0);
  // The built files the page references, compressed as the server would send them to a phone that accepts br or gzip.
  const files = scripts.map((s) => path.join(WEB_ROOT, new URL(s.url).pathname));
  const onDisk = (suffix: string) => files.reduce((n, f) => n + fs.statSync(f + suffix).size, 0);
  const html = (await (await page.request.get(`/t/${codes.choySum}`, { headers: { accept: 'text/html' } })).body()).length;
  console.log(`consumer page JavaScript (first view, phone): ${scripts.length} file(s), ${decoded} B decoded, ${transferred} B transferred `
    + `(${scripts.map((s) => s.encoding).join(', ')}); built: ${onDisk('')} B raw, ${onDisk('.gz')} B gzip, ${onDisk('.br')} B brotli; HTML ${html} B`);
  assert.ok(decoded < 200 * 1024, `decoded JavaScript ${decoded} B`);
  assert.ok(transferred < 200 * 1024, `transferred JavaScript ${transferred} B`);
  assert.ok(onDisk('') < 200 * 1024 && onDisk('.gz') < 200 * 1024);
});
