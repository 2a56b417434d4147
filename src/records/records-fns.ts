import { createHash } from 'node:crypto';
import { DomainError, invalid } from '../platform/errors.ts';
import { isDate, parseQuantity } from '../batches/batches-fns.ts';
import { codeUri, partyUri, siteUri, type EpcisEvent } from '../events/events-fns.ts';
import { epcUriToDigitalLink } from '../events/epc-uri.ts';
import type { CertificateInput, CertificateType, InputCategory, RecordKind, TransformationKind } from './records-types.ts';

/**
 * The domain core of native records: checks on what a record says, and the EPCIS 2.0 event each validated
 * record becomes (docs/events.md). Nothing here touches HTTP or SQL; identifiers arrive resolved.
 */

/** The namespace of Suyuan's extension fields (`sy:`); every native event declares it in its own @context. */
export const SY_NAMESPACE = 'https://suyuan.dev/ns/epcis/';
// Declared on the event itself so that its hash and meaning do not depend on the document it travels in.
const SY_CONTEXT = [{ sy: SY_NAMESPACE }];
const CHINA_OFFSET = '+08:00';
const SY_STEP = 'urn:suyuan:bizstep:';
/** Clock skew tolerated between a phone and the server before a time counts as "in the future". */
const FUTURE_SLACK_MS = 5 * 60_000;

/** A trace code a record names, with its kind. */
export interface CodeRef { code: string; kind: 'batch' | 'item' }
/** A line of goods: an item code, or a batch code with the quantity and unit handled. */
export type GoodsLine = { code: string; kind: 'item' } | { code: string; kind: 'batch'; quantity: string; unit: string };
export interface Certificate { type: CertificateType; number: string; issuer: string; issuedOn: string }

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

/** The event time of a record: `occurredAt` (RFC 3339 with an offset, not in the future) or now, as UTC ISO text. */
export function eventTimeOf(occurredAt: string | undefined, now: Date): string {
  if (occurredAt === undefined) return now.toISOString();
  const ms = RFC3339.test(occurredAt) ? Date.parse(occurredAt) : NaN;
  if (Number.isNaN(ms) || !isDate(occurredAt.slice(0, 10))) {
    throw invalid('TIME_INVALID', '时间格式应为带时区的 RFC 3339，如 2024-05-01T08:30:00+08:00', 'Times are RFC 3339 with an offset, e.g. 2024-05-01T08:30:00+08:00', { field: 'occurredAt' });
  }
  if (ms > now.getTime() + FUTURE_SLACK_MS) throw invalid('TIME_IN_FUTURE', '发生时间不能晚于现在', 'The time cannot be in the future', { field: 'occurredAt' });
  return new Date(ms).toISOString();
}

/** A day (YYYY-MM-DD) a record names: a real date, not after `today` (China time). */
export function pastDay(value: string, today: string, field: string): string {
  if (!isDate(value)) throw invalid('DATE_INVALID', '日期格式应为 YYYY-MM-DD', 'Dates are YYYY-MM-DD', { field });
  if (value > today) throw invalid('DATE_IN_FUTURE', '日期不能晚于今天', 'The date cannot be in the future', { field });
  return value;
}

/** A positive quantity as an exact decimal string; QUANTITY_INVALID names the field it came from. */
export function quantityAt(value: number | string | undefined, field: string): string {
  try {
    return parseQuantity(value ?? '');
  } catch (e) {
    if (e instanceof DomainError) throw invalid(e.code, e.zh, e.en, { field });
    throw e;
  }
}

// UN/ECE Recommendation 20 codes for the units operators write; counted units (pieces, head, boxes) are H87.
const UOM: Record<string, string> = {
  kg: 'KGM', 千克: 'KGM', 公斤: 'KGM', g: 'GRM', 克: 'GRM', t: 'TNE', 吨: 'TNE',
  l: 'LTR', 升: 'LTR', ml: 'MLT', 毫升: 'MLT',
  ...Object.fromEntries(['个', '只', '头', '匹', '羽', '条', '尾', '枚', '件', '箱', '袋', '盒', '瓶', '包', '罐', '桶', '株', '棵', '把', '扎', 'pcs', 'piece', 'pieces', 'head', 'box', 'boxes', 'bag', 'bags']
    .map((u) => [u, 'H87'])),
};

