import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import { invalid } from '../platform/errors.ts';
import { IMPORT_COLUMNS, type CellValue } from './registry-import-fns.ts';
import { OPERATOR_TYPES, OPERATOR_TYPE_NAMES } from './registry-types.ts';
import { usccCheckChar } from './uscc.ts';

/**
 * File adapter for spreadsheet imports (operator registrations, electronic ledgers): turns the bytes of a CSV
 * or XLSX file into rows of cells, and writes XLSX workbooks (templates, exports). Nothing here knows about
 * operators beyond the operator template's example.
 */

/** One non-blank row with its 1-based spreadsheet row number (the header is usually row 1). */
export interface SheetRow { row: number; cells: CellValue[] }
/** The rows of a file and how it was read. */
export interface Sheet { format: 'csv' | 'xlsx'; encoding: string | null; rows: SheetRow[] }

const isBlank = (cells: CellValue[]) => cells.every((c) => c == null || (typeof c === 'string' && c.trim() === ''));
const startsWith = (b: Uint8Array, magic: number[]) => magic.every((x, i) => b[i] === x);

/** Reads the first worksheet of an XLSX file or a CSV file, telling them apart by content rather than by name. */
export async function readSheet(bytes: Uint8Array): Promise<Sheet> {
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return { format: 'xlsx', encoding: null, rows: await readXlsx(bytes) };
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0])) {
    throw invalid('IMPORT_FORMAT_UNSUPPORTED', '不支持旧版 .xls 文件，请另存为 .xlsx 或 CSV', 'Legacy .xls files are not supported; save as .xlsx or CSV', { field: 'file' });
  }
  const { text, encoding } = decodeText(bytes);
  return { format: 'csv', encoding, rows: readCsv(text) };
}

/**
 * Decodes CSV bytes: a UTF-16 byte-order mark wins; then UTF-8 (with or without BOM) if the bytes are valid
 * UTF-8; otherwise GB18030, the superset of GBK that Chinese government spreadsheets are usually saved in.
 */
function decodeText(bytes: Uint8Array): { text: string; encoding: string } {
  if (startsWith(bytes, [0xff, 0xfe])) return { text: new TextDecoder('utf-16le').decode(bytes), encoding: 'utf-16le' };
  if (startsWith(bytes, [0xfe, 0xff])) return { text: new TextDecoder('utf-16be').decode(bytes), encoding: 'utf-16be' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    const text = new TextDecoder('gb18030').decode(bytes);
    // NUL bytes are in no text file: this is some binary format we do not read.
    if (text.includes('\u0000')) throw invalid('IMPORT_FORMAT_UNSUPPORTED', '无法识别的文件格式，请上传 CSV 或 XLSX', 'Unrecognised file format; upload CSV or XLSX', { field: 'file' });
    return { text, encoding: 'gb18030' };
  }
}

/** Parses CSV text; the delimiter (comma, tab or semicolon) is whichever the header line uses most. */
function readCsv(text: string): SheetRow[] {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = [',', '\t', ';'].reduce((best, d) => (firstLine.split(d).length > firstLine.split(best).length ? d : best));
  let records: string[][];
  try {
    records = parseCsv(text, { delimiter, relax_column_count: true, relax_quotes: true });
  } catch (e) {
    const err = e as { message: string; lines?: number };
    throw invalid('IMPORT_FILE_UNREADABLE', `CSV 文件第 ${err.lines ?? '?'} 行格式错误`, `CSV is malformed near line ${err.lines ?? '?'}: ${err.message}`, { field: 'file' });
  }
  // Every record counts, blank ones too, so that numbers match the rows a spreadsheet program shows.
  const rows: SheetRow[] = [];
  records.forEach((cells, i) => { if (!isBlank(cells)) rows.push({ row: i + 1, cells }); });
  return rows;
}

/** Reads the first worksheet with ExcelJS's streaming reader, which keeps cell values only (the full workbook model costs several times the memory). */
async function readXlsx(bytes: Uint8Array): Promise<SheetRow[]> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)), {
    sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit', entries: 'ignore',
  });
  const rows: SheetRow[] = [];
  try {
    for await (const sheet of reader) {
      for await (const row of sheet) {
        const values = row.values as unknown[];
        const cells: CellValue[] = [];
        for (let i = 1; i < values.length; i++) cells.push(cellValue(values[i]));
        if (!isBlank(cells)) rows.push({ row: row.number, cells });
      }
      break;
    }
  } catch (e) {
    throw invalid('IMPORT_FILE_UNREADABLE', 'XLSX 文件已损坏或无法读取', `The XLSX file cannot be read: ${(e as Error).message}`, { field: 'file' });
  }
  return rows;
}

