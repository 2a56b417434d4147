/**
 * One form per step of the chain, posting to POST /api/v1/records/{kind} (src/records/records-types.ts is the
 * contract). Each form keeps one requestId until it is reset, shows the API's problems next to their fields, and
 * after success the recorded event and the batch's history.
 */
import { useCallback, useState, type FormEvent, type ReactNode } from 'react';
import { useI18n } from '../../lib/i18n.tsx';
import { CodeScanner, extractCode } from '../../lib/scanner.tsx';
import { Badge, Button, Card, Field, Notice, ProblemMessage, SelectField, TextArea } from '../../lib/ui.tsx';
import { useMe } from '../../lib/auth.tsx';
import { fieldErrorOf, useOperator, useProducts, useSites } from '../org/common.tsx';
import { chinaToday } from '../../lib/divisions.ts';
import { compact, eventGoods, eventParty, toRfc3339, useCodeInfo, useRecordSubmit, type EventBody } from './lib.tsx';
import {
  CertificatesEditor, emptyCert, GoodsEditor, goodsBody, PartnerPicker, partnersFrom, QUANTITY_PATTERN, RecordOutcome,
  type Cert, type GoodsLine, type PartyRef,
} from './parts.tsx';

type Submit = ReturnType<typeof useRecordSubmit>;
type CodeInfo = NonNullable<ReturnType<typeof useCodeInfo>['data']>;

/**
 * The goods lines of a form and what each line's code looked up (keyed by code), with what forms derive from them:
 * the partners those traces name and the batch whose history to show after the record.
 */
function useGoods() {
  const me = useMe();
  const [lines, setLines] = useState<GoodsLine[]>([]);
  const [infos, setInfos] = useState<Record<string, CodeInfo>>({});
  const onInfo = useCallback((code: string, info: CodeInfo | undefined) => {
    if (info) setInfos((m) => (m[code] === info ? m : { ...m, [code]: info }));
  }, []);
  return { lines, setLines, infos, onInfo, partners: partnersFrom(Object.values(infos), me.operatorId), historyBatchId: firstBatchId(lines, infos) };
}

/** The frame of every record form: intro, the blocks outside the form (scanners), the form, the outcome. */
function RecordFrame({ s, intro, before, children, onSubmit, submitLabel, historyBatchId }: {
  s: Submit; intro: ReactNode; before?: ReactNode; children: ReactNode; onSubmit: () => void; submitLabel?: string; historyBatchId?: string | null;
}) {
  const { t } = useI18n();
  if (s.result) return <RecordOutcome result={s.result} historyBatchId={historyBatchId} onNew={s.reset} />;
  const submit = (e: FormEvent) => { e.preventDefault(); onSubmit(); };
  return (
    <>
      <p className="muted">{intro}</p>
      {before}
      <Card>
        <form className="form" onSubmit={submit} noValidate={false}>
          {children}
          <ProblemMessage error={s.error} />
          <div className="form-actions">
            <Button type="submit" busy={s.busy}>{submitLabel ?? t('提交记录', 'Submit record')}</Button>
            <span className="hint">{t('重复提交不会重复记录', 'Submitting again records nothing twice')}</span>
          </div>
        </form>
      </Card>
    </>
  );
}

function SiteSelect({ value, onChange, required, error }: { value: string; onChange: (v: string) => void; required?: boolean; error: unknown }) {
  const { t, pick } = useI18n();
  const sites = useSites().data ?? [];
  return (
    <SelectField label={t('场所', 'Site')} value={value} required={required} onChange={(e) => onChange(e.target.value)}
      error={fieldErrorOf(error, pick, 'siteId')} hint={sites.length === 0 ? t('请先在“场所”中登记场所', 'Add a site first') : undefined}>
      <option value="">{required ? t('— 请选择 —', '— choose —') : t('（不指定）', '(none)')}</option>
      {sites.map((x) => <option key={x.id} value={x.id}>{x.name}</option>)}
    </SelectField>
  );
}

function ProductSelect({ value, onChange, field, error }: { value: string; onChange: (v: string) => void; field: string; error: unknown }) {
  const { t, pick } = useI18n();
  const products = useProducts().data?.items ?? [];
  return (
    <SelectField label={t('产品', 'Product')} value={value} required onChange={(e) => onChange(e.target.value)} error={fieldErrorOf(error, pick, field)}
      hint={products.length === 0 ? t('请先在“产品”中登记产品', 'Add a product first') : undefined}>
      <option value="">{t('— 请选择 —', '— choose —')}</option>
      {products.map((p) => <option key={p.id} value={p.id}>{p.name}{p.spec ? `（${p.spec}）` : ''} · {p.unit}</option>)}
    </SelectField>
  );
}

function WhenField({ value, onChange, error }: { value: string; onChange: (v: string) => void; error: unknown }) {
  const { t, pick } = useI18n();
  return (
    <Field label={t('发生时间', 'When it happened')} type="datetime-local" value={value} onChange={(e) => onChange(e.target.value)}
      hint={t('不填则为现在', 'Empty: now')} error={fieldErrorOf(error, pick, 'occurredAt')} />
  );
}

