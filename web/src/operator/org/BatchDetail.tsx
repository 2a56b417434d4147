import { useState, type FormEvent } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, download, get, post } from '../../lib/api.ts';
import { useMe } from '../../lib/auth.tsx';
import { useI18n } from '../../lib/i18n.tsx';
import { Badge, Button, Card, Field, Loading, Notice, PageTitle, ProblemMessage, SelectField, Table } from '../../lib/ui.tsx';
import { STATUS_NAMES, useFieldError, type Batch } from './common.tsx';

// The API's limit on codes per request (MAX_CODES_PER_REQUEST in src/codes/codes-types.ts).
const MAX_CODES = 100_000;
const SHOWN = 200;

interface RecordRow {
  seq: string; record: string | null; eventType: string; bizStep: string | null; eventTime: string;
  operator: { name: string | null } | null; counterparty: { name: string | null } | null;
}

export interface CsvCode { code: string; display: string; kind: 'batch' | 'item'; scanUrl: string; digitalLink: string }

/** Parses the codes CSV the API streams (code, display, kind, scan_url, digital_link; RFC 4180 quoting). */
export function parseCodesCsv(text: string): CsvCode[] {
  const rows: string[][] = [];
  let row: string[] = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false; else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); rows.push(row); row = []; cell = '';
    } else cell += ch;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows.slice(1).filter((r) => r[0]).map(([code, display, kind, scanUrl, digitalLink]) => ({ code, display, kind: kind as CsvCode['kind'], scanUrl, digitalLink }));
}

/** One batch: its facts, batch code, item codes (issue more, download CSV), labels and its records. */
export function BatchDetail() {
  const { id } = useParams();
  const me = useMe();
  const { t, num, dt } = useI18n();
  const [params] = useSearchParams();
  const qc = useQueryClient();
  const batch = useQuery({ queryKey: ['batch', id], queryFn: () => get<Batch>(`/api/v1/batches/${id}`) });
  const codes = useQuery({ queryKey: ['batch-codes', id], queryFn: async () => parseCodesCsv(await api<string>('GET', `/api/v1/batches/${id}/codes.csv`, undefined, { headers: { accept: 'text/csv' } })) });
  const records = useQuery({ queryKey: ['batch-records', id], queryFn: () => get<{ items: RecordRow[]; next: string | null }>(`/api/v1/batches/${id}/records`) });
  const [dlError, setDlError] = useState<unknown>(null);
  if (batch.isLoading) return <Loading />;
  if (batch.error) return <ProblemMessage error={batch.error} />;
  const b = batch.data!;
  const items = codes.data?.filter((c) => c.kind === 'item') ?? [];
  const own = b.operatorId === me.operatorId;
  return (
    <>
      <PageTitle actions={<>
        <Link className="btn btn-secondary" to={`/op/batches/${b.id}/labels`}>{t('打印标签', 'Print labels')}</Link>
      </>}>
        {b.productName} · {t('批次', 'lot')} {b.lotNumber}
      </PageTitle>
      <p><Link to="/op/batches">← {t('返回批次列表', 'Back to batches')}</Link></p>
      {params.get('created') === '1' && <Notice>{t('批次已登记，批次码已生成。', 'The batch is recorded and its batch code issued.')}</Notice>}
      <div className="grid">
        <Card title={t('批次信息', 'Batch')}>
          <dl className="facts">
            <dt>{t('产品', 'Product')}</dt><dd>{b.productName}{b.gtin ? <> · GTIN <code>{b.gtin}</code></> : null}</dd>
            <dt>{t('批次号', 'Lot')}</dt><dd>{b.lotNumber}</dd>
            <dt>{t('数量', 'Quantity')}</dt><dd>{b.quantity} {b.unit}</dd>
            <dt>{t('生产/采收日期', 'Produced / harvested')}</dt><dd>{b.producedOn}</dd>
            <dt>{t('保质期至', 'Expires')}</dt><dd>{b.expiresOn ?? '—'}</dd>
            <dt>{t('场所', 'Site')}</dt><dd>{b.site.name} · {b.site.divisionName}</dd>
            <dt>{t('登记时间', 'Recorded')}</dt><dd>{dt(b.createdAt)}</dd>
          </dl>
        </Card>
        <Card title={t('批次码', 'Batch code')}>
          {b.batchCode ? (
            <dl className="facts">
              <dt>{t('追溯码', 'Code')}</dt><dd><code>{b.batchCode.display}</code></dd>
              <dt>{t('状态', 'Status')}</dt><dd><StatusBadge status={b.batchCode.status} /></dd>
              <dt>{t('扫码地址', 'Scan URL')}</dt><dd><a href={b.batchCode.scanUrl} target="_blank" rel="noreferrer">{b.batchCode.scanUrl}</a></dd>
              {b.batchCode.digitalLink && <><dt>GS1 Digital Link</dt><dd><code>{b.batchCode.digitalLink}</code></dd></>}
            </dl>
          ) : <p className="muted">—</p>}
          <p className="row" style={{ marginTop: 12 }}>
            {b.batchCode && <Link to={`/op/trace?code=${encodeURIComponent(b.batchCode.code)}`}>{t('追溯查询', 'Trace it')}</Link>}
            <Link to="/op/records">{t('记录下一环节', 'Record the next step')}</Link>
          </p>
        </Card>
      </div>
      {own && <IssueItemCodes batchId={b.id} onIssued={() => qc.invalidateQueries({ queryKey: ['batch-codes', id] })} />}
      <Card title={t('单品码', 'Item codes')} actions={
        <Button kind="secondary" onClick={() => { setDlError(null); download(`/api/v1/batches/${b.id}/codes.csv`, `batch-${b.lotNumber}-codes.csv`).catch(setDlError); }}>
          {t('下载追溯码 CSV', 'Download codes (CSV)')}
        </Button>
      }>
        <ProblemMessage error={dlError ?? codes.error} />
        {codes.isLoading && <Loading />}
        {codes.data && (
          <>
            <p>{t(`共 ${num(items.length)} 个单品码`, `${num(items.length)} item codes`)}{items.length > SHOWN ? t(`，显示前 ${SHOWN} 个`, `; the first ${SHOWN} shown`) : ''}</p>
            {items.length > 0 && (
              <ol className="code-list">
                {items.slice(0, SHOWN).map((c) => <li key={c.code}><code>{c.display}</code></li>)}
              </ol>
            )}
          </>
        )}
      </Card>
      <Card title={t('批次记录', 'Batch records')}>
        <ProblemMessage error={records.error} />
        {records.isLoading && <Loading />}
        {records.data && (
          <Table rows={records.data.items} rowKey={(r) => r.seq} empty={t('还没有记录', 'No records yet')} columns={[
            { key: 't', title: t('时间', 'Time'), render: (r) => dt(r.eventTime) },
            { key: 'r', title: t('记录', 'Record'), render: (r) => r.record ?? r.eventType },
            { key: 'b', title: t('业务步骤', 'Business step'), render: (r) => (r.bizStep ? <code>{r.bizStep.replace(/^.*[:/]/, '')}</code> : '—') },
            { key: 'o', title: t('主体', 'Operator'), render: (r) => r.operator?.name ?? '—' },
            { key: 'c', title: t('对方', 'Counterparty'), render: (r) => r.counterparty?.name ?? '—' },
          ]} />
        )}
        {records.data?.next && <p className="muted">{t('仅显示前 200 条', 'The first 200 are shown')}</p>}
      </Card>
    </>
  );
}

