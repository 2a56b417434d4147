import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatCode } from '../codes/code-scheme.ts';
import type { Lang } from './scan-fns.ts';
import type { ConsumerView, ScanOutcome, StepKind, SuspectedClone, TimelineStep } from './scan-types.ts';
import type { ScanData } from '../../web/src/consumer/scan-data.ts';

/**
 * The consumer scan page, two ways:
 * - the web application's page (web/scan.html, web/src/consumer): the built template with the scan result embedded
 *   as JSON and its first view rendered here by the same Preact components the browser hydrates (renderAppPage);
 * - when the web UI is not built, the self-contained page below (renderScanPage): inline CSS, no external resources,
 *   Chinese or English; the first view needs no script; a few inline lines offer the coarse location.
 */

const CSS = `:root{--g:#0b6b3a;--ink:#1b1f1d;--mute:#4a5450;--line:#d5ddd8}
*{box-sizing:border-box}[hidden]{display:none!important}
body{margin:0;font:16px/1.6 system-ui,-apple-system,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:var(--ink);background:#f3f6f4}
header{background:var(--g);color:#fff;padding:.6rem 1rem;display:flex;justify-content:space-between;align-items:center;gap:1rem}
header p{margin:0;font-size:.9rem}header a{color:#fff;font-weight:600}
main,footer{max-width:40rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;line-height:1.3;margin:.2rem 0 .7rem}h1 small{font-size:1rem;font-weight:400;color:var(--mute)}
h2{font-size:1.05rem;margin:0 0 .5rem;color:var(--g)}
section{background:#fff;border:1px solid var(--line);border-radius:.6rem;padding:.8rem 1rem;margin:0 0 .8rem}
dl{margin:0;display:grid;grid-template-columns:minmax(4.5rem,38%) 1fr;gap:.3rem .9rem}dt{color:var(--mute)}dd{margin:0}
.code{font-family:ui-monospace,Menlo,Consolas,monospace;color:var(--mute);margin:0}
.ok{color:var(--g);font-weight:600;margin:0 0 .4rem}
.alert,.warn{border-left:.35rem solid #b3261e;background:#fdecea;color:#5f1410;padding:.7rem 1rem;border-radius:.4rem;margin:0 0 .8rem;font-weight:600}
.warn{border-color:#a15c00;background:#fff4e0;color:#4a2c00}.alert span{display:block;font-weight:400}
ul,ol{margin:0;padding:0;list-style:none}.list li+li{border-top:1px solid var(--line);margin-top:.5rem;padding-top:.5rem}
.tl{border-left:2px solid var(--line);margin-left:.4rem;padding-left:1rem}.tl li{position:relative;margin:0 0 .6rem}
.tl li::before{content:"";position:absolute;left:calc(-1.35rem - 1px);top:.5rem;width:.7rem;height:.7rem;border-radius:50%;background:var(--g)}
.meta{display:block;color:var(--mute);font-size:.9rem}.pass{color:var(--g);font-weight:700}.fail{color:#b3261e;font-weight:700}
.none{color:var(--mute);margin:0}
button{font:inherit;width:100%;padding:.65rem;border-radius:.5rem;border:1px solid var(--g);background:#fff;color:var(--g)}
footer{color:var(--mute);font-size:.85rem;padding-top:0}a{color:#0a5530}`;

// Static, so that the Content-Security-Policy admits exactly this script by its hash; data comes from attributes.
const SCRIPT = `(function(){var b=document.getElementById('loc');if(!b||!navigator.geolocation||!window.fetch)return;b.hidden=false;
b.onclick=function(){b.disabled=true;navigator.geolocation.getCurrentPosition(function(p){
var r=function(x){return Math.round(x*10)/10};fetch(b.getAttribute('data-url'),{method:'POST',headers:{'content-type':'application/json'},
body:JSON.stringify({lat:r(p.coords.latitude),lng:r(p.coords.longitude)})}).then(function(x){return x.ok?x.json():null}).then(function(j){
b.textContent=b.getAttribute('data-done');var w=document.getElementById('cw');if(w&&j&&j.suspectedClone)w.hidden=false}).catch(function(){b.disabled=false})},
function(){b.disabled=false},{maximumAge:600000,timeout:15000})}})();`;

