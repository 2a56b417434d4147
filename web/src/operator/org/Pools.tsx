import { useCallback, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, download, get, post } from '../../lib/api.ts';
import { useMe, type Me } from '../../lib/auth.tsx';
import { useI18n } from '../../lib/i18n.tsx';
import { CodeScanner, extractCode } from '../../lib/scanner.tsx';
import { Badge, Button, Card, Field, Loading, Notice, PageTitle, ProblemMessage, SelectField, Stats, Table } from '../../lib/ui.tsx';
import { isAdmin, isWorker, useFieldError, useOperator, useUsccCheck, type Batch, type Pool } from './common.tsx';

// The API's limit on codes per request (MAX_CODES_PER_REQUEST in src/codes/codes-types.ts).
const MAX_CODES = 100_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Code pools: create one for a printer (operator-admin), open one, and activate pre-printed codes by scanning (admin and staff). */
export function Pools() {
  const me = useMe();
  const { t } = useI18n();
  const nav = useNavigate();
  const [openId, setOpenId] = useState('');
  const openError = openId && !UUID.test(openId.trim()) ? t('码池编号是一个 UUID', 'A pool id is a UUID') : null;
  return (
    <>
      <PageTitle>{isWorker(me) ? t('码池与扫码激活', 'Code pools and activation') : t('码池', 'Code pools')}</PageTitle>
      {isWorker(me) && <ScanActivate />}
      {isAdmin(me) && <CreatePool onCreated={(p) => nav(`/op/pools/${p.id}?created=1`)} />}
      <Card title={t('打开码池', 'Open a pool')}>
        <form className="form" aria-label={t('打开码池', 'Open a pool')} onSubmit={(e) => { e.preventDefault(); if (!openError && openId.trim()) nav(`/op/pools/${openId.trim().toLowerCase()}`); }}>
          <Field label={t('码池编号', 'Pool id')} required value={openId} onChange={(e) => setOpenId(e.target.value)} autoComplete="off" error={openError}
            hint={me.role === 'printer' ? t('由委托印刷的主体提供', 'Given by the operator that ordered the labels') : undefined} />
          <div className="form-actions"><Button type="submit">{t('打开', 'Open')}</Button></div>
        </form>
      </Card>
      <Card title={me.role === 'printer' ? t('承印的码池', 'Pools we print') : t('本主体的码池', 'Our pools')}>
        <PoolList />
      </Card>
    </>
  );
}

/** The pools this operator ordered or prints (GET /api/v1/code-pools), newest first. */
function PoolList() {
  const { t, dt, num } = useI18n();
  const pools = useQuery({ queryKey: ['pools'], queryFn: () => get<{ items: Array<Pool & { ownerName: string; printerName: string | null }> }>('/api/v1/code-pools?limit=100') });
  if (pools.isLoading) return <Loading />;
  if (pools.error) return <ProblemMessage error={pools.error} />;
  return (
    <Table rows={pools.data?.items ?? []} rowKey={(p) => p.id} empty={t('还没有码池', 'No pools yet')} columns={[
      { key: 'id', title: t('码池', 'Pool'), render: (p) => <Link to={`/op/pools/${p.id}`}><code>{p.id.slice(0, 8)}</code></Link> },
      { key: 'o', title: t('委托方 / 印刷方', 'Owner / printer'), render: (p) => <>{p.ownerName}<br /><small className="muted">{p.printerName ?? '—'}</small></> },
      { key: 'n', title: t('备注', 'Note'), render: (p) => p.note ?? '—' },
      { key: 'k', title: t('码类型', 'Kind'), render: (p) => (p.kind === 'item' ? t('单品码', 'item') : t('批次码', 'batch')) },
      { key: 's', title: t('总数', 'Size'), render: (p) => num(p.size), className: 'num' },
      { key: 'u', title: t('未激活', 'Unassigned'), render: (p) => num(p.counts.unassigned), className: 'num' },
      { key: 'a', title: t('已激活', 'Active'), render: (p) => num(p.counts.active), className: 'num' },
      { key: 'c', title: t('生成时间', 'Created'), render: (p) => dt(p.createdAt) },
    ]} />
  );
}

