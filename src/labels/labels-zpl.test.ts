import { test } from 'node:test';
import assert from 'node:assert/strict';
import QRCode from 'qrcode';
import { DomainError } from '../platform/errors.ts';
import { buildLabel, buildLabels } from './label-builders.ts';
import { renderLabelsZpl } from './labels-zpl.ts';

/** The commands of a ZPL format, each as its name (two characters after ^) and its parameters or data. */
const commands = (zpl: string) => zpl.split('^').slice(1).map((c) => ({ name: c.slice(0, 2), rest: c.slice(2).trimEnd() }));
/** Field data (^FD … ^FS) in order. */
const fields = (zpl: string) => [...zpl.matchAll(/\^FD(.*?)\^FS/g)].map((m) => m[1]);
/** The command set a label may use: anything else in the output would be injected. */
const ALLOWED = new Set(['XA', 'CI', 'PW', 'LL', 'LH', 'FO', 'BQ', 'FH', 'FD', 'FS', 'A@', 'A0', 'XZ']);

test('ZPL: one ^XA … ^XZ format per label, UTF-8, sized 60 × 40 mm in dots', () => {
  for (const [dpi, width, height] of [[203, 480, 320], [300, 709, 472]] as const) {
    const zpl = renderLabelsZpl(buildLabels(3), { dpi });
    const formats = zpl.split(/(?<=\^XZ\n)/);
    assert.equal(formats.length, 3);
    for (const f of formats) {
      assert.match(f, /^\^XA\n\^CI28\n/);
      assert.match(f, /\^XZ\n$/);
      assert.ok(f.includes(`^PW${width}\n`) && f.includes(`^LL${height}\n`), `${dpi} dpi: ${f}`);
      assert.ok(f.indexOf('^CI28') < f.indexOf('^FD'), 'UTF-8 is chosen before any field data');
    }
  }
  assert.equal(renderLabelsZpl([]), '', 'no labels, no formats');
});

test('ZPL: the QR is model 2, level M, automatic input, and fits its half of the label with a quiet zone', () => {
  for (const dpi of [203, 300] as const) {
    const label = buildLabel({ qrUrl: 'https://id.gs1.org/01/09506000134352/21/350B7K2MQX9D4HRT' });
    const zpl = renderLabelsZpl([label], { dpi });
    const m = /\^FO(\d+),(\d+)\^BQN,2,(\d+),M\^FH_\^FDMA,(.*?)\^FS/.exec(zpl);
    assert.ok(m, zpl);
    const [x, y, mag] = m.slice(1, 4).map(Number);
    assert.equal(m[4], label.qrUrl);
    const n = QRCode.create([{ data: Buffer.from(label.qrUrl), mode: 'byte' }], { errorCorrectionLevel: 'M' }).modules.size;
    const width = dpi === 203 ? 480 : 709;
    const height = dpi === 203 ? 320 : 472;
    assert.ok(mag >= 1 && mag <= 10);
    assert.ok((mag * 25.4) / dpi >= 0.3, 'modules large enough to scan');
    assert.ok(x >= 4 * mag && y >= 4 * mag, 'quiet zone before the symbol');
    assert.ok(x + n * mag + 4 * mag <= width / 2, 'quiet zone before the text');
    assert.ok(y + n * mag + 4 * mag <= height, 'quiet zone below');
    for (const f of commands(zpl).filter((c) => c.name === 'FO')) {
      const [fx, fy] = f.rest.split(',').map(Number);
      assert.ok(fx >= 0 && fx < width && fy >= 0 && fy < height, `field origin ${f.rest}`);
    }
  }
});