/** One code the record is about (inputs, inspection, certificates): scanned or typed, shown with what it is. */
function TargetCard({ code, setCode, error, optional }: { code: string; setCode: (c: string) => void; error: unknown; optional?: boolean }) {
  const { t, pick } = useI18n();
  const info = useCodeInfo(code || undefined);
  const node = info.data?.node;
  return (
    <Card title={optional ? t('批次（可选）', 'Batch (optional)') : t('批次', 'Batch')}>
      <CodeScanner onCode={(v) => setCode(extractCode(v))} label={t('扫描或输入批次/单品追溯码', 'Scan or type a batch or item code')} />
      {code && (
        <p className="row" style={{ marginTop: 8 }}>
          <span>{t('已选', 'Selected')}: <code>{code}</code>{node?.product && <> · {node.product.name}</>}{node?.batch && <> · {t('批次', 'lot')} {node.batch.lotNumber}</>}</span>
          <Button kind="link" onClick={() => setCode('')}>{t('清除', 'Clear')}</Button>
        </p>
      )}
      <ProblemMessage error={info.error} />
      {fieldErrorOf(error, pick, 'code') && <p className="field-error" role="alert">{fieldErrorOf(error, pick, 'code')}</p>}
    </Card>
  );
}

/** The batch id behind the first goods line, for the history after a record that created no batch. */
const firstBatchId = (lines: GoodsLine[], infos: Record<string, CodeInfo>) => {
  for (const l of lines) { const id = infos[l.code]?.node?.batch?.id; if (id) return id; }
  return null;
};

// ---- harvest -------------------------------------------------------------------------------

export function HarvestForm() {
  const { t, pick } = useI18n();
  const s = useRecordSubmit('harvest');
  const products = useProducts().data?.items ?? [];
  const [f, setF] = useState({ productId: '', siteId: '', lotNumber: '', quantity: '', unit: '', harvestedOn: chinaToday(), expiresOn: '' });
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });
  const unit = products.find((p) => p.id === f.productId)?.unit;
  return (
    <RecordFrame s={s} intro={t('采收或生产一批货品：生成批次、批次追溯码和赋码事件。', 'Harvest or produce a batch: the batch, its trace code and its commissioning event.')}
      onSubmit={() => s.submit(compact({ ...f }))}>
      <ProductSelect value={f.productId} onChange={set('productId')} field="productId" error={s.error} />
      <SiteSelect value={f.siteId} onChange={set('siteId')} required error={s.error} />
      <Field label={t('数量', 'Quantity')} value={f.quantity} required inputMode="decimal" pattern={QUANTITY_PATTERN} onChange={(e) => set('quantity')(e.target.value)} error={fieldErrorOf(s.error, pick, 'quantity')} />
      <Field label={t('单位', 'Unit')} value={f.unit} maxLength={20} placeholder={unit} hint={unit ? t(`不填则为 ${unit}`, `Defaults to ${unit}`) : undefined} onChange={(e) => set('unit')(e.target.value)} error={fieldErrorOf(s.error, pick, 'unit')} />
      <Field label={t('采收日期', 'Harvested on')} type="date" required max={chinaToday()} value={f.harvestedOn} onChange={(e) => set('harvestedOn')(e.target.value)} error={fieldErrorOf(s.error, pick, 'harvestedOn')} />
      <Field label={t('保质期至', 'Expires on')} type="date" value={f.expiresOn} onChange={(e) => set('expiresOn')(e.target.value)} error={fieldErrorOf(s.error, pick, 'expiresOn')} />
      <Field label={t('批次号', 'Lot number')} value={f.lotNumber} maxLength={64} hint={t('不填则按日期生成', 'Empty: made from the date')} onChange={(e) => set('lotNumber')(e.target.value)} error={fieldErrorOf(s.error, pick, 'lotNumber')} />
    </RecordFrame>
  );
}

// ---- inputs applied --------------------------------------------------------------------------

const INPUT_CATEGORIES: Array<[string, string, string]> = [
  ['pesticide', '农药', 'Pesticide'], ['fertilizer', '肥料', 'Fertilizer'], ['seed', '种子', 'Seed'], ['feed', '饲料', 'Feed'], ['vet_drug', '兽药', 'Veterinary drug'],
];