function CreatePool({ onCreated }: { onCreated: (p: Pool) => void }) {
  const me = useMe();
  const { t } = useI18n();
  const op = useOperator();
  const [f, setF] = useState({ printerUscc: '', kind: 'item', size: '1000', note: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fieldError = useFieldError(error);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }));
  // The printer is named by its USCC; the registry's check says which operator that is.
  const printer = useUsccCheck(f.printerUscc);
  const printerError = f.printerUscc && printer && !printer.registered
    ? (printer.valid ? t('没有以此代码登记的主体', 'No operator is registered with this USCC') : t('统一社会信用代码无效', 'The USCC is not valid'))
    : fieldError('printerOperatorId');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (f.printerUscc && !printer?.registered) return;
    setBusy(true); setError(null);
    try {
      onCreated(await post<Pool>('/api/v1/code-pools', {
        ownerOperatorId: me.operatorId, printerOperatorId: printer?.registered?.id ?? null, kind: f.kind, size: Number(f.size), note: f.note || null,
      }));
    } catch (err) { setError(err); } finally { setBusy(false); }
  };
  if (op.data && op.data.status !== 'approved') return null;
  return (
    <Card title={t('生成码池（交印刷企业预印）', 'Issue a pool for a printer')}>
      <form className="form" onSubmit={submit} aria-label={t('生成码池', 'Issue a pool')}>
        <Field label={t('印刷企业统一社会信用代码', 'Printer\'s USCC')} value={f.printerUscc} onChange={set('printerUscc')} maxLength={40} autoComplete="off"
          error={printerError} hint={printer?.registered ? `${printer.registered.name}` : t('留空则由本主体自行打印', 'Empty: printed by this operator itself')} />
        <SelectField label={t('码类型', 'Kind')} value={f.kind} onChange={set('kind')}>
          <option value="item">{t('单品码', 'Item codes')}</option>
          <option value="batch">{t('批次码', 'Batch codes')}</option>
        </SelectField>
        <Field label={t('数量', 'Size')} type="number" required min={1} max={MAX_CODES} step={1} value={f.size} onChange={set('size')} error={fieldError('size')} />
        <Field label={t('备注', 'Note')} maxLength={500} value={f.note} onChange={set('note')} placeholder={t('如：500g 袋装预印标签', 'e.g. pre-printed 500 g bag labels')} />
        <ProblemMessage error={error} />
        <div className="form-actions"><Button type="submit" busy={busy}>{t('生成码池', 'Issue the pool')}</Button></div>
      </form>
    </Card>
  );
}

/** One pool: its counts, the codes file and labels, and (for the owner's admin and staff) activation for a batch. */
export function PoolDetail() {
  const { id } = useParams();
  const me = useMe();
  const { t, dt } = useI18n();
  const qc = useQueryClient();
  const [params] = useSearchParams();
  const pool = useQuery({ queryKey: ['pool', id], queryFn: () => get<Pool>(`/api/v1/code-pools/${id}`) });
  const [dlError, setDlError] = useState<unknown>(null);
  if (pool.isLoading) return <Loading />;
  if (pool.error) return <><p><Link to="/op/pools">← {t('返回码池', 'Back to pools')}</Link></p><ProblemMessage error={pool.error} /></>;
  const p = pool.data!;
  const owner = p.ownerOperatorId === me.operatorId;
  return (
    <>
      <PageTitle actions={<Link className="btn btn-secondary" to={`/op/pools/${p.id}/labels`}>{t('打印标签', 'Print labels')}</Link>}>
        {t('码池', 'Code pool')} <code>{p.id.slice(0, 8)}</code>
      </PageTitle>
      <p><Link to="/op/pools">← {t('返回码池', 'Back to pools')}</Link></p>
      {params.get('created') === '1' && (
        <Notice>{t('码池已生成。请把码池编号交给印刷企业，或下载追溯码文件。', 'The pool is issued. Give the pool id to the printer, or download the codes file.')}</Notice>
      )}
      <Stats style={{ marginBottom: 16 }} items={[
        { label: t('总数', 'Size'), value: p.size }, { label: t('未激活', 'Unassigned'), value: p.counts.unassigned },
        { label: t('已激活', 'Active'), value: p.counts.active }, { label: t('已作废', 'Void'), value: p.counts.void },
      ]} />
      <Card title={t('码池信息', 'Pool')} actions={
        <Button kind="secondary" onClick={() => { setDlError(null); download(`/api/v1/code-pools/${p.id}/codes.csv`, `pool-${p.id}-codes.csv`).catch(setDlError); }}>
          {t('下载追溯码 CSV', 'Download codes (CSV)')}
        </Button>
      }>
        <ProblemMessage error={dlError} />
        <dl className="facts">
          <dt>{t('码池编号', 'Pool id')}</dt><dd><code>{p.id}</code></dd>
          <dt>{t('码类型', 'Kind')}</dt><dd>{p.kind === 'item' ? t('单品码', 'item codes') : t('批次码', 'batch codes')}</dd>
          <dt>{t('备注', 'Note')}</dt><dd>{p.note ?? '—'}</dd>
          <dt>{t('印刷企业', 'Printer')}</dt><dd>{p.printerOperatorId ? (p.printerOperatorId === me.operatorId ? t('本企业', 'this company') : <code>{p.printerOperatorId}</code>) : t('无（自行打印）', 'none (printed in house)')}</dd>
          <dt>{t('生成时间', 'Created')}</dt><dd>{dt(p.createdAt)}</dd>
        </dl>
      </Card>
      {owner && isWorker(me) && <ActivateFromPool pool={p} onDone={() => qc.invalidateQueries({ queryKey: ['pool', id] })} />}
      {owner && isWorker(me) && <ScanActivate onActivated={() => qc.invalidateQueries({ queryKey: ['pool', id] })} />}
    </>
  );
}

