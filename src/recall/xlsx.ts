import { once } from 'node:events';
import zlib from 'node:zlib';

/*
 * A minimal XLSX (Office Open XML SpreadsheetML) writer for large exports: plain rows of strings and numbers, inline
 * strings (no shared-string table to build), no cell styles, a frozen and filterable header row, each part deflated
 * once into a ZIP. Why not exceljs: its streaming writer still builds an object per cell and spends ~3 s on a
 * million cells; writing the XML text directly takes a fraction of that. Readers (Excel, WPS, LibreOffice,
 * exceljs) open the result as an ordinary workbook.
 */

/** A cell: text, a number, or empty. */
export type XlsxCell = string | number | null | undefined;
/** A worksheet: its name (at most 31 characters, no `[]:*?/\`), the header row, and plain rows. */
export interface XlsxSheet { name: string; columns: readonly string[]; rows: ReadonlyArray<readonly XlsxCell[]> }

// Characters XML 1.0 does not admit (control characters other than tab, line feed, carriage return; lone surrogates; U+FFFE/FFFF).
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
// Most cells need no change; one test is several times cheaper than two replaces.
const NEEDS_WORK = /[&<>"\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
/** Text as XML character data or attribute value. */
export function xmlText(s: string): string {
  return NEEDS_WORK.test(s) ? s.replace(INVALID_XML, '').replace(/[&<>"]/g, (c) => ESCAPES[c]) : s;
}

/** The column letters of a 0-based column index: 0 → A, 25 → Z, 26 → AA. */
export function columnName(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

// A spreadsheet holds at most 32,767 characters in a cell.
const MAX_CELL = 32_767;

function cellXml(ref: string, v: XlsxCell): string {
  if (v === null || v === undefined || v === '') return '';
  if (typeof v === 'number') return Number.isFinite(v) ? `<c r="${ref}"><v>${v}</v></c>` : '';
  const s = v.length > MAX_CELL ? v.slice(0, MAX_CELL) : v;
  // Leading or trailing blanks (space, tab, line breaks) are dropped by XML readers unless preserved.
  const space = s.charCodeAt(0) <= 32 || s.charCodeAt(s.length - 1) <= 32 ? ' xml:space="preserve"' : '';
  return `<c r="${ref}" t="inlineStr"><is><t${space}>${xmlText(s)}</t></is></c>`;
}

/** The worksheet part of one sheet, as chunks of text of about a megabyte each (so no single string grows huge). */
function* sheetXml(sheet: XlsxSheet): Generator<string> {
  let width = Math.max(1, sheet.columns.length);
  for (const r of sheet.rows) if (r.length > width) width = r.length;
  const letters = Array.from({ length: width }, (_, k) => columnName(k));
  const last = letters[sheet.columns.length - 1] ?? 'A';
  const cols = sheet.columns.map((h, k) => `<col min="${k + 1}" max="${k + 1}" width="${Math.min(48, Math.max(10, h.length + 4))}" customWidth="1"/>`).join('');
  let part = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    + `<dimension ref="A1:${letters[width - 1]}${sheet.rows.length + 1}"/>`
    + '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/></sheetView></sheetViews>'
    + '<sheetFormatPr defaultRowHeight="15"/>'
    + (cols ? `<cols>${cols}</cols>` : '')
    + '<sheetData>'
    + `<row r="1">${sheet.columns.map((h, k) => cellXml(`${letters[k]}1`, h)).join('')}</row>`;
  for (let i = 0; i < sheet.rows.length; i++) {
    const n = i + 2;
    const row = sheet.rows[i];
    let cells = '';
    for (let k = 0; k < row.length; k++) cells += cellXml(letters[k] + n, row[k]);
    part += `<row r="${n}">${cells}</row>`;
    if (part.length > 1 << 20) { yield part; part = ''; }
  }
  part += '</sheetData>'
    + (sheet.columns.length ? `<autoFilter ref="A1:${last}${sheet.rows.length + 1}"/>` : '')
    + '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>';
  yield part;
}

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

/** The package parts besides the worksheets: content types, relationships, the workbook with its filters, styles, properties. */
function packageParts(sheets: readonly XlsxSheet[], creator: string, now: Date): Array<[string, Iterable<string>]> {
  const names = sheets.map((s) => xmlText(s.name));
  const filters = sheets.map((s, k) => (s.columns.length
    ? `<definedName name="_xlnm._FilterDatabase" localSheetId="${k}" hidden="1">'${names[k].replace(/'/g, "''")}'!$A$1:$${columnName(s.columns.length - 1)}$${s.rows.length + 1}</definedName>`
    : '')).join('');
  const part = (s: string) => [XML_HEAD + s];
  const iso = `${now.toISOString().slice(0, 19)}Z`;
  return [
    ['[Content_Types].xml', part(
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      + '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      + '<Default Extension="xml" ContentType="application/xml"/>'
      + '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
      + sheets.map((_, k) => `<Override PartName="/xl/worksheets/sheet${k + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('')
      + '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
      + '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
      + '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
      + '</Types>')],
    ['_rels/.rels', part(
      '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
      + '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
      + '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
      + '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
      + '</Relationships>')],
    ['docProps/app.xml', part(
      '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Suyuan</Application></Properties>')],
    ['docProps/core.xml', part(
      '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
      + 'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
      + `<dc:creator>${xmlText(creator)}</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">${iso}</dcterms:created>`
      + `<dcterms:modified xsi:type="dcterms:W3CDTF">${iso}</dcterms:modified></cp:coreProperties>`)],
    ['xl/workbook.xml', part(
      '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
      + '<bookViews><workbookView/></bookViews><sheets>'
      + names.map((n, k) => `<sheet name="${n}" sheetId="${k + 1}" r:id="rId${k + 1}"/>`).join('')
      + `</sheets>${filters ? `<definedNames>${filters}</definedNames>` : ''}</workbook>`)],
    ['xl/_rels/workbook.xml.rels', part(
      '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
      + sheets.map((_, k) => `<Relationship Id="rId${k + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${k + 1}.xml"/>`).join('')
      + `<Relationship Id="rId${sheets.length + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>`
      + '</Relationships>')],
    // One default font, fill, border and cell format: what every reader expects to find.
    ['xl/styles.xml', part(
      '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
      + '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
      + '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
      + '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
      + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
      + '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
      + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
      + '</styleSheet>')],
  ];
}

// ---- ZIP (stored as deflate, no ZIP64: every part and the whole stay far below 4 GiB) ----------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
type Crc32 = (data: Uint8Array, value?: number) => number;
/** CRC-32 of the ZIP format: node's own where it has one (20.15+), else a table. */
const crc32: Crc32 = (zlib as unknown as { crc32?: Crc32 }).crc32 ?? ((data, value = 0) => {
  let c = (value ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
});

/** DOS date and time of the ZIP headers. */
function dosTime(d: Date): { time: number; date: number } {
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((Math.max(1980, d.getFullYear()) - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

/**
 * Deflates one part as its text is produced: each chunk goes to zlib's thread while the next one is written, so
 * compression and XML overlap. Answers the compressed bytes, the CRC-32 and the size of the text.
 */
async function deflatePart(chunks: Iterable<string>): Promise<{ packed: Buffer; crc: number; size: number }> {
  // Level 1: a few percent larger than the default, several times quicker.
  const z = zlib.createDeflateRaw({ level: 1 });
  const out: Buffer[] = [];
  z.on('data', (c: Buffer) => out.push(c));
  const done = once(z, 'end');
  let crc = 0;
  let size = 0;
  for (const text of chunks) {
    const data = Buffer.from(text, 'utf8');
    crc = crc32(data, crc);
    size += data.length;
    z.write(data);
    // Lets zlib's thread take the chunk before the next one is written.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  z.end();
  await done;
  return { packed: Buffer.concat(out), crc: crc >>> 0, size };
}

/** A ZIP archive of the parts, each deflated. */
async function zip(parts: ReadonlyArray<[string, Iterable<string>]>, now: Date): Promise<Buffer> {
  const { time, date } = dosTime(now);
  const out: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, chunks] of parts) {
    const { packed, crc, size } = await deflatePart(chunks);
    const file = Buffer.from(name, 'utf8');
    if (size >= 0xffffffff || offset + packed.length >= 0xffffffff) throw new Error('XLSX part too large for a ZIP without ZIP64');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(0x0800, 6); local.writeUInt16LE(8, 8);
    local.writeUInt16LE(time, 10); local.writeUInt16LE(date, 12); local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18); local.writeUInt32LE(size, 22); local.writeUInt16LE(file.length, 26); local.writeUInt16LE(0, 28);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0); entry.writeUInt16LE(20, 4); entry.writeUInt16LE(20, 6); entry.writeUInt16LE(0x0800, 8); entry.writeUInt16LE(8, 10);
    entry.writeUInt16LE(time, 12); entry.writeUInt16LE(date, 14); entry.writeUInt32LE(crc, 16); entry.writeUInt32LE(packed.length, 20);
    entry.writeUInt32LE(size, 24); entry.writeUInt16LE(file.length, 28); entry.writeUInt32LE(offset, 42);
    central.push(entry, file);
    out.push(local, file, packed);
    offset += local.length + file.length + packed.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(parts.length, 8); end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(dir.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...out, dir, end]);
}

/** Writes the sheets as one XLSX workbook. */
export function writeXlsx(sheets: readonly XlsxSheet[], opts: { creator?: string; now?: Date } = {}): Promise<Buffer> {
  const now = opts.now ?? new Date();
  const parts = packageParts(sheets, opts.creator ?? 'Suyuan', now);
  sheets.forEach((s, k) => parts.push([`xl/worksheets/sheet${k + 1}.xml`, sheetXml(s)]));
  return zip(parts, now);
}
