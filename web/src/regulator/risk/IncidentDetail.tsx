import { useMemo, useState, type FormEvent } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { download, get, post } from '../../lib/api.ts';
import { useAuth, type Me } from '../../lib/auth.tsx';
import { useI18n } from '../../lib/i18n.tsx';
import { Badge, Button, Card, Loading, Notice, PageTitle, ProblemMessage, SelectField, Stats, Table, TextArea, VocabOptions } from '../../lib/ui.tsx';
import { BarChart } from './BarChart.tsx';
import { OPERATOR_TYPE_NAMES } from '../../../../src/registry/registry-types.ts';
import { INCIDENT_REASONS, INCIDENT_STATUSES, named, NOTICE_KINDS, RECALL_LEVELS, RESPONSE_ACTIONS } from '../../lib/vocabulary.ts';
import { levelTone, RUN_STATUSES, SOURCE_PARTS, statusTone } from './labels.ts';
import { CodeLink, CodeList, Facts } from './parts.tsx';
import type { Incident } from './Incidents.tsx';

interface OperatorRef { id: string; name: string | null; uscc: string | null; divisionCode: string | null }
interface Holding {
  code: string; kind: string; product: string | null; lotNumber: string | null; depth: number;
  operator: OperatorRef & { division: string; types: string[] }; inJurisdiction: boolean; unit: string;
  reached: string; passedOn: string; soldToConsumers: string; processed: string; destroyed: string; onHand: string; soldOn: boolean;
}
interface Affected { computedAt: string; truncated: boolean; codes: number; operators: number; holdings: Holding[] }
interface Sources {
  codes: string[];
  batches: Array<{ code: string; shared: number; of: number; depth: number; product: string | null; lotNumber: string | null; producedOn: string | null; operator: OperatorRef | null }>;
  operators: Array<OperatorRef & { shared: number; of: number; parts: string[] }>;
}
interface Totals { unit: string; reached: string; onHand: string; soldToConsumers: string }
interface DivisionImpact { divisionCode: string; name: string; level: string; operators: number; totals: Totals[]; children: DivisionImpact[] }
interface Impact {
  operators: number; byDivision: DivisionImpact[]; byOperatorType: Array<{ type: string; operators: number; totals: Totals[] }>;
  scans: { total: number; byDivisionAndDay: Array<{ divisionCode: string; division: string; day: string; scans: number }> };
}
interface NoticeView {
  id: string; kind: string; message: string | null; operator: OperatorRef; createdAt: string; dueAt: string;
  acknowledgedAt: string | null; respondedAt: string | null; escalatedAt: string | null;
  lines: Array<{ code: string; unit: string; onHand: string }>; accounted: Array<{ action: string; unit: string; quantity: string }>;
  webhookDeliveries: { pending: number; delivered: number; dead: number };
}
interface Notices { notices: NoticeView[]; handover: Array<{ operator: OperatorRef; division: string; codes: number }> }
interface Progress {
  status: string; notices: { total: number; acknowledged: number; responded: number; escalated: number; unanswered: number };
  quantities: Array<Totals & { held: string; returned: string; destroyed: string; toAccount: string; accounted: string; accountedShare: number | null }>;
}
interface Run {
  id: string; kind: string; status: string; attempts: number; lastError: string | null; createdAt: string; finishedAt: string | null;
  steps: Array<{ name: string; status: string; attempts: number; lastError: string | null }>;
}

const TABS = ['affected', 'sources', 'impact', 'notices', 'progress'] as const;
type Tab = (typeof TABS)[number];
const STEPS: Record<string, [string, string]> = {
  refresh_affected: ['刷新受影响范围', 'Refresh the affected set'],
  select_recipients: ['确定通知对象', 'Select the recipients'],
  create_notices: ['发出通知', 'Create the notices'],
};

/** The regulator manages (closes) incidents of its jurisdiction and below; an admin all (incidentPolicy.manage). */
function manages(me: Me | null, i: Incident): boolean {
  if (!me) return false;
  if (me.role === 'platform-admin') return true;
  if (me.role !== 'regulator' || !me.jurisdiction) return false;
  const j = me.jurisdiction;
  const prefix = j === '000000' ? '' : j.endsWith('0000') ? j.slice(0, 2) : j.endsWith('00') ? j.slice(0, 4) : j;
  return i.jurisdiction.startsWith(prefix);
}