function useRecentBatches() {
  const me = useMe();
  return useQuery({ queryKey: ['batches', me.operatorId, 'picker'], queryFn: async () => (await get<{ items: Batch[] }>(`/api/v1/operators/${me.operatorId}/batches?limit=500`)).items });
}

function BatchPicker({ value, onChange, error }: { value: string; onChange: (id: string) => void; error?: string | null }) {
  const { t } = useI18n();
  const batches = useRecentBatches();
  return (
    <SelectField label={t('激活到批次', 'Activate for batch')} required value={value} onChange={(e) => onChange(e.target.value)} error={error}>
      <option value="">{batches.isLoading ? t('加载中…', 'Loading…') : t('请选择批次', 'Choose a batch')}</option>
      {batches.data?.map((b) => <option key={b.id} value={b.id}>{b.productName} · {b.lotNumber} · {b.producedOn}</option>)}
    </SelectField>
  );
}

function ActivateFromPool({ pool, onDone }: { pool: Pool; onDone: () => void }) {
  const { t, num } = useI18n();
  const [batchId, setBatchId] = useState('');
  const [count, setCount] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<{ count: number; codes: string[] } | null>(null);
  const fieldError = useFieldError(error);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true); setError(null); setDone(null);
    try {
      setDone(await post<{ count: number; codes: string[] }>(`/api/v1/code-pools/${pool.id}/activate`, { batchId, count: Number(count) }));
      onDone();
    } catch (err) { setError(err); } finally { setBusy(false); }
  };
  return (
    <Card title={t('按卷激活（接下来的 N 个码）', 'Activate a roll (the next N codes)')}>
      {done && <Notice>{t(`已激活 ${num(done.count)} 个码：${done.codes[0]} … ${done.codes.at(-1)}`, `${num(done.count)} codes activated: ${done.codes[0]} … ${done.codes.at(-1)}`)}</Notice>}
      <form className="form" onSubmit={submit} aria-label={t('按卷激活', 'Activate a roll')}>
        <BatchPicker value={batchId} onChange={setBatchId} error={fieldError('batchId')} />
        <Field label={t('数量', 'How many')} type="number" required min={1} max={Math.min(MAX_CODES, Math.max(1, pool.counts.unassigned))} step={1}
          value={count} onChange={(e) => setCount(e.target.value)} error={fieldError('count')}
          hint={t(`剩余 ${num(pool.counts.unassigned)} 个未激活`, `${num(pool.counts.unassigned)} unassigned left`)} />
        <ProblemMessage error={error} />
        <div className="form-actions"><Button type="submit" busy={busy} disabled={pool.counts.unassigned === 0}>{t('激活', 'Activate')}</Button></div>
      </form>
    </Card>
  );
}

