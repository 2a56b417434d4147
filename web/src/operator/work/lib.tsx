/**
 * Shared pieces of the daily-work part: request ids, record submission, code look-ups, event summaries. Per-field API
 * errors, today's date and the operator's own lists are the workbench's (../org/common.tsx).
 */
import { useCallback, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { get, post, qs } from '../../lib/api.ts';
import { useI18n } from '../../lib/i18n.tsx';

/** A fresh idempotency key; crypto.getRandomValues also works where randomUUID does not (plain http on a LAN). */
export function newRequestId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** A datetime-local value as RFC 3339, or undefined when empty. */
export function toRfc3339(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? local : d.toISOString();
}

/** Drops empty strings and undefined from an object (optional API fields are left out, not sent empty). */
export function compact<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '' && v !== null)) as Partial<T>;
}

/** The answer of POST /api/v1/records/{kind}. */
export interface RecordResult {
  record: string; requestId: string | null; replayed: boolean;
  event: { eventId: string; hashId: string; seq: string; duplicate: boolean; body: EventBody };
  batches: BatchView[];
}
export interface BatchView {
  id: string; productId: string; productName: string; lotNumber: string; quantity: string; unit: string; producedOn: string; expiresOn: string | null;
  operatorName: string; site: { id: string; name: string }; batchCode: { code: string; display: string; scanUrl: string } | null;
}
export type EventBody = Record<string, any>;

/**
 * One record form's submission state: a requestId made once per form, so that pressing submit again (or a retry
 * after a lost answer) records nothing twice; `reset` starts a new record with a new requestId.
 */
export function useRecordSubmit(kind: string) {
  const [requestId, setRequestId] = useState(newRequestId);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<RecordResult | null>(null);
  const submit = useCallback(async (body: Record<string, unknown>) => {
    setBusy(true); setError(null);
    try {
      setResult(await post<RecordResult>(`/api/v1/records/${kind}`, { ...body, requestId }));
    } catch (e) { setError(e); } finally { setBusy(false); }
  }, [kind, requestId]);
  const reset = useCallback(() => { setRequestId(newRequestId()); setResult(null); setError(null); }, []);
  return { requestId, busy, error, result, submit, reset };
}

/** The trace graph as GET /api/v1/trace answers it. */
export interface TraceNode {
  key: string; kind: string; depth: number; status?: string;
  batch?: { id: string; lotNumber: string; quantity: string; unit: string; producedOn: string; expiresOn: string | null } | null;
  product?: { id: string; name: string; spec: string | null } | null;
  operator?: { id: string; name: string; divisionCode: string };
  site?: { id: string; name: string; divisionName: string } | null;
}
export interface TraceEdge {
  kind: string; from: string; to: string; eventID: string; type: string; bizStep: string | null; eventTime: string;
  fromOperator?: { id: string; name: string } | null; toOperator?: { id: string; name: string } | null;
}
export interface TraceResult { code: string; direction: string; start: string[]; nodes: TraceNode[]; edges: TraceEdge[]; events: EventBody[]; levels: number; truncated: boolean }

export const fetchTrace = (code: string, direction: 'backward' | 'forward' | 'both') =>
  get<TraceResult>(`/api/v1/trace${qs({ code, direction })}`);

/** What a typed or scanned code is, as far as the caller may see: its node (product, batch, owner) and the events around it. */
export function useCodeInfo(code: string | undefined) {
  return useQuery({
    queryKey: ['code-info', code], enabled: !!code, staleTime: 30_000,
    queryFn: async () => {
      const trace = await fetchTrace(code!, 'backward');
      const node = trace.nodes.find((n) => trace.start.includes(n.key)) ?? trace.nodes[0];
      return { trace, node };
    },
  });
}

// ---- presenting events ----------------------------------------------------------------------

