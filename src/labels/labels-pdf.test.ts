import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import QRCode from 'qrcode';
import { DomainError } from '../platform/errors.ts';
import { buildLabel, buildLabels } from './label-builders.ts';
import { qrPayload } from './label-fns.ts';
import { renderLabelsPdf } from './labels-pdf.ts';

interface PdfObject { dict: string; stream?: Buffer }

/** The PDF's objects by number, with streams inflated (pdfkit writes no object streams, so a regex walk is enough). */
function pdfObjects(pdf: Buffer): Map<number, PdfObject> {
  const s = pdf.toString('latin1');
  const objects = new Map<number, PdfObject>();
  for (const m of s.matchAll(/(\d+) 0 obj\n([\s\S]*?)\nendobj/g)) {
    const at = m[2].indexOf('\nstream\n');
    if (at < 0) { objects.set(Number(m[1]), { dict: m[2] }); continue; }
    const raw = Buffer.from(m[2].slice(at + 8, m[2].lastIndexOf('\nendstream')), 'latin1');
    objects.set(Number(m[1]), { dict: m[2].slice(0, at), stream: m[2].includes('/FlateDecode') ? inflateSync(raw) : raw });
  }
  return objects;
}

/** Every text run in the PDF as Unicode, decoding the CJK font through its ToUnicode CMap. */
function pdfText(pdf: Buffer): string[] {
  const objects = pdfObjects(pdf);
  const cmaps = new Map<string, string[]>(); // font resource name → glyph id → text
  const standard = new Set<string>();
  for (const o of objects.values()) {
    for (const [, alias, id] of o.dict.matchAll(/\/(F\d+) (\d+) 0 R/g)) {
      const font = objects.get(Number(id))!.dict;
      const toUnicode = /\/ToUnicode (\d+) 0 R/.exec(font);
      if (!toUnicode) { standard.add(alias); continue; }
      const cmap: string[] = [];
      const text = objects.get(Number(toUnicode[1]))!.stream!.toString('latin1');
      for (const [, start, list] of text.matchAll(/<([0-9a-f]+)> <[0-9a-f]+> \[([^\]]*)\]/g)) {
        [...list.matchAll(/<([0-9a-f ]+)>/g)].forEach(([, units], i) => {
          cmap[parseInt(start, 16) + i] = String.fromCharCode(...units.split(' ').map((u) => parseInt(u, 16)));
        });
      }
      cmaps.set(alias, cmap);
    }
  }
  const runs: string[] = [];
  for (const o of objects.values()) {
    if (!o.stream || !o.dict.includes('/FlateDecode') || o.dict.includes('/Subtype')) continue;
    let font = '';
    for (const m of o.stream.toString('latin1').matchAll(/\/(F\d+) [\d.]+ Tf|\[((?:<[0-9a-f]*>|[-\d. ])*)\] TJ/g)) {
      if (m[1]) { font = m[1]; continue; }
      const hex = [...m[2].matchAll(/<([0-9a-f]*)>/g)].map((h) => h[1]).join('');
      runs.push(standard.has(font)
        ? Buffer.from(hex, 'hex').toString('latin1')
        : (hex.match(/.{4}/g) ?? []).map((g) => cmaps.get(font)![parseInt(g, 16)]).join(''));
    }
  }
  return runs;
}

const pageCount = (pdf: Buffer) => pdf.toString('latin1').match(/\/Type \/Page\b/g)?.length ?? 0;

test('PDF A4: 24 labels to a sheet, the 25th starts a second page', async () => {
  for (const [labels, pages] of [[1, 1], [24, 1], [25, 2]]) {
    const pdf = await renderLabelsPdf(buildLabels(labels), 'a4');
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    assert.equal(pageCount(pdf), pages, `${labels} labels`);
    assert.match(pdf.toString('latin1'), /\/MediaBox \[0 0 595\.28 841\.89\]/);
  }
});

test('PDF thermal: one 60 × 40 mm page per label', async () => {
  const pdf = await renderLabelsPdf(buildLabels(3), 'thermal');
  const boxes = [...pdf.toString('latin1').matchAll(/\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/g)];
  assert.equal(pageCount(pdf), 3);
  assert.equal(boxes.length, 3);
  for (const [, w, h] of boxes) {
    assert.ok(Math.abs(Number(w) - 170.08) < 0.1, `width ${w}`);
    assert.ok(Math.abs(Number(h) - 113.39) < 0.1, `height ${h}`);
  }
});

