import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post, qs } from '../../lib/api.ts';
import type { Bilingual } from '../../lib/i18n.tsx';
import { useI18n } from '../../lib/i18n.tsx';
import { Badge, Button, Card, Loading, Notice, PageTitle, ProblemMessage, Table, TextArea } from '../../lib/ui.tsx';
import { named } from '../../lib/vocabulary.ts';
import { RULES, severityTone, statusTone, WARNING_SEVERITIES, WARNING_STATUSES } from './labels.ts';
import { CodeList, Facts, FactValue, FilterBar, ParamFilter } from './parts.tsx';
import type { Incident } from './Incidents.tsx';

interface Decision { by: string | null; role: string | null; at: string; reason: string | null }
export interface Warning {
  id: string; seq: string; rule: string; ruleName: Bilingual; severity: string; status: string; subject: string;
  operator: { id: string; name: string | null } | null; divisionCode: string | null; codes: string[];
  explanation: Bilingual; facts: Record<string, unknown>; occurrences: number; raisedBy: string;
  firstSeenAt: string; lastSeenAt: string; acknowledged: Decision | null; closed: Decision | null;
  holdProposal: { startCodes?: string[]; affectedCodes?: string[]; affectedOperatorIds?: string[]; affectedCount: number; truncated: boolean; createdAt: string } | null;
  events?: Array<{ seq: string; eventId: string }>;
  /** The incident opened from this warning, if any (one per warning). */
  incidentId: string | null;
}
export interface RuleEntry {
  id: string; item: number; name: Bilingual; description: Bilingual; triggers: string[];
  settings: Array<{ key: string; description: Bilingual; default: unknown; value: unknown }>;
}

const PAGE = 50;

