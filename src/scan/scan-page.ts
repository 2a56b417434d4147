import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Lang } from './scan-fns.ts';
import type { ScanOutcome } from './scan-types.ts';
import type { ScanData } from '../../web/src/consumer/scan-data.ts';

/**
 * The consumer scan page: the web application's page (web/scan.html, web/src/consumer) with the scan result embedded
 * as JSON and its first view rendered here by the same Preact components the browser hydrates. One renderer: when
 * the web UI has not been built, the source template is used with the page's stylesheet inlined and no script, so
 * the first view still shows (static, links for the language) — there is no second page to keep in step.
 */

const sha = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (s: string | null | undefined) => (s ?? '').replace(/[&<>"']/g, (c) => ESC[c]);
const PAGE: Record<Lang, { htmlLang: string; title: string }> = {
  zh: { htmlLang: 'zh-CN', title: '溯源查询' },
  en: { htmlLang: 'en', title: 'Trace lookup' },
};

const WEB_SOURCE = path.resolve(import.meta.dirname, '../../web');

/** The source template for an unbuilt UI: web/scan.html without its module script, with the page's own stylesheet. */
export function sourceTemplate(): { template: string; assetsRoot: string } {
  const html = fs.readFileSync(path.join(WEB_SOURCE, 'scan.html'), 'utf8')
    .replace(/<script type="module"[^>]*><\/script>/, '')
    .replace('<!--suyuan:head-->', '<link rel="stylesheet" href="/assets/scan.css"><!--suyuan:head-->');
  return { template: html, assetsRoot: path.join(WEB_SOURCE, 'src/consumer') };
}

/** The HTTP status of a scan page: found 200, unknown or another node's 404, malformed 400. */
export function pageStatus(o: ScanOutcome): number {
  return 'view' in o ? 200 : o.result === 'malformed' ? 400 : 404;
}

// ── The web application's page ────────────────────────────────────────────────────────────────────────────────

/** The scan result as the consumer page embeds it: the JSON API's view for a known code, else the problem. */
export function scanData(o: ScanOutcome, opts: { lang: Lang; nodeName: string }): ScanData {
  const base = { lang: opts.lang, nodeName: opts.nodeName };
  // The outcome's result is the view's status, narrowed (a shown code is never 'unknown').
  if ('view' in o) return { ...base, result: o.result, view: { ...o.view, status: o.result } };
  const problem = { code: o.error.code, message: { zh: o.error.zh, en: o.error.en } };
  if (o.result === 'other_node') return { ...base, result: o.result, code: o.code, issuedBy: o.issuedBy, problem };
  if (o.result === 'unknown') return { ...base, result: o.result, code: o.code, problem };
  return { ...base, result: o.result, input: o.input, problem };
}

/** JSON that is safe inside a <script> element: no `</script>`, no `<!--`, no HTML-significant characters at all. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

type Renderer = (d: ScanData) => { html: string; title: string };
const RENDER_MODULE = path.resolve(import.meta.dirname, '../../web/src/consumer/render.tsx');
let renderer: Promise<Renderer | Error> | undefined;

/**
 * The consumer page's own renderer (Preact to string), loaded once. It lives with the page's components in web/ (type-
 * checked there, with the DOM types); imported by URL so that the server's type-check does not walk into the web app.
 */
function loadRenderer(): Promise<Renderer | Error> {
  return (renderer ??= import(pathToFileURL(RENDER_MODULE).href)
    .then((m: { renderScan: Renderer }) => m.renderScan, (e: unknown) => (e instanceof Error ? e : new Error(String(e)))));
}

/** The built page split at its slots: before lang, before title, before the first view, before the data, the rest. */
interface Template { source: string; parts: string[]; csp: string }
let prepared: Template | undefined;

/**
 * Splits the built scan.html around the title, the first view and the data slots, once per build. The stylesheet is
 * small and the first view needs it, so it is inlined (one round trip less on a slow phone) and admitted by its hash.
 */
function prepare(source: string, assetsRoot: string): Template {
  if (prepared?.source === source) return prepared;
  const styles: string[] = [];
  const html = source
    .replace(/<link rel="stylesheet"[^>]*href="\/assets\/([\w.-]+\.css)"[^>]*>/g, (_m, file: string) => {
      const css = fs.readFileSync(path.join(assetsRoot, file), 'utf8');
      styles.push(css);
      return `<style>${css}</style>`;
    })
    .replace(/^<!doctype html>\s*<html lang="[^"]*">/i, '<!doctype html><html lang="\u0000lang">')
    .replace(/<title>[^<]*<\/title>/, '<title>\u0000title</title>')
    .replace('<!--suyuan:head-->', '')
    .replace('<!--suyuan:ssr-->', '\u0000ssr')
    .replace('<!--suyuan:data-->', '\u0000data');
  const parts = html.split(/\u0000(?:lang|title|ssr|data)/);
  if (parts.length !== 5) throw new Error('dist/web/scan.html lacks the <html lang>, <title>, ssr or data slot');
  const csp = `default-src 'none'; script-src 'self'; style-src 'self'${styles.map((c) => ` ${sha(c)}`).join('')}; connect-src 'self'; `
    + `img-src 'self' data: blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
  return (prepared = { source, parts, csp });
}

/**
 * The web application's consumer page for one scan: the built template with the result embedded as JSON (the page
 * makes no second request, so the scan is logged once) and its first view rendered by the page's own components.
 * Without the renderer the page renders itself from the same data behind a minimal skeleton; `renderError` says why.
 */
export async function renderAppPage(template: string, o: ScanOutcome, opts: { lang: Lang; nodeName: string; assetsRoot: string })
  : Promise<{ html: string; csp: string; renderError: Error | null }> {
  const tpl = prepare(template, opts.assetsRoot);
  const data = scanData(o, opts);
  const render = await loadRenderer();
  let first: { html: string; title: string } | null = null;
  let renderError = render instanceof Error ? render : null;
  if (!(render instanceof Error)) {
    try { first = render(data); } catch (e) { renderError = e instanceof Error ? e : new Error(String(e)); }
  }
  first ??= { html: `<main><p class="skeleton">${esc(PAGE[opts.lang].title)}…</p></main>`, title: PAGE[opts.lang].title };
  const [head, afterLang, afterTitle, afterSsr, tail] = tpl.parts;
  const html = head + PAGE[opts.lang].htmlLang + afterLang + esc(first.title) + afterTitle + first.html + afterSsr
    + `<script id="scan-data" type="application/json">${scriptJson(data)}</script>` + tail;
  return { html, csp: tpl.csp, renderError };
}
