import { createHash } from 'node:crypto';
import { DomainError, invalid } from '../platform/errors.ts';
import { type CellValue, type RowCells, cellText, headerMapper, parseDate } from '../registry/registry-import-fns.ts';
import type { WorkbookColumn, WorkbookSpec } from '../registry/registry-import-file.ts';
import { USCC_MESSAGES } from '../registry/registry-fns.ts';
import { checkUscc, normaliseUscc } from '../registry/uscc.ts';
import { formatQuantity, parseQuantity } from '../batches/batches-fns.ts';
import { chinaDate } from '../catalog/catalog-fns.ts';
import { codeCheckChar, parseCode } from '../codes/code-scheme.ts';
import { identifierKey, type EpcisEvent } from '../events/events-fns.ts';
import { parsePrice, pastDay } from '../records/records-fns.ts';
import { CERTIFICATE_TYPES, type CertificateType, type ReceivingBody, type SaleBody } from '../records/records-types.ts';
import type { z } from 'zod';
import {
  LEDGER_NAMES, PURCHASE_COLUMNS, SALES_COLUMNS, type LedgerColumn, type LedgerField, type LedgerKind, type PurchaseField, type SalesField,
} from './ledgers-types.ts';

/**
 * The domain core of electronic ledgers: reading a row's cells into a normalised ledger row, the deterministic
 * requestId that makes a re-import a no-op, the native record each row becomes, and the ledger layout of
 * stored records for export. Nothing here touches HTTP or SQL.
 */

/** A purchase ledger row, normalised: the same purchase written differently (2024/5/1, ５０, 50.0) reads the same. */
export interface PurchaseRow {
  date: string; supplierName: string; supplierUscc: string | null; product: string; quantity: string; unit: string | null;
  upstreamCode: string | null; certificateType: CertificateType; certificateNumbers: string[]; invoiceNumbers: string[]; site: string | null;
}
/** A sales ledger row, normalised; a sale to consumers has neither buyer name nor USCC. */
export interface SalesRow {
  date: string; buyerName: string | null; buyerUscc: string | null; traceCode: string; product: string | null;
  quantity: string | null; unit: string | null; amount: string | null; invoiceNo: string | null; site: string | null;
}

/** Maps a purchase ledger's header row to fields (Chinese or English headers; IMPORT_HEADER_MISSING / _DUPLICATE). */
export const mapPurchaseHeader = headerMapper(PURCHASE_COLUMNS);
/** Maps a sales ledger's header row to fields. */
export const mapSalesHeader = headerMapper(SALES_COLUMNS);

// Words and names compared without width, case or spaces.
const wordKey = (s: string) => s.normalize('NFKC').replace(/\s+/g, '').toLowerCase();

const CERTIFICATE_WORDS: Record<CertificateType, string[]> = {
  commitment: ['承诺达标合格证', '合格证', '承诺合格证', '食用农产品合格证'],
  animal_quarantine: ['动物检疫合格证明', '检疫合格证明', '检疫证明', '检疫证'],
  meat_quality: ['肉品品质检验合格证', '肉品品质检验合格证明', '肉检合格证', '品质检验合格证'],
};
const CERTIFICATE_BY_WORD = new Map<string, CertificateType>(CERTIFICATE_TYPES.flatMap((t) => [t, ...CERTIFICATE_WORDS[t]].map((w) => [wordKey(w), t] as const)));
const CONSUMER_WORDS = new Set(['散客', '消费者', '个人', '顾客', '零售客户', 'consumer', 'consumers', 'walk-in'].map(wordKey));

