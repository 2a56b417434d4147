/** Building blocks of the record forms: goods lines (scan or type), the other party, certificates, and the outcome with the batch's history. */
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { download, get, qs } from '../../lib/api.ts';
import { useI18n } from '../../lib/i18n.tsx';
import { CodeScanner, extractCode } from '../../lib/scanner.tsx';
import { Badge, Button, Card, Field, Loading, Notice, ProblemMessage, SelectField, Table } from '../../lib/ui.tsx';
import { fieldErrorOf, useUsccCheck } from '../org/common.tsx';
import { chinaToday } from '../../lib/divisions.ts';
import { certName, EventDetails, eventKind, GoodsText, useCodeInfo, type BatchView, type EventBody, type RecordResult } from './lib.tsx';
import { normaliseUscc } from '../../../../src/registry/uscc.ts';

// ---- goods lines ----------------------------------------------------------------------------

export interface GoodsLine { key: string; code: string; quantity: string; unit: string }
let lineSeq = 0;
export const goodsLine = (code: string, quantity = '', unit = ''): GoodsLine => ({ key: `l${++lineSeq}`, code, quantity, unit });
/** Goods lines as the API takes them (an item code needs no quantity). */
export const goodsBody = (lines: GoodsLine[]) => lines.map((l) => ({ code: l.code, ...(l.quantity.trim() ? { quantity: l.quantity.trim() } : {}), ...(l.unit.trim() ? { unit: l.unit.trim() } : {}) }));

/** The typed quantity rule of the API (a positive number, at most 3 decimals), for the browser's own check. */
export const QUANTITY_PATTERN = '\\d{1,12}(\\.\\d{1,3})?';

/** One goods line: the code with what it is (product, lot, owner), its quantity and unit, and the API's errors for it. */
function GoodsLineRow({ line, field, error, onChange, onRemove, onInfo }: {
  line: GoodsLine; field: string; error: unknown; onChange: (l: GoodsLine) => void; onRemove: () => void;
  onInfo?: (code: string, info: ReturnType<typeof useCodeInfo>['data']) => void;
}) {
  const { t, pick } = useI18n();
  const info = useCodeInfo(line.code);
  const node = info.data?.node;
  useEffect(() => { if (info.data) onInfo?.(line.code, info.data); }, [info.data, onInfo, line.code]);
  const isItem = node?.kind === 'item';
  const codeError = fieldErrorOf(error, pick, `${field}.code`, field, `${field}.batchId`);
  return (
    <li className="card goods-line" style={{ marginBottom: 8, padding: 12 }}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <strong><code>{line.code}</code></strong>
        <Button kind="link" onClick={onRemove} aria-label={t(`移除 ${line.code}`, `Remove ${line.code}`)}>{t('移除', 'Remove')}</Button>
      </div>
      {info.isLoading && <Loading />}
      {info.error ? <ProblemMessage error={info.error} /> : null}
      {node && (
        <p className="muted" style={{ margin: '4px 0' }}>
          {node.product?.name ?? t('外部标识', 'Foreign identifier')}
          {node.batch && <> · {t('批次', 'lot')} {node.batch.lotNumber} · {node.batch.quantity} {node.batch.unit}</>}
          {node.operator && <> · {node.operator.name}</>}
          {node.kind && <> · <Badge tone={isItem ? 'info' : 'neutral'}>{isItem ? t('单品码', 'item code') : t('批次码', 'batch code')}</Badge></>}
          {node.status && node.status !== 'active' && <> <Badge tone="bad">{node.status}</Badge></>}
        </p>
      )}
      {codeError && <p className="field-error" role="alert">{codeError}</p>}
      <div className="row">
        <Field label={t('数量', 'Quantity')} value={line.quantity} inputMode="decimal" pattern={QUANTITY_PATTERN}
          required={!isItem} disabled={isItem} placeholder={isItem ? '1' : undefined}
          onChange={(e) => onChange({ ...line, quantity: e.target.value })}
          error={fieldErrorOf(error, pick, `${field}.quantity`)} />
        <Field label={t('单位', 'Unit')} value={line.unit} maxLength={20} placeholder={node?.batch?.unit ?? ''} disabled={isItem}
          hint={!isItem && node?.batch ? t(`不填则为 ${node.batch.unit}`, `Defaults to ${node.batch.unit}`) : undefined}
          onChange={(e) => onChange({ ...line, unit: e.target.value })} error={fieldErrorOf(error, pick, `${field}.unit`)} />
      </div>
    </li>
  );
}