test('PDF: the code, the Chinese product name and the details are real text', async () => {
  const label = buildLabel({ productName: '阳澄湖大闸蟹', operatorName: '苏州阳澄湖蟹业', lot: 'L-7', producedOn: '2024-09-20' });
  const groups = label.display.split(' ');
  const runs = pdfText(await renderLabelsPdf([label], 'a4'));
  const expected = ['阳澄湖大闸蟹', '批号 L-7', '生产日期 2024-09-20', '苏州阳澄湖蟹业', groups.slice(0, 2).join(' '), groups.slice(2).join(' ')];
  assert.deepEqual(runs, expected);
});

test('PDF: the Chinese font is the packaged Noto Sans Hans, embedded as a subset; nothing is rasterised', async () => {
  const pdf = (await renderLabelsPdf(buildLabels(2), 'a4')).toString('latin1');
  assert.match(pdf, /\/BaseFont \/[A-Z]{6}\+NotoSansHans-Regular/);
  assert.match(pdf, /\/FontFile3 \d+ 0 R/);
  assert.match(pdf, /\/Subtype \/CIDFontType0C/);
  assert.doesNotMatch(pdf, /\/Subtype \/Image/);
  assert.doesNotMatch(pdf, /Helvetica/);
});

test('PDF: the QR drawn is exactly the matrix for the label URL', async () => {
  const label = buildLabel({ qrUrl: 'https://id.gs1.org/01/09506000134352/21/350B7K2MQX9D4HRT' });
  const objects = pdfObjects(await renderLabelsPdf([label], 'thermal'));
  const content = [...objects.values()].find((o) => o.stream?.includes(' re\n'))!.stream!.toString('latin1');
  const dark = new Set<string>();
  for (const [, x, y, w, h] of content.matchAll(/^(\d+) (\d+) (\d+) (\d+) re$/gm)) {
    assert.equal(h, '1', 'one module high');
    for (let c = Number(x); c < Number(x) + Number(w); c++) dark.add(`${y},${c}`);
  }
  const { modules } = QRCode.create(qrPayload(label.qrUrl), { errorCorrectionLevel: 'M' });
  for (let r = 0; r < modules.size; r++) {
    for (let c = 0; c < modules.size; c++) assert.equal(dark.has(`${r},${c}`), Boolean(modules.get(r, c)), `module ${r},${c}`);
  }
  assert.equal(dark.size, modules.data.filter(Boolean).length);
});

test('PDF: long names are cut to two lines with an ellipsis; unknown lot and date are left out', async () => {
  const name = '云南普洱熟茶 357克 饼茶 2019年 勐海古树春茶 特级 Organic Pu-erh Ripe Tea Cake Premium Selection';
  const runs = pdfText(await renderLabelsPdf([buildLabel({ productName: name, operatorName: '普洱茶厂', lot: null, producedOn: null })], 'thermal'));
  // Drawn in order: the name's lines, the details, then the code's two lines.
  assert.equal(runs.length, 5, JSON.stringify(runs));
  assert.ok(runs[1].endsWith('…'), runs[1]);
  const squash = (s: string) => s.replace(/ /g, '');
  assert.ok(squash(name).startsWith(squash(runs[0] + runs[1].slice(0, -1))), JSON.stringify(runs));
  assert.equal(runs[2], '普洱茶厂');
});

test('PDF: size stays small — the font subset is paid once, each further label costs little', async (t) => {
  const one = (await renderLabelsPdf(buildLabels(1), 'a4')).length;
  const sheet = (await renderLabelsPdf(buildLabels(24), 'a4')).length;
  const perLabel = (sheet - one) / 23;
  t.diagnostic(`1 label: ${one} bytes; 24 labels: ${sheet} bytes; ${Math.round(perLabel)} bytes per further label`);
  assert.ok(one < 80_000, `one label ${one} bytes`);
  assert.ok(perLabel < 1_500, `${perLabel} bytes per label`);
});

test('PDF: no labels, or a QR too dense to print, are refused', async () => {
  await assert.rejects(renderLabelsPdf([], 'a4'), (e: unknown) => e instanceof DomainError && e.code === 'LABELS_EMPTY');
  const long = buildLabel({ qrUrl: `https://scan.suyuan.test/t/${'x'.repeat(1200)}` });
  await assert.rejects(renderLabelsPdf([long], 'thermal'), (e: unknown) => e instanceof DomainError && e.code === 'LABEL_QR_TOO_LONG');
});