/** Reads the cells of one row, each refusal naming its ledger field. */
function rowReader<F extends string>(columns: readonly LedgerColumn<F>[], cells: RowCells<F>) {
  const column = (f: F) => columns.find((c) => c.field === f)!;
  /** Trimmed text (NFKC for codes and numbers typed on Chinese keyboards), within the column's length. */
  const text = (f: F, nfkc = false): string | null => {
    const t = nfkc ? cellText(cells[f])?.normalize('NFKC') ?? null : cellText(cells[f]);
    const max = column(f).maxLength;
    if (t && max && t.length > max) throw invalid('VALUE_TOO_LONG', `“${column(f).zh}”超过 ${max} 个字符`, `${f} is longer than ${max} characters`, { field: f });
    return t;
  };
  const required = (f: F, v: string | null): string => {
    if (v === null) throw invalid('VALUE_REQUIRED', `“${column(f).zh}”不能为空`, `${column(f).zh} (${f}) is required`, { field: f });
    return v;
  };
  const date = (f: F, today: string): string => pastDay(required(f, parseDate(cells[f], f)), today, f);
  const uscc = (f: F): string | null => {
    const t = text(f, true);
    if (!t) return null;
    const u = normaliseUscc(t);
    const problem = checkUscc(u);
    if (problem) throw invalid(problem, `${USCC_MESSAGES[problem][0]}：${t}`, `${USCC_MESSAGES[problem][1]}: ${t}`, { field: f });
    return u;
  };
  /** Several values in one cell, separated by 、 , ; | or line breaks; each at most 64 characters, at most 20. */
  const list = (f: F): string[] => {
    const items = [...new Set((text(f, true) ?? '').split(/[、,;|\n]/).map((s) => s.trim()).filter(Boolean))];
    if (items.length > 20) throw invalid('TOO_MANY_VALUES', `“${column(f).zh}”最多填写 20 个`, `${f} holds at most 20 values`, { field: f });
    const long = items.find((s) => s.length > 64);
    if (long) throw invalid('VALUE_TOO_LONG', `“${column(f).zh}”中的“${long}”超过 64 个字符`, `"${long}" in ${f} is longer than 64 characters`, { field: f });
    return items;
  };
  return { text, required, date, uscc, list };
}

/** A numeric cell as decimal text; float noise from spreadsheet formulas (9.899999999999999) is rounded away. */
function numberText(v: CellValue | undefined, decimals: number): string | null {
  if (typeof v === 'number') {
    const rounded = Math.round(v * 10 ** decimals) / 10 ** decimals;
    return String(Math.abs(rounded - v) < 1e-9 * Math.max(1, Math.abs(v)) ? rounded : v);
  }
  return cellText(v)?.normalize('NFKC') ?? null;
}

/** A positive quantity without leading or trailing zeros; QUANTITY_INVALID names the quantity column. */
function quantityOf(v: CellValue | undefined): string | null {
  const s = numberText(v, 3);
  return s === null ? null : formatQuantity(parseQuantity(s)).replace(/^0+(?=\d)/, '');
}

/** A trace code as the records service and the requestId read it: the canonical bare code, or the URL as written. */
function traceText(t: string): string {
  const p = parseCode(t);
  return typeof p === 'string' ? t : p.code;
}

/** Reads and normalises one purchase ledger row; throws a DomainError whose `field` names the column to fix. */
export function parsePurchaseRow(cells: RowCells<PurchaseField>, today: string): PurchaseRow {
  const r = rowReader(PURCHASE_COLUMNS, cells);
  const certificateType = r.text('certificateType', true);
  const type = certificateType ? CERTIFICATE_BY_WORD.get(wordKey(certificateType)) : 'commitment';
  if (!type) {
    throw invalid('CERTIFICATE_TYPE_UNKNOWN', `合格证明类型“${certificateType}”无法识别（可用：承诺达标合格证、动物检疫合格证明、肉品品质检验合格证）`,
      `Unknown certificate type "${certificateType}" (use one of: ${CERTIFICATE_TYPES.join(', ')})`, { field: 'certificateType' });
  }
  const upstream = r.text('upstreamCode', true);
  return {
    date: r.date('date', today),
    supplierName: r.required('supplierName', r.text('supplierName')),
    supplierUscc: r.uscc('supplierUscc'),
    product: r.required('product', r.text('product')),
    quantity: r.required('quantity', quantityOf(cells.quantity)),
    unit: r.text('unit'),
    upstreamCode: upstream ? traceText(upstream) : null,
    certificateType: type,
    certificateNumbers: r.list('certificateNumbers'),
    invoiceNumbers: r.list('invoiceNumbers'),
    site: r.text('site'),
  };
}