/**
 * The goods of a record: codes scanned with the camera or typed (CodeScanner), one line each with quantity and unit.
 * The scanner is its own form, so this block sits outside the record's form and is read from state on submit.
 */
export function GoodsEditor({ lines, setLines, field, error, label, onInfo, title }: {
  lines: GoodsLine[]; setLines: (f: (l: GoodsLine[]) => GoodsLine[]) => void; field: string; error: unknown; label?: string; title?: string;
  onInfo?: (code: string, info: ReturnType<typeof useCodeInfo>['data']) => void;
}) {
  const { t, pick } = useI18n();
  const [dup, setDup] = useState<string | null>(null);
  const add = (scanned: string) => {
    const code = extractCode(scanned);
    if (lines.some((l) => l.code === code)) { setDup(code); return; }
    setDup(null);
    setLines((ls) => [...ls, goodsLine(code)]);
  };
  const listError = fieldErrorOf(error, pick, field);
  return (
    <Card title={title ?? t('货品', 'Goods')}>
      <CodeScanner onCode={add} label={label ?? t('扫描或输入追溯码', 'Scan or type a trace code')} />
      {dup && <p className="hint" role="status">{t(`${dup} 已在列表中`, `${dup} is already listed`)}</p>}
      {listError && <p className="field-error" role="alert">{listError}</p>}
      {lines.length === 0
        ? <p className="muted">{t('尚未添加货品', 'No goods added yet')}</p>
        : (
          <ul style={{ listStyle: 'none', padding: 0, margin: '12px 0 0' }} aria-label={t('货品清单', 'Goods list')}>
            {lines.map((l, i) => (
              <GoodsLineRow key={l.key} line={l} field={`${field}.${i}`} error={error} onInfo={onInfo}
                onChange={(n) => setLines((ls) => ls.map((x) => (x.key === l.key ? n : x)))}
                onRemove={() => setLines((ls) => ls.filter((x) => x.key !== l.key))} />
            ))}
          </ul>
        )}
    </Card>
  );
}

// ---- the other party ------------------------------------------------------------------------

export interface PartyRef { operatorId?: string; uscc?: string }
export interface Partner { id: string; name: string }

/**
 * The other operator of a hand-over. An operator may read only its own registration, so the choices are the
 * partners its visible events name (suppliers and customers of these goods); any other is named by its USCC,
 * checked live against the registry (valid, registered, approved).
 */