const sha = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
/** The page's Content-Security-Policy: nothing from outside, only this page's own style and script. */
export const PAGE_CSP = `default-src 'none'; style-src ${sha(CSS)}; script-src ${sha(SCRIPT)}; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

const T = {
  zh: {
    htmlLang: 'zh-CN', other: 'English', otherHref: '?lang=en', otherLang: 'en', title: '溯源查询', langNav: '语言',
    batch: '批次码', item: '单品码', lot: '批次（GS1 数字链接）', valid: '✓ 本平台登记的有效追溯码',
    originH: '产地信息', producer: '生产者', site: '产地', producedOn: '生产/收获日期', expiresOn: '保质期至', inputs: '原料产地',
    inspectionsH: '检验结果（公开）', noInspections: '暂无公开的检验结果', pass: '合格', fail: '不合格', unknownResult: '结果未注明', reportNo: '报告编号',
    certificatesH: '证书', noCertificates: '暂无证书信息', number: '编号', issuer: '发证机构', issuedOn: '发证日期',
    limit: (v: string) => `（限量 ${v}）`, colon: '：', list: '、',
    inspectionKinds: { official_sampling: '监督抽检', rapid_test: '快速检测' } as Record<string, string>,
    certTypes: { commitment: '承诺达标合格证', animal_quarantine: '动物检疫合格证明', meat_quality: '肉品品质检验合格证' } as Record<string, string>,
    timelineH: '从产地到这里', noTimeline: '暂无流通记录',
    void: (d: string) => `此码已作废（${d}）`, voidMore: '请勿信赖此标签。如在商品上见到，请向商家或当地市场监管部门反映。',
    unassigned: '此码尚未启用', unassignedMore: '它还没有关联任何产品批次。如在商品上见到，请向商家核实。',
    clone: { far_apart: '此码在短时间内于相距很远的两地被扫描', many_devices: '此码被异常多的不同设备扫描', many_scans: '此码被扫描的次数异常多' },
    cloneMore: (since: string) => `一件商品不会这样被扫描，标签可能是仿冒的。首次发现于 ${since}（北京时间）。请向商家或当地市场监管部门反映。`,
    cloneLate: '此码的扫描记录异常，标签可能是仿冒的。请向商家或当地市场监管部门反映。',
    recall: { recall: '此批次产品正在召回', hold: '此批次产品正在接受食品安全排查，已暂停销售' },
    recallMore: {
      recall: (d: string) => `监管部门已于 ${d} 启动召回。请立即停止食用，并联系购买的商家退货。`,
      hold: (d: string) => `监管部门已于 ${d} 要求暂停销售。请暂停食用，等待进一步通知。`,
    },
    locate: '提供大致位置（约 10 公里），帮助识别假冒标签', located: '已记录大致位置，谢谢',
    unknownH: '未查到此码', unknownP: '本平台没有这个追溯码。请核对标签上印的 16 位追溯码（四组、每组四位）是否输入正确，或向商家核实。',
    otherH: '此码由其他平台签发', otherP: (node: string) => `此追溯码由平台节点 ${node} 签发，不在本平台登记。请到签发平台查询，或向商家核实。`,
    typoH: '追溯码可能输错了', typoP: '请对照标签重新输入。', sep: '',
    problems: {
      CODE_CHECKSUM: '校验位不符：很可能有字符输错，或两个字符顺序颠倒。',
      CODE_FORMAT: '追溯码应为 16 位数字和大写字母（不含 I、O、S、V、Z）。',
      GTIN: '商品条码（GTIN）的位数或校验位不对。',
    },
    steps: {
      raw_material: '原料生产', harvested: '收获', produced: '生产', processed: '加工', repacked: '分装', shipped: '发货运输',
      arrived: '到达', sold: '批发销售', retailed: '零售',
    } satisfies Record<StepKind, string>,
    places: { stall: '到达市场', shop: '到达门店', warehouse: '入库', plant: '到达加工厂', kitchen: '到达餐饮单位', port: '到达口岸', farm_plot: '到达基地' } as Record<string, string>,
    footer: ['如有疑问，请拨打', '或联系当地市场监管部门。'],
  },
  en: {
    htmlLang: 'en', other: '中文', otherHref: '?lang=zh', otherLang: 'zh-CN', title: 'Trace lookup', langNav: 'Language',
    batch: 'Batch code', item: 'Item code', lot: 'Batch (GS1 Digital Link)', valid: '✓ A valid trace code registered on this platform',
    originH: 'Origin information', producer: 'Producer', site: 'Origin site', producedOn: 'Produced / harvested', expiresOn: 'Use by', inputs: 'Raw materials from',
    inspectionsH: 'Inspection results (public)', noInspections: 'No public inspection results yet', pass: 'Passed', fail: 'Failed', unknownResult: 'Result not stated', reportNo: 'Report no.',
    certificatesH: 'Certificates', noCertificates: 'No certificates recorded', number: 'No.', issuer: 'Issuer', issuedOn: 'Issued',
    limit: (v: string) => ` (limit ${v})`, colon: ': ', list: '; ',
    inspectionKinds: { official_sampling: 'Official sampling', rapid_test: 'Rapid test' } as Record<string, string>,
    certTypes: { commitment: 'Commitment certificate (承诺达标合格证)', animal_quarantine: 'Animal quarantine certificate', meat_quality: 'Meat quality certificate' } as Record<string, string>,
    timelineH: 'From farm to here', noTimeline: 'No movements recorded yet',
    void: (d: string) => `This code was voided (${d})`, voidMore: 'Do not trust this label. If you found it on a product, tell the seller or the local market regulator.',
    unassigned: 'This code is not in use yet', unassignedMore: 'It is not linked to any batch. If you found it on a product, check with the seller.',
    clone: { far_apart: 'This code was scanned in places far apart within a short time', many_devices: 'Unusually many different devices scanned this code', many_scans: 'This code was scanned unusually often' },
    cloneMore: (since: string) => `A single item is not scanned like this: the label may be counterfeit. First noticed ${since} (China time). Please tell the seller or the local market regulator.`,
    cloneLate: 'The scans of this code look unusual: the label may be counterfeit. Please tell the seller or the local market regulator.',
    recall: { recall: 'This batch is being recalled', hold: 'This batch is under a food-safety investigation; sales are halted' },
    recallMore: {
      recall: (d: string) => `Regulators started a recall on ${d}. Stop eating it and return it to the shop where you bought it.`,
      hold: (d: string) => `Regulators halted sales on ${d}. Do not eat it until further notice.`,
    },
    locate: 'Share your approximate location (about 10 km) to help spot fake labels', located: 'Approximate location recorded, thank you',
    unknownH: 'Code not found', unknownP: 'This platform has no such trace code. Check the 16-character code printed on the label (four groups of four), or ask the seller.',
    otherH: 'Issued by another platform', otherP: (node: string) => `This trace code was issued by platform node ${node} and is not registered here. Look it up on that platform, or ask the seller.`,
    typoH: 'The code was probably mistyped', typoP: 'Please compare it with the label and enter it again.', sep: ' ',
    problems: {
      CODE_CHECKSUM: 'The check character does not match: most likely a character was mistyped or two were swapped.',
      CODE_FORMAT: 'A trace code has 16 digits and capital letters (without I, O, S, V, Z).',
      GTIN: 'The product barcode (GTIN) has the wrong length or check digit.',
    },
    steps: {
      raw_material: 'Raw material produced', harvested: 'Harvested', produced: 'Produced', processed: 'Processed', repacked: 'Repacked',
      shipped: 'Shipped', arrived: 'Arrived', sold: 'Sold to a trader', retailed: 'Sold at retail',
    } satisfies Record<StepKind, string>,
    places: { stall: 'Arrived at market', shop: 'Arrived at shop', warehouse: 'Stored in warehouse', plant: 'Arrived at processing plant', kitchen: 'Arrived at a kitchen', port: 'Arrived at port', farm_plot: 'Arrived at farm' } as Record<string, string>,
    footer: ['Questions? Call', '(market regulation hotline) or contact the local market regulator.'],
  },
};
type Text = (typeof T)['zh'];

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (s: string | null | undefined) => (s ?? '').replace(/[&<>"']/g, (c) => ESC[c]);

/** A timestamp as a date (and time) in China Standard Time, where the platform's consumers are. */
function chinaTime(iso: string, withTime: boolean): string {
  const s = new Date(new Date(iso).getTime() + 8 * 3_600_000).toISOString();
  return withTime ? `${s.slice(0, 10)} ${s.slice(11, 16)}` : s.slice(0, 10);
}

function cloneAlert(t: Text, c: SuspectedClone | null, kind: string): string {
  if (c) return `<div class="alert" role="alert">${esc(t.clone[c.reason])}<span>${esc(t.cloneMore(chinaTime(c.since, true)))}</span></div>`;
  // Shown by the location script when the location it sends makes the rule fire.
  return kind === 'item' ? `<div class="alert" role="alert" id="cw" hidden>${esc(t.cloneLate)}</div>` : '';
}

function stepLabel(t: Text, s: TimelineStep): string {
  return (s.step === 'arrived' && s.place && t.places[s.place]) || t.steps[s.step];
}

function section(id: string, title: string, body: string): string {
  return `<section aria-labelledby="${id}"><h2 id="${id}">${esc(title)}</h2>${body}</section>`;
}

function found(t: Text, v: ConsumerView): { title: string; body: string } {
  const kind = v.code === null ? t.lot : v.kind === 'item' ? t.item : t.batch;
  const top = `<p class="code">${esc(kind)}${v.code ? ` <span translate="no">${esc(formatCode(v.code))}</span>` : ''}</p>`;
  const status = v.status === 'void' ? `<div class="alert" role="alert">${esc(t.void(chinaTime(v.voidedAt!, false)))}<span>${esc(t.voidMore)}</span></div>`
    : v.status === 'unassigned' ? `<div class="warn" role="alert">${esc(t.unassigned)}<span>${esc(t.unassignedMore)}</span></div>`
      : v.suspectedClone || v.recall ? '' : `<p class="ok">${esc(t.valid)}</p>`;
  const recall = v.recall ? `<div class="alert" role="alert">${esc(t.recall[v.recall.action])}<span>${esc(t.recallMore[v.recall.action](chinaTime(v.recall.since, false)))}</span></div>` : '';
  const name = v.product ? `<h1>${esc(v.product.name)}${v.product.spec ? ` <small>${esc(v.product.spec)}</small>` : ''}</h1>` : `<h1>${esc(v.producer?.name ?? t.title)}</h1>`;
  const facts: [string, string][] = [];
  if (v.producer) facts.push([t.producer, esc(v.producer.name)]);
  if (v.origin) facts.push([t.site, `${esc(v.origin.site)}<span class="meta">${esc(v.origin.division)}</span>`]);
  if (v.producedOn) facts.push([t.producedOn, `<time datetime="${esc(v.producedOn)}">${esc(v.producedOn)}</time>`]);
  if (v.expiresOn) facts.push([t.expiresOn, `<time datetime="${esc(v.expiresOn)}">${esc(v.expiresOn)}</time>`]);
  if (v.inputOrigins.length) facts.push([t.inputs, v.inputOrigins.map((p) => esc(p.division)).join('<br>')]);
  const origin = section('h-origin', t.originH, `<dl>${facts.map(([k, d]) => `<dt>${esc(k)}</dt><dd>${d}</dd>`).join('')}</dl>`);
  if (v.status === 'void') return { title: v.product?.name ?? t.title, body: top + status + name + origin };

  const inspections = section('h-insp', t.inspectionsH, v.inspections.length ? `<ul class="list">${v.inspections.map((i) => {
    const res = i.result === 'pass' ? `<strong class="pass">${esc(t.pass)}</strong>` : i.result === 'fail' ? `<strong class="fail">${esc(t.fail)}</strong>` : esc(t.unknownResult);
    const items = i.items.map((it) => {
      const verdict = it.result === 'pass' ? t.pass : it.result === 'fail' ? t.fail : it.result;
      return esc(`${it.name}${it.value ? ` ${it.value}` : ''}${it.limit ? t.limit(it.limit) : ''}${verdict ? t.colon + verdict : ''}`);
    }).join(esc(t.list));
    const meta = [i.division, i.reportNo && `${t.reportNo} ${i.reportNo}`].filter(Boolean).map(esc).join(' · ');
    const kind = i.kind && (t.inspectionKinds[i.kind] ?? i.kind);
    return `<li>${res}${kind ? ` · ${esc(kind)}` : ''} <time datetime="${esc(i.date)}" class="meta">${esc(i.date)}</time>${items ? `<span class="meta">${items}</span>` : ''}${meta ? `<span class="meta">${meta}</span>` : ''}</li>`;
  }).join('')}</ul>` : `<p class="none">${esc(t.noInspections)}</p>`);

  const certificates = section('h-cert', t.certificatesH, v.certificates.length ? `<ul class="list">${v.certificates.map((c) => {
    const head = (c.type && (t.certTypes[c.type] ?? c.type)) ?? c.uri ?? '';
    const meta = [c.number && `${t.number} ${c.number}`, c.issuer && `${t.issuer} ${c.issuer}`, c.issuedOn && `${t.issuedOn} ${c.issuedOn}`].filter(Boolean).map(esc).join(' · ');
    return `<li>${esc(head)}${meta ? `<span class="meta">${meta}</span>` : ''}</li>`;
  }).join('')}</ul>` : `<p class="none">${esc(t.noCertificates)}</p>`);

  const timeline = section('h-tl', t.timelineH, v.timeline.length ? `<ol class="tl">${v.timeline.map((s) =>
    `<li><time datetime="${esc(s.date)}" class="meta">${esc(s.date)}</time>${esc(stepLabel(t, s))}${s.division ? `<span class="meta">${esc(s.division)}</span>` : ''}</li>`).join('')}</ol>`
    : `<p class="none">${esc(t.noTimeline)}</p>`);

  const locate = v.status === 'active'
    ? `<p><button type="button" id="loc" hidden data-url="/scans/${esc(v.scanId)}/location" data-done="${esc(t.located)}">${esc(t.locate)}</button></p>` : '';
  return {
    title: v.product?.name ?? t.title,
    body: top + recall + cloneAlert(t, v.suspectedClone, v.kind) + status + name + origin + inspections + certificates + timeline + locate,
  };
}

function notFoundBody(t: Text, o: Exclude<ScanOutcome, { view: ConsumerView }>): { title: string; body: string } {
  if (o.result === 'other_node') {
    return { title: t.otherH, body: `<p class="code" translate="no">${esc(formatCode(o.code))}</p><h1>${esc(t.otherH)}</h1><p>${esc(t.otherP(o.issuedBy))}</p>` };
  }
  if (o.result === 'unknown') {
    return { title: t.unknownH, body: `${o.code ? `<p class="code" translate="no">${esc(formatCode(o.code))}</p>` : ''}<h1>${esc(t.unknownH)}</h1><p>${esc(t.unknownP)}</p>` };
  }
  const why = o.error.code === 'CODE_CHECKSUM' ? t.problems.CODE_CHECKSUM : o.error.code.startsWith('GTIN') ? t.problems.GTIN : t.problems.CODE_FORMAT;
  return { title: t.typoH, body: `<p class="code" translate="no">${esc(o.input)}</p><h1>${esc(t.typoH)}</h1><p>${esc(why + t.sep + t.typoP)}</p>` };
}

/** The whole scan page for one outcome, in one language. */
export function renderScanPage(o: ScanOutcome, opts: { lang: Lang; nodeName: string }): string {
  const t = T[opts.lang];
  const { title, body } = 'view' in o ? found(t, o.view) : notFoundBody(t, o);
  const script = 'view' in o && o.view.status === 'active' ? `<script>${SCRIPT}</script>` : '';
  return `<!doctype html><html lang="${t.htmlLang}"><head><meta charset="utf-8">`
    + `<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">`
    + `<title>${esc(title)} · ${esc(t.title)}</title><style>${CSS}</style></head><body>`
    + `<header><p>${esc(opts.nodeName)}</p><nav aria-label="${esc(t.langNav)}"><a href="${t.otherHref}" hreflang="${t.otherLang}" lang="${t.otherLang}">${esc(t.other)}</a></nav></header>`
    + `<main>${body}</main><footer><p>${esc(t.footer[0])} <a href="tel:12315">12315</a> ${esc(t.footer[1])}</p></footer>${script}</body></html>`;
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
  first ??= { html: `<main><p class="skeleton">${esc(T[opts.lang].title)}…</p></main>`, title: T[opts.lang].title };
  const [head, afterLang, afterTitle, afterSsr, tail] = tpl.parts;
  const html = head + T[opts.lang].htmlLang + afterLang + esc(first.title) + afterTitle + first.html + afterSsr
    + `<script id="scan-data" type="application/json">${scriptJson(data)}</script>` + tail;
  return { html, csp: tpl.csp, renderError };
}