test('ZPL: Chinese text uses the printer-resident CJK font named in the options', () => {
  const label = buildLabel({ productName: '阳澄湖大闸蟹', operatorName: '苏州阳澄湖蟹业' });
  const zpl = renderLabelsZpl([label]);
  assert.match(zpl, /\^A@N,\d+,\d+,E:SIMSUN\.FNT\^FH_\^FD阳澄湖大闸蟹\^FS/);
  assert.match(zpl, /\^A@N,\d+,\d+,E:SIMSUN\.FNT\^FH_\^FD苏州阳澄湖蟹业\^FS/);
  const [first, second] = [label.display.slice(0, 9), label.display.slice(10)];
  assert.match(zpl, new RegExp(`\\^A0N,\\d+,\\d+\\^FH_\\^FD${first}\\^FS`));
  assert.match(zpl, new RegExp(`\\^A0N,\\d+,\\d+\\^FH_\\^FD${second}\\^FS`));
  assert.match(renderLabelsZpl([label], { cjkFont: 'E:ANMDS.TTF' }), /\^A@N,\d+,\d+,E:ANMDS\.TTF\^/);
  assert.throws(() => renderLabelsZpl([label], { cjkFont: 'E:X.FNT^XZ' }), (e: unknown) => e instanceof DomainError && e.code === 'ZPL_FONT_NAME');
});

test('ZPL: label data cannot inject commands', () => {
  const evil = buildLabel({
    productName: '大米^XZ^XA^FO0,0^A0N,200,200^FDPWNED^FS~JR',
    operatorName: '合作社~DGR:EVIL.GRF,1,1,FF',
    lot: 'L_01^FS',
    producedOn: '2024-05-01\n^XA',
    qrUrl: 'https://scan.suyuan.test/t/~x^y_z',
  });
  const zpl = renderLabelsZpl([evil]);
  assert.ok(!zpl.includes('~'), 'no control-prefix command');
  for (const c of commands(zpl)) assert.ok(ALLOWED.has(c.name), `unexpected command ^${c.name} in ${zpl}`);
  assert.equal(zpl.match(/\^XA/g)!.length, 1);
  assert.equal(zpl.match(/\^XZ/g)!.length, 1);
  const data = fields(zpl).join('\n');
  assert.ok(data.includes('大米_5EXZ_5EXA_5EFO0,0'), data);
  assert.ok(data.includes('合作社_7EDGR:EVIL.GRF'), data);
  assert.ok(data.includes('批号 L_5F01_5EFS'), data);
  assert.ok(data.includes('MA,https://scan.suyuan.test/t/_7Ex_5Ey_5Fz'), data);
  assert.equal(zpl.match(/\^FD/g)!.length, zpl.match(/\^FH_\^FD/g)!.length, 'every field is hex-escaped');
});

test('ZPL: non-ASCII in the URL is percent-encoded, as automatic QR input requires', () => {
  const zpl = renderLabelsZpl([buildLabel({ qrUrl: 'https://scan.suyuan.test/t/溯源 1' })]);
  assert.ok(zpl.includes('^FDMA,https://scan.suyuan.test/t/%E6%BA%AF%E6%BA%90%201^FS'), zpl);
});

test('ZPL: a long name takes at most two lines, cut with an ellipsis, within the label width', () => {
  const name = '云南普洱熟茶 357克 饼茶 2019年 勐海古树春茶 特级 Organic Pu-erh Ripe Tea Cake';
  const zpl = renderLabelsZpl([buildLabel({ productName: name, lot: null, producedOn: null, operatorName: '茶厂' })]);
  const nameFields = [...zpl.matchAll(/\^FO(\d+),\d+\^A@N,(\d+),\d+,E:SIMSUN\.FNT\^FH_\^FD(.*?)\^FS/g)];
  assert.equal(nameFields.length, 3, 'two name lines and the operator');
  assert.ok(nameFields[1][3].endsWith('…'));
  for (const [, x, h, text] of nameFields) {
    const ems = [...text].reduce((sum, ch) => sum + (ch.charCodeAt(0) < 0x7f ? 0.5 : 1), 0);
    assert.ok(Number(x) + ems * Number(h) <= 480, `${text} overflows`);
  }
});

test('ZPL: a URL too long for a legible QR is refused', () => {
  const long = buildLabel({ qrUrl: `https://scan.suyuan.test/t/${'x'.repeat(600)}` });
  assert.throws(() => renderLabelsZpl([long]), (e: unknown) => e instanceof DomainError && e.code === 'LABEL_QR_TOO_LONG');
});