/** "12.5 kg; 3 件" from per-unit totals. */
function amounts(list: Totals[], field: 'reached' | 'onHand' | 'soldToConsumers'): string {
  return list.length ? list.map((x) => `${x[field]} ${x.unit}`).join('; ') : '—';
}

/** One incident: summary, affected set, source candidates, impact, notices with their runs, progress, export and close. */
export function IncidentDetail() {
  const { id = '' } = useParams();
  const { t, dt, num } = useI18n();
  const { me } = useAuth();
  const [params, setParams] = useSearchParams();
  const tab = (TABS as readonly string[]).includes(params.get('tab') ?? '') ? (params.get('tab') as Tab) : 'affected';
  const q = useQuery({ queryKey: ['incident', id], queryFn: () => get<Incident>(`/api/v1/incidents/${id}`) });
  const [exportError, setExportError] = useState<unknown>(null);
  const [exporting, setExporting] = useState<string | null>(null);
  if (q.isLoading) return <Loading />;
  if (!q.data) return <ProblemMessage error={q.error} />;
  const i = q.data;
  const exportAs = async (format: 'xlsx' | 'csv') => {
    setExportError(null);
    setExporting(format);
    try {
      await download(`/api/v1/incidents/${id}/export?format=${format}`, format === 'csv' ? `incident-${i.number}-fsma204.csv` : `incident-${i.number}.xlsx`);
    } catch (e) { setExportError(e); } finally { setExporting(null); }
  };
  const tabNames: Record<Tab, string> = {
    affected: t('受影响范围', 'Affected set'), sources: t('可疑来源', 'Source candidates'), impact: t('影响评估', 'Impact'),
    notices: t('通知与流程', 'Notices and runs'), progress: t('处置进度', 'Progress'),
  };
  return (
    <>
      <PageTitle actions={<>
        <Button kind="secondary" busy={exporting === 'xlsx'} onClick={() => exportAs('xlsx')}>{t('导出 XLSX', 'Export XLSX')}</Button>
        <Button kind="secondary" busy={exporting === 'csv'} onClick={() => exportAs('csv')}>{t('导出 FSMA 204 CSV', 'Export FSMA 204 CSV')}</Button>
      </>}>
        {t('事件 ', 'Incident ')}{i.number}
      </PageTitle>
      <ProblemMessage error={exportError} />
      <div className="row risk-badges">
        <Badge tone={statusTone(i.status)}>{named(INCIDENT_STATUSES, i.status, t)}</Badge>
        <Badge tone={levelTone(i.severity)}>{named(RECALL_LEVELS, i.severity, t)}</Badge>
        <Badge>{named(INCIDENT_REASONS, i.reason, t)}</Badge>
        {i.warningId && <Link to={`/reg/warnings/${i.warningId}`}>{t('来自预警', 'From a warning')}</Link>}
      </div>
      <Card>
        {i.description && <p>{i.description}</p>}
        <Facts items={[
          [t('问题追溯码', 'Problem codes'), <CodeList codes={i.codes} />],
          [t('立案辖区', 'Jurisdiction'), `${i.jurisdictionName} (${i.jurisdiction})`],
          [t('立案时间', 'Opened'), dt(i.openedAt)],
          [t('通知升级时限', 'Notices escalate after'), t(`${num(i.escalateAfterMinutes / 60)} 小时`, `${num(i.escalateAfterMinutes / 60)} hours`)],
          !!i.affected && [t('受影响范围', 'Affected'), <>
            {t(`${num(i.affected.codes)} 个追溯码，${num(i.affected.operators)} 个主体，${num(i.affected.holdings)} 条持有记录`,
              `${num(i.affected.codes)} codes, ${num(i.affected.operators)} operators, ${num(i.affected.holdings)} holdings`)}
            <span className="muted"> · {t('计算于 ', 'computed ')}{dt(i.affected.computedAt)}</span>
            {i.affected.truncated && <strong> {t('（已截断）', '(truncated)')}</strong>}
          </>],
          !!i.holdProposal && [t('暂停销售建议', 'Hold proposal'), <>
            {t(`预警建议暂停 ${num(i.holdProposal.affectedCount)} 个追溯码，涉及 ${num(i.holdProposal.affectedOperatorIds.length)} 个主体`,
              `The warning proposed holding ${num(i.holdProposal.affectedCount)} codes at ${num(i.holdProposal.affectedOperatorIds.length)} operators`)}
            {i.holdProposal.truncated && <strong> {t('（已截断）', '(truncated)')}</strong>}
          </>],
          !!i.closedAt && [t('结案时间', 'Closed'), dt(i.closedAt)],
        ]} />
        {i.conclusion && <p><strong>{t('结论：', 'Conclusion: ')}</strong>{i.conclusion}</p>}
      </Card>

      <div className="tabs" role="tablist" aria-label={t('事件内容', 'Incident sections')}>
        {TABS.map((k) => (
          <button key={k} type="button" role="tab" id={`tab-${k}`} aria-selected={tab === k} aria-controls={`panel-${k}`}
            onClick={() => { const n = new URLSearchParams(params); n.set('tab', k); setParams(n, { replace: true }); }}>
            {tabNames[k]}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'affected' && <AffectedPanel id={id} />}
        {tab === 'sources' && <SourcesPanel id={id} />}
        {tab === 'impact' && <ImpactPanel id={id} />}
        {tab === 'notices' && <NoticesPanel incident={i} />}
        {tab === 'progress' && <ProgressPanel id={id} />}
      </div>

      {i.status === 'open' && manages(me, i) && <CloseIncident incident={i} />}
      {i.summary?.notices && (
        <Card title={t('结案摘要', 'Summary at closing')}>
          <p>{t('通知', 'Notices')}: {num(i.summary.notices.total)} · {t('已确认', 'acknowledged')} {num(i.summary.notices.acknowledged)} · {t('已报告', 'answered')} {num(i.summary.notices.responded)}</p>
          {(i.summary.quantities ?? []).map((x) => (
            <p key={String(x.unit)}>{t(`已核销 ${x.accounted} / 应核销 ${x.toAccount ?? x.onHand} ${x.unit}`, `Accounted ${x.accounted} of ${x.toAccount ?? x.onHand} ${x.unit} to account for`)}</p>
          ))}
        </Card>
      )}
    </>
  );
}

function AffectedPanel({ id }: { id: string }) {
  const { t, dt, num } = useI18n();
  const q = useQuery({ queryKey: ['incident', id, 'affected'], queryFn: () => get<Affected>(`/api/v1/incidents/${id}/affected`) });
  const [scope, setScope] = useState('all');
  const [shown, setShown] = useState(100);
  const rows = useMemo(() => (q.data?.holdings ?? []).filter((h) =>
    scope === 'all' || (scope === 'in' ? h.inJurisdiction : scope === 'out' ? !h.inJurisdiction : Number(h.onHand) > 0)), [q.data, scope]);
  if (q.isLoading) return <Loading />;
  if (!q.data) return <ProblemMessage error={q.error} />;
  return (
    <Card title={t('受影响范围（下游全部持有）', 'Affected set (every holding downstream)')}>
      <p className="muted">
        {t(`${num(q.data.codes)} 个追溯码，${num(q.data.operators)} 个主体；计算于 `, `${num(q.data.codes)} codes at ${num(q.data.operators)} operators; computed `)}{dt(q.data.computedAt)}
        {q.data.truncated && <strong> {t('（范围过大，已截断）', '(too large; truncated)')}</strong>}
      </p>
      <form className="form" onSubmit={(e) => e.preventDefault()}>
        <SelectField label={t('显示', 'Show')} value={scope} onChange={(e) => { setScope(e.target.value); setShown(100); }}>
          <option value="all">{t('全部持有', 'Every holding')}</option>
          <option value="in">{t('本辖区主体', 'Operators in my jurisdiction')}</option>
          <option value="out">{t('辖区外主体（需移交）', 'Operators elsewhere (hand over)')}</option>
          <option value="onhand">{t('仍有库存', 'Still on hand')}</option>
        </SelectField>
      </form>
      <Table<Holding>
        caption={t(`${num(rows.length)} 条持有记录`, `${num(rows.length)} holdings`)}
        rows={rows.slice(0, shown)} rowKey={(h) => `${h.code}|${h.operator.id}|${h.unit}`}
        columns={[
          { key: 'op', title: t('持有主体', 'Held by'), render: (h) => <>{h.operator.name}<div className="muted">{h.operator.division}</div>
            {!h.inJurisdiction && <Badge tone="warn">{t('辖区外', 'Elsewhere')}</Badge>}</> },
          { key: 'goods', title: t('货品', 'Goods'), render: (h) => <>{h.product ?? '—'}{h.lotNumber && <span className="muted"> · {h.lotNumber}</span>}<div><CodeLink code={h.code} /></div></> },
          { key: 'reached', title: t('到达数量', 'Reached'), className: 'num', render: (h) => `${h.reached} ${h.unit}` },
          { key: 'onhand', title: t('现存', 'On hand'), className: 'num', render: (h) => `${h.onHand} ${h.unit}` },
          { key: 'consumers', title: t('售予消费者', 'Sold to consumers'), className: 'num', render: (h) => `${h.soldToConsumers} ${h.unit}` },
          { key: 'soldon', title: t('是否流出', 'Sold on'), render: (h) => (h.soldOn ? <Badge tone="warn">{t('已流出', 'Sold on')} {h.passedOn !== '0' ? `${h.passedOn} ${h.unit}` : ''}</Badge> : <Badge>{t('未流出', 'No')}</Badge>) },
        ]}
      />
      {rows.length > shown && <p><Button kind="secondary" onClick={() => setShown((n) => n + 200)}>{t('显示更多', 'Show more')}</Button></p>}
    </Card>
  );
}

function SourcesPanel({ id }: { id: string }) {
  const { t, num } = useI18n();
  const q = useQuery({ queryKey: ['incident', id, 'sources'], queryFn: () => get<Sources>(`/api/v1/incidents/${id}/sources`) });
  if (q.isLoading) return <Loading />;
  if (!q.data) return <ProblemMessage error={q.error} />;
  const s = q.data;
  return (
    <>
      <Card title={t('上游批次（按共同来源排序）', 'Upstream batches (most shared first)')}>
        <p className="muted">{t('多个问题追溯码共同指向的上游批次排在前面，其次按距离排序。', 'Batches that more of the problem codes lead back to come first, then the closer ones.')}</p>
        <Table<Sources['batches'][number]>
          rows={s.batches} rowKey={(b) => b.code} empty={t('没有上游批次', 'No upstream batches')}
          columns={[
            { key: 'rank', title: '#', className: 'num', render: (b) => num(s.batches.indexOf(b) + 1) },
            { key: 'code', title: t('批次', 'Batch'), render: (b) => <>{b.product ?? '—'}{b.lotNumber && <span className="muted"> · {b.lotNumber}</span>}<div><CodeLink code={b.code} /></div></> },
            { key: 'op', title: t('主体', 'Operator'), render: (b) => b.operator?.name ?? '—' },
            { key: 'shared', title: t('共同指向', 'Shared by'), className: 'num', render: (b) => `${num(b.shared)} / ${num(b.of)}` },
            { key: 'depth', title: t('上溯层级', 'Levels up'), className: 'num', render: (b) => num(b.depth) },
            { key: 'date', title: t('生产日期', 'Produced'), render: (b) => b.producedOn ?? '—' },
          ]}
        />
      </Card>
      <Card title={t('上游主体', 'Upstream operators')}>
        <Table<Sources['operators'][number]>
          rows={s.operators} rowKey={(o) => o.id} empty={t('没有上游主体', 'No upstream operators')}
          columns={[
            { key: 'name', title: t('主体', 'Operator'), render: (o) => <>{o.name ?? '—'}<div className="muted">{o.uscc}</div></> },
            { key: 'div', title: t('区划', 'Division'), render: (o) => o.divisionCode ?? '—' },
            { key: 'parts', title: t('角色', 'Part'), render: (o) => o.parts.map((p) => named(SOURCE_PARTS, p, t)).join(t('、', ', ')) },
            { key: 'shared', title: t('共同指向', 'Shared by'), className: 'num', render: (o) => `${num(o.shared)} / ${num(o.of)}` },
          ]}
        />
      </Card>
    </>
  );
}

const LEVELS: Record<string, [string, string]> = { province: ['省', 'Province'], city: ['市', 'City'], county: ['县（区）', 'County'] };

function ImpactPanel({ id }: { id: string }) {
  const { t, num } = useI18n();
  const q = useQuery({ queryKey: ['incident', id, 'impact'], queryFn: () => get<Impact>(`/api/v1/incidents/${id}/impact`) });
  if (q.isLoading) return <Loading />;
  if (!q.data) return <ProblemMessage error={q.error} />;
  const d = q.data;
  const flat: Array<DivisionImpact & { indent: number }> = [];
  const walk = (n: DivisionImpact, indent: number) => { flat.push({ ...n, indent }); n.children.forEach((c) => walk(c, indent + 1)); };
  d.byDivision.forEach((n) => walk(n, 0));
  // The chart shows the finest level the record gives: the divisions without children.
  const leaves = flat.filter((n) => n.children.length === 0);
  const units = [...new Set(leaves.flatMap((n) => n.totals.map((x) => x.unit)))];
  const days = [...new Set(d.scans.byDivisionAndDay.map((s) => s.day))].sort();
  const scanDivisions = [...new Set(d.scans.byDivisionAndDay.map((s) => s.division))];
  return (
    <>
      <Stats items={[
        { label: t('受影响主体', 'Operators affected'), value: d.operators }, { label: t('涉及县（区）', 'Counties'), value: leaves.length },
        { label: t('消费者扫码次数', 'Consumer scans'), value: d.scans.total },
      ]} />
      <Card title={t('按行政区划', 'By division')}>
        <BarChart label={t('各县（区）受影响数量', 'Affected quantity per county')} horizontal
          categories={leaves.map((n) => n.name)}
          series={units.flatMap((unit) => [
            { name: t(`到达（${unit}）`, `Reached (${unit})`), values: leaves.map((n) => Number(n.totals.find((x) => x.unit === unit)?.reached ?? 0)) },
            { name: t(`现存（${unit}）`, `On hand (${unit})`), values: leaves.map((n) => Number(n.totals.find((x) => x.unit === unit)?.onHand ?? 0)) },
          ])} />
        <Table<DivisionImpact & { indent: number }>
          rows={flat} rowKey={(n) => n.divisionCode} empty={t('无', 'None')}
          columns={[
            { key: 'name', title: t('区划', 'Division'), render: (n) => <span style={{ paddingLeft: `${n.indent * 1.25}em` }}>{n.name} <span className="muted">{n.divisionCode}</span></span> },
            { key: 'level', title: t('级别', 'Level'), render: (n) => { const l = LEVELS[n.level]; return l ? t(l[0], l[1]) : n.level; } },
            { key: 'ops', title: t('主体数', 'Operators'), className: 'num', render: (n) => num(n.operators) },
            { key: 'reached', title: t('到达数量', 'Reached'), className: 'num', render: (n) => amounts(n.totals, 'reached') },
            { key: 'onhand', title: t('现存', 'On hand'), className: 'num', render: (n) => amounts(n.totals, 'onHand') },
            { key: 'sold', title: t('售予消费者', 'Sold to consumers'), className: 'num', render: (n) => amounts(n.totals, 'soldToConsumers') },
          ]}
        />
      </Card>
      <Card title={t('按主体类型', 'By operator type')}>
        <BarChart label={t('各类型受影响主体数', 'Operators affected per type')} horizontal
          categories={d.byOperatorType.map((x) => named(OPERATOR_TYPE_NAMES, x.type, t))} series={[{ name: t('主体数', 'Operators'), values: d.byOperatorType.map((x) => x.operators) }]} />
        <Table<Impact['byOperatorType'][number]>
          rows={d.byOperatorType} rowKey={(x) => x.type}
          columns={[
            { key: 'type', title: t('类型', 'Type'), render: (x) => named(OPERATOR_TYPE_NAMES, x.type, t) },
            { key: 'ops', title: t('主体数', 'Operators'), className: 'num', render: (x) => num(x.operators) },
            { key: 'reached', title: t('到达数量', 'Reached'), className: 'num', render: (x) => amounts(x.totals, 'reached') },
            { key: 'onhand', title: t('现存', 'On hand'), className: 'num', render: (x) => amounts(x.totals, 'onHand') },
          ]}
        />
      </Card>
      <Card title={t('消费者扫码（按日、区划）', 'Consumer scans by day and division')}>
        <BarChart label={t('每日消费者扫码次数', 'Consumer scans per day')} stacked categories={days}
          series={scanDivisions.map((div) => ({ name: div, values: days.map((day) => d.scans.byDivisionAndDay.filter((s) => s.day === day && s.division === div).reduce((n, s) => n + s.scans, 0)) }))} />
        <Table<Impact['scans']['byDivisionAndDay'][number]>
          rows={d.scans.byDivisionAndDay} rowKey={(s) => `${s.day}|${s.divisionCode}`} empty={t('受影响追溯码尚无消费者扫码', 'No consumer scans of the affected codes')}
          columns={[
            { key: 'day', title: t('日期', 'Day'), render: (s) => s.day },
            { key: 'div', title: t('区划', 'Division'), render: (s) => s.division },
            { key: 'n', title: t('扫码次数', 'Scans'), className: 'num', render: (s) => num(s.scans) },
          ]}
        />
      </Card>
    </>
  );
}

function NoticesPanel({ incident }: { incident: Incident }) {
  const { t, dt, num } = useI18n();
  const id = incident.id;
  const client = useQueryClient();
  const notices = useQuery({ queryKey: ['incident', id, 'notices'], queryFn: () => get<Notices>(`/api/v1/incidents/${id}/notices`) });
  const runs = useQuery({ queryKey: ['incident', id, 'runs'], queryFn: () => get<{ items: Run[] }>(`/api/v1/incidents/${id}/runs`) });
  const [kind, setKind] = useState('recall');
  const [message, setMessage] = useState('');
  const refresh = () => {
    for (const k of ['notices', 'runs', 'progress', 'affected']) client.invalidateQueries({ queryKey: ['incident', id, k] });
    client.invalidateQueries({ queryKey: ['incident', id], exact: true });
  };
  const issue = useMutation({
    mutationFn: () => post<{ run: Run; handover: Notices['handover'] }>(`/api/v1/incidents/${id}/notices`, { kind, message: message.trim() || undefined }),
    onSuccess: () => { setMessage(''); refresh(); },
  });
  const resume = useMutation({
    mutationFn: (runId: string) => post<Run>(`/api/v1/incidents/${id}/runs/${runId}/resume`),
    onSuccess: refresh,
  });
  const submit = (e: FormEvent) => { e.preventDefault(); issue.mutate(); };
  return (
    <>
      {incident.status === 'open' && (
        <Card title={t('发出通知', 'Send notices')}>
          <p className="muted">{t('通知本辖区内所有受影响主体；辖区外主体列入移交清单，由其监管部门通知。每个主体每个事件只收到一次通知。',
            'Notifies every affected operator in your jurisdiction; operators elsewhere are listed for hand-over to their regulator. Each operator gets one notice per incident.')}</p>
          <form className="form" onSubmit={submit}>
            <SelectField label={t('通知类型', 'Kind')} required value={kind} onChange={(e) => setKind(e.target.value)}>
              <VocabOptions names={NOTICE_KINDS} />
            </SelectField>
            <TextArea className="wide" label={t('通知内容', 'Message')} maxLength={2000} value={message} onChange={(e) => setMessage(e.target.value)}
              hint={t('可选，最多 2000 字', 'Optional, up to 2000 characters')} />
            <ProblemMessage error={issue.error} />
            {issue.data && <Notice>{t('通知流程：', 'Notice run: ')}{named(RUN_STATUSES, issue.data.run.status, t)}</Notice>}
            <div className="form-actions"><Button type="submit" busy={issue.isPending}>{t('发出通知', 'Send notices')}</Button></div>
          </form>
        </Card>
      )}
      <Card title={t('已发通知', 'Notices sent')}>
        {notices.isLoading && <Loading />}
        <ProblemMessage error={notices.error} />
        {notices.data && (
          <Table<NoticeView>
            rows={notices.data.notices} rowKey={(n) => n.id} empty={t('尚未发出通知', 'No notices yet')}
            columns={[
              { key: 'op', title: t('主体', 'Operator'), render: (n) => <>{n.operator.name}<div className="muted">{n.operator.divisionCode}</div></> },
              { key: 'kind', title: t('类型', 'Kind'), render: (n) => named(NOTICE_KINDS, n.kind, t) },
              { key: 'sent', title: t('发出 / 期限', 'Sent / due'), render: (n) => <>{dt(n.createdAt)}<div className="muted">{dt(n.dueAt)}</div></> },
              { key: 'ack', title: t('确认', 'Acknowledged'), render: (n) => (n.acknowledgedAt ? <Badge tone="good">{dt(n.acknowledgedAt)}</Badge>
                : n.escalatedAt ? <Badge tone="bad">{t('已升级', 'Escalated')}</Badge> : <Badge tone="warn">{t('未确认', 'Not yet')}</Badge>) },
              { key: 'resp', title: t('处置报告', 'Answered'), render: (n) => (n.accounted.length
                ? n.accounted.map((a) => `${named(RESPONSE_ACTIONS, a.action, t)} ${a.quantity} ${a.unit}`).join('; ')
                : <span className="muted">{t('未报告', 'None yet')}</span>) },
              { key: 'hooks', title: 'Webhook', render: (n) => {
                const w = n.webhookDeliveries;
                return w.pending + w.delivered + w.dead === 0 ? <span className="muted">—</span>
                  : t(`已送达 ${w.delivered}，待送 ${w.pending}，失败 ${w.dead}`, `${w.delivered} delivered, ${w.pending} pending, ${w.dead} failed`);
              } },
            ]}
          />
        )}
      </Card>
      {notices.data && notices.data.handover.length > 0 && (
        <Card title={t('需移交的辖区外主体', 'To hand over (operators elsewhere)')}>
          <Table<Notices['handover'][number]>
            rows={notices.data.handover} rowKey={(h) => h.operator.id}
            columns={[
              { key: 'op', title: t('主体', 'Operator'), render: (h) => <>{h.operator.name}<div className="muted">{h.operator.uscc}</div></> },
              { key: 'div', title: t('区划', 'Division'), render: (h) => h.division },
              { key: 'codes', title: t('持有追溯码', 'Codes held'), className: 'num', render: (h) => num(h.codes) },
            ]}
          />
        </Card>
      )}
      <Card title={t('通知流程（可重试的步骤）', 'Notice runs (retryable steps)')}>
        {runs.isLoading && <Loading />}
        <ProblemMessage error={runs.error ?? resume.error} />
        {runs.data?.items.length === 0 && <p className="muted">{t('暂无流程', 'No runs yet')}</p>}
        {runs.data?.items.map((r) => (
          <div key={r.id} className="risk-run">
            <div className="row">
              <Badge tone={statusTone(r.status)}>{named(RUN_STATUSES, r.status, t)}</Badge>
              <span>{dt(r.createdAt)}</span>
              <span className="muted">{t(`第 ${r.attempts} 次尝试`, `attempt ${r.attempts}`)}</span>
              {r.status !== 'succeeded' && (
                <Button kind="secondary" busy={resume.isPending && resume.variables === r.id} onClick={() => resume.mutate(r.id)}>{t('恢复', 'Resume')}</Button>
              )}
            </div>
            {r.lastError && <p className="field-error">{r.lastError}</p>}
            <ol>
              {r.steps.map((s) => (
                <li key={s.name}>
                  {STEPS[s.name] ? t(STEPS[s.name][0], STEPS[s.name][1]) : s.name}{' '}
                  <Badge tone={statusTone(s.status)}>{named(RUN_STATUSES, s.status, t)}</Badge>
                  {s.attempts > 1 && <span className="muted"> {t(`尝试 ${s.attempts} 次`, `${s.attempts} attempts`)}</span>}
                  {s.lastError && <span className="field-error"> {s.lastError}</span>}
                </li>
              ))}
            </ol>
          </div>
        ))}
      </Card>
    </>
  );
}

function ProgressPanel({ id }: { id: string }) {
  const { t, num } = useI18n();
  const q = useQuery({ queryKey: ['incident', id, 'progress'], queryFn: () => get<Progress>(`/api/v1/incidents/${id}/progress`) });
  if (q.isLoading) return <Loading />;
  if (!q.data) return <ProblemMessage error={q.error} />;
  const p = q.data;
  return (
    <>
      <Stats items={[
        { label: t('已发通知', 'Notices sent'), value: p.notices.total }, { label: t('已确认', 'Acknowledged'), value: p.notices.acknowledged },
        { label: t('已报告处置', 'Answered'), value: p.notices.responded }, { label: t('已升级', 'Escalated'), value: p.notices.escalated },
      ]} />
      <Card title={t('数量核销', 'Quantities accounted for')}>
        <Table<Progress['quantities'][number]>
          rows={p.quantities} rowKey={(x) => x.unit} empty={t('无受影响数量', 'No affected quantity')}
          columns={[
            { key: 'unit', title: t('单位', 'Unit'), render: (x) => x.unit },
            { key: 'reached', title: t('到达', 'Reached'), className: 'num', render: (x) => x.reached },
            { key: 'onhand', title: t('应在库', 'Should be on hand'), className: 'num', render: (x) => x.onHand },
            { key: 'toaccount', title: t('应核销（发通知时在库）', 'To account for (on hand when notified)'), className: 'num', render: (x) => x.toAccount },
            { key: 'held', title: named(RESPONSE_ACTIONS, 'held', t), className: 'num', render: (x) => x.held },
            { key: 'returned', title: named(RESPONSE_ACTIONS, 'returned', t), className: 'num', render: (x) => x.returned },
            { key: 'destroyed', title: named(RESPONSE_ACTIONS, 'destroyed', t), className: 'num', render: (x) => x.destroyed },
            { key: 'share', title: t('已核销', 'Accounted'), render: (x) => (
              <span className="risk-progress">
                <progress max={1} value={Math.min(1, x.accountedShare ?? 0)} aria-label={t(`${x.unit} 已核销比例`, `${x.unit} accounted`)} />
                {' '}{x.accounted} {x.unit}{x.accountedShare !== null ? ` (${num(Math.round(x.accountedShare * 1000) / 10)}%)` : ''}
              </span>
            ) },
          ]}
        />
      </Card>
    </>
  );
}

function CloseIncident({ incident }: { incident: Incident }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [conclusion, setConclusion] = useState('');
  const [missing, setMissing] = useState(false);
  const close = useMutation({
    mutationFn: () => post<Incident>(`/api/v1/incidents/${incident.id}/close`, { conclusion }),
    onSuccess: (i) => { client.setQueryData(['incident', incident.id], (old: Incident | undefined) => ({ ...old, ...i })); client.invalidateQueries({ queryKey: ['incidents'] }); },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    // The API asks for a conclusion of 1 to 4000 characters after trimming.
    setMissing(!conclusion.trim());
    if (conclusion.trim()) close.mutate();
  };
  return (
    <Card title={t('结案', 'Close the incident')}>
      <form className="form" noValidate onSubmit={submit}>
        <TextArea className="wide" label={t('结案结论', 'Conclusion')} required maxLength={4000} value={conclusion} onChange={(e) => setConclusion(e.target.value)}
          error={missing ? t('请填写结案结论', 'Enter the conclusion') : null} hint={t('保存时一并记录处置进度摘要', 'The progress summary is kept with it')} />
        <ProblemMessage error={close.error} />
        <div className="form-actions"><Button kind="danger" type="submit" busy={close.isPending}>{t('结案', 'Close the incident')}</Button></div>
      </form>
    </Card>
  );
}