/** Warnings of the caller's jurisdiction, newest first, filtered by status, severity and rule (kept in the address). */
export function WarningList() {
  const { t, pick, dt, num } = useI18n();
  const [params] = useSearchParams();
  const filter = { status: params.get('status') ?? '', severity: params.get('severity') ?? '', rule: params.get('rule') ?? '' };
  const q = useInfiniteQuery({
    queryKey: ['risk-warnings', filter],
    initialPageParam: '' as string,
    queryFn: ({ pageParam }) => get<{ items: Warning[]; next: string | null }>(`/api/v1/risk/warnings${qs({ ...filter, before: pageParam, limit: PAGE })}`),
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const rows = q.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <PageTitle actions={<Link className="btn btn-secondary" to="/reg/risk-rules">{t('预警规则', 'Warning rules')}</Link>}>
        {t('风险预警', 'Risk warnings')}
      </PageTitle>
      <FilterBar label={t('筛选预警', 'Filter warnings')}>
        <ParamFilter param="status" label={t('状态', 'Status')} names={WARNING_STATUSES} />
        <ParamFilter param="severity" label={t('等级', 'Severity')} names={WARNING_SEVERITIES} />
        <ParamFilter param="rule" label={t('规则', 'Rule')} names={RULES} />
      </FilterBar>
      {q.isLoading && <Loading />}
      <ProblemMessage error={q.error} />
      {q.data && (
        <Table<Warning>
          caption={t(`共显示 ${num(rows.length)} 条预警`, `${num(rows.length)} warnings shown`)}
          rows={rows} rowKey={(w) => w.id} empty={t('没有符合条件的预警', 'No warnings match')}
          columns={[
            { key: 'rule', title: t('预警', 'Warning'), render: (w) => <Link to={`/reg/warnings/${w.id}`}>{pick(w.ruleName)}</Link> },
            { key: 'sev', title: t('等级', 'Severity'), render: (w) => <Badge tone={severityTone(w.severity)}>{named(WARNING_SEVERITIES, w.severity, t)}</Badge> },
            { key: 'status', title: t('状态', 'Status'), render: (w) => <Badge tone={statusTone(w.status)}>{named(WARNING_STATUSES, w.status, t)}</Badge> },
            { key: 'op', title: t('主体', 'Operator'), render: (w) => w.operator?.name ?? '—' },
            { key: 'codes', title: t('追溯码', 'Codes'), render: (w) => <CodeList codes={w.codes} shown={1} /> },
            { key: 'n', title: t('次数', 'Times'), className: 'num', render: (w) => num(w.occurrences) },
            { key: 'last', title: t('最近发生', 'Last seen'), render: (w) => dt(w.lastSeenAt) },
          ]}
        />
      )}
      {q.hasNextPage && (
        <p><Button kind="secondary" busy={q.isFetchingNextPage} onClick={() => q.fetchNextPage()}>{t('加载更多', 'Load more')}</Button></p>
      )}
    </>
  );
}

/** One warning: the rule's explanation, operator, codes, facts and hold proposal; acknowledge, close, open an incident. */
export function WarningDetail() {
  const { id = '' } = useParams();
  const { t, pick, dt, num } = useI18n();
  const navigate = useNavigate();
  const client = useQueryClient();
  const w = useQuery({ queryKey: ['risk-warning', id], queryFn: () => get<Warning>(`/api/v1/risk/warnings/${id}`) });
  const rules = useQuery({ queryKey: ['risk-rules'], queryFn: () => get<{ items: RuleEntry[] }>('/api/v1/risk/rules'), staleTime: 60_000 });
  // The incident already opened from this warning, read for its number (the incident page shares this cache entry).
  const linkedId = w.data?.incidentId ?? null;
  const linked = useQuery({
    queryKey: ['incident', linkedId], enabled: !!linkedId, queryFn: () => get<Incident>(`/api/v1/incidents/${linkedId}`),
  });
  const [reason, setReason] = useState('');
  const [done, setDone] = useState<'acknowledge' | 'close' | null>(null);
  const [missing, setMissing] = useState(false);
  const decide = useMutation({
    mutationFn: (action: 'acknowledge' | 'close') => post<Warning>(`/api/v1/risk/warnings/${id}/${action}`, { reason }),
    onSuccess: (updated, action) => {
      client.setQueryData(['risk-warning', id], (old: Warning | undefined) => ({ ...old, ...updated }));
      client.invalidateQueries({ queryKey: ['risk-warnings'] });
      setReason('');
      setMissing(false);
      setDone(action);
    },
  });
  const open = useMutation({
    mutationFn: () => post<{ created: boolean; incident: Incident; warning: Warning }>(`/api/v1/risk/warnings/${id}/incident`),
    onSuccess: (r) => {
      client.setQueryData(['risk-warning', id], r.warning);
      // The answer is the incident as its page reads it: the page opens without fetching it again.
      client.setQueryData(['incident', r.incident.id], r.incident);
      client.invalidateQueries({ queryKey: ['risk-warnings'] });
      client.invalidateQueries({ queryKey: ['incidents'] });
      navigate(`/reg/incidents/${r.incident.id}`);
    },
  });
  if (w.isLoading) return <Loading />;
  if (!w.data) return <ProblemMessage error={w.error} />;
  const warning = w.data;
  const rule = rules.data?.items.find((r) => r.id === warning.rule);
  // The API asks for a note of 1 to 1000 characters after trimming.
  const submit = (action: 'acknowledge' | 'close') => (e?: FormEvent) => {
    e?.preventDefault();
    setDone(null);
    setMissing(!reason.trim());
    if (reason.trim()) decide.mutate(action);
  };
  const hold = warning.holdProposal;
  return (
    <>
      <PageTitle actions={<Link to="/reg/warnings">{t('返回预警列表', 'Back to warnings')}</Link>}>
        {pick(warning.ruleName)}
      </PageTitle>
      <div className="row risk-badges">
        <Badge tone={severityTone(warning.severity)}>{t('等级：', 'Severity: ')}{named(WARNING_SEVERITIES, warning.severity, t)}</Badge>
        <Badge tone={statusTone(warning.status)}>{t('状态：', 'Status: ')}{named(WARNING_STATUSES, warning.status, t)}</Badge>
        {linkedId && <Badge tone="info">{t('已立案', 'Incident opened')}</Badge>}
      </div>
      <Card title={t('预警说明', 'What was found')}>
        <p className="risk-explanation">{pick(warning.explanation)}</p>
        {rule && <p className="muted">{t('规则：', 'Rule: ')}{pick(rule.description)}</p>}
        <Facts items={[
          [t('主体', 'Operator'), warning.operator?.name ?? '—'],
          [t('所属区划', 'Division'), warning.divisionCode],
          [t('追溯码', 'Codes'), <CodeList codes={warning.codes} />],
          [t('发生次数', 'Occurrences'), num(warning.occurrences)],
          [t('首次发现', 'First seen'), dt(warning.firstSeenAt)],
          [t('最近发现', 'Last seen'), dt(warning.lastSeenAt)],
          [t('来源', 'Raised by'), warning.raisedBy === 'capture' ? t('记录采集时', 'On capture') : t('定时检查', 'Scheduled check')],
        ]} />
      </Card>

      <Card title={t('处置', 'Handling')}>
        {done && <Notice>{done === 'close' ? t('预警已关闭。', 'The warning is closed.') : t('预警已确认。', 'The warning is acknowledged.')}</Notice>}
        <div className="risk-incident-action">
          {linkedId ? (
            <p>{t('已由此预警立案：', 'An incident was opened from this warning: ')}
              <Link to={`/reg/incidents/${linkedId}`}>{linked.data?.number ?? t('查看事件', 'open the incident')}</Link></p>
          ) : (
            <>
              <Button busy={open.isPending} onClick={() => open.mutate()}>{t('一键立案', 'Open an incident')}</Button>
              <span className="muted"> {t('以本预警的追溯码立案，计算受影响范围。', 'Opens an incident on this warning\'s codes and computes the affected set.')}</span>
            </>
          )}
          <ProblemMessage error={open.error} />
        </div>
        {warning.status !== 'closed' && (
          <form className="form" noValidate onSubmit={submit(warning.status === 'open' ? 'acknowledge' : 'close')}>
            <TextArea className="wide" label={t('处理说明', 'Note')} required maxLength={1000} value={reason}
              onChange={(e) => setReason(e.target.value)} error={missing ? t('请填写处理说明', 'Enter a note') : null} hint={t('确认或关闭预警时必填，最多 1000 字', 'Required to acknowledge or close; up to 1000 characters')} />
            <ProblemMessage error={decide.error} />
            <div className="form-actions">
              {warning.status === 'open' && <Button type="submit" busy={decide.isPending}>{t('确认预警', 'Acknowledge')}</Button>}
              <Button kind={warning.status === 'open' ? 'secondary' : 'primary'} busy={decide.isPending} onClick={() => submit('close')()}>{t('关闭预警', 'Close the warning')}</Button>
            </div>
          </form>
        )}
        <Facts items={[
          !!warning.acknowledged && [t('确认', 'Acknowledged'), `${dt(warning.acknowledged.at)} · ${warning.acknowledged.reason ?? ''}`],
          !!warning.closed && [t('关闭', 'Closed'), `${dt(warning.closed.at)} · ${warning.closed.reason ?? ''}`],
        ]} />
      </Card>

      {hold && (
        <Card title={t('暂停销售建议', 'Hold proposal')}>
          <p>{t(`建议暂停销售本批次及其下游共 ${num(hold.affectedCount)} 个追溯码`, `Hold this batch and everything downstream: ${num(hold.affectedCount)} codes`)}
            {hold.affectedOperatorIds && t(`，涉及 ${num(hold.affectedOperatorIds.length)} 个主体。`, `, at ${num(hold.affectedOperatorIds.length)} operators.`)}
            {hold.truncated && <strong> {t('（范围过大，已截断）', '(too large; truncated)')}</strong>}</p>
          {hold.affectedCodes && <CodeList codes={hold.affectedCodes} />}
        </Card>
      )}

      <Card title={t('依据', 'Evidence')}>
        <Table<[string, unknown]>
          caption={t('规则记录的事实', 'Facts the rule recorded')}
          rows={Object.entries(warning.facts ?? {})} rowKey={([k]) => k}
          columns={[
            { key: 'k', title: t('项', 'Fact'), render: ([k]) => <code>{k}</code> },
            { key: 'v', title: t('值', 'Value'), render: ([, v]) => <FactValue value={v} /> },
          ]}
        />
        {warning.events && warning.events.length > 0 && (
          <Table<{ seq: string; eventId: string }>
            caption={t('相关事件', 'Events behind it')}
            rows={warning.events} rowKey={(e) => e.seq}
            columns={[
              { key: 'seq', title: t('序号', 'Seq'), className: 'num', render: (e) => e.seq },
              { key: 'id', title: t('事件 ID', 'Event ID'), render: (e) => <code className="risk-json">{e.eventId}</code> },
            ]}
          />
        )}
      </Card>
    </>
  );
}