/** The UN/ECE Rec 20 code of a unit, or null when it has none (斤, 亩 …): the unit itself is kept in `sy:units`. */
export function uomOf(unit: string): string | null {
  return UOM[unit.trim().toLowerCase()] ?? null;
}

/** A lot number for a record that gave none: the day without dashes and a short suffix, e.g. 20240501-7K2M. */
export function defaultLot(day: string, suffix: string): string {
  return `${day.replace(/-/g, '')}-${suffix}`;
}

/** Validates certificates carried by a record (issued on a real past day); `field` names the list. */
export function validateCertificates(list: readonly CertificateInput[] | undefined, today: string, field = 'certificates'): Certificate[] {
  return (list ?? []).map((c, i) => ({ type: c.type, number: c.number.trim(), issuer: c.issuer.trim(), issuedOn: pastDay(c.issuedOn, today, `${field}.${i}.issuedOn`) }));
}

/** The URI of a certificate in `certificationInfo`. */
export function certificateUri(c: Pick<Certificate, 'type' | 'number'>): string {
  return `urn:suyuan:cert:${c.type}:${encodeURIComponent(c.number)}`;
}

// Pesticides and veterinary drugs are only legal with a registration number and a stated interval.
const REGULATED_INPUTS: ReadonlySet<InputCategory> = new Set(['pesticide', 'vet_drug']);

export interface AppliedInput {
  category: InputCategory; product: string; registrationNo: string | null; dose: string; doseUnit: string;
  appliedOn: string; intervalDays: number | null;
}

/** Validates an input application: dose positive, date real and past, registration and interval where the law asks. */
export function validateAppliedInput(i: { category: InputCategory; productName: string; registrationNo?: string; dose: number | string; doseUnit: string; appliedOn: string; intervalDays?: number }, today: string): AppliedInput {
  const registrationNo = i.registrationNo?.trim() || null;
  if (REGULATED_INPUTS.has(i.category) && !registrationNo) {
    throw invalid('REGISTRATION_REQUIRED', '农药、兽药须填写登记证号或批准文号', 'Pesticides and veterinary drugs need their registration number', { field: 'registrationNo' });
  }
  if (REGULATED_INPUTS.has(i.category) && i.intervalDays === undefined) {
    throw invalid('INTERVAL_REQUIRED', '农药须填写安全间隔期，兽药须填写休药期（天）', 'Pesticides need the pre-harvest interval and veterinary drugs the withdrawal period (days)', { field: 'intervalDays' });
  }
  return {
    category: i.category, product: i.productName.trim(), registrationNo, dose: quantityAt(i.dose, 'dose'), doseUnit: i.doseUnit.trim(),
    appliedOn: pastDay(i.appliedOn, today, 'appliedOn'), intervalDays: i.intervalDays ?? null,
  };
}

export interface InspectionItem { name: string; value?: number | string; limit?: number | string; unit?: string; result: 'pass' | 'fail' }

/** Refuses an overall pass when an item failed: a sample passes only when every item does. */
export function assertInspectionConsistent(items: readonly InspectionItem[], result: 'pass' | 'fail'): void {
  const failed = items.filter((i) => i.result === 'fail').map((i) => i.name);
  if (result === 'pass' && failed.length > 0) {
    throw invalid('INSPECTION_RESULT_INCONSISTENT', `有不合格项目（${failed.join('、')}），总体结论不能为合格`, `Items failed (${failed.join(', ')}), so the overall result cannot be pass`, { field: 'result', failed });
  }
}

/** A price amount: zero or more, at most two decimals. */
export function parsePrice(amount: number | string): string {
  const s = typeof amount === 'number' ? (Number.isFinite(amount) ? String(amount) : '') : amount.trim();
  if (!/^\d{1,13}(\.\d{1,2})?$/.test(s)) throw invalid('PRICE_INVALID', '金额须为非负数（最多两位小数）', 'The amount must be zero or more, with at most two decimals', { field: 'price.amount' });
  return s;
}