export function InputsForm() {
  const { t, pick } = useI18n();
  const s = useRecordSubmit('inputs_applied');
  const [code, setCode] = useState('');
  const [f, setF] = useState({ siteId: '', category: 'pesticide', productName: '', registrationNo: '', dose: '', doseUnit: '', appliedOn: chinaToday(), intervalDays: '', occurredAt: '' });
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });
  const regulated = f.category === 'pesticide' || f.category === 'vet_drug';
  const intervalLabel = f.category === 'vet_drug' ? t('休药期（天）', 'Withdrawal period (days)') : t('安全间隔期（天）', 'Pre-harvest interval (days)');
  const info = useCodeInfo(code || undefined);
  return (
    <RecordFrame s={s} historyBatchId={info.data?.node?.batch?.id}
      intro={t('记录农药、肥料、种子、饲料或兽药的使用；农药须填登记证号和安全间隔期，兽药须填批准文号和休药期。', 'Record a pesticide, fertilizer, seed, feed or veterinary drug applied; pesticides need the registration number and pre-harvest interval, veterinary drugs the approval number and withdrawal period.')}
      before={<TargetCard code={code} setCode={setCode} error={s.error} optional />}
      onSubmit={() => s.submit(compact({
        ...f, code: code || undefined, occurredAt: toRfc3339(f.occurredAt), intervalDays: f.intervalDays === '' ? undefined : Number(f.intervalDays),
        registrationNo: f.registrationNo || undefined,
      }))}>
      <SiteSelect value={f.siteId} onChange={set('siteId')} required error={s.error} />
      <SelectField label={t('投入品类别', 'Category')} value={f.category} required onChange={(e) => set('category')(e.target.value)} error={fieldErrorOf(s.error, pick, 'category')}>
        {INPUT_CATEGORIES.map(([k, zh, en]) => <option key={k} value={k}>{t(zh, en)}</option>)}
      </SelectField>
      <Field label={t('投入品名称', 'Product name')} value={f.productName} required maxLength={200} onChange={(e) => set('productName')(e.target.value)} error={fieldErrorOf(s.error, pick, 'productName')} />
      <Field label={f.category === 'vet_drug' ? t('兽药批准文号', 'Veterinary drug approval number') : t('登记证号', 'Registration number')} value={f.registrationNo} required={regulated} maxLength={64}
        onChange={(e) => set('registrationNo')(e.target.value)} error={fieldErrorOf(s.error, pick, 'registrationNo')} />
      <Field label={t('用量', 'Dose')} value={f.dose} required inputMode="decimal" pattern={QUANTITY_PATTERN} onChange={(e) => set('dose')(e.target.value)} error={fieldErrorOf(s.error, pick, 'dose')} />
      <Field label={t('用量单位', 'Dose unit')} value={f.doseUnit} required maxLength={20} placeholder="mL/亩" onChange={(e) => set('doseUnit')(e.target.value)} error={fieldErrorOf(s.error, pick, 'doseUnit')} />
      <Field label={t('使用日期', 'Applied on')} type="date" required max={chinaToday()} value={f.appliedOn} onChange={(e) => set('appliedOn')(e.target.value)} error={fieldErrorOf(s.error, pick, 'appliedOn')} />
      <Field label={intervalLabel} type="number" min={0} max={3650} step={1} required={regulated} value={f.intervalDays} onChange={(e) => set('intervalDays')(e.target.value)} error={fieldErrorOf(s.error, pick, 'intervalDays')} />
      <WhenField value={f.occurredAt} onChange={set('occurredAt')} error={s.error} />
    </RecordFrame>
  );
}

// ---- inspection ------------------------------------------------------------------------------

interface Item { name: string; value: string; limit: string; unit: string; result: 'pass' | 'fail' }
const emptyItem = (): Item => ({ name: '', value: '', limit: '', unit: '', result: 'pass' });

export function InspectionForm() {
  const { t, pick } = useI18n();
  const s = useRecordSubmit('inspection');
  const [code, setCode] = useState('');
  const [f, setF] = useState({ siteId: '', kind: 'rapid_test', lab: '', result: 'pass', reportNo: '', public: false, occurredAt: '' });
  const [items, setItems] = useState<Item[]>([emptyItem()]);
  const info = useCodeInfo(code || undefined);
  const setItem = (i: number, p: Partial<Item>) => setItems(items.map((x, k) => (k === i ? { ...x, ...p } : x)));
  return (
    <RecordFrame s={s} historyBatchId={info.data?.node?.batch?.id}
      intro={t('记录快检或送检结果；有不合格项目时总体结论须为不合格。勾选“公开”后消费者扫码可见。', 'Record a rapid test or lab result; if any item fails the overall result must be fail. Public results are shown to consumers who scan.')}
      before={<TargetCard code={code} setCode={setCode} error={s.error} />}
      onSubmit={() => s.submit(compact({
        ...f, code: code || undefined, occurredAt: toRfc3339(f.occurredAt), siteId: f.siteId || undefined, reportNo: f.reportNo || undefined,
        items: items.map((i) => compact({ ...i })),
      }))}>
      <SelectField label={t('检测类型', 'Kind')} value={f.kind} onChange={(e) => setF({ ...f, kind: e.target.value })} error={fieldErrorOf(s.error, pick, 'kind')}>
        <option value="rapid_test">{t('快检', 'Rapid test')}</option>
        <option value="official_sampling">{t('送检/抽检', 'Laboratory sampling')}</option>
      </SelectField>
      <Field label={t('检测机构', 'Laboratory')} value={f.lab} required maxLength={200} onChange={(e) => setF({ ...f, lab: e.target.value })} error={fieldErrorOf(s.error, pick, 'lab')} />
      <Field label={t('报告编号', 'Report number')} value={f.reportNo} maxLength={64} onChange={(e) => setF({ ...f, reportNo: e.target.value })} error={fieldErrorOf(s.error, pick, 'reportNo')} />
      <SiteSelect value={f.siteId} onChange={(v) => setF({ ...f, siteId: v })} error={s.error} />
      <fieldset className="wide" style={{ border: '1px solid var(--line)', borderRadius: 8, padding: 12 }}>
        <legend>{t('检测项目', 'Items tested')}</legend>
        {items.map((it, i) => (
          <div key={i} style={{ display: 'grid', gap: 8, gridTemplateColumns: 'repeat(auto-fit, minmax(140px, 1fr))', marginBottom: 8 }}>
            <Field label={t('项目', 'Item')} value={it.name} required maxLength={100} onChange={(e) => setItem(i, { name: e.target.value })} error={fieldErrorOf(s.error, pick, `items.${i}.name`)} />
            <Field label={t('检测值', 'Value')} value={it.value} maxLength={40} onChange={(e) => setItem(i, { value: e.target.value })} />
            <Field label={t('限量', 'Limit')} value={it.limit} maxLength={40} onChange={(e) => setItem(i, { limit: e.target.value })} />
            <Field label={t('单位', 'Unit')} value={it.unit} maxLength={20} onChange={(e) => setItem(i, { unit: e.target.value })} />
            <SelectField label={t('判定', 'Result')} value={it.result} onChange={(e) => setItem(i, { result: e.target.value as Item['result'] })}>
              <option value="pass">{t('合格', 'Pass')}</option><option value="fail">{t('不合格', 'Fail')}</option>
            </SelectField>
            {items.length > 1 && <div className="form-actions"><Button kind="link" onClick={() => setItems(items.filter((_, k) => k !== i))}>{t('删除此项', 'Remove this item')}</Button></div>}
          </div>
        ))}
        {items.length < 100 && <Button kind="secondary" onClick={() => setItems([...items, emptyItem()])}>{t('添加项目', 'Add an item')}</Button>}
      </fieldset>
      <SelectField label={t('总体结论', 'Overall result')} value={f.result} onChange={(e) => setF({ ...f, result: e.target.value })} error={fieldErrorOf(s.error, pick, 'result')}>
        <option value="pass">{t('合格', 'Pass')}</option><option value="fail">{t('不合格', 'Fail')}</option>
      </SelectField>
      <div className="field">
        <label><input type="checkbox" checked={f.public} onChange={(e) => setF({ ...f, public: e.target.checked })} /> {t('公开（消费者扫码可见）', 'Public (shown to consumers who scan)')}</label>
      </div>
      <WhenField value={f.occurredAt} onChange={(v) => setF({ ...f, occurredAt: v })} error={s.error} />
    </RecordFrame>
  );
}

