import { createHash } from 'node:crypto';
import { DomainError, invalid } from '../platform/errors.ts';
import { validateOperator } from './registry-fns.ts';
import { OPERATOR_TYPES, OPERATOR_TYPE_NAMES, type OperatorInput, type OperatorType } from './registry-types.ts';
import { normaliseUscc } from './uscc.ts';

/** A cell as the file adapters hand it over: text, a number, a date (Excel date cell), a boolean, or empty. */
export type CellValue = string | number | boolean | Date | null;

/** The fields an import row can carry: the registration plus one licence. */
export type ImportField =
  | 'uscc' | 'name' | 'types' | 'divisionCode' | 'address' | 'lng' | 'lat' | 'contactName' | 'contactPhone'
  | 'licenceType' | 'licenceNumber' | 'licenceIssuer' | 'licenceValidUntil';

/** A column of an imported sheet: its Chinese template header, its field (also its English header), accepted aliases. */
export interface SheetColumn<F extends string> { field: F; zh: string; required?: boolean; maxLength?: number; aliases?: string[] }
type ImportColumn = SheetColumn<ImportField>;

/** The columns of an import file in template order: the Chinese template header, the English name (= field) and accepted aliases. */
export const IMPORT_COLUMNS: readonly ImportColumn[] = [
  { field: 'uscc', zh: '统一社会信用代码', required: true, aliases: ['社会信用代码', '信用代码'] },
  { field: 'name', zh: '主体名称', required: true, maxLength: 200, aliases: ['名称', '企业名称', '单位名称'] },
  { field: 'types', zh: '主体类型', required: true, aliases: ['类型', 'type'] },
  { field: 'divisionCode', zh: '行政区划代码', required: true, aliases: ['区划代码', 'division'] },
  { field: 'address', zh: '地址', maxLength: 500, aliases: ['住所', '经营地址'] },
  { field: 'lng', zh: '经度', aliases: ['longitude'] },
  { field: 'lat', zh: '纬度', aliases: ['latitude'] },
  { field: 'contactName', zh: '联系人', maxLength: 100 },
  { field: 'contactPhone', zh: '联系电话', maxLength: 40, aliases: ['电话', 'phone'] },
  { field: 'licenceType', zh: '许可证类型', maxLength: 100, aliases: ['licenseType'] },
  { field: 'licenceNumber', zh: '许可证编号', maxLength: 100, aliases: ['licenseNumber'] },
  { field: 'licenceIssuer', zh: '发证机关', maxLength: 200, aliases: ['licenseIssuer'] },
  { field: 'licenceValidUntil', zh: '有效期至', aliases: ['许可证有效期至', 'licenseValidUntil', 'validUntil'] },
];

// Headers match ignoring width, case, spaces, '*' required marks, '_'/'-' and a parenthesised note such as （多个用、分隔）.
const headerKey = (s: string) => s.normalize('NFKC').replace(/\([^)]*\)/g, '').replace(/[\s*_-]/g, '').toLowerCase();

/** Which file column holds which field, as found in the header row. */
export interface HeaderMap<F extends string = ImportField> {
  /** Field of each column index, null for columns the import does not use. */
  fields: (F | null)[];
  /** The header text of each mapped field, as written in the file (for error reports). */
  columnOf: Partial<Record<F, string>>;
  /** Header texts that matched no field; their values are not imported. */
  ignored: string[];
}

/**
 * A header mapper for a set of columns: maps a header row to fields, and refuses the file when a required
 * column is missing or a field appears twice.
 */
export function headerMapper<F extends string>(columns: readonly SheetColumn<F>[]): (cells: CellValue[]) => HeaderMap<F> {
  const byKey = new Map<string, SheetColumn<F>>(columns.flatMap((c) => [c.zh, c.field, ...(c.aliases ?? [])].map((k) => [headerKey(k), c] as const)));
  return (cells) => {
    const fields: (F | null)[] = [];
    const columnOf: Partial<Record<F, string>> = {};
    const ignored: string[] = [];
    for (const cell of cells) {
      const text = cellText(cell) ?? '';
      const column = text ? byKey.get(headerKey(text)) : undefined;
      if (!column) {
        fields.push(null);
        if (text) ignored.push(text);
        continue;
      }
      if (columnOf[column.field]) {
        throw invalid('IMPORT_HEADER_DUPLICATE', `表头“${columnOf[column.field]}”与“${text}”是同一列`, `Headers "${columnOf[column.field]}" and "${text}" name the same column (${column.field})`, { field: column.field });
      }
      columnOf[column.field] = text;
      fields.push(column.field);
    }
    const missing = columns.filter((c) => c.required && !columnOf[c.field]);
    if (missing.length) {
      const zh = missing.map((c) => c.zh).join('、');
      const en = missing.map((c) => `${c.zh} (${c.field})`).join(', ');
      throw invalid('IMPORT_HEADER_MISSING', `缺少必填列：${zh}`, `Required column missing: ${en}`, {
        field: missing[0].field, missing: missing.map((c) => ({ field: c.field, column: c.zh })),
      });
    }
    return { fields, columnOf, ignored };
  };
}

