import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLabel } from './label-builders.ts';
import { cleanText, fitBlock, fitLines, labelText, qrPayload } from './label-fns.ts';

/** One unit per Chinese character, half for ASCII, like a CJK font. */
const ems = (s: string) => [...s].reduce((sum, ch) => sum + (ch.charCodeAt(0) < 0x7f ? 0.5 : 1), 0);

test('fitLines: Chinese breaks anywhere, Latin words stay whole, leftovers end in an ellipsis', () => {
  assert.deepEqual(fitLines('五常有机稻花香大米', 5, 2, ems), ['五常有机稻', '花香大米']);
  assert.deepEqual(fitLines('Organic Jasmine Rice Premium', 8, 2, ems), ['Organic Jasmine', 'Rice Premium']);
  assert.deepEqual(fitLines('Organic Jasmine Rice Premium Long Grain', 8, 2, ems), ['Organic Jasmine', 'Rice Premium…']);
  assert.deepEqual(fitLines('Supercalifragilisticexpialidocious', 8, 1, ems), ['Supercalifragi…']);
  assert.deepEqual(fitLines('短', 8, 2, ems), ['短']);
  assert.deepEqual(fitLines('', 8, 2, ems), []);
  for (const text of ['云南普洱熟茶 357克 饼茶 2019年 勐海古树春茶', 'ABC 大米1234567890 Organic', '一'.repeat(100)]) {
    for (const line of fitLines(text, 6, 3, ems)) assert.ok(ems(line) <= 6, `${line} is too wide`);
  }
});

test('fitBlock: a name slightly too long for one line is set smaller rather than wrapped', () => {
  const width = (s: string, size: number) => ems(s) * size;
  assert.deepEqual(fitBlock('五常有机稻花香大米', 80, 2, [9, 8], width), { size: 8, lines: ['五常有机稻花香大米'] });
  assert.deepEqual(fitBlock('五常有机', 80, 2, [9, 8], width), { size: 9, lines: ['五常有机'] });
  assert.deepEqual(fitBlock('一二三四五六七八九十'.repeat(2), 80, 2, [9, 8], width), { size: 8, lines: ['一二三四五六七八九十', '一二三四五六七八九十'] });
  const cut = fitBlock('一二三四五六七八九十'.repeat(3), 80, 2, [9, 8], width);
  assert.equal(cut.size, 9, 'too long at any size: the largest size, cut');
  assert.deepEqual(cut.lines, ['一二三四五六七八', '九十一二三四五…']);
});

test('labelText: code in two lines, details only when known, no control characters', () => {
  const text = labelText(buildLabel({ display: '350B 7K2M QX9D 4HRT', productName: ' 大米\n^XA\t', lot: null, producedOn: '2024-05-01' }));
  assert.deepEqual(text.code, ['350B 7K2M', 'QX9D 4HRT']);
  assert.equal(text.name, '大米 ^XA');
  assert.deepEqual(text.details, ['生产日期 2024-05-01', '五常市稻香源农业专业合作社']);
  assert.equal(cleanText('a\u0000b\r\nc'), 'a b c');
});

test('qrPayload: printable ASCII kept, everything else percent-encoded as UTF-8', () => {
  assert.equal(qrPayload('https://scan.suyuan.test/t/350B7K2MQX9D4HRT'), 'https://scan.suyuan.test/t/350B7K2MQX9D4HRT');
  assert.equal(qrPayload('https://scan.suyuan.test/01/1/10/批 1'), 'https://scan.suyuan.test/01/1/10/%E6%89%B9%201');
});