// ---- certificates ----------------------------------------------------------------------------

export function CertificateForm() {
  const { t } = useI18n();
  const s = useRecordSubmit('certificate');
  const [code, setCode] = useState('');
  const [siteId, setSiteId] = useState('');
  const [occurredAt, setOccurredAt] = useState('');
  const [certs, setCerts] = useState<Cert[]>([emptyCert()]);
  const info = useCodeInfo(code || undefined);
  return (
    <RecordFrame s={s} historyBatchId={info.data?.node?.batch?.id}
      intro={t('为批次登记承诺达标合格证、动物检疫合格证明或肉品品质检验合格证。', 'Record commitment, animal quarantine or meat quality certificates on a batch.')}
      before={<TargetCard code={code} setCode={setCode} error={s.error} />}
      onSubmit={() => s.submit(compact({ code: code || undefined, siteId: siteId || undefined, occurredAt: toRfc3339(occurredAt), certificates: certs }))}>
      <CertificatesEditor certs={certs} setCerts={setCerts} field="certificates" error={s.error} />
      <SiteSelect value={siteId} onChange={setSiteId} error={s.error} />
      <WhenField value={occurredAt} onChange={setOccurredAt} error={s.error} />
    </RecordFrame>
  );
}

// ---- shipping --------------------------------------------------------------------------------

export function ShippingForm() {
  const { t, pick } = useI18n();
  const s = useRecordSubmit('shipping');
  const { lines, setLines, onInfo, partners, historyBatchId } = useGoods();
  const [to, setTo] = useState<PartyRef | null>(null);
  const [f, setF] = useState({ siteId: '', vehiclePlate: '', occurredAt: '' });
  const [certs, setCerts] = useState<Cert[]>([]);
  return (
    <RecordFrame s={s} historyBatchId={historyBatchId}
      intro={t('货品发往另一经营主体：收货方须已在平台登记并通过审核。', 'Goods leave for another operator, which must be registered and approved.')}
      before={<GoodsEditor lines={lines} setLines={setLines} field="goods" error={s.error} onInfo={onInfo} />}
      onSubmit={() => s.submit(compact({
        to: to ?? {}, goods: goodsBody(lines), siteId: f.siteId || undefined, vehiclePlate: f.vehiclePlate || undefined,
        occurredAt: toRfc3339(f.occurredAt), certificates: certs.length ? certs : undefined,
      }))}>
      <PartnerPicker label={t('收货方', 'Consignee')} required partners={partners} value={to} onChange={setTo}
        error={fieldErrorOf(s.error, pick, 'to', 'to.*')} />
      <Field label={t('车牌号', 'Vehicle plate')} value={f.vehiclePlate} maxLength={16} placeholder="闽A·12345" onChange={(e) => setF({ ...f, vehiclePlate: e.target.value })} error={fieldErrorOf(s.error, pick, 'vehiclePlate')} />
      <SiteSelect value={f.siteId} onChange={(v) => setF({ ...f, siteId: v })} error={s.error} />
      <WhenField value={f.occurredAt} onChange={(v) => setF({ ...f, occurredAt: v })} error={s.error} />
      <CertificatesEditor certs={certs} setCerts={setCerts} field="certificates" error={s.error} legend={t('随货合格证明', 'Certificates travelling with the goods')} />
    </RecordFrame>
  );
}

// ---- receiving with entry admission -------------------------------------------------------------

/** The shipments and sales to the caller that name a code, from what its trace shows (one step up). */
function deliveriesTo(info: CodeInfo | undefined, myUscc: string | undefined) {
  if (!info || !myUscc) return [];
  const code = info.node?.key;
  return info.trace.events
    .filter((e: EventBody) => ['shipping', 'sale'].includes(e['sy:record']) && eventParty(e, 'destination') === myUscc)
    .map((e: EventBody) => ({
      event: e,
      line: eventGoods(e).find((g) => g.code === code),
      from: info.trace.edges.find((x) => x.eventID === e.eventID)?.fromOperator ?? null,
    }))
    .filter((d) => !!d.line);
}

