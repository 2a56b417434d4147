import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { get, qs } from '../../lib/api.ts';
import { useI18n } from '../../lib/i18n.tsx';
import { Button, Card, Field, Loading, PageTitle, ProblemMessage, SelectField, Table } from '../../lib/ui.tsx';

interface Entry {
  id: string; at: string; actorId: string | null; actorRole: string; operatorId: string | null;
  actorDivision: string | null; subjectDivision: string | null; kind: string; query: Record<string, unknown>; resultCount: number;
}
interface Filters { kind: string; since: string; limit: number }

// The kinds the services log (src/*/…-service.ts logQuery calls); any other kind can still be typed.
const KINDS: Array<[string, string, string]> = [
  ['trace', '追溯查询', 'Trace'], ['event', '事件查看', 'Event'], ['batch.records', '批次记录', 'Batch records'],
  ['epcis.query', 'EPCIS 查询', 'EPCIS query'], ['risk.warnings', '预警列表', 'Warning list'], ['risk.warning', '预警详情', 'Warning'],
];

/** Who read which trace data: newest first, filtered by kind and time, paged by id. */
export default function QueryLog() {
  const { t, dt, num } = useI18n();
  const [draft, setDraft] = useState<Filters>({ kind: '', since: '', limit: 50 });
  const [filters, setFilters] = useState<Filters>(draft);
  // The `before` cursor of each page visited, so that "previous" goes back exactly.
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const before = cursors[cursors.length - 1];
  const since = filters.since ? new Date(filters.since).toISOString() : undefined;
  const q = useQuery({
    queryKey: ['query-log', filters, before],
    queryFn: () => get<{ items: Entry[] }>(`/api/v1/query-log${qs({ kind: filters.kind || undefined, since, before, limit: filters.limit })}`),
  });
  const apply = (e: FormEvent) => { e.preventDefault(); setFilters(draft); setCursors([undefined]); };
  const items = q.data?.items ?? [];
  const kindName = (k: string) => { const f = KINDS.find((x) => x[0] === k); return f ? t(f[1], f[2]) : k; };
  return (
    <>
      <PageTitle>{t('查询日志', 'Query log')}</PageTitle>
      <Card>
        <form className="form" onSubmit={apply} aria-label={t('筛选', 'Filters')}>
          <SelectField label={t('查询类型', 'Kind')} value={draft.kind} onChange={(e) => setDraft({ ...draft, kind: e.target.value })}>
            <option value="">{t('全部', 'All')}</option>
            {KINDS.map(([k, zh, en]) => <option key={k} value={k}>{t(zh, en)}</option>)}
          </SelectField>
          <Field label={t('起始时间', 'Since')} type="datetime-local" value={draft.since} onChange={(e) => setDraft({ ...draft, since: e.target.value })} />
          <SelectField label={t('每页条数', 'Per page')} value={String(draft.limit)} onChange={(e) => setDraft({ ...draft, limit: Number(e.target.value) })}>
            {[20, 50, 100, 500].map((n) => <option key={n} value={n}>{n}</option>)}
          </SelectField>
          <div className="form-actions"><Button type="submit">{t('查询', 'Search')}</Button></div>
        </form>
      </Card>
      {q.error && <ProblemMessage error={q.error} />}
      {q.isLoading ? <Loading /> : (
        <Card title={t(`第 ${cursors.length} 页`, `Page ${cursors.length}`)}>
          <Table caption={t('最新的在前', 'Newest first')} rowKey={(r) => r.id} rows={items} empty={t('没有符合条件的查询记录', 'No entries match')} columns={[
            { key: 'at', title: t('时间', 'When'), render: (r) => dt(r.at) },
            { key: 'kind', title: t('类型', 'Kind'), render: (r) => kindName(r.kind) },
            { key: 'who', title: t('查询者', 'Asked by'), render: (r) => <>{r.actorRole}{r.actorDivision ? <> · <code>{r.actorDivision}</code></> : null}<br /><code className="muted">{r.actorId ?? '—'}</code></> },
            { key: 'query', title: t('查询内容', 'Query'), render: (r) => <code className="query-json">{JSON.stringify(r.query)}</code> },
            { key: 'subject', title: t('对象所在地', 'Subject division'), render: (r) => r.subjectDivision ? <code>{r.subjectDivision}</code> : '—' },
            { key: 'count', title: t('结果数', 'Results'), className: 'num', render: (r) => num(r.resultCount) },
          ]} />
          <div className="row" style={{ marginTop: 8 }}>
            <Button kind="secondary" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>{t('上一页', 'Previous')}</Button>
            <Button kind="secondary" disabled={items.length < filters.limit} onClick={() => setCursors([...cursors, items[items.length - 1].id])}>{t('下一页', 'Next')}</Button>
          </div>
        </Card>
      )}
    </>
  );
}