/** True for an SSCC pure-identity URI with the right number of digits (`urn:epc:id:sscc:0614141.1234567890`). */
export function isSscc(uri: string): boolean {
  return uri.startsWith('urn:epc:id:sscc:') && epcUriToDigitalLink(uri) !== undefined;
}

/** A stable digest of a request (keys sorted, requestId left out) to tell a retry from a reused requestId. */
export function requestFingerprint(kind: RecordKind, input: object): string {
  const canonical = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
    if (v && typeof v === 'object') {
      return `{${Object.entries(v).filter(([k, x]) => x !== undefined && k !== 'requestId').sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
    }
    return JSON.stringify(v);
  };
  return createHash('sha256').update(`${kind}\n${canonical(input)}`).digest('hex');
}

// ---- EPCIS events -------------------------------------------------------------------------------

/** Drops absent optional values so that stored events carry only what was said. */
function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as T;
}

function head(type: string, record: RecordKind, eventTime: string): EpcisEvent {
  return { '@context': SY_CONTEXT, type, eventTime, eventTimeZoneOffset: CHINA_OFFSET, 'sy:record': record };
}

const where = (siteId: string | null | undefined) => (siteId ? { bizLocation: { id: siteUri(siteId) } } : {});

function quantityElement(l: Extract<GoodsLine, { kind: 'batch' }>) {
  const uom = uomOf(l.unit);
  return { epcClass: codeUri(l.code), quantity: Number(l.quantity), ...(uom ? { uom } : {}) };
}

/** The EPCIS lists for goods: items by code, batches as quantities; `sy:units` keeps the units as written. */
function goodsLists(lines: readonly GoodsLine[], epcKey: string, quantityKey: string) {
  const items = lines.filter((l) => l.kind === 'item').map((l) => codeUri(l.code));
  const batches = lines.filter((l): l is Extract<GoodsLine, { kind: 'batch' }> => l.kind === 'batch');
  return {
    ...(items.length ? { [epcKey]: items } : {}),
    ...(batches.length ? { [quantityKey]: batches.map(quantityElement) } : {}),
  };
}
const unitsOf = (lines: readonly GoodsLine[]) => {
  const units = lines.flatMap((l) => (l.kind === 'batch' ? [{ epcClass: codeUri(l.code), unit: l.unit }] : []));
  return units.length ? { 'sy:units': units } : {};
};
/** A code named without a quantity (the subject of an inspection, a certificate, an input application). */
const subject = (t: CodeRef | null) =>
  !t ? { epcList: [] } : t.kind === 'item' ? { epcList: [codeUri(t.code)] } : { quantityList: [{ epcClass: codeUri(t.code) }] };
const certification = (certs: readonly Certificate[]) =>
  certs.length ? { certificationInfo: certs.map(certificateUri), 'sy:certificates': certs.map((c) => ({ ...c })) } : {};
const owning = (kind: 'source' | 'destination', uscc: string) => ({ type: 'owning_party', [kind]: partyUri(uscc) });

export interface CommissioningRecord {
  record: 'production' | 'harvest'; eventTime: string; siteId: string; code: string; quantity: string; unit: string;
  lotNumber: string; producedOn: string; expiresOn: string | null;
}
/** production / harvest: the batch is commissioned at its site with its lot, production and expiry dates. */
export function commissioningEvent(r: CommissioningRecord): EpcisEvent {
  return {
    ...head('ObjectEvent', r.record, r.eventTime), action: 'ADD', bizStep: 'commissioning', disposition: 'active',
    quantityList: [quantityElement({ kind: 'batch', code: r.code, quantity: r.quantity, unit: r.unit })], ...where(r.siteId),
    ilmd: compact({ 'cbvmda:lotNumber': r.lotNumber, 'cbvmda:itemExpirationDate': r.expiresOn, 'sy:producedOn': r.producedOn }),
    ...unitsOf([{ kind: 'batch', code: r.code, quantity: r.quantity, unit: r.unit }]),
  };
}

export interface InputsAppliedRecord { eventTime: string; siteId: string; target: CodeRef | null; input: AppliedInput }
/** inputs_applied: a pesticide, fertilizer, seed, feed or veterinary drug used at a site, on a batch when known. */
export function inputsAppliedEvent(r: InputsAppliedRecord): EpcisEvent {
  return {
    ...head('ObjectEvent', 'inputs_applied', r.eventTime), action: 'OBSERVE', bizStep: `${SY_STEP}applying_inputs`,
    ...subject(r.target), ...where(r.siteId), 'sy:input': compact({ ...r.input }),
  };
}

export interface InspectionRecord {
  eventTime: string; siteId: string | null; target: CodeRef;
  inspection: { kind: string; lab: string; items: InspectionItem[]; result: 'pass' | 'fail'; reportNo: string | null; public: boolean; jurisdiction: string | null };
}
/** inspection: an official sampling or rapid test of a batch, conformant or not. */
export function inspectionEvent(r: InspectionRecord): EpcisEvent {
  return {
    ...head('ObjectEvent', 'inspection', r.eventTime), action: 'OBSERVE', bizStep: 'inspecting',
    disposition: r.inspection.result === 'pass' ? 'conformant' : 'non_conformant', ...subject(r.target), ...where(r.siteId),
    'sy:inspection': compact({ ...r.inspection, items: r.inspection.items.map((i) => compact({ ...i })) }),
  };
}

export interface CertificateRecord { eventTime: string; siteId: string | null; target: CodeRef; certificates: Certificate[] }
/** certificate: certificates (commitment, quarantine, meat quality) attached to a batch on their own. */
export function certificateEvent(r: CertificateRecord): EpcisEvent {
  return { ...head('ObjectEvent', 'certificate', r.eventTime), action: 'OBSERVE', bizStep: `${SY_STEP}certifying`, ...subject(r.target), ...where(r.siteId), ...certification(r.certificates) };
}

export interface ShippingRecord {
  eventTime: string; siteId: string | null; goods: GoodsLine[]; from: string; to: string; vehiclePlate: string | null; certificates: Certificate[];
}
/** shipping: goods leave the shipper for the buyer (both by USCC), with the vehicle and certificates that travel along. */
export function shippingEvent(r: ShippingRecord): EpcisEvent {
  return {
    ...head('ObjectEvent', 'shipping', r.eventTime), action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit',
    ...goodsLists(r.goods, 'epcList', 'quantityList'), ...where(r.siteId),
    sourceList: [owning('source', r.from)], destinationList: [owning('destination', r.to)],
    ...certification(r.certificates), ...(r.vehiclePlate ? { 'sy:vehicle': { plate: r.vehiclePlate } } : {}), ...unitsOf(r.goods),
  };
}

export interface ReceivingRecord {
  eventTime: string; siteId: string | null; goods: GoodsLine[]; from: string | null; to: string;
  /** True when the goods came with no trace code: `goods` then holds the buyer's new local batch. */
  noUpstreamRecord: boolean; supplier: string | null; certificates: Certificate[]; invoices: Array<{ number: string; issuedOn: string | null }>;
}
/**
 * receiving with entry admission (进场准入): the buyer records the upstream codes, certificates and invoices. Goods
 * with no upstream record enter the record here (action ADD) as the buyer's local batch, flagged as such.
 */
export function receivingEvent(r: ReceivingRecord): EpcisEvent {
  return {
    ...head('ObjectEvent', 'receiving', r.eventTime), action: r.noUpstreamRecord ? 'ADD' : 'OBSERVE', bizStep: 'receiving', disposition: 'in_progress',
    ...goodsLists(r.goods, 'epcList', 'quantityList'), ...where(r.siteId),
    ...(r.from ? { sourceList: [owning('source', r.from)] } : {}), destinationList: [owning('destination', r.to)],
    ...certification(r.certificates),
    'sy:entryAdmission': compact({
      noUpstreamRecord: r.noUpstreamRecord, supplier: r.supplier, certificates: r.certificates.map((c) => ({ ...c })),
      invoices: r.invoices.map((i) => compact({ ...i })),
    }),
    ...unitsOf(r.goods),
  };
}

export interface SaleRecord {
  eventTime: string; siteId: string | null; goods: GoodsLine[]; seller: string; buyer: string | null;
  price: { amount: string; currency: string } | null; invoiceNo: string | null;
  /** Names the transaction when there is no invoice: EPCIS needs a business transaction on every TransactionEvent. */
  transactionId: string;
}
/** sale: to a consumer (retail_selling, retail_sold) or to an operator (selling, in transit to it). */
export function saleEvent(r: SaleRecord): EpcisEvent {
  const toOperator = r.buyer !== null;
  return {
    ...head('TransactionEvent', 'sale', r.eventTime), action: 'ADD',
    bizStep: toOperator ? `${SY_STEP}selling` : 'retail_selling', disposition: toOperator ? 'in_transit' : 'retail_sold',
    ...goodsLists(r.goods, 'epcList', 'quantityList'), ...where(r.siteId),
    bizTransactionList: [r.invoiceNo
      ? { type: 'inv', bizTransaction: `urn:suyuan:inv:${r.seller}:${encodeURIComponent(r.invoiceNo)}` }
      : { bizTransaction: r.transactionId }],
    sourceList: [owning('source', r.seller)], ...(r.buyer ? { destinationList: [owning('destination', r.buyer)] } : {}),
    ...(r.price ? { 'sy:price': { amount: Number(r.price.amount), currency: r.price.currency } } : {}),
    ...(r.invoiceNo ? { 'sy:invoiceNo': r.invoiceNo } : {}), ...unitsOf(r.goods),
  };
}

export interface TransformationOutput { code: string; quantity: string; unit: string; lotNumber: string; producedOn: string; expiresOn: string | null }
export interface TransformationRecord { eventTime: string; siteId: string; kind: TransformationKind; inputs: GoodsLine[]; outputs: TransformationOutput[] }
/** transformation: input batches (own or received) become new batches with new codes, linked to their inputs. */
export function transformationEvent(r: TransformationRecord): EpcisEvent {
  const outputs: GoodsLine[] = r.outputs.map((o) => ({ kind: 'batch', code: o.code, quantity: o.quantity, unit: o.unit }));
  return {
    ...head('TransformationEvent', 'transformation', r.eventTime),
    ...goodsLists(r.inputs, 'inputEPCList', 'inputQuantityList'), ...goodsLists(outputs, 'outputEPCList', 'outputQuantityList'),
    bizStep: r.kind === 'repackaging' ? 'repackaging' : 'commissioning', disposition: 'active', ...where(r.siteId),
    'sy:transformation': r.kind,
    'sy:outputs': r.outputs.map((o) => compact({ epcClass: codeUri(o.code), lotNumber: o.lotNumber, producedOn: o.producedOn, expiresOn: o.expiresOn })),
    ...unitsOf([...r.inputs, ...outputs]),
  };
}

export interface AggregationRecord { eventTime: string; siteId: string | null; action: 'pack' | 'unpack'; parent: { code: string } | { sscc: string }; children: GoodsLine[] }
/** aggregation: items or batches packed into (or unpacked from) a case or pallet. */
export function aggregationEvent(r: AggregationRecord): EpcisEvent {
  return {
    ...head('AggregationEvent', 'aggregation', r.eventTime), action: r.action === 'pack' ? 'ADD' : 'DELETE',
    bizStep: r.action === 'pack' ? 'packing' : 'unpacking',
    parentID: 'code' in r.parent ? codeUri(r.parent.code) : r.parent.sscc,
    ...goodsLists(r.children, 'childEPCs', 'childQuantityList'), ...where(r.siteId), ...unitsOf(r.children),
  };
}

export interface DestructionRecord { eventTime: string; siteId: string | null; goods: GoodsLine[]; reason: string }
/** destruction: goods destroyed, with the reason. */
export function destructionEvent(r: DestructionRecord): EpcisEvent {
  return {
    ...head('ObjectEvent', 'destruction', r.eventTime), action: 'DELETE', bizStep: 'destroying', disposition: 'destroyed',
    ...goodsLists(r.goods, 'epcList', 'quantityList'), ...where(r.siteId), 'sy:reason': r.reason, ...unitsOf(r.goods),
  };
}