/** The caller's own receipts of a code so far, so that the same delivery is not received twice by mistake. */
function receiptsBy(info: CodeInfo | undefined, myUscc: string | undefined) {
  if (!info || !myUscc) return [];
  const code = info.node?.key;
  return info.trace.events
    .filter((e: EventBody) => e['sy:record'] === 'receiving' && eventParty(e, 'destination') === myUscc)
    .map((e: EventBody) => ({ event: e, line: eventGoods(e).find((g) => g.code === code) }))
    .filter((d) => !!d.line);
}

export function ReceivingForm() {
  const { t, pick, dt } = useI18n();
  const s = useRecordSubmit('receiving');
  const operator = useOperator().data;
  const [mode, setMode] = useState<'codes' | 'none'>('codes');
  const { lines, setLines, infos, onInfo, partners, historyBatchId } = useGoods();
  const [from, setFrom] = useState<PartyRef | null>(null);
  const [supplierName, setSupplierName] = useState('');
  const [siteId, setSiteId] = useState('');
  const [occurredAt, setOccurredAt] = useState('');
  const [certs, setCerts] = useState<Cert[]>([]);
  const [invoices, setInvoices] = useState<Array<{ number: string; issuedOn: string }>>([]);
  const [local, setLocal] = useState({ productId: '', quantity: '', unit: '', lotNumber: '', producedOn: '', expiresOn: '' });

  // A delivery to us that names the code: take its supplier and quantity unless already given.
  const onLineInfo = useCallback((code: string, info: CodeInfo | undefined) => {
    onInfo(code, info);
    const d = deliveriesTo(info, operator?.uscc).at(-1);
    if (!d) return;
    if (d.from) setFrom((cur) => cur ?? { operatorId: d.from!.id });
    if (d.line?.quantity) setLines((ls) => ls.map((l) => (l.code === code && !l.quantity ? { ...l, quantity: d.line!.quantity!, unit: l.unit || d.line!.unit || '' } : l)));
  }, [onInfo, operator?.uscc]);

  const deliveries = lines.map((l) => ({ line: l, found: deliveriesTo(infos[l.code], operator?.uscc), received: receiptsBy(infos[l.code], operator?.uscc) }));
  // The certificates that came with the latest delivery of each code (the one being received, as a rule).
  const upstreamCerts = deliveries.flatMap((d) => (d.found.at(-1)?.event['sy:certificates'] ?? []) as Cert[]);
  const setInvoice = (i: number, p: Partial<{ number: string; issuedOn: string }>) => setInvoices(invoices.map((x, k) => (k === i ? { ...x, ...p } : x)));

  const submit = () => {
    const common = {
      siteId: siteId || undefined, occurredAt: toRfc3339(occurredAt), certificates: certs.length ? certs : undefined,
      invoices: invoices.length ? invoices.map((v) => compact(v)) : undefined,
    };
    if (mode === 'codes') return s.submit(compact({ ...common, from: from ?? undefined, goods: goodsBody(lines) }));
    return s.submit(compact({
      ...common, noUpstreamRecord: compact({ ...local }),
      from: from ? from : supplierName.trim() ? { name: supplierName.trim() } : undefined,
    }));
  };

  const before = (
    <>
      <div className="tabs" role="tablist" aria-label={t('货品来源', 'Where the goods come from')}>
        <button type="button" role="tab" aria-selected={mode === 'codes'} onClick={() => setMode('codes')}>{t('有上游追溯码', 'With upstream codes')}</button>
        <button type="button" role="tab" aria-selected={mode === 'none'} onClick={() => setMode('none')}>{t('无上游追溯码', 'No upstream code')}</button>
      </div>
      {mode === 'codes' ? (
        <>
          <GoodsEditor lines={lines} setLines={setLines} field="goods" error={s.error} onInfo={onLineInfo}
            title={t('上游追溯码（索证索票）', 'Upstream codes (entry admission)')} label={t('扫描或输入上游追溯码', 'Scan or type the upstream code')} />
          {deliveries.length > 0 && (
            <Card title={t('上游记录核对', 'Upstream record check')}>
              <ul style={{ margin: 0, paddingLeft: 18 }}>
                {deliveries.map(({ line, found, received }) => (
                  <li key={line.key}>
                    <code>{line.code}</code>{' '}
                    {!infos[line.code] ? <span className="muted">{t('查询中…', 'checking…')}</span>
                      : found.length > 0 ? <>
                        {found.map((d, i) => (
                          <div key={i}><Badge tone="good">{t('有上游发货记录', 'Upstream delivery recorded')}</Badge>{' '}
                            {d.from?.name ?? eventParty(d.event, 'source')} · {dt(d.event.eventTime)} · {d.line?.quantity} {d.line?.unit ?? ''}
                            {(d.event['sy:certificates'] ?? []).length > 0 && <> · {t('随货证明', 'certificates')} {(d.event['sy:certificates'] as Cert[]).map((c) => c.number).join('、')}</>}
                          </div>
                        ))}
                        {received.map((d, i) => (
                          <div key={`r${i}`}><Badge tone="info">{t('本主体已收货', 'Already received by you')}</Badge>{' '}
                            {dt(d.event.eventTime)} · {d.line?.quantity} {d.line?.unit ?? ''}
                          </div>
                        ))}
                      </> : (
                        <span><Badge tone="warn">{t('未找到发给本主体的上游发货记录', 'No upstream delivery to you found')}</Badge>{' '}
                          {t('可以收货，记录如实保存，请向供货方索取证明和票据。', 'You may receive it; the record is kept as it is. Ask the supplier for certificates and invoices.')}</span>
                      )}
                  </li>
                ))}
              </ul>
            </Card>
          )}
        </>
      ) : (
        <Notice>
          <Badge tone="warn">{t('无上游记录', 'No upstream record')}</Badge>{' '}
          {t('允许收货：平台为这批货生成本地批次和新追溯码，并在记录中标注“无上游记录”，监管部门可见。', 'Allowed: the platform creates a local batch with a new trace code and flags the record "no upstream record", which regulators see.')}
        </Notice>
      )}
    </>
  );

  return (
    <RecordFrame s={s} historyBatchId={mode === 'codes' ? historyBatchId : undefined}
      intro={t('收货与进场准入：扫描或输入上游追溯码，登记供货方的合格证明和票据。', 'Receiving with entry admission: scan or type the upstream codes, and record the supplier\'s certificates and invoices.')}
      before={before} onSubmit={submit} submitLabel={t('确认收货', 'Confirm receipt')}>
      <PartnerPicker label={t('供货方', 'Supplier')} required={mode === 'codes'} partners={partners} value={from} onChange={setFrom}
        optionalLabel={mode === 'none' ? t('（未登记的供货者，下方填写名称）', '(an unregistered supplier: name below)') : undefined}
        error={fieldErrorOf(s.error, pick, 'from', 'from.operatorId', 'from.uscc')} />
      {mode === 'none' && !from && (
        <Field label={t('供货者名称（未登记）', 'Supplier name (unregistered)')} value={supplierName} maxLength={200} onChange={(e) => setSupplierName(e.target.value)} error={fieldErrorOf(s.error, pick, 'from.name')} />
      )}
      {mode === 'none' && (
        <>
          <ProductSelect value={local.productId} onChange={(v) => setLocal({ ...local, productId: v })} field="noUpstreamRecord.productId" error={s.error} />
          <Field label={t('数量', 'Quantity')} value={local.quantity} required inputMode="decimal" pattern={QUANTITY_PATTERN} onChange={(e) => setLocal({ ...local, quantity: e.target.value })} error={fieldErrorOf(s.error, pick, 'noUpstreamRecord.quantity')} />
          <Field label={t('单位', 'Unit')} value={local.unit} maxLength={20} onChange={(e) => setLocal({ ...local, unit: e.target.value })} error={fieldErrorOf(s.error, pick, 'noUpstreamRecord.unit')} />
          <Field label={t('批次号', 'Lot number')} value={local.lotNumber} maxLength={64} onChange={(e) => setLocal({ ...local, lotNumber: e.target.value })} error={fieldErrorOf(s.error, pick, 'noUpstreamRecord.lotNumber')} />
          <Field label={t('生产日期', 'Produced on')} type="date" max={chinaToday()} value={local.producedOn} onChange={(e) => setLocal({ ...local, producedOn: e.target.value })} error={fieldErrorOf(s.error, pick, 'noUpstreamRecord.producedOn')} />
          <Field label={t('保质期至', 'Expires on')} type="date" value={local.expiresOn} onChange={(e) => setLocal({ ...local, expiresOn: e.target.value })} error={fieldErrorOf(s.error, pick, 'noUpstreamRecord.expiresOn')} />
        </>
      )}
      <SiteSelect value={siteId} onChange={setSiteId} required={mode === 'none'} error={s.error} />
      <WhenField value={occurredAt} onChange={setOccurredAt} error={s.error} />
      <CertificatesEditor certs={certs} setCerts={setCerts} field="certificates" error={s.error} legend={t('索取的合格证明', 'Certificates obtained')} />
      {upstreamCerts.length > 0 && certs.length === 0 && (
        <div className="form-actions">
          <Button kind="secondary" onClick={() => setCerts(upstreamCerts.slice(0, 20).map((c) => ({ type: c.type, number: c.number, issuer: c.issuer, issuedOn: c.issuedOn })))}>
            {t(`采用上游发货单上的 ${upstreamCerts.length} 份合格证明`, `Use the ${upstreamCerts.length} certificate(s) on the upstream delivery`)}
          </Button>
        </div>
      )}
      <fieldset className="wide" style={{ border: '1px solid var(--line)', borderRadius: 8, padding: 12 }}>
        <legend>{t('索取的票据', 'Invoices obtained')}</legend>
        {invoices.map((v, i) => (
          <div key={i} className="row">
            <Field label={t('票据编号', 'Invoice number')} value={v.number} required maxLength={64} onChange={(e) => setInvoice(i, { number: e.target.value })} error={fieldErrorOf(s.error, pick, `invoices.${i}.number`)} />
            <Field label={t('开票日期', 'Issued on')} type="date" max={chinaToday()} value={v.issuedOn} onChange={(e) => setInvoice(i, { issuedOn: e.target.value })} error={fieldErrorOf(s.error, pick, `invoices.${i}.issuedOn`)} />
            <Button kind="link" onClick={() => setInvoices(invoices.filter((_, k) => k !== i))}>{t('删除', 'Remove')}</Button>
          </div>
        ))}
        {invoices.length < 20 && <Button kind="secondary" onClick={() => setInvoices([...invoices, { number: '', issuedOn: '' }])}>{t('添加票据', 'Add an invoice')}</Button>}
      </fieldset>
    </RecordFrame>
  );
}