/** Maps an operator import's header row to fields (see headerMapper). */
export const mapHeader = headerMapper(IMPORT_COLUMNS);

/** The cells of one data row keyed by field. */
export type RowCells<F extends string = ImportField> = Partial<Record<F, CellValue>>;

/** Picks a data row's cells by the header map. */
export function rowCells<F extends string>(header: HeaderMap<F>, cells: CellValue[]): RowCells<F> {
  const out: RowCells<F> = {};
  header.fields.forEach((f, i) => { if (f) out[f] = cells[i] ?? null; });
  return out;
}

// Control characters cannot be stored as text in PostgreSQL (NUL) and are never meant in a registration.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** A cell as trimmed text, null when empty. Numbers keep all their digits; date cells become YYYY-MM-DD. */
export function cellText(v: CellValue | undefined): string | null {
  if (v == null) return null;
  const s = v instanceof Date ? v.toISOString().slice(0, 10) : String(v);
  const t = s.replace(CONTROL, '').trim();
  return t === '' ? null : t;
}

// Codes and numbers are typed in full-width forms on Chinese keyboards; names and addresses keep their own forms.
const codeText = (v: CellValue | undefined) => cellText(v)?.normalize('NFKC') ?? null;

/** The USCC of a row, normalised as the registry stores it ('' when the cell is empty). */
export function rowUscc(cells: RowCells): string {
  return normaliseUscc(codeText(cells.uscc) ?? '');
}

const TYPE_WORDS: Record<OperatorType, string[]> = {
  producer: ['种植', '养殖', '种养殖', '种植养殖', '生产', '生产主体', '种植户', '养殖户', '农业生产'],
  processor: ['加工', '生产加工', '食品加工'],
  slaughterhouse: ['屠宰', '屠宰场', '屠宰厂'],
  wholesale_market: ['批发', '批发市场'],
  retailer: ['零售', '零售企业', '超市', '商超'],
  caterer: ['餐饮', '餐饮企业', '餐饮服务'],
  importer: ['进口', '进口企业', '进口商'],
  logistics: ['物流', '仓储', '冷链物流', '仓储物流', '物流企业'],
  testing_lab: ['检测', '检验检测', '检测机构'],
  printer: ['印刷', '标签印刷', '印刷企业'],
};
// The English enum values and both display names are accepted too, so a file exported from the API imports back.
const TYPE_BY_WORD = new Map<string, OperatorType>(OPERATOR_TYPES.flatMap((t) =>
  [t, ...OPERATOR_TYPE_NAMES[t], ...TYPE_WORDS[t]].map((w) => [w.trim().toLowerCase(), t] as const)));

/** Splits a types cell on 、 , ; | (either width) and maps Chinese or English names to operator types, in canonical order. */
export function parseTypes(v: CellValue | undefined): OperatorType[] {
  const words = (cellText(v)?.normalize('NFKC') ?? '').split(/[、,;|]/).map((w) => w.trim()).filter(Boolean);
  const types = new Set<OperatorType>();
  for (const w of words) {
    const t = TYPE_BY_WORD.get(w.toLowerCase());
    if (!t) {
      throw invalid('TYPE_UNKNOWN', `主体类型“${w}”无法识别（可用：${OPERATOR_TYPES.map((x) => OPERATOR_TYPE_NAMES[x][0]).join('、')}）`,
        `Unknown operator type "${w}" (use one of: ${OPERATOR_TYPES.join(', ')})`, { field: 'types' });
    }
    types.add(t);
  }
  return OPERATOR_TYPES.filter((t) => types.has(t));
}

const EXCEL_EPOCH = Date.UTC(1899, 11, 30);
const DAY = 86_400_000;

