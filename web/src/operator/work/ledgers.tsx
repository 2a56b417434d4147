/**
 * Electronic ledgers (电子台账): the purchase and sales ledgers small operators keep in spreadsheets. Download the
 * template, upload CSV/XLSX (each valid row becomes a receiving or sale record; each refused row is listed with its
 * row number and reason; a re-import adds nothing), and export the ledger.
 */
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, download, qs } from '../../lib/api.ts';
import { useI18n, type Bilingual } from '../../lib/i18n.tsx';
import { Badge, Button, Card, Field, Notice, PageTitle, ProblemMessage, Stats, Table } from '../../lib/ui.tsx';
import { chinaToday } from '../../lib/divisions.ts';

type Kind = 'purchase' | 'sales';
const NAMES: Record<Kind, [string, string]> = { purchase: ['进货台账', 'Purchase ledger'], sales: ['销售台账', 'Sales ledger'] };

/** The answer of POST /api/v1/ledgers/{kind} (src/ledgers/ledgers-routes.ts ImportResult). */
interface ImportResult {
  ledger: Kind; file: { format: 'csv' | 'xlsx'; encoding: string | null };
  total: number; stored: number; unchanged: number; failed: number;
  errors: Array<{ row: number; code: string; message: Bilingual; field: string | null; column: string | null }>;
  ignoredColumns: string[];
  noUpstreamRecord: Array<{ row: number; batchId: string; batchCode: string }>;
}

function ImportCard({ kind }: { kind: Kind }) {
  const { t, pick } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [inputKey, setInputKey] = useState(0);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setBusy(true); setError(null); setResult(null);
    const form = new FormData();
    form.append('file', file, file.name);
    try { setResult(await api<ImportResult>('POST', `/api/v1/ledgers/${kind}`, form)); } catch (x) { setError(x); } finally { setBusy(false); }
  };
  return (
    <Card title={t('导入', 'Import')}>
      <form className="form" onSubmit={submit}>
        <Field key={inputKey} label={t('台账文件（CSV 或 XLSX）', 'Ledger file (CSV or XLSX)')} type="file" required
          accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          hint={t('CSV 可为 UTF-8 或 GB18030；表头为模板中的列名', 'CSV in UTF-8 or GB18030; headers as in the template')}
          onChange={(e) => { setFile(e.target.files?.[0] ?? null); setResult(null); }} />
        <ProblemMessage error={error} />
        <div className="form-actions">
          <Button type="submit" busy={busy} disabled={!file}>{t('上传并导入', 'Upload and import')}</Button>
          {result && <Button kind="secondary" onClick={() => { setFile(null); setResult(null); setInputKey((k) => k + 1); }}>{t('导入另一个文件', 'Import another file')}</Button>}
        </div>
      </form>
      {result && (
        <div style={{ marginTop: 16 }}>
          <Notice>
            {t('导入完成', 'Import finished')}: {file?.name} · {result.file.format.toUpperCase()}{result.file.encoding ? ` · ${result.file.encoding}` : ''}
          </Notice>
          <Stats label={t('导入结果', 'Import result')} items={[
            { label: t('数据行', 'Data rows'), value: result.total }, { label: t('本次新增记录', 'Recorded now'), value: result.stored },
            { label: t('已导入过（未重复记录）', 'Imported before (nothing added)'), value: result.unchanged }, { label: t('有误未导入', 'Refused'), value: result.failed },
          ]} />
          {result.ignoredColumns.length > 0 && (
            <p className="hint">{t('未识别的列（未导入）', 'Columns not recognised (not imported)')}: {result.ignoredColumns.join('、')}</p>
          )}
          {result.errors.length > 0 && (
            <Table rowKey={(r) => `${r.row}-${r.code}-${r.column}`} rows={result.errors} caption={t('有误的行（表头为第 1 行）', 'Refused rows (the header is row 1)')}
              columns={[
                { key: 'row', title: t('行号', 'Row'), className: 'num', render: (r) => r.row },
                { key: 'col', title: t('列', 'Column'), render: (r) => r.column ?? '—' },
                { key: 'why', title: t('原因', 'Reason'), render: (r) => pick(r.message) },
                { key: 'code', title: t('代码', 'Code'), render: (r) => <code>{r.code}</code> },
              ]} />
          )}
          {result.noUpstreamRecord.length > 0 && (
            <Table rowKey={(r) => r.batchId} rows={result.noUpstreamRecord} caption={t('无上游记录的进货：已生成本地批次和追溯码，请打印标签', 'Purchases with no upstream record: local batches and codes were created; print their labels')}
              columns={[
                { key: 'row', title: t('行号', 'Row'), className: 'num', render: (r) => r.row },
                { key: 'flag', title: t('标注', 'Flag'), render: () => <Badge tone="warn">{t('无上游记录', 'No upstream record')}</Badge> },
                { key: 'code', title: t('追溯码', 'Trace code'), render: (r) => <code>{r.batchCode}</code> },
                { key: 'link', title: t('批次', 'Batch'), render: (r) => <Link to={`/op/batches/${r.batchId}`}>{t('批次详情与标签', 'Batch and labels')}</Link> },
              ]} />
          )}
        </div>
      )}
    </Card>
  );
}

