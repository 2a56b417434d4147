import { partyUri } from '../events/events-fns.ts';
import { divisionPath } from '../registry/division.ts';
import { compareSeq } from '../trace/trace-fns.ts';
import { fromMilli, type DetailedMovement, type MovementDetails } from './recall-fns.ts';
import { writeXlsx, type XlsxSheet } from './xlsx.ts';

/*
 * Exports for investigators: the critical tracking events (CTEs) of the affected lots as rows with their key data
 * elements (FSMA 204 style: lot code, quantity and unit, product, location, dates, reference document), written as
 * the FSMA electronic sortable spreadsheet (CSV) or as one sheet of a workbook.
 */

/** What the rows need to know of the lots, operators and sites the events name. */
export interface CteContext {
  lots: ReadonlyMap<string, { product: string | null; lotNumber: string | null; source: string | null }>;
  operators: ReadonlyMap<string, { name: string; uscc: string; divisionCode: string }>;
  sites: ReadonlyMap<string, { name: string; divisionCode: string; gln: string | null }>;
}

export interface CteRow {
  lotCode: string; lotNumber: string; product: string; quantity: string; unit: string; cte: string; date: string; time: string;
  location: string; locationDescription: string; previousSource: string; subsequentRecipient: string; lotCodeSource: string;
  inputLots: string; referenceType: string; referenceNumber: string; bizStep: string; disposition: string;
  operatorUscc: string; operatorName: string; eventId: string;
}

/** The FSMA 204 sortable spreadsheet's columns, in order, with the row field each comes from. */
export const CTE_COLUMNS: ReadonlyArray<[keyof CteRow, string, string]> = [
  ['lotCode', 'Traceability Lot Code', '追溯码'], ['lotNumber', 'Lot Number', '批次号'], ['product', 'Product Description', '产品'],
  ['quantity', 'Quantity', '数量'], ['unit', 'Unit of Measure', '单位'], ['cte', 'Critical Tracking Event', '关键追溯事件'],
  ['date', 'Event Date', '日期'], ['time', 'Event Time', '时间'], ['location', 'Location Identifier', '地点标识'],
  ['locationDescription', 'Location Description', '地点'], ['previousSource', 'Immediate Previous Source', '上一来源'],
  ['subsequentRecipient', 'Immediate Subsequent Recipient', '下一接收方'], ['lotCodeSource', 'Traceability Lot Code Source', '批次赋码地点'],
  ['inputLots', 'Input Traceability Lot Codes', '原料追溯码'], ['referenceType', 'Reference Document Type', '单据类型'],
  ['referenceNumber', 'Reference Document Number', '单据号'], ['bizStep', 'Business Step', '业务步骤'], ['disposition', 'Disposition', '处置状态'],
  ['operatorUscc', 'Recording Operator USCC', '记录主体代码'], ['operatorName', 'Recording Operator', '记录主体'], ['eventId', 'EPCIS Event ID', '事件标识'],
];

// Steps that are critical tracking events, by the name the spreadsheet gives them; others (inspections, inputs) are not CTEs.
const CTE_BY_STEP: Record<string, string> = {
  shipping: 'Shipping', departing: 'Shipping', 'urn:suyuan:bizstep:selling': 'Shipping', receiving: 'Receiving', arriving: 'Receiving',
  accepting: 'Receiving', retail_selling: 'Retail Sale', destroying: 'Destruction', holding: 'Recall Hold', 'urn:suyuan:bizstep:returning': 'Recall Return',
  packing: 'Packing', unpacking: 'Unpacking',
};
const INBOUND = new Set(['receiving', 'arriving', 'accepting']);

function cteOf(m: DetailedMovement): string | null {
  if (m.eventType === 'TransformationEvent') return 'Transformation';
  // A new lot without inputs: harvested on a farm, else packed or produced at its site.
  if (m.bizStep === 'commissioning') return m.details?.record === 'harvest' ? 'Harvesting' : 'Initial Packing';
  if (m.eventType === 'ObjectEvent' && m.action === 'ADD' && INBOUND.has(m.bizStep ?? '')) return 'Receiving';
  return CTE_BY_STEP[m.bizStep ?? ''] ?? null;
}

/** China time of an instant: date and time with the offset, as the platform's records state them. */
function chinaTime(d: Date): { date: string; time: string } {
  const s = new Date(d.getTime() + 8 * 3_600_000).toISOString();
  return { date: s.slice(0, 10), time: `${s.slice(11, 19)}+08:00` };
}