/** Reads and normalises one sales ledger row; a buyer without a USCC must be written as 散客 (or left empty). */
export function parseSalesRow(cells: RowCells<SalesField>, today: string): SalesRow {
  const r = rowReader(SALES_COLUMNS, cells);
  const date = r.date('date', today);
  const buyerUscc = r.uscc('buyerUscc');
  const buyerName = r.text('buyerName');
  if (!buyerUscc && buyerName && !CONSUMER_WORDS.has(wordKey(buyerName))) {
    throw invalid('BUYER_USCC_REQUIRED', `卖给“${buyerName}”须填写购货者统一社会信用代码；卖给消费者请写“散客”`,
      `A sale to "${buyerName}" needs the buyer's USCC; write 散客 for a sale to consumers`, { field: 'buyerUscc' });
  }
  let amount = numberText(cells.amount, 2)?.replace(/^¥\s*/, '').replace(/\s*元$/, '') || null;
  if (amount !== null) {
    try {
      amount = formatQuantity(parsePrice(amount));
    } catch (e) {
      if (e instanceof DomainError) throw invalid(e.code, e.zh, e.en, { field: 'amount' });
      throw e;
    }
  }
  return {
    date,
    buyerName: buyerUscc ? buyerName : null,
    buyerUscc,
    traceCode: traceText(r.required('traceCode', r.text('traceCode', true))),
    product: r.text('product'),
    quantity: quantityOf(cells.quantity),
    unit: r.text('unit'),
    amount,
    invoiceNo: r.text('invoiceNo', true),
    site: r.text('site'),
  };
}

const NAME_REFUSALS = {
  site: {
    unknown: (n: string) => invalid('SITE_UNKNOWN', `本主体没有名为“${n}”的场所`, `You have no site named "${n}"`, { field: 'site' }),
    ambiguous: (n: string) => invalid('SITE_AMBIGUOUS', `本主体有多个名为“${n}”的场所，请改名以区分`, `Several of your sites are named "${n}"; rename them apart`, { field: 'site' }),
  },
  product: {
    unknown: (n: string) => invalid('PRODUCT_UNKNOWN', `本主体的产品目录中没有“${n}”，请先添加该产品`, `Your catalog has no product named "${n}"; add it first`, { field: 'product' }),
    ambiguous: (n: string) => invalid('PRODUCT_AMBIGUOUS', `本主体的产品目录中有多个“${n}”，请改名以区分`, `Several of your products are named "${n}"; rename them apart`, { field: 'product' }),
  },
};

/** The one site or product whose name matches (ignoring width, case and spaces); refused when none or several do. */
export function pickByName<T extends { name: string }>(items: readonly T[], name: string, field: 'site' | 'product'): T {
  const matches = items.filter((x) => wordKey(x.name) === wordKey(name));
  if (matches.length === 0) throw NAME_REFUSALS[field].unknown(name);
  if (matches.length > 1) throw NAME_REFUSALS[field].ambiguous(name);
  return matches[0];
}

/**
 * The requestIds of a file's rows, derived from the operator, the ledger and the normalised row, so that the
 * records service answers a re-imported row as a retry and stores nothing. The n-th of several identical rows in
 * a file gets its own id (two equal sales on one day are two sales), and keeps it on every re-import.
 */
export function ledgerRequestIds(operatorId: string, kind: LedgerKind, rows: readonly (PurchaseRow | SalesRow)[]): string[] {
  const seen = new Map<string, number>();
  return rows.map((row) => {
    const content = JSON.stringify(row);
    const n = (seen.get(content) ?? 0) + 1;
    seen.set(content, n);
    return `ledger-${kind}-${createHash('sha256').update(JSON.stringify([operatorId, kind, content, n])).digest('hex')}`;
  });
}

/** The event time of a ledger day: a ledger records days, so the start of that day in China. */
const occurredAt = (day: string) => `${day}T00:00:00+08:00`;

/** What a purchase row needs from the store: its requestId, the site, and for goods without upstream code the product. */
export interface PurchaseRefs { requestId: string; siteId?: string; productId?: string; supplierRegistered: boolean }

/**
 * The receiving record (entry admission) of a purchase row: the upstream code from a registered supplier, or goods
 * with no upstream record as a new local batch. Certificate numbers are recorded as issued by the supplier on the
 * purchase day, since a ledger carries neither issuer nor date.
 */
export function receivingInput(r: PurchaseRow, refs: PurchaseRefs): z.input<typeof ReceivingBody> {
  const registered = !!r.supplierUscc && (!!r.upstreamCode || refs.supplierRegistered);
  return {
    requestId: refs.requestId, occurredAt: occurredAt(r.date), siteId: refs.siteId,
    from: registered ? { uscc: r.supplierUscc! } : { name: r.supplierName },
    goods: r.upstreamCode ? [{ code: r.upstreamCode, quantity: r.quantity, unit: r.unit ?? undefined }] : undefined,
    noUpstreamRecord: r.upstreamCode ? undefined : { productId: refs.productId!, quantity: r.quantity, unit: r.unit ?? undefined },
    certificates: r.certificateNumbers.map((number) => ({ type: r.certificateType, number, issuer: r.supplierName, issuedOn: r.date })),
    invoices: r.invoiceNumbers.map((number) => ({ number })),
  };
}

