import { test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { columnName, writeXlsx, xmlText } from './xlsx.ts';

test('column letters and XML text', () => {
  assert.deepEqual([0, 25, 26, 51, 52, 701, 702].map(columnName), ['A', 'Z', 'AA', 'AZ', 'BA', 'ZZ', 'AAA']);
  assert.equal(xmlText('a<b>&"c"'), 'a&lt;b&gt;&amp;&quot;c&quot;');
  assert.equal(xmlText('bell\u0007 tab\t ok'), 'bell tab\t ok', 'characters XML cannot hold are dropped');
  assert.equal(xmlText('plain 中文'), 'plain 中文');
});

test('a workbook another reader opens: sheets, text, numbers, blanks, frozen and filterable header', async () => {
  const body = await writeXlsx([
    { name: '事件 Incident', columns: ['项目 Field', '内容 Value'], rows: [['编号', 'I-1'], ['说明', null], ['数量', 12.5]] },
    {
      name: "CTE's <sheet>", columns: ['Lot', 'Quantity', 'Note'],
      rows: [['=HYPERLINK("x")', 1000, ' leading and trailing '], ['L2', 0, 'a & b <c>'], ['L3', -2.75, undefined]],
    },
  ]);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
  assert.deepEqual(wb.worksheets.map((w) => [w.name, w.rowCount]), [['事件 Incident', 4], ["CTE's <sheet>", 4]]);
  const first = wb.worksheets[0];
  assert.deepEqual([first.getRow(1).getCell(1).value, first.getRow(1).getCell(2).value], ['项目 Field', '内容 Value']);
  assert.equal(first.getRow(3).getCell(2).value, null, 'an empty cell stays empty');
  assert.equal(first.getRow(4).getCell(2).value, 12.5);
  const second = wb.worksheets[1];
  assert.equal(second.getRow(2).getCell(1).value, '=HYPERLINK("x")', 'text that looks like a formula stays text');
  assert.deepEqual([second.getRow(2).getCell(2).value, second.getRow(4).getCell(2).value], [1000, -2.75], 'numbers are numbers');
  assert.equal(second.getRow(2).getCell(3).value, ' leading and trailing ', 'blanks are kept');
  assert.equal(second.getRow(3).getCell(3).value, 'a & b <c>');
  assert.equal(second.views[0].state, 'frozen');
  assert.equal(second.views[0].ySplit, 1);
  assert.equal(second.autoFilter, 'A1:C4');
});