// ---- sale ------------------------------------------------------------------------------------

export function SaleForm() {
  const { t, pick } = useI18n();
  const s = useRecordSubmit('sale');
  const { lines, setLines, onInfo, partners, historyBatchId } = useGoods();
  const [to, setTo] = useState<PartyRef | null>(null);
  const [f, setF] = useState({ amount: '', currency: 'CNY', invoiceNo: '', siteId: '', occurredAt: '' });
  return (
    <RecordFrame s={s} historyBatchId={historyBatchId}
      intro={t('销售给经营主体（须已登记并审核通过）或消费者（散客）。', 'Sell to a registered, approved operator or to consumers.')}
      before={<GoodsEditor lines={lines} setLines={setLines} field="goods" error={s.error} onInfo={onInfo} />}
      onSubmit={() => s.submit(compact({
        to: to ?? undefined, goods: goodsBody(lines), siteId: f.siteId || undefined, invoiceNo: f.invoiceNo || undefined, occurredAt: toRfc3339(f.occurredAt),
        price: f.amount.trim() ? { amount: f.amount.trim(), currency: f.currency } : undefined,
      }))}>
      <PartnerPicker label={t('购货方', 'Buyer')} partners={partners} value={to} onChange={setTo}
        optionalLabel={t('消费者（散客）', 'Consumers (retail)')} error={fieldErrorOf(s.error, pick, 'to', 'to.*')} />
      <Field label={t('金额', 'Amount')} value={f.amount} inputMode="decimal" pattern="\d{1,13}(\.\d{1,2})?" onChange={(e) => setF({ ...f, amount: e.target.value })}
        hint={t('本次销售合计，最多两位小数', 'Total of this sale, at most 2 decimals')} error={fieldErrorOf(s.error, pick, 'price.amount', 'price')} />
      <Field label={t('币种', 'Currency')} value={f.currency} required pattern="[A-Z]{3}" maxLength={3} onChange={(e) => setF({ ...f, currency: e.target.value.toUpperCase() })} error={fieldErrorOf(s.error, pick, 'price.currency')} />
      <Field label={t('发票号', 'Invoice number')} value={f.invoiceNo} maxLength={64} onChange={(e) => setF({ ...f, invoiceNo: e.target.value })} error={fieldErrorOf(s.error, pick, 'invoiceNo')} />
      <SiteSelect value={f.siteId} onChange={(v) => setF({ ...f, siteId: v })} error={s.error} />
      <WhenField value={f.occurredAt} onChange={(v) => setF({ ...f, occurredAt: v })} error={s.error} />
    </RecordFrame>
  );
}