/** The sale record of a sales row: to the registered buyer by USCC, or to consumers. */
export function saleInput(r: SalesRow, refs: { requestId: string; siteId?: string }): z.input<typeof SaleBody> {
  return {
    requestId: refs.requestId, occurredAt: occurredAt(r.date), siteId: refs.siteId,
    to: r.buyerUscc ? { uscc: r.buyerUscc } : undefined,
    goods: [{ code: r.traceCode, quantity: r.quantity ?? undefined, unit: r.unit ?? undefined }],
    price: r.amount ? { amount: r.amount, currency: 'CNY' } : undefined,
    invoiceNo: r.invoiceNo ?? undefined,
  };
}

/** The ledger column a records-service field (`from`, `goods.0.quantity`, `certificates.0.issuedOn` …) came from. */
export function ledgerFieldOf(kind: LedgerKind, field: unknown): LedgerField | null {
  if (typeof field !== 'string') return null;
  if (field === 'occurredAt' || field.endsWith('issuedOn') || field.endsWith('producedOn')) return 'date';
  if (/(^|\.)quantity$/.test(field)) return 'quantity';
  if (/(^|\.)unit$/.test(field)) return 'unit';
  if (field === 'siteId') return 'site';
  const [head] = field.split('.');
  if (kind === 'purchase') {
    if (field === 'from.name') return 'supplierName';
    const map: Record<string, PurchaseField> = { from: 'supplierUscc', goods: 'upstreamCode', noUpstreamRecord: 'product', productId: 'product', certificates: 'certificateNumbers', invoices: 'invoiceNumbers' };
    return map[head] ?? null;
  }
  const map: Record<string, SalesField> = { to: 'buyerUscc', goods: 'traceCode', price: 'amount', invoiceNo: 'invoiceNo' };
  return map[head] ?? null;
}

// ---- templates and exports ------------------------------------------------------------------------

const COLUMNS = { purchase: PURCHASE_COLUMNS, sales: SALES_COLUMNS } as const;
const CERTIFICATE_NAMES: Record<CertificateType, string> = Object.fromEntries(CERTIFICATE_TYPES.map((t) => [t, CERTIFICATE_WORDS[t][0]])) as Record<CertificateType, string>;
const workbookColumn = (c: LedgerColumn<string>, header: string): WorkbookColumn => ({ header, key: c.field, width: Math.max(14, c.zh.length * 3), format: c.format });
// A day as an Excel date cell (midnight UTC is how spreadsheet libraries hand dates over and read them back).
const dayCell = (day: string) => new Date(`${day}T00:00:00Z`);

const EXAMPLE_CODE_BODY = '350B00000000001';
const EXAMPLES: Record<LedgerKind, Record<string, unknown>> = {
  purchase: {
    date: dayCell('2024-05-01'), supplierName: '闽侯县绿野蔬菜专业合作社', product: '青菜', quantity: 50, unit: 'kg',
    certificateNumbers: 'HG-20240501-001', certificateType: '承诺达标合格证', invoiceNumbers: 'FP-20240501-001',
  },
  sales: {
    date: dayCell('2024-05-02'), buyerName: '散客', traceCode: EXAMPLE_CODE_BODY + codeCheckChar(EXAMPLE_CODE_BODY), product: '青菜', quantity: 2, unit: 'kg', amount: 12.5,
  },
};
const GENERAL_NOTES: Record<LedgerKind, string[]> = {
  purchase: [
    '每行登记为一条收货记录（进场准入、索证索票）/ each row is recorded as a receiving with entry admission',
    '有上游追溯码的行与供货者的追溯链相连；没有的，平台生成本地批次和追溯码，并标记为“无上游记录” / rows with an upstream code join the supplier\'s chain; for rows without one the platform creates a local batch and code, flagged "no upstream record"',
  ],
  sales: [
    '每行登记为一条销售记录；追溯码须是本主体的或交付给本主体的 / each row is recorded as a sale; the code must be yours or handed to you',
  ],
};
const COMMON_NOTES = [
  '首行为表头，中英文列名均可；带 * 的列必填；示例行请删除或替换 / the first row is the header, in Chinese or English; columns marked * are required; replace the example row',
  '同一文件重复导入不会重复登记；改过的行按新记录登记 / re-importing a file adds nothing; an edited row is recorded as a new one',
  '台账记到日，记录时间为当日 0 时（北京时间）/ a ledger records days; the event time is 00:00 China time that day',
];