export const RECORD_NAMES: Record<string, [string, string]> = {
  production: ['生产', 'Production'], harvest: ['采收', 'Harvest'], inputs_applied: ['投入品使用', 'Inputs applied'],
  inspection: ['检测', 'Inspection'], certificate: ['合格证明', 'Certificates'], shipping: ['发货', 'Shipping'],
  receiving: ['收货', 'Receiving'], sale: ['销售', 'Sale'], transformation: ['加工/混批/分装', 'Transformation'],
  aggregation: ['装箱/拆箱', 'Packing'], destruction: ['销毁', 'Destruction'], recall: ['召回处置', 'Recall response'],
};
const STEP_NAMES: Record<string, [string, string]> = {
  commissioning: ['赋码/生产', 'Commissioning'], shipping: ['发货', 'Shipping'], receiving: ['收货', 'Receiving'], inspecting: ['检测', 'Inspection'],
  retail_selling: ['零售', 'Retail sale'], 'urn:suyuan:bizstep:selling': ['销售', 'Sale'], destroying: ['销毁', 'Destruction'],
  packing: ['装箱', 'Packing'], unpacking: ['拆箱', 'Unpacking'], repackaging: ['分装', 'Repackaging'], holding: ['封存', 'Held'],
  'urn:suyuan:bizstep:returning': ['退回', 'Returned'], 'urn:suyuan:bizstep:applying_inputs': ['投入品使用', 'Inputs applied'],
  'urn:suyuan:bizstep:certifying': ['合格证明', 'Certificates'],
};
const CERT_NAMES: Record<string, [string, string]> = {
  commitment: ['承诺达标合格证', 'Commitment certificate'], animal_quarantine: ['动物检疫合格证明', 'Animal quarantine certificate'],
  meat_quality: ['肉品品质检验合格证', 'Meat quality certificate'],
};
export const certName = (type: string, t: (zh: string, en: string) => string) => (CERT_NAMES[type] ? t(...CERT_NAMES[type]) : type);

/** The kind of an event in words: its native record type, else its business step, else its EPCIS type. */
export function eventKind(e: EventBody, t: (zh: string, en: string) => string): string {
  const rec = e['sy:record'] as string | undefined;
  if (rec === 'recall') return t(...RECORD_NAMES.recall);
  if (rec && RECORD_NAMES[rec]) return t(...RECORD_NAMES[rec]);
  const step = e.bizStep as string | undefined;
  if (step && STEP_NAMES[step]) return t(...STEP_NAMES[step]);
  return step ?? e.type ?? '—';
}

const CODE_URI = /^urn:suyuan:code:(.+)$/;
const PARTY_URI = /^urn:suyuan:party:(.+)$/;
export const bareCode = (uri: string) => CODE_URI.exec(uri)?.[1] ?? uri;

/** The goods an event names: batch quantities with their units as written, items by code. */
export function eventGoods(e: EventBody): Array<{ code: string; quantity?: string; unit?: string; role?: 'in' | 'out' }> {
  const units = new Map<string, string>(((e['sy:units'] ?? []) as Array<{ epcClass: string; unit: string }>).map((u) => [u.epcClass, u.unit]));
  const q = (list: any[] | undefined, role?: 'in' | 'out') => (list ?? []).map((x) => ({
    code: bareCode(x.epcClass), quantity: x.quantity !== undefined ? String(x.quantity) : undefined, unit: units.get(x.epcClass) ?? x.uom, role,
  }));
  const epcs = (list: string[] | undefined, role?: 'in' | 'out') => (list ?? []).map((u) => ({ code: bareCode(u), quantity: '1', role }));
  return [
    ...q(e.quantityList), ...epcs(e.epcList), ...q(e.childQuantityList), ...epcs(e.childEPCs),
    ...q(e.inputQuantityList, 'in'), ...epcs(e.inputEPCList, 'in'), ...q(e.outputQuantityList, 'out'), ...epcs(e.outputEPCList, 'out'),
  ];
}

