/**
 * Lighthouse-style basics on every major page, checked by axe-core (the engine behind Lighthouse's accessibility
 * audit) in Chromium: labelled controls, names on buttons and links, colour contrast (WCAG 2 AA), valid ARIA,
 * document language and title. Any serious or critical violation fails; the rest are printed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { startBrowserTest, type BrowserTest } from './browser.ts';
import { DEMO_PASSWORD } from '../../src/demo/demo.ts';
import { ADMIN_PASSWORD } from '../harness.ts';

let b: BrowserTest;
let code: string;
before(async () => {
  b = await startBrowserTest({ demo: true });
  code = (await b.t.db.pool.query<{ code: string }>(
    `SELECT c.code FROM codes c JOIN batches b ON b.id = c.batch_id WHERE c.kind = 'batch' ORDER BY b.created_at LIMIT 1`)).rows[0].code;
});
after(async () => { await b?.close(); });

async function audit(page: Page, name: string) {
  // Let lazy pages, charts and the consumer map settle before the audit.
  await page.waitForLoadState('networkidle');
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const minor = r.violations.filter((v) => !bad.includes(v));
  console.log(`a11y ${name}: ${r.passes.length} rules pass, ${bad.length} serious/critical, ${minor.length} minor${minor.length ? ` (${minor.map((v) => v.id).join(', ')})` : ''}`);
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`), [], name);
}

const PAGES: Array<{ name: string; who: string | null; path: string; ready: string; mobile?: boolean }> = [
  { name: 'login', who: null, path: '/login', ready: 'form' },
  { name: 'register', who: null, path: '/register', ready: 'form' },
  { name: 'consumer scan (phone)', who: null, path: '/t/{code}', ready: 'main', mobile: true },
  { name: 'operator home', who: 'xm-market', path: '/op', ready: 'main h1' },
  { name: 'operator batches', who: 'mh-coop', path: '/op/batches', ready: 'main h1' },
  { name: 'operator organisation', who: 'mh-coop', path: '/op/org', ready: 'main h1' },
  { name: 'operator receiving form', who: 'xm-market', path: '/op/records/receiving', ready: 'main form' },
  { name: 'operator ledgers', who: 'xm-market', path: '/op/ledgers', ready: 'main h1' },
  { name: 'operator inbox', who: 'xm-market', path: '/op/inbox', ready: 'main h1' },
  { name: 'regulator dashboard', who: 'fj-regulator', path: '/reg', ready: 'main h1' },
  { name: 'regulator review', who: 'xm-regulator', path: '/reg/review', ready: 'main h1' },
  { name: 'regulator trace explorer', who: 'xm-regulator', path: '/reg/trace', ready: 'main h1' },
  { name: 'regulator warnings', who: 'fj-regulator', path: '/reg/warnings', ready: 'main h1' },
  { name: 'regulator incidents', who: 'fj-regulator', path: '/reg/incidents', ready: 'main h1' },
  { name: 'regulator complaints', who: 'fj-regulator', path: '/reg/complaints', ready: 'main h1' },
  { name: 'admin users', who: 'admin', path: '/admin/users', ready: 'main h1' },
  { name: 'admin catalog', who: 'admin', path: '/admin/catalog', ready: 'main h1' },
];

for (const p of PAGES) {
  test(`accessibility basics: ${p.name}`, async () => {
    const page = p.who
      ? await b.signedIn(p.who, p.who === 'admin' ? ADMIN_PASSWORD : DEMO_PASSWORD, { mobile: p.mobile })
      : await (await b.context({ mobile: p.mobile })).newPage();
    await page.goto(p.path.replace('{code}', code));
    await page.locator(p.ready).first().waitFor();
    await audit(page, p.name);
    await page.close();
  });
}

test('the audit is not vacuous: an unlabelled input and low-contrast text on a real page are caught', async () => {
  const page = await (await b.context()).newPage();
  await page.goto('/login');
  await page.locator('form').first().waitFor();
  await page.evaluate(() => {
    const main = document.querySelector('main')!;
    main.insertAdjacentHTML('beforeend', '<input type="text"><p style="color:#ccc;background:#fff">低对比度 low contrast</p>');
  });
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  const ids = r.violations.map((v) => v.id);
  assert.ok(ids.includes('label'), ids.join(', '));
  assert.ok(ids.includes('color-contrast'), ids.join(', '));
  await page.close();
});