export function PartnerPicker({ label, partners, value, onChange, error, required, optionalLabel }: {
  label: string; partners: Partner[]; value: PartyRef | null; onChange: (v: PartyRef | null) => void; error?: string | null; required?: boolean;
  optionalLabel?: string;
}) {
  const { t } = useI18n();
  // The choice follows the value, so a supplier found from the upstream delivery shows as chosen.
  const mode = value?.operatorId ?? (value && value.uscc !== undefined ? 'uscc' : '');
  const [uscc, setUscc] = useState(value?.uscc ?? '');
  // Checked, counted and sent in the one form the registry compares (spaces and hyphens dropped, upper case).
  const typed = normaliseUscc(uscc);
  const c = useUsccCheck(mode === 'uscc' ? uscc : '');
  const pick = (m: string) => {
    if (m === '') onChange(null);
    else if (m === 'uscc') onChange({ uscc: typed });
    else onChange({ operatorId: m });
  };
  return (
    <div className="wide" style={{ display: 'grid', gap: 8 }}>
      <SelectField label={label} value={mode} required={required} onChange={(e) => pick(e.target.value)} error={mode === 'uscc' ? undefined : error}>
        <option value="">{optionalLabel ?? t('— 请选择 —', '— choose —')}</option>
        {partners.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
        <option value="uscc">{t('其他：输入统一社会信用代码', 'Another: enter the USCC')}</option>
      </SelectField>
      {mode === 'uscc' && (
        <Field label={t('对方统一社会信用代码', "The other party's USCC")} value={uscc} required maxLength={18} minLength={18}
          autoComplete="off" spellCheck={false}
          onChange={(e) => { setUscc(e.target.value); onChange({ uscc: normaliseUscc(e.target.value) }); }}
          error={error ?? (c && !c.valid ? t('统一社会信用代码无效（校验位不符或格式错误）', 'Not a valid USCC (format or check character)') : null)}
          hint={typed.length > 0 && typed.length < 18 ? t(`18 位，已输入 ${typed.length} 位`, `18 characters; ${typed.length} so far`)
            : c?.valid ? (c.registered
              ? `${t('已登记', 'Registered')}: ${c.registered.name}${c.registered.status !== 'approved' ? ` · ${t('状态', 'status')} ${c.registered.status}` : ''}`
              : t('该代码尚未在平台登记', 'This USCC is not registered on the platform')) : undefined} />
      )}
    </div>
  );
}

/** The partners named by the handover edges of the given traces, without the caller itself. */
export function partnersFrom(infos: Array<{ trace: { edges: Array<{ fromOperator?: Partner | null; toOperator?: Partner | null }> } } | undefined>, selfId: string | null): Partner[] {
  const m = new Map<string, Partner>();
  for (const i of infos) for (const e of i?.trace.edges ?? []) for (const p of [e.fromOperator, e.toOperator]) if (p && p.id !== selfId) m.set(p.id, { id: p.id, name: p.name });
  return [...m.values()].sort((a, b) => a.name.localeCompare(b.name));
}

// ---- certificates ---------------------------------------------------------------------------

export interface Cert { type: 'commitment' | 'animal_quarantine' | 'meat_quality'; number: string; issuer: string; issuedOn: string }
export const emptyCert = (): Cert => ({ type: 'commitment', number: '', issuer: '', issuedOn: '' });

/** A list of certificates (type, number, issuer, issued on), as the API's CertificateBody; at most 20. */
export function CertificatesEditor({ certs, setCerts, field, error, legend }: { certs: Cert[]; setCerts: (c: Cert[]) => void; field: string; error: unknown; legend?: string }) {
  const { t, pick } = useI18n();
  const set = (i: number, c: Partial<Cert>) => setCerts(certs.map((x, k) => (k === i ? { ...x, ...c } : x)));
  return (
    <fieldset className="wide" style={{ border: '1px solid var(--line)', borderRadius: 8, padding: 12 }}>
      <legend>{legend ?? t('合格证明', 'Certificates')}</legend>
      {certs.length === 0 && <p className="muted" style={{ margin: 0 }}>{t('未填写合格证明', 'No certificates')}</p>}
      {certs.map((c, i) => (
        <div key={i} className="form" style={{ display: 'grid', gap: 8, gridTemplateColumns: 'repeat(auto-fit, minmax(170px, 1fr))', marginBottom: 8 }}>
          <SelectField label={t('证明类型', 'Type')} value={c.type} onChange={(e) => set(i, { type: e.target.value as Cert['type'] })}>
            {(['commitment', 'animal_quarantine', 'meat_quality'] as const).map((k) => <option key={k} value={k}>{certName(k, t)}</option>)}
          </SelectField>
          <Field label={t('证明编号', 'Number')} value={c.number} required maxLength={64} onChange={(e) => set(i, { number: e.target.value })}
            error={fieldErrorOf(error, pick, `${field}.${i}.number`)} />
          <Field label={t('开具单位', 'Issuer')} value={c.issuer} required maxLength={200} onChange={(e) => set(i, { issuer: e.target.value })}
            error={fieldErrorOf(error, pick, `${field}.${i}.issuer`)} />
          <Field label={t('开具日期', 'Issued on')} type="date" value={c.issuedOn} required max={chinaToday()} onChange={(e) => set(i, { issuedOn: e.target.value })}
            error={fieldErrorOf(error, pick, `${field}.${i}.issuedOn`)} />
          <div className="form-actions"><Button kind="link" onClick={() => setCerts(certs.filter((_, k) => k !== i))}>{t('删除此证明', 'Remove this certificate')}</Button></div>
        </div>
      ))}
      {certs.length < 20 && <Button kind="secondary" onClick={() => setCerts([...certs, emptyCert()])}>{t('添加合格证明', 'Add a certificate')}</Button>}
    </fieldset>
  );
}

// ---- after a record -------------------------------------------------------------------------

/** The native records of a batch as far as the caller may see them (GET /api/v1/batches/:id/records), oldest first. */
export function BatchHistory({ batchId, title }: { batchId: string; title?: string }) {
  const { t, dt } = useI18n();
  const q = useQuery({
    queryKey: ['batch-records', batchId],
    queryFn: () => get<{ items: Array<{ seq: string; eventId: string; record: string | null; eventTime: string; operator: { name: string } | null; counterparty: { name: string } | null; event: EventBody }> }>(`/api/v1/batches/${batchId}/records${qs({ limit: 200 })}`),
  });
  return (
    <Card title={title ?? t('批次记录', "The batch's records")}>
      {q.isLoading && <Loading />}
      <ProblemMessage error={q.error} />
      {q.data && (
        <Table rowKey={(r) => r.eventId} rows={q.data.items} caption={t('按时间先后，仅含您可见的记录', 'Oldest first; only records you may see')}
          columns={[
            { key: 'time', title: t('时间', 'Time'), render: (r) => dt(r.eventTime) },
            { key: 'kind', title: t('记录', 'Record'), className: 'nowrap', render: (r) => eventKind(r.event, t) },
            { key: 'who', title: t('记录方 → 对方', 'By → other party'), render: (r) => <>{r.operator?.name ?? '—'}{r.counterparty ? ` → ${r.counterparty.name}` : ''}</> },
            { key: 'goods', title: t('货品与数量', 'Goods and quantity'), render: (r) => <GoodsText e={r.event} /> },
            { key: 'more', title: t('说明', 'Details'), render: (r) => <EventDetails e={r.event} /> },
          ]} />
      )}
    </Card>
  );
}

/** Links to a new batch: its page in the workbench and its label sheet (PDF). */
export function BatchLinks({ b }: { b: BatchView }) {
  const { t } = useI18n();
  const [err, setErr] = useState<unknown>(null);
  return (
    <span className="row">
      <Link to={`/op/batches/${b.id}`}>{t('批次详情与标签', 'Batch and labels')}</Link>
      <Button kind="link" onClick={() => download(`/api/v1/batches/${b.id}/labels.pdf`, `labels-${b.batchCode?.code ?? b.id}.pdf`).catch(setErr)}>
        {t('下载标签 PDF', 'Download labels (PDF)')}
      </Button>
      <ProblemMessage error={err} />
    </span>
  );
}

/** What a record answered: the stored event, batches it created (with codes and labels), and the batch's history. */
export function RecordOutcome({ result, historyBatchId, onNew }: { result: RecordResult; historyBatchId?: string | null; onNew: () => void }) {
  const { t, dt } = useI18n();
  const e = result.event.body;
  const historyId = historyBatchId ?? result.batches[0]?.id ?? null;
  return (
    <>
      <Notice>
        <strong>{t('已记录', 'Recorded')}: {eventKind(e, t)}</strong>{' '}
        {result.replayed && <Badge tone="info">{t('重复提交，返回首次结果', 'Re-submitted: the first answer')}</Badge>}{' '}
        {result.event.duplicate && <Badge tone="info">{t('相同事件已存在，未重复写入', 'Identical event already stored')}</Badge>}
      </Notice>
      <Card title={t('记录的事件', 'The recorded event')} actions={<Button kind="secondary" onClick={onNew}>{t('再记一条', 'Record another')}</Button>}>
        <dl className="facts">
          <dt>{t('事件类型', 'Event type')}</dt><dd>{e.type} · {e.action ?? ''} · {e.bizStep ?? ''}</dd>
          <dt>{t('发生时间', 'When')}</dt><dd>{dt(e.eventTime)}</dd>
          <dt>{t('序号', 'Sequence')}</dt><dd>{result.event.seq}</dd>
          <dt>{t('事件 ID', 'Event ID')}</dt><dd><code style={{ wordBreak: 'break-all' }}>{result.event.eventId}</code></dd>
          <dt>{t('货品', 'Goods')}</dt><dd><GoodsText e={e} /></dd>
          <dt>{t('说明', 'Details')}</dt><dd><EventDetails e={e} /></dd>
        </dl>
      </Card>
      {result.batches.length > 0 && (
        <Card title={t('新批次与新追溯码', 'New batches and their codes')}>
          <Table rowKey={(b) => b.id} rows={result.batches}
            columns={[
              { key: 'product', title: t('产品', 'Product'), render: (b) => b.productName },
              { key: 'lot', title: t('批次号', 'Lot'), render: (b) => b.lotNumber },
              { key: 'qty', title: t('数量', 'Quantity'), className: 'num', render: (b) => `${b.quantity} ${b.unit}` },
              { key: 'code', title: t('追溯码', 'Trace code'), render: (b) => <code>{b.batchCode?.display ?? b.batchCode?.code ?? '—'}</code> },
              { key: 'links', title: t('标签', 'Labels'), render: (b) => <BatchLinks b={b} /> },
            ]} />
        </Card>
      )}
      {historyId && <BatchHistory batchId={historyId} />}
    </>
  );
}