/** The import template of a ledger: headers (required ones marked *), one example row, and a sheet of instructions. */
export function ledgerTemplateSpec(kind: LedgerKind): WorkbookSpec {
  const columns: readonly LedgerColumn<string>[] = COLUMNS[kind];
  return {
    sheet: LEDGER_NAMES[kind].zh,
    columns: columns.map((c) => workbookColumn(c, c.required ? `${c.zh}*` : c.zh)),
    rows: [EXAMPLES[kind]],
    notes: {
      sheet: '填写说明',
      columns: [{ header: '列 / column', width: 30 }, { header: '说明 / notes', width: 100 }],
      rows: [
        ...columns.map((c) => [`${c.zh} (${c.field})${c.required ? ' *必填 required' : ''}`, c.note]),
        [],
        ...[...GENERAL_NOTES[kind], ...COMMON_NOTES].map((n) => ['', n]),
      ],
    },
  };
}

/** A stored receiving or sale record as the export reads it, with the names the body only gives as ids. */
export interface LedgerEvent {
  eventId: string; eventTime: Date; body: EpcisEvent;
  counterparty: { name: string; uscc: string } | null;
  siteName: string | null;
}

/** The goods lines of a stored record: batches with their quantity and unit as written, then items (one each). */
export function ledgerGoods(body: EpcisEvent): Array<{ code: string; quantity: number | null; unit: string | null }> {
  const units = new Map<string, string>((body['sy:units'] ?? []).map((u: { epcClass: string; unit: string }) => [u.epcClass, u.unit]));
  return [
    ...(body.quantityList ?? []).map((q: { epcClass: string; quantity?: number }) => ({ code: identifierKey(q.epcClass), quantity: q.quantity ?? null, unit: units.get(q.epcClass) ?? null })),
    ...(body.epcList ?? []).map((epc: string) => ({ code: identifierKey(epc), quantity: 1, unit: null })),
  ];
}

const EXPORT_EXTRAS: Record<LedgerKind, WorkbookColumn[]> = {
  purchase: [
    { header: '无上游记录', key: 'noUpstreamRecord', width: 12 },
    { header: '本地追溯码', key: 'localCode', width: 20, format: 'text' },
    { header: '记录编号', key: 'recordId', width: 40, format: 'text' },
  ],
  sales: [{ header: '记录编号', key: 'recordId', width: 40, format: 'text' }],
};

/**
 * The ledger workbook of stored records, one row per goods line, in the template's columns (so that it reads like
 * the ledger that was imported) plus the flag, the local code and the event id of each record.
 */
export function ledgerExportSpec(kind: LedgerKind, events: readonly LedgerEvent[], productOf: (code: string) => string | null): WorkbookSpec {
  const rows = events.flatMap((e) => ledgerGoods(e.body).map((line, i) => {
    const common = { date: dayCell(chinaDate(e.eventTime)), product: productOf(line.code), quantity: line.quantity, unit: line.unit, site: e.siteName, recordId: e.eventId };
    if (kind === 'sales') {
      return {
        ...common, buyerName: e.counterparty?.name ?? '散客', buyerUscc: e.counterparty?.uscc ?? null, traceCode: line.code,
        // The price is the whole sale's, so it stands on the sale's first line only.
        amount: i === 0 ? e.body['sy:price']?.amount ?? null : null, invoiceNo: e.body['sy:invoiceNo'] ?? null,
      };
    }
    const admission = e.body['sy:entryAdmission'] ?? {};
    const certificates: Array<{ type: CertificateType; number: string }> = admission.certificates ?? [];
    const unrecorded = admission.noUpstreamRecord === true;
    return {
      ...common, supplierName: e.counterparty?.name ?? admission.supplier ?? null, supplierUscc: e.counterparty?.uscc ?? null,
      upstreamCode: unrecorded ? null : line.code,
      certificateNumbers: certificates.map((c) => c.number).join('、') || null,
      certificateType: [...new Set(certificates.map((c) => CERTIFICATE_NAMES[c.type] ?? c.type))].join('、') || null,
      invoiceNumbers: (admission.invoices ?? []).map((v: { number: string }) => v.number).join('、') || null,
      noUpstreamRecord: unrecorded ? '是' : '否', localCode: unrecorded ? line.code : null,
    };
  }));
  const columns: readonly LedgerColumn<string>[] = COLUMNS[kind];
  return { sheet: LEDGER_NAMES[kind].zh, columns: [...columns.map((c) => workbookColumn(c, c.zh)), ...EXPORT_EXTRAS[kind]], rows };
}