export function StatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  const s = STATUS_NAMES[status];
  return s ? <Badge tone={s[2]}>{t(s[0], s[1])}</Badge> : <Badge>{status}</Badge>;
}

function IssueItemCodes({ batchId, onIssued }: { batchId: string; onIssued: () => void }) {
  const { t, num } = useI18n();
  const [count, setCount] = useState('10');
  const [via, setVia] = useState<'platform' | 'download'>('platform');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [issued, setIssued] = useState<number | null>(null);
  const fieldError = useFieldError(error);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true); setError(null); setIssued(null);
    try {
      const r = await post<{ count: number }>(`/api/v1/batches/${batchId}/item-codes`, { count: Number(count), issuedVia: via });
      setIssued(r.count);
      onIssued();
    } catch (err) { setError(err); } finally { setBusy(false); }
  };
  return (
    <Card title={t('生成单品码', 'Issue item codes')}>
      {issued !== null && <Notice>{t(`已生成 ${num(issued)} 个单品码`, `${num(issued)} item codes issued`)}</Notice>}
      <form className="form" onSubmit={submit} aria-label={t('生成单品码', 'Issue item codes')}>
        <Field label={t('数量', 'How many')} type="number" required min={1} max={MAX_CODES} step={1} value={count} onChange={(e) => setCount(e.target.value)}
          error={fieldError('count')} hint={t(`每次 1 至 ${num(MAX_CODES)} 个`, `1 to ${num(MAX_CODES)} per request`)} />
        <SelectField label={t('打印方式', 'Printed')} value={via} onChange={(e) => setVia(e.target.value as 'platform' | 'download')}>
          <option value="platform">{t('在平台打印标签', 'from the platform (labels)')}</option>
          <option value="download">{t('下载后自行打印', 'elsewhere, after download')}</option>
        </SelectField>
        <ProblemMessage error={error} />
        <div className="form-actions"><Button type="submit" busy={busy}>{t('生成', 'Issue')}</Button></div>
      </form>
    </Card>
  );
}