/** The USCC of the source or destination owning party of an event. */
export function eventParty(e: EventBody, side: 'source' | 'destination'): string | null {
  const list = (side === 'source' ? e.sourceList : e.destinationList) as Array<{ type: string; source?: string; destination?: string }> | undefined;
  const entry = list?.find((x) => /owning_party/.test(x.type));
  const uri = entry ? (side === 'source' ? entry.source : entry.destination) : undefined;
  return uri ? PARTY_URI.exec(uri)?.[1] ?? uri : null;
}

/** A one-line account of what an event says beyond its goods: certificates, price, invoice, vehicle, inspection, inputs, reason. */
export function EventDetails({ e }: { e: EventBody }) {
  const { t, num } = useI18n();
  const parts: string[] = [];
  const certs = (e['sy:certificates'] ?? []) as Array<{ type: string; number: string; issuer: string }>;
  for (const c of certs) parts.push(`${certName(c.type, t)} ${c.number}（${c.issuer}）`);
  const adm = e['sy:entryAdmission'] as { noUpstreamRecord?: boolean; supplier?: string; invoices?: Array<{ number: string }>; certificates?: unknown[] } | undefined;
  if (adm?.supplier) parts.push(`${t('供货者', 'Supplier')}: ${adm.supplier}`);
  for (const v of adm?.invoices ?? []) parts.push(`${t('票据', 'Invoice')} ${v.number}`);
  if (e['sy:price']) parts.push(`${t('金额', 'Amount')} ${num(e['sy:price'].amount)} ${e['sy:price'].currency}`);
  if (e['sy:invoiceNo']) parts.push(`${t('发票号', 'Invoice no.')} ${e['sy:invoiceNo']}`);
  if (e['sy:vehicle']?.plate) parts.push(`${t('车辆', 'Vehicle')} ${e['sy:vehicle'].plate}`);
  const ins = e['sy:inspection'];
  if (ins) parts.push(`${ins.lab}: ${ins.result === 'pass' ? t('合格', 'pass') : t('不合格', 'fail')}${ins.reportNo ? ` · ${t('报告', 'report')} ${ins.reportNo}` : ''}`);
  const inp = e['sy:input'];
  if (inp) parts.push(`${inp.product} ${inp.dose} ${inp.doseUnit}${inp.registrationNo ? ` · ${inp.registrationNo}` : ''}${inp.intervalDays !== undefined ? ` · ${t('间隔期', 'interval')} ${inp.intervalDays} ${t('天', 'd')}` : ''}`);
  if (e['sy:reason']) parts.push(`${t('原因', 'Reason')}: ${e['sy:reason']}`);
  if (e['sy:transformation']) parts.push(String(e['sy:transformation']));
  if (e.parentID) parts.push(`${t('箱码', 'Parent')} ${bareCode(e.parentID)}`);
  const noUp = adm?.noUpstreamRecord;
  return (
    <span>
      {noUp && <span className="badge badge-warn">{t('无上游记录', 'No upstream record')}</span>} {parts.join(' · ')}
    </span>
  );
}

/** The goods of an event as short text: "CODE 40 kg", inputs and outputs marked. */
export function GoodsText({ e }: { e: EventBody }) {
  const { t } = useI18n();
  const goods = eventGoods(e);
  if (goods.length === 0) return <span className="muted">—</span>;
  return (
    <span>
      {goods.slice(0, 6).map((g, i) => (
        <span key={i} style={{ display: 'block' }}>
          {g.role === 'in' ? `${t('投入', 'in')}: ` : g.role === 'out' ? `${t('产出', 'out')}: ` : ''}
          <code>{g.code}</code>{g.quantity ? ` ${g.quantity}${g.unit ? ` ${g.unit}` : ''}` : ''}
        </span>
      ))}
      {goods.length > 6 && <span className="muted">… +{goods.length - 6}</span>}
    </span>
  );
}