/** Flattens ExcelJS cell values: formulas to their result, rich text and hyperlinks to their text, errors to their code. */
function cellValue(v: unknown): CellValue {
  if (v == null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  const o = v as { result?: unknown; richText?: { text: string }[]; text?: unknown; error?: string };
  if ('result' in o) return cellValue(o.result);
  if (o.richText) return o.richText.map((t) => t.text).join('');
  if ('text' in o) return cellValue(o.text);
  if (o.error) return o.error;
  return String(v);
}

const EXAMPLE_USCC_BODY = '93350121MA2Y3K7L0';
const EXAMPLE_ROW: Record<string, unknown> = {
  uscc: EXAMPLE_USCC_BODY + usccCheckChar(EXAMPLE_USCC_BODY), name: '闽侯县绿野蔬菜专业合作社', types: '种植、批发市场', divisionCode: '350121',
  address: '福建省福州市闽侯县上街镇溪源宫路 8 号', lng: 119.2, lat: 26.05, contactName: '林建华', contactPhone: '13905912345',
  licenceType: '食品经营许可证', licenceNumber: 'JY13501210001', licenceIssuer: '闽侯县市场监督管理局', licenceValidUntil: new Date(Date.UTC(2027, 5, 30)),
};
// Codes and phone numbers as text, so that spreadsheet programs keep leading zeros and all digits.
const TEXT_COLUMNS = new Set(['uscc', 'divisionCode', 'contactPhone', 'licenceNumber']);

/** A column of a generated sheet: its header, the key of its values, and whether its cells hold text or dates. */
export interface WorkbookColumn { header: string; key: string; width: number; format?: 'text' | 'date' }
/** A workbook to write: one data sheet (header bold and frozen) and optionally a sheet of notes. */
export interface WorkbookSpec {
  sheet: string;
  columns: readonly WorkbookColumn[];
  rows: readonly Record<string, unknown>[];
  notes?: { sheet: string; columns: ReadonlyArray<{ header: string; width: number }>; rows: readonly (readonly string[])[] };
}

/** Writes an XLSX workbook: the data sheet first, so that readSheet reads it back, then the notes. */
export async function writeWorkbook(spec: WorkbookSpec): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(spec.sheet);
  ws.columns = spec.columns.map((c) => ({
    header: c.header, key: c.key, width: c.width,
    style: c.format === 'text' ? { numFmt: '@' } : c.format === 'date' ? { numFmt: 'yyyy-mm-dd' } : {},
  }));
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  for (const row of spec.rows) ws.addRow(row);
  if (spec.notes) {
    const help = wb.addWorksheet(spec.notes.sheet);
    help.columns = spec.notes.columns.map((c) => ({ header: c.header, width: c.width }));
    help.getRow(1).font = { bold: true };
    for (const row of spec.notes.rows) help.addRow([...row]);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The import template: Chinese headers (required ones marked *), one example row, and a sheet of instructions. */
export async function writeTemplate(): Promise<Buffer> {
  const notes: Record<string, string> = {
    uscc: '18 位，校验位须正确 / 18 characters with a valid check character',
    types: `多个用 、 , ; 或 | 分隔 / several separated by 、 , ; or |：${OPERATOR_TYPES.map((t) => `${OPERATOR_TYPE_NAMES[t][0]} (${t})`).join('、')}；也接受 种植、养殖、生产、加工、屠宰、批发、零售、餐饮、进口、物流、检测、印刷`,
    divisionCode: '6 位 GB/T 2260 行政区划代码 / 6-digit GB/T 2260 division code',
    lng: '经度与纬度须同时填写 / give both longitude and latitude',
    licenceValidUntil: '2027-06-30、2027/6/30 或 Excel 日期 / 2027-06-30, 2027/6/30 or an Excel date',
  };
  return writeWorkbook({
    sheet: '主体备案',
    columns: IMPORT_COLUMNS.map((c) => ({
      header: c.required ? `${c.zh}*` : c.zh, key: c.field, width: Math.max(14, c.zh.length * 3),
      format: TEXT_COLUMNS.has(c.field) ? 'text' : c.field === 'licenceValidUntil' ? 'date' : undefined,
    })),
    rows: [EXAMPLE_ROW],
    notes: {
      sheet: '填写说明',
      columns: [{ header: '列 / column', width: 22 }, { header: '说明 / notes', width: 90 }],
      rows: [
        ...IMPORT_COLUMNS.map((c) => [`${c.zh} (${c.field})${c.required ? ' *必填 required' : ''}`, notes[c.field] ?? '']),
        [],
        ['', '首行为表头，中英文列名均可；同一文件重复导入不会产生重复数据 / the first row is the header, in Chinese or English; re-importing a file changes nothing'],
      ],
    },
  });
}