/** A date cell as YYYY-MM-DD: accepts 2027-06-30, 2027/6/30, 2027.6.30, 2027年6月30日, 20270630, Excel date cells and serials. */
export function parseDate(v: CellValue | undefined, field: string): string | null {
  const raw = v instanceof Date ? v : typeof v === 'number' ? v : codeText(v);
  if (raw == null) return null;
  let d: Date | null = null;
  if (raw instanceof Date) d = raw;
  // An Excel date that lost its date format arrives as the day count since 1899-12-30.
  else if (typeof raw === 'number') d = raw >= 1 && raw < 2_958_466 ? new Date(EXCEL_EPOCH + Math.floor(raw) * DAY) : null;
  else {
    const m = /^(\d{4})(?:[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{2})(\d{2}))(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$/.exec(raw);
    if (m) {
      const [y, mo, da] = [Number(m[1]), Number(m[2] ?? m[4]), Number(m[3] ?? m[5])];
      const c = new Date(Date.UTC(y, mo - 1, da));
      if (c.getUTCFullYear() === y && c.getUTCMonth() === mo - 1 && c.getUTCDate() === da) d = c;
    }
  }
  if (!d || Number.isNaN(d.getTime())) {
    throw invalid('DATE_INVALID', `日期“${cellText(v)}”无法识别，请写作 2027-06-30 或 2027/6/30`, `Cannot read the date "${cellText(v)}"; write it as 2027-06-30 or 2027/6/30`, { field });
  }
  return d.toISOString().slice(0, 10);
}

function parseCoordinate(v: CellValue | undefined, field: 'lat' | 'lng'): number | null {
  if (typeof v === 'number') return v;
  const s = codeText(v);
  if (s == null) return null;
  if (!/^[-+]?\d+(\.\d+)?$/.test(s)) throw invalid('COORDINATES_INVALID', `坐标“${s}”不是数字`, `Coordinate "${s}" is not a number`, { field });
  return Number(s);
}

// A numeric cell re-exported as text may carry a '.0' tail (350102.0).
const codeDigits = (v: CellValue | undefined) => codeText(v)?.replace(/^(\d+)\.0+$/, '$1') ?? null;

function limited(field: ImportField, value: string | null): string | null {
  const max = IMPORT_COLUMNS.find((c) => c.field === field)!.maxLength!;
  if (value && value.length > max) {
    throw invalid('VALUE_TOO_LONG', `内容超过 ${max} 个字符`, `Longer than ${max} characters`, { field });
  }
  return value;
}

/** A row ready to insert: the validated registration and the hash that recognises it on a re-import. */
export interface PreparedRow { input: OperatorInput; contentHash: string }

/**
 * Normalises and validates one data row with the registry's own validation (no checksum override: a
 * historical record with a bad code is fixed in the file, not waved through). Throws a DomainError whose
 * `field` names the import column.
 */
export function prepareRow(cells: RowCells): PreparedRow {
  const licenceCells = [cells.licenceType, cells.licenceNumber, cells.licenceIssuer, cells.licenceValidUntil];
  const hasLicence = licenceCells.some((c) => cellText(c) != null);
  const input: OperatorInput = {
    uscc: rowUscc(cells),
    name: limited('name', cellText(cells.name)) ?? '',
    types: parseTypes(cells.types),
    divisionCode: codeDigits(cells.divisionCode) ?? '',
    address: limited('address', cellText(cells.address)),
    lng: parseCoordinate(cells.lng, 'lng'),
    lat: parseCoordinate(cells.lat, 'lat'),
    contactName: limited('contactName', cellText(cells.contactName)),
    contactPhone: limited('contactPhone', codeDigits(cells.contactPhone)),
    licences: hasLicence ? [{
      type: limited('licenceType', cellText(cells.licenceType)) ?? '',
      number: limited('licenceNumber', codeText(cells.licenceNumber)) ?? '',
      issuer: limited('licenceIssuer', cellText(cells.licenceIssuer)),
      validUntil: parseDate(cells.licenceValidUntil, 'licenceValidUntil'),
    }] : [],
  };
  let v: OperatorInput;
  try {
    const { usccOverridden: _, ...validated } = validateOperator(input, { overrideAllowed: false });
    v = validated;
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    throw new DomainError(e.kind, e.code, e.zh, e.en, { ...e.details, field: importFieldOf(e.details.field, input) });
  }
  return { input: v, contentHash: contentHash(v) };
}

// validateOperator names API fields; an import reports the column the user has to fix.
function importFieldOf(field: unknown, input: OperatorInput): ImportField | null {
  if (field === 'licences.0.validUntil') return 'licenceValidUntil';
  if (field === 'licences.0') return input.licences?.[0]?.type ? 'licenceNumber' : 'licenceType';
  return IMPORT_COLUMNS.some((c) => c.field === field) ? (field as ImportField) : null;
}

/** sha256 over the normalised registration in a fixed field order, so the same row always hashes the same. */
function contentHash(v: OperatorInput): string {
  const canonical = [
    v.uscc, v.name, v.types, v.divisionCode, v.address ?? null, v.lng ?? null, v.lat ?? null, v.contactName ?? null, v.contactPhone ?? null,
    (v.licences ?? []).map((l) => [l.type, l.number, l.issuer ?? null, l.validUntil ?? null]),
  ];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}
