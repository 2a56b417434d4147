import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post, qs } from '../../lib/api.ts';
import { useI18n } from '../../lib/i18n.tsx';
import { Badge, Button, Card, Field, Loading, PageTitle, ProblemMessage, SelectField, Table, TextArea, VocabOptions } from '../../lib/ui.tsx';
import { INCIDENT_REASONS, INCIDENT_STATUSES, named, RECALL_LEVELS } from '../../lib/vocabulary.ts';
import { levelTone, statusTone } from './labels.ts';
import { CodeList, FilterBar, ParamFilter } from './parts.tsx';

export interface Incident {
  id: string; number: string; status: 'open' | 'closed'; reason: string; severity: string; description: string | null;
  jurisdiction: string; jurisdictionName: string; warningId: string | null; codes: string[]; escalateAfterMinutes: number;
  openedAt: string; openedBy: { id: string | null; role: string }; closedAt: string | null; conclusion: string | null;
  summary: { notices?: Record<string, number>; quantities?: Array<Record<string, unknown>> } | null;
  affected: { computedAt: string; truncated: boolean; codes: number; operators: number; holdings: number } | null;
  /** The hold proposal of the failed-inspection warning the incident came from (one incident read alone). */
  holdProposal?: { warningId: string; affectedCount: number; affectedOperatorIds: string[]; truncated: boolean; createdAt: string } | null;
}

/** Incidents the regulator may read (its own and those handed over to it), newest first. */
export function IncidentList() {
  const { t, dt } = useI18n();
  const [params] = useSearchParams();
  const status = params.get('status') ?? '';
  const q = useQuery({ queryKey: ['incidents', status], queryFn: () => get<{ items: Incident[] }>(`/api/v1/incidents${qs({ status, limit: 500 })}`) });
  return (
    <>
      <PageTitle actions={<Link className="btn btn-primary" to="/reg/incidents/new">{t('新建事件', 'New incident')}</Link>}>
        {t('问题食品事件与召回', 'Incidents and recalls')}
      </PageTitle>
      <FilterBar label={t('筛选事件', 'Filter incidents')}>
        <ParamFilter param="status" label={t('状态', 'Status')} names={INCIDENT_STATUSES} />
      </FilterBar>
      {q.isLoading && <Loading />}
      <ProblemMessage error={q.error} />
      {q.data && (
        <Table<Incident>
          rows={q.data.items} rowKey={(i) => i.id} empty={t('暂无事件', 'No incidents')}
          columns={[
            { key: 'no', title: t('编号', 'Number'), render: (i) => <Link to={`/reg/incidents/${i.id}`}>{i.number}</Link> },
            { key: 'reason', title: t('原因', 'Reason'), render: (i) => named(INCIDENT_REASONS, i.reason, t) },
            { key: 'level', title: t('级别', 'Level'), render: (i) => <Badge tone={levelTone(i.severity)}>{named(RECALL_LEVELS, i.severity, t)}</Badge> },
            { key: 'status', title: t('状态', 'Status'), render: (i) => <Badge tone={statusTone(i.status)}>{named(INCIDENT_STATUSES, i.status, t)}</Badge> },
            { key: 'codes', title: t('问题追溯码', 'Problem codes'), render: (i) => <CodeList codes={i.codes} shown={1} /> },
            { key: 'jur', title: t('立案辖区', 'Jurisdiction'), render: (i) => i.jurisdictionName },
            { key: 'at', title: t('立案时间', 'Opened'), render: (i) => dt(i.openedAt) },
          ]}
        />
      )}
    </>
  );
}

/** Opens an incident on one or more codes (one per line: bare code, scan URL or GS1 Digital Link) with reason and level. */
export function NewIncident() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [params] = useSearchParams();
  const [codes, setCodes] = useState(params.get('code') ?? '');
  const [reason, setReason] = useState('failed_inspection');
  const [severity, setSeverity] = useState('level_2');
  const [description, setDescription] = useState('');
  const [escalate, setEscalate] = useState('');
  const [codesError, setCodesError] = useState<string | null>(null);
  const open = useMutation({
    mutationFn: (body: Record<string, unknown>) => post<{ created: boolean; incident: Incident }>('/api/v1/incidents', body),
    onSuccess: (r) => {
      client.invalidateQueries({ queryKey: ['incidents'] });
      navigate(`/reg/incidents/${r.incident.id}`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const list = [...new Set(codes.split(/[\s,，;；]+/).map((c) => c.trim()).filter(Boolean))];
    // The API admits 1 to 100 codes of up to 2048 characters.
    if (list.length === 0) return setCodesError(t('请至少填写一个追溯码', 'Enter at least one trace code'));
    if (list.length > 100) return setCodesError(t('一次最多 100 个追溯码', 'At most 100 codes at a time'));
    if (list.some((c) => c.length > 2048)) return setCodesError(t('追溯码过长', 'A code is too long'));
    setCodesError(null);
    open.mutate({
      codes: list, reason, severity, description: description.trim() || undefined,
      escalateAfterMinutes: escalate ? Number(escalate) : undefined,
    });
  };
  return (
    <>
      <PageTitle actions={<Link to="/reg/incidents">{t('返回事件列表', 'Back to incidents')}</Link>}>{t('新建问题食品事件', 'Open an incident')}</PageTitle>
      <Card>
        <form className="form" onSubmit={submit} noValidate>
          <TextArea className="wide" label={t('问题追溯码', 'Problem trace codes')} required value={codes} onChange={(e) => setCodes(e.target.value)}
            error={codesError} spellCheck={false}
            hint={t('每行一个：追溯码、扫码网址或 GS1 数字链接；单品码会带入其批次（最多 100 个）', 'One per line: trace code, scan URL or GS1 Digital Link; an item code brings in its batch (up to 100)')} />
          <SelectField label={t('立案原因', 'Reason')} required value={reason} onChange={(e) => setReason(e.target.value)}>
            <VocabOptions names={INCIDENT_REASONS} />
          </SelectField>
          <SelectField label={t('召回级别', 'Recall level')} required value={severity} onChange={(e) => setSeverity(e.target.value)}
            hint={t('未确认的通知分别在 24、48、72 小时后升级', 'Unacknowledged notices escalate after 24, 48 or 72 hours')}>
            <VocabOptions names={RECALL_LEVELS} />
          </SelectField>
          <Field label={t('升级时限（分钟，可选）', 'Escalate after (minutes, optional)')} type="number" min={1} max={43200} step={1}
            value={escalate} onChange={(e) => setEscalate(e.target.value)} hint={t('留空按级别默认', 'Empty: by level')} />
          <TextArea className="wide" label={t('情况说明', 'Description')} maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} />
          <ProblemMessage error={open.error} />
          <div className="form-actions"><Button type="submit" busy={open.isPending}>{t('立案并计算受影响范围', 'Open and compute the affected set')}</Button></div>
        </form>
      </Card>
    </>
  );
}