// ---- transformation ----------------------------------------------------------------------------

interface Output { productId: string; quantity: string; unit: string; lotNumber: string; producedOn: string; expiresOn: string; code: string }
const emptyOutput = (): Output => ({ productId: '', quantity: '', unit: '', lotNumber: '', producedOn: '', expiresOn: '', code: '' });

export function TransformationForm() {
  const { t, pick } = useI18n();
  const s = useRecordSubmit('transformation');
  const [lines, setLines] = useState<GoodsLine[]>([]);
  const [kind, setKind] = useState('processing');
  const [siteId, setSiteId] = useState('');
  const [occurredAt, setOccurredAt] = useState('');
  const [outputs, setOutputs] = useState<Output[]>([emptyOutput()]);
  const setOut = (i: number, p: Partial<Output>) => setOutputs(outputs.map((x, k) => (k === i ? { ...x, ...p } : x)));
  return (
    <RecordFrame s={s}
      intro={t('加工、混批或分装：投入的批次变成新批次，每个产出批次获得新的追溯码（不可复用旧码）。', 'Processing, mixing or repackaging: the inputs become new batches, each output with a new trace code (old codes are never reused).')}
      before={<GoodsEditor lines={lines} setLines={setLines} field="inputs" error={s.error} title={t('投入', 'Inputs')} />}
      onSubmit={() => s.submit(compact({
        kind, siteId, occurredAt: toRfc3339(occurredAt), inputs: goodsBody(lines),
        outputs: outputs.map((o) => compact({ ...o, code: o.code ? extractCode(o.code) : undefined })),
      }))}>
      <SelectField label={t('类型', 'Kind')} value={kind} onChange={(e) => setKind(e.target.value)} error={fieldErrorOf(s.error, pick, 'kind')}>
        <option value="processing">{t('加工', 'Processing')}</option><option value="mixing">{t('混批', 'Mixing')}</option><option value="repackaging">{t('分装', 'Repackaging')}</option>
      </SelectField>
      <SiteSelect value={siteId} onChange={setSiteId} required error={s.error} />
      <WhenField value={occurredAt} onChange={setOccurredAt} error={s.error} />
      <fieldset className="wide" style={{ border: '1px solid var(--line)', borderRadius: 8, padding: 12 }}>
        <legend>{t('产出（新批次）', 'Outputs (new batches)')}</legend>
        {outputs.map((o, i) => (
          <div key={i} style={{ display: 'grid', gap: 8, gridTemplateColumns: 'repeat(auto-fit, minmax(170px, 1fr))', marginBottom: 12 }}>
            <ProductSelect value={o.productId} onChange={(v) => setOut(i, { productId: v })} field={`outputs.${i}.productId`} error={s.error} />
            <Field label={t('数量', 'Quantity')} value={o.quantity} required inputMode="decimal" pattern={QUANTITY_PATTERN} onChange={(e) => setOut(i, { quantity: e.target.value })} error={fieldErrorOf(s.error, pick, `outputs.${i}.quantity`)} />
            <Field label={t('单位', 'Unit')} value={o.unit} maxLength={20} onChange={(e) => setOut(i, { unit: e.target.value })} error={fieldErrorOf(s.error, pick, `outputs.${i}.unit`)} />
            <Field label={t('批次号', 'Lot number')} value={o.lotNumber} maxLength={64} onChange={(e) => setOut(i, { lotNumber: e.target.value })} error={fieldErrorOf(s.error, pick, `outputs.${i}.lotNumber`)} />
            <Field label={t('生产日期', 'Produced on')} type="date" max={chinaToday()} value={o.producedOn} onChange={(e) => setOut(i, { producedOn: e.target.value })} error={fieldErrorOf(s.error, pick, `outputs.${i}.producedOn`)} />
            <Field label={t('保质期至', 'Expires on')} type="date" value={o.expiresOn} onChange={(e) => setOut(i, { expiresOn: e.target.value })} error={fieldErrorOf(s.error, pick, `outputs.${i}.expiresOn`)} />
            <Field label={t('预印批次码（可选）', 'Pre-printed batch code (optional)')} value={o.code} maxLength={2048} hint={t('不填则发新码', 'Empty: a new code is issued')} onChange={(e) => setOut(i, { code: e.target.value })} error={fieldErrorOf(s.error, pick, `outputs.${i}.code`)} />
            {outputs.length > 1 && <div className="form-actions"><Button kind="link" onClick={() => setOutputs(outputs.filter((_, k) => k !== i))}>{t('删除此产出', 'Remove this output')}</Button></div>}
          </div>
        ))}
        {outputs.length < 50 && <Button kind="secondary" onClick={() => setOutputs([...outputs, emptyOutput()])}>{t('添加产出', 'Add an output')}</Button>}
      </fieldset>
    </RecordFrame>
  );
}