function ExportCard({ kind }: { kind: Kind }) {
  const { t } = useI18n();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true); setError(null);
    const span = [from, to].filter(Boolean).join('_');
    try { await download(`/api/v1/ledgers/${kind}.xlsx${qs({ from, to })}`, `${kind}-ledger${span ? `-${span}` : ''}.xlsx`); } catch (x) { setError(x); } finally { setBusy(false); }
  };
  return (
    <Card title={t('导出', 'Export')}>
      <form className="form" onSubmit={submit}>
        <Field label={t('起始日期', 'From')} type="date" max={chinaToday()} value={from} onChange={(e) => setFrom(e.target.value)} />
        <Field label={t('截止日期', 'To')} type="date" min={from || undefined} value={to} onChange={(e) => setTo(e.target.value)} />
        <ProblemMessage error={error} />
        <div className="form-actions"><Button type="submit" busy={busy}>{t('导出 XLSX', 'Export XLSX')}</Button></div>
      </form>
    </Card>
  );
}

export function LedgersPage() {
  const { t } = useI18n();
  const [kind, setKind] = useState<Kind>('purchase');
  const [error, setError] = useState<unknown>(null);
  const name = t(...NAMES[kind]);
  return (
    <>
      <PageTitle actions={
        <Button kind="secondary" onClick={() => { setError(null); download(`/api/v1/ledgers/templates/${kind}.xlsx`, `${kind}-ledger-template.xlsx`).catch(setError); }}>
          {t(`下载${name}模板`, `Download the ${name.toLowerCase()} template`)}
        </Button>
      }>{t('电子台账', 'Electronic ledgers')}</PageTitle>
      <ProblemMessage error={error} />
      <div className="tabs" role="tablist" aria-label={t('台账', 'Ledger')}>
        {(['purchase', 'sales'] as const).map((k) => (
          <button key={k} type="button" role="tab" aria-selected={kind === k} onClick={() => setKind(k)}>{t(...NAMES[k])}</button>
        ))}
      </div>
      <p className="muted">
        {kind === 'purchase'
          ? t('每行一次进货：有上游追溯码的记为收货（进场准入），没有的生成本地批次并标注“无上游记录”。', 'One purchase per row: with an upstream code it is recorded as receiving (entry admission); without one a local batch is created and flagged "no upstream record".')
          : t('每行一次销售：卖给经营主体须填对方统一社会信用代码，卖给消费者可不填。', 'One sale per row: a sale to a business needs its USCC; a sale to consumers does not.')}
        {' '}{t('同一文件重复导入不会重复记录。', 'Importing the same file again adds nothing.')}
      </p>
      <div key={kind}>
        <ImportCard kind={kind} />
        <ExportCard kind={kind} />
      </div>
    </>
  );
}