/** The business document an event refers to: an invoice, else its transaction, else nothing. */
function reference(d: MovementDetails | undefined): { type: string; number: string } {
  if (d?.invoiceNo) return { type: 'Invoice', number: d.invoiceNo };
  if (d?.admissionInvoice) return { type: 'Invoice', number: d.admissionInvoice };
  if (d?.transaction) {
    const inv = /^urn:suyuan:inv:[0-9A-Z]{18}:(.+)$/.exec(d.transaction);
    return inv ? { type: 'Invoice', number: decodeURIComponent(inv[1]) } : { type: d.transactionType === 'inv' ? 'Invoice' : 'Transaction', number: d.transaction };
  }
  return { type: '', number: '' };
}

// Division names are fixed; tens of thousands of rows share a few hundred places.
const placeNames = new Map<string, string>();
function placeName(divisionCode: string): string {
  let name = placeNames.get(divisionCode);
  if (name === undefined) placeNames.set(divisionCode, (name = divisionPath(divisionCode).join('')));
  return name;
}
const SITE_URN = 'urn:suyuan:site:';
/** The site id of a Suyuan site URN (a UUID), or undefined. */
export function siteIdOf(location: string | null | undefined): string | undefined {
  return location && location.length === SITE_URN.length + 36 && location.startsWith(SITE_URN) && /^[0-9a-f-]{36}$/.test(location.slice(SITE_URN.length))
    ? location.slice(SITE_URN.length) : undefined;
}

/**
 * One row per critical tracking event and affected lot it names (a transformation: per affected output, with its
 * inputs), ordered by event time: the sortable spreadsheet investigators ask for. Movements carry their details.
 */
export function cteRows(movements: readonly DetailedMovement[], ctx: CteContext): CteRow[] {
  const sorted = [...movements].sort((a, b) => a.eventTime.getTime() - b.eventTime.getTime() || compareSeq(a.seq, b.seq) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const party = (id: string | null) => {
    const o = id ? ctx.operators.get(id) : undefined;
    return o ? `${o.name} (${o.uscc})` : '';
  };
  const rows: CteRow[] = [];
  for (const m of sorted) {
    const cte = cteOf(m);
    if (!cte) continue;
    const transformation = m.eventType === 'TransformationEvent';
    if (transformation && m.role !== 'o' && m.role !== 'k') continue;
    const siteId = siteIdOf(m.details?.bizLocation);
    const site = siteId ? ctx.sites.get(siteId) : undefined;
    const op = m.operatorId ? ctx.operators.get(m.operatorId) : undefined;
    const where = site ?? (op ? { name: op.name, divisionCode: op.divisionCode, gln: null } : undefined);
    const outbound = !INBOUND.has(m.bizStep ?? '');
    const { date, time } = chinaTime(m.eventTime);
    const ref = reference(m.details);
    const lot = ctx.lots.get(m.key);
    rows.push({
      lotCode: m.key, lotNumber: lot?.lotNumber ?? '', product: lot?.product ?? '', quantity: m.amount ? fromMilli(m.amount.milli) : '', unit: m.amount?.unit ?? '',
      cte, date, time,
      location: site?.gln ?? (siteId ? `urn:suyuan:site:${siteId}` : op ? partyUri(op.uscc) : ''),
      locationDescription: where ? `${where.name}, ${placeName(where.divisionCode)}` : '',
      previousSource: m.counterpartyId && !outbound ? party(m.counterpartyId) : '',
      subsequentRecipient: m.counterpartyId && outbound ? party(m.counterpartyId) : '',
      lotCodeSource: lot?.source ?? '',
      inputLots: transformation ? [...new Set((m.links ?? []).filter((i) => i.role === 'i' || i.role === 'j').map((i) => i.key))].join('; ') : '',
      referenceType: ref.type, referenceNumber: ref.number, bizStep: m.bizStep ?? '', disposition: m.disposition ?? '',
      operatorUscc: op?.uscc ?? '', operatorName: op?.name ?? '', eventId: m.eventId,
    });
  }
  return rows;
}

// A spreadsheet runs a cell that opens with one of these as a formula; a leading apostrophe keeps it text.
const FORMULA_START = /^[=+\-@\t\r]/;
const csvCell = (v: string) => {
  const s = FORMULA_START.test(v) && !/^-?\d+(\.\d+)?$/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The FSMA 204 electronic sortable spreadsheet: UTF-8 with a byte order mark (for spreadsheet programs), CRLF lines. */
export function cteCsv(rows: readonly CteRow[]): Buffer {
  const lines = [CTE_COLUMNS.map(([, en]) => en).join(',')];
  for (const r of rows) lines.push(CTE_COLUMNS.map(([k]) => csvCell(r[k])).join(','));
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}

/** A sheet of a workbook: a frozen, filterable header row over plain rows. */
export type Sheet = XlsxSheet;

/** Writes sheets to an XLSX workbook: inline strings, no cell styles, a frozen and filterable header (see xlsx.ts). */
export function workbook(sheets: readonly Sheet[]): Promise<Buffer> {
  return writeXlsx(sheets);
}
