import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBrowserTest, shot, watchErrors, type BrowserTest } from './browser.ts';
import { DEMO_PASSWORD } from '../../src/demo/demo.ts';

let b: BrowserTest;
before(async () => { b = await startBrowserTest({ demo: true }); });
after(async () => { await b?.close(); });

test('sign-in: a wrong password shows the API message in Chinese, then in English after the switch; a regulator lands on its console', async () => {
  const page = await (await b.context()).newPage();
  const errors = watchErrors(page);
  await page.goto('/');
  await page.waitForURL('**/login');
  await page.getByLabel('用户名').fill('xm-regulator');
  await page.getByLabel('密码').fill('wrong-password');
  await page.getByRole('button', { name: '登录' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /[\u4e00-\u9fff]/);
  await page.getByRole('button', { name: 'Switch to English' }).click();
  await page.getByLabel('Username').waitFor();
  assert.doesNotMatch(await page.getByRole('alert').innerText(), /[\u4e00-\u9fff]/);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/reg');
  await shot(page, 'login-then-regulator');
  assert.deepEqual(errors, []);
});

test('a signed-in operator who opens the regulator console is refused, and the API refuses the same', async () => {
  const page = await b.signedIn('xm-market', DEMO_PASSWORD);
  await page.goto('/reg');
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /无权访问/);
  const tok = await b.t.login('xm-market', DEMO_PASSWORD);
  assert.equal((await b.t.call('GET', '/api/v1/query-log', { as: tok })).status, 403);
});

test('the server answers client-side routes with the app and never shadows the API', async () => {
  const page = await b.t.call('GET', '/op/batches');
  assert.equal(page.status, 200);
  assert.match(page.text, /<div id="root">/);
  const api = await b.t.call('GET', '/api/v1/no-such-thing');
  assert.equal(api.status, 404);
  assert.match(api.headers.get('content-type') ?? '', /problem\+json/);
});