type Outcome = 'activated' | 'already' | 'others' | 'void' | 'unknown' | 'error';
interface ScanResult { n: number; input: string; outcome: Outcome; display?: string; poolId?: string | null; product?: string; message?: string }

/** Activates pre-printed codes one by one for a batch, by camera or typing, listing each result. */
function ScanActivate({ onActivated }: { onActivated?: () => void }) {
  const { t, pick } = useI18n();
  const [batchId, setBatchId] = useState('');
  const [results, setResults] = useState<ScanResult[]>([]);
  const [needBatch, setNeedBatch] = useState(false);
  const onCode = useCallback(async (raw: string) => {
    const code = extractCode(raw);
    if (!batchId) { setNeedBatch(true); return; }
    setNeedBatch(false);
    const n = Date.now() + Math.random();
    let r: ScanResult;
    try {
      const d = await post<{ display: string; issue: { poolId: string | null } | null; product: { name: string } | null }>(`/api/v1/codes/${encodeURIComponent(code)}/activate`, { batchId });
      r = { n, input: code, outcome: 'activated', display: d.display, poolId: d.issue?.poolId, product: d.product?.name };
      onActivated?.();
    } catch (e) {
      const c = e instanceof ApiError ? e.code : '';
      const outcome: Outcome = c === 'CODE_ALREADY_ACTIVE' ? 'already' : c === 'CODE_NOT_YOURS' ? 'others' : c === 'CODE_VOID' ? 'void'
        : c === 'CODE_UNKNOWN' || c === 'CODE_FORMAT' || c === 'CODE_CHECKSUM' ? 'unknown' : 'error';
      r = { n, input: code, outcome, message: e instanceof ApiError ? pick(e.problem.message) : String(e) };
    }
    setResults((xs) => [r, ...xs].slice(0, 200));
  }, [batchId, onActivated, pick]);
  const label: Record<Outcome, [string, 'good' | 'warn' | 'bad']> = {
    activated: [t('已激活', 'Activated'), 'good'], already: [t('此前已激活', 'Already active'), 'warn'],
    others: [t('属于其他主体', "Someone else's"), 'bad'], void: [t('已作废', 'Void'), 'bad'],
    unknown: [t('无效或未知的码', 'Invalid or unknown code'), 'bad'], error: [t('失败', 'Failed'), 'bad'],
  };
  const counts = results.reduce<Record<string, number>>((m, r) => ({ ...m, [r.outcome]: (m[r.outcome] ?? 0) + 1 }), {});
  return (
    <Card title={t('扫码激活预印码', 'Activate pre-printed codes by scanning')}>
      <p className="muted">{t('选择批次后，逐个扫描或输入标签上的追溯码；每个码的结果显示在下方。', 'Choose the batch, then scan or type each label\'s code; each result is listed below.')}</p>
      <div className="form" style={{ marginBottom: 12 }}>
        <BatchPicker value={batchId} onChange={(v) => { setBatchId(v); setNeedBatch(false); }} error={needBatch ? t('请先选择批次', 'Choose a batch first') : null} />
      </div>
      <CodeScanner onCode={onCode} label={t('预印标签上的追溯码', 'Code on the pre-printed label')} />
      {results.length > 0 && (
        <>
          <p className="row" aria-live="polite" style={{ marginTop: 12 }}>
            {(Object.keys(label) as Outcome[]).filter((k) => counts[k]).map((k) => <Badge key={k} tone={label[k][1]}>{label[k][0]}: {counts[k]}</Badge>)}
          </p>
          <ul className="results" aria-label={t('激活结果', 'Activation results')}>
            {results.map((r) => (
              <li key={r.n}>
                <Badge tone={label[r.outcome][1]}>{label[r.outcome][0]}</Badge>
                <code>{r.display ?? r.input}</code>
                {r.product && <span>{r.product}</span>}
                {r.poolId && <Link to={`/op/pools/${r.poolId}`}>{t('所属码池', 'its pool')}</Link>}
                {r.message && <span className="muted">{r.message}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
    </Card>
  );
}
