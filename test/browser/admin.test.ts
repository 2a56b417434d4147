import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBrowserTest, shot, watchErrors, type BrowserTest } from './browser.ts';
import { ADMIN_PASSWORD } from '../harness.ts';

let b: BrowserTest;
before(async () => { b = await startBrowserTest({ demo: true }); });
after(async () => { await b?.close(); });

test('admin: the node page shows this node\'s identity and code rule, with the node id marked as fixed', async () => {
  const page = await b.signedIn('admin', ADMIN_PASSWORD);
  const errors = watchErrors(page);
  await page.goto('/');
  await page.waitForURL('**/admin');
  await page.getByRole('heading', { name: '平台节点与追溯码规则' }).waitFor();
  const text = await page.locator('main').innerText();
  assert.match(text, new RegExp(`节点号\\s+${b.t.config.SUYUAN_NODE_ID}`));
  assert.match(text, /发码后不可更改/);
  await page.getByText('PostgreSQL').first().waitFor();
  await shot(page, 'admin-node');
  assert.deepEqual(errors, []);
});

test('admin: creates a city regulator (the division is named as typed), who can then sign in; a disabled user cannot', async () => {
  const page = await b.signedIn('admin', ADMIN_PASSWORD);
  const errors = watchErrors(page);
  await page.goto('/admin/users');
  const form = page.getByRole('form', { name: '新建账号' });
  await form.getByLabel('用户名').fill('zz-regulator');
  await form.getByLabel('初始密码').fill('zz-password-1');
  await form.getByLabel('显示名称').fill('漳州市市场监管局');
  await form.getByLabel('角色').selectOption('regulator');
  await form.getByLabel('管辖区划代码').fill('350600');
  await form.getByText('福建省 漳州市').waitFor();
  await form.getByRole('button', { name: '创建账号' }).click();
  await page.getByRole('status').filter({ hasText: 'zz-regulator' }).waitFor();
  assert.ok(await b.t.login('zz-regulator', 'zz-password-1'));

  // A bad request shows the API's message: the same username again.
  await form.getByLabel('用户名').fill('zz-regulator');
  await form.getByLabel('初始密码').fill('zz-password-1');
  await form.getByLabel('显示名称').fill('重复');
  await form.getByLabel('管辖区划代码').fill('350600');
  await form.getByRole('button', { name: '创建账号' }).click();
  await form.getByRole('alert').waitFor();
  assert.equal(await form.getByRole('alert').getAttribute('data-code'), 'USERNAME_TAKEN');
  assert.match(await form.getByRole('alert').innerText(), /用户名已被使用/);

  await page.getByRole('button', { name: '停用 zz-regulator' }).click();
  await page.getByRole('button', { name: '启用 zz-regulator' }).waitFor();
  const r = await b.t.call('POST', '/api/v1/auth/login', { body: { username: 'zz-regulator', password: 'zz-password-1' } });
  assert.equal(r.status, 401);
  await shot(page, 'admin-users');
  assert.deepEqual(errors, []);
});

test('admin: lists a category on the key-trace catalog and ends the listing; the API agrees', async () => {
  const page = await b.signedIn('admin', ADMIN_PASSWORD, { lang: 'en' });
  const errors = watchErrors(page);
  await page.goto('/admin/catalog');
  const form = page.getByRole('form', { name: 'List a category' });
  await form.getByLabel('Category').selectOption('AGRI.EGG');
  await form.getByLabel('Basis / note').fill('provincial list 2026');
  await form.getByRole('button', { name: 'List', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Eggs' }).waitFor();
  const listed = await b.t.call('GET', '/api/v1/key-trace-catalog');
  assert.ok(listed.body.items.some((l: { categoryCode: string }) => l.categoryCode === 'AGRI.EGG'));
  await page.getByRole('cell', { name: /Eggs/ }).waitFor();
  await shot(page, 'admin-catalog');
  assert.deepEqual(errors, []);
});