// ---- aggregation -------------------------------------------------------------------------------

export function AggregationForm() {
  const { t, pick } = useI18n();
  const s = useRecordSubmit('aggregation');
  const { lines, setLines, onInfo, historyBatchId } = useGoods();
  const [f, setF] = useState({ action: 'pack', parent: '', siteId: '', occurredAt: '' });
  return (
    <RecordFrame s={s} historyBatchId={historyBatchId}
      intro={t('装箱：把单品或批次装入箱/托盘（箱码为本主体的单品码或 SSCC）；拆箱：取出。', 'Packing: put items or batches into a case or pallet (an item code of yours or an SSCC); unpacking: take them out.')}
      before={<GoodsEditor lines={lines} setLines={setLines} field="children" error={s.error} onInfo={onInfo} title={t('箱内货品', 'Contents')} />}
      onSubmit={() => s.submit(compact({
        action: f.action, parent: f.parent.trim().startsWith('urn:') ? f.parent.trim() : extractCode(f.parent), siteId: f.siteId || undefined,
        occurredAt: toRfc3339(f.occurredAt), children: lines.length ? goodsBody(lines) : undefined,
      }))}>
      <SelectField label={t('操作', 'Action')} value={f.action} onChange={(e) => setF({ ...f, action: e.target.value })}>
        <option value="pack">{t('装箱', 'Pack')}</option><option value="unpack">{t('拆箱', 'Unpack')}</option>
      </SelectField>
      <Field label={t('箱码（单品码或 SSCC）', 'Case code (item code or SSCC)')} value={f.parent} required maxLength={2048} placeholder="urn:epc:id:sscc:…"
        onChange={(e) => setF({ ...f, parent: e.target.value })} error={fieldErrorOf(s.error, pick, 'parent')} />
      <SiteSelect value={f.siteId} onChange={(v) => setF({ ...f, siteId: v })} error={s.error} />
      <WhenField value={f.occurredAt} onChange={(v) => setF({ ...f, occurredAt: v })} error={s.error} />
    </RecordFrame>
  );
}

// ---- destruction -------------------------------------------------------------------------------

export function DestructionForm() {
  const { t, pick } = useI18n();
  const s = useRecordSubmit('destruction');
  const { lines, setLines, onInfo, historyBatchId } = useGoods();
  const [f, setF] = useState({ reason: '', siteId: '', occurredAt: '' });
  return (
    <RecordFrame s={s} historyBatchId={historyBatchId}
      intro={t('销毁本主体持有的货品，并写明原因。', 'Destroy goods you hold, with the reason.')}
      before={<GoodsEditor lines={lines} setLines={setLines} field="goods" error={s.error} onInfo={onInfo} />}
      onSubmit={() => s.submit(compact({ goods: goodsBody(lines), reason: f.reason, siteId: f.siteId || undefined, occurredAt: toRfc3339(f.occurredAt) }))}
      submitLabel={t('记录销毁', 'Record destruction')}>
      <TextArea className="wide" label={t('销毁原因', 'Reason')} value={f.reason} required maxLength={500} onChange={(e) => setF({ ...f, reason: e.target.value })} error={fieldErrorOf(s.error, pick, 'reason')} />
      <SiteSelect value={f.siteId} onChange={(v) => setF({ ...f, siteId: v })} error={s.error} />
      <WhenField value={f.occurredAt} onChange={(v) => setF({ ...f, occurredAt: v })} error={s.error} />
    </RecordFrame>
  );
}

