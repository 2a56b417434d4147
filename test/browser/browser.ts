/**
 * Browser tests: Debian's Chromium driven by playwright-core against the real server (the built web UI from dist/web)
 * and the embedded PostgreSQL. `.ci/run` installs the chromium package; CHROMIUM_PATH overrides the binary.
 */
import fs from 'node:fs';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../harness.ts';
import { seedDemo } from '../../src/demo/demo.ts';
import { WEB_ROOT } from '../../src/web/web-routes.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve(import.meta.dirname, '../screenshots');

export interface BrowserTest {
  t: TestApp;
  browser: Browser;
  /** A new, empty browser profile (no session), desktop-sized unless `mobile`. */
  context(opts?: { mobile?: boolean; lang?: 'zh' | 'en' }): Promise<BrowserContext>;
  /** Opens a page signed in as a demo (or any) user: the session token goes into localStorage before the app loads. */
  signedIn(username: string, password: string, opts?: { mobile?: boolean; lang?: 'zh' | 'en' }): Promise<Page>;
  close(): Promise<void>;
}

/** Starts the application (with the demo chain when `demo`) and Chromium. */
export async function startBrowserTest(opts: { demo?: boolean } = {}): Promise<BrowserTest> {
  if (!fs.existsSync(path.join(WEB_ROOT, 'index.html'))) throw new Error('dist/web is missing: run `npm run build:web` first (npm test does)');
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  const t = await startTestApp();
  if (opts.demo) await seedDemo(t.db, t.config, () => {});
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync', '--disable-quic'],
  });
  const contexts: BrowserContext[] = [];
  const context: BrowserTest['context'] = async (o = {}) => {
    const c = await browser.newContext({
      baseURL: t.url,
      locale: o.lang === 'en' ? 'en-GB' : 'zh-CN',
      viewport: o.mobile ? { width: 390, height: 844 } : { width: 1366, height: 900 },
      isMobile: o.mobile ?? false,
      hasTouch: o.mobile ?? false,
    });
    if (o.lang) await c.addInitScript((l) => { try { localStorage.setItem('suyuan.lang', l); } catch { /* no storage here */ } }, o.lang);
    contexts.push(c);
    return c;
  };
  return {
    t, browser, context,
    async signedIn(username, password, o = {}) {
      const token = await t.login(username, password);
      const c = await context(o);
      // try: the script also runs in frames without storage (Chromium's PDF viewer).
      await c.addInitScript((tok) => { try { if (!localStorage.getItem('suyuan.session')) localStorage.setItem('suyuan.session', tok); } catch { /* no storage here */ } }, token);
      return c.newPage();
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
      await t.close();
    },
  };
}

/** Saves a full-page screenshot under test/screenshots/ (git-ignored), overwritten on every run. */
export async function shot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Fails the test on any uncaught page error or console error (a broken page must not pass silently). */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(`console: ${m.text()}`); });
  return errors;
}

/** A field's label, exactly, with or without the required mark (" *"). */
export const exact = (text: string) => new RegExp(`^${text}( \\*)?$`);

/** Types a trace code into a code scanner (the field labelled `label`) and confirms it, as a user without a camera does. */
export async function typeCode(page: Page, label: string, code: string): Promise<void> {
  await page.getByLabel(label).fill(code);
  await page.getByRole('button', { name: '确定', exact: true }).click();
}

/**
 * Waits until an element's text matches (figures that load after the page show a placeholder first), then returns
 * the text; fails with the last text seen after `timeoutMs`.
 */
export async function textMatching(locator: Locator, re: RegExp, timeoutMs = 10_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  let text = await locator.innerText();
  while (!re.test(text)) {
    if (Date.now() > until) assert.fail(`${re} did not appear; last text: ${JSON.stringify(text)}`);
    await new Promise((r) => setTimeout(r, 100));
    text = await locator.innerText();
  }
  return text;
}
