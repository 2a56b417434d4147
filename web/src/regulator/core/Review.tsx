import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post, qs } from '../../lib/api.ts';
import { useI18n } from '../../lib/i18n.tsx';
import { Badge, Button, Card, Loading, Notice, PageTitle, ProblemMessage, SelectField, Table, TextArea } from '../../lib/ui.tsx';
import { OPERATOR_STATUSES, OPERATOR_TYPE_NAMES, SITE_KINDS, type OperatorStatus, type OperatorType, type ReviewAction } from '../../../../src/registry/registry-types.ts';

interface Operator {
  id: string; uscc: string; name: string; types: OperatorType[]; divisionCode: string; divisionName: string; address: string | null;
  contactName: string | null; contactPhone: string | null; status: OperatorStatus; source: string; createdAt: string; updatedAt: string;
  usccOverride: { reason: string } | null;
  licences: Array<{ id: string; type: string; number: string; issuer: string | null; validUntil: string | null }>;
}
interface Site { id: string; name: string; kind: (typeof SITE_KINDS)[number]; divisionName: string; address: string | null; gln: string | null }
interface Review { from: string | null; to: string; actorRole: string; reason: string | null; at: string }

const STATUS_NAMES: Record<OperatorStatus, [string, string, 'warn' | 'good' | 'bad' | 'neutral']> = {
  pending: ['待审核', 'Pending', 'warn'], approved: ['已通过', 'Approved', 'good'], rejected: ['已驳回', 'Rejected', 'bad'], suspended: ['已暂停', 'Suspended', 'bad'],
};
const ACTION_NAMES: Record<ReviewAction, [string, string]> = {
  approve: ['通过', 'Approve'], reject: ['驳回', 'Reject'], suspend: ['暂停', 'Suspend'], reinstate: ['恢复', 'Reinstate'],
};
const DONE_NAMES: Record<ReviewAction, [string, string]> = {
  approve: ['已通过', 'Approved'], reject: ['已驳回', 'Rejected'], suspend: ['已暂停', 'Suspended'], reinstate: ['已恢复', 'Reinstated'],
};
// The workflow of src/registry/registry-fns.ts: which actions apply to which status.
const ACTIONS_FOR: Record<OperatorStatus, ReviewAction[]> = { pending: ['approve', 'reject'], approved: ['suspend'], suspended: ['reinstate'], rejected: [] };

export function StatusBadge({ status }: { status: OperatorStatus }) {
  const { t } = useI18n();
  const [zh, en, tone] = STATUS_NAMES[status];
  return <Badge tone={tone}>{t(zh, en)}</Badge>;
}

/** The review queue: operators in the jurisdiction by status, pending first. */
export function ReviewQueue() {
  const { t, dt } = useI18n();
  const [status, setStatus] = useState<OperatorStatus>('pending');
  const [q, setQ] = useState('');
  const [page, setPage] = useState(0);
  const limit = 50;
  const list = useQuery({
    queryKey: ['operators', status, q, page],
    queryFn: () => get<{ items: Operator[]; total: number }>(`/api/v1/operators${qs({ status, q: q.trim() || undefined, limit, offset: page * limit })}`),
  });
  return (
    <>
      <PageTitle>{t('主体审核', 'Operator review')}</PageTitle>
      <div className="tabs" role="group" aria-label={t('按状态', 'By status')}>
        {OPERATOR_STATUSES.map((s) => (
          <button key={s} type="button" aria-pressed={status === s} onClick={() => { setStatus(s); setPage(0); }}>{t(STATUS_NAMES[s][0], STATUS_NAMES[s][1])}</button>
        ))}
      </div>
      <form className="form" role="search" onSubmit={(e) => { e.preventDefault(); setPage(0); }}>
        <div className="field">
          <label htmlFor="review-q">{t('名称或统一社会信用代码', 'Name or USCC')}</label>
          <input id="review-q" value={q} maxLength={100} onChange={(e) => { setQ(e.target.value); setPage(0); }} />
        </div>
      </form>
      {list.error && <ProblemMessage error={list.error} />}
      {list.isLoading ? <Loading /> : list.data && (
        <Card title={t(`共 ${list.data.total} 家`, `${list.data.total} in all`)}>
          <Table rowKey={(o) => o.id} rows={list.data.items} empty={t('没有该状态的主体', 'No operators with this status')} columns={[
            { key: 'name', title: t('名称', 'Name'), render: (o) => <Link to={`/reg/review/${o.id}`}>{o.name}</Link> },
            { key: 'uscc', title: t('统一社会信用代码', 'USCC'), render: (o) => <code>{o.uscc}</code> },
            { key: 'types', title: t('类型', 'Type'), render: (o) => o.types.map((ty) => t(...OPERATOR_TYPE_NAMES[ty])).join('、') },
            { key: 'division', title: t('所在地', 'Division'), render: (o) => o.divisionName },
            { key: 'status', title: t('状态', 'Status'), render: (o) => <StatusBadge status={o.status} /> },
            { key: 'created', title: t('登记时间', 'Registered'), render: (o) => dt(o.createdAt) },
          ]} />
          <div className="row" style={{ marginTop: 8 }}>
            <Button kind="secondary" disabled={page === 0} onClick={() => setPage(page - 1)}>{t('上一页', 'Previous')}</Button>
            <span className="muted">{t(`第 ${page + 1} 页`, `Page ${page + 1}`)}</span>
            <Button kind="secondary" disabled={(page + 1) * limit >= list.data.total} onClick={() => setPage(page + 1)}>{t('下一页', 'Next')}</Button>
          </div>
        </Card>
      )}
    </>
  );
}

function ReviewForm({ operator }: { operator: Operator }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const actions = ACTIONS_FOR[operator.status];
  const [chosen, setChosen] = useState<ReviewAction | ''>(actions[0] ?? '');
  // After a decision the status changes, and with it the actions that apply.
  const action: ReviewAction | '' = chosen && actions.includes(chosen) ? chosen : actions[0] ?? '';
  const [reason, setReason] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const m = useMutation({
    mutationFn: () => post<Operator>(`/api/v1/operators/${operator.id}/review`, { action, reason: reason.trim() }),
    onSuccess: (o) => {
      const [zh, en] = DONE_NAMES[action as ReviewAction];
      setDone(t(`${zh}：${o.name}`, `${en}: ${o.name}`));
      setReason('');
      qc.invalidateQueries({ queryKey: ['operators'] });
      qc.invalidateQueries({ queryKey: ['operator', operator.id] });
      qc.invalidateQueries({ queryKey: ['dashboard'] });
    },
  });
  // The console asks a reason for every decision (the API requires one to reject or suspend); it goes on record.
  const reasonError = m.isError || !reason || reason.trim() ? null : t('请填写理由', 'Please give a reason');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    if (!action || !reason.trim()) return;
    m.mutate();
  };
  if (actions.length === 0) return <p className="muted">{t('该主体已驳回，无可执行的审核操作。', 'This operator was rejected; no review action applies.')}</p>;
  return (
    <form className="form review-actions" onSubmit={submit} aria-label={t('审核决定', 'Review decision')}>
      {done && <div className="wide"><Notice>{done}</Notice></div>}
      <SelectField label={t('操作', 'Action')} required value={action} onChange={(e) => { setChosen(e.target.value as ReviewAction); m.reset(); }}>
        {actions.map((a) => <option key={a} value={a}>{t(...ACTION_NAMES[a])}</option>)}
      </SelectField>
      <TextArea className="wide" label={t('理由', 'Reason')} required maxLength={1000} value={reason} error={reasonError}
        hint={t('将记入审核记录，主体可见', 'Kept in the review history, visible to the operator')} onChange={(e) => setReason(e.target.value)} />
      {m.error && <ProblemMessage error={m.error} />}
      <div className="form-actions">
        <button type="submit" className={`btn ${action === 'approve' || action === 'reinstate' ? 'btn-primary' : 'btn-danger'}`} disabled={m.isPending || !reason.trim()} aria-busy={m.isPending || undefined}>
          {action ? t(...ACTION_NAMES[action]) : t('提交', 'Submit')}
        </button>
      </div>
    </form>
  );
}

/** One operator as registered: licences, sites, review history, and the review decision. */
export function ReviewDetail() {
  const { id = '' } = useParams();
  const { t, dt } = useI18n();
  const op = useQuery({ queryKey: ['operator', id], queryFn: () => get<Operator>(`/api/v1/operators/${id}`) });
  const sites = useQuery({ queryKey: ['operator', id, 'sites'], queryFn: () => get<{ items: Site[] }>(`/api/v1/operators/${id}/sites`) });
  const reviews = useQuery({ queryKey: ['operator', id, 'reviews'], queryFn: () => get<{ items: Review[] }>(`/api/v1/operators/${id}/reviews`) });
  if (op.error) return <ProblemMessage error={op.error} />;
  if (!op.data) return <Loading />;
  const o = op.data;
  const statusName = (s: string | null) => (s && s in STATUS_NAMES ? t(STATUS_NAMES[s as OperatorStatus][0], STATUS_NAMES[s as OperatorStatus][1]) : '—');
  return (
    <>
      <PageTitle actions={<Link to="/reg/review">{t('返回审核列表', 'Back to the queue')}</Link>}>{o.name} <StatusBadge status={o.status} /></PageTitle>
      <div className="grid">
        <Card title={t('登记信息', 'Registration')}>
          <dl className="facts">
            <dt>{t('统一社会信用代码', 'USCC')}</dt><dd><code>{o.uscc}</code>{o.usccOverride && <> <Badge tone="warn">{t('校验位例外', 'Checksum override')}</Badge> {o.usccOverride.reason}</>}</dd>
            <dt>{t('类型', 'Type')}</dt><dd>{o.types.map((ty) => t(...OPERATOR_TYPE_NAMES[ty])).join('、')}</dd>
            <dt>{t('所在地', 'Division')}</dt><dd>{o.divisionName} <code>{o.divisionCode}</code></dd>
            <dt>{t('地址', 'Address')}</dt><dd>{o.address ?? '—'}</dd>
            <dt>{t('联系人', 'Contact')}</dt><dd>{[o.contactName, o.contactPhone].filter(Boolean).join(' · ') || '—'}</dd>
            <dt>{t('登记时间', 'Registered')}</dt><dd>{dt(o.createdAt)}</dd>
          </dl>
        </Card>
        <Card title={t('审核', 'Review')}><ReviewForm operator={o} /></Card>
      </div>
      <Card title={t('许可证', 'Licences')}>
        <Table rowKey={(l) => l.id} rows={o.licences} empty={t('未登记许可证', 'No licences on record')} columns={[
          { key: 'type', title: t('类型', 'Type'), render: (l) => l.type },
          { key: 'number', title: t('编号', 'Number'), render: (l) => <code>{l.number}</code> },
          { key: 'issuer', title: t('发证机关', 'Issuer'), render: (l) => l.issuer ?? '—' },
          { key: 'valid', title: t('有效期至', 'Valid until'), render: (l) => l.validUntil ?? '—' },
        ]} />
      </Card>
      <Card title={t('场所', 'Sites')}>
        {sites.error ? <ProblemMessage error={sites.error} /> : !sites.data ? <Loading /> : (
          <Table rowKey={(s) => s.id} rows={sites.data.items} empty={t('未登记场所', 'No sites yet')} columns={[
            { key: 'name', title: t('名称', 'Name'), render: (s) => s.name },
            { key: 'kind', title: t('类型', 'Kind'), render: (s) => s.kind },
            { key: 'division', title: t('所在地', 'Division'), render: (s) => s.divisionName },
            { key: 'address', title: t('地址', 'Address'), render: (s) => s.address ?? '—' },
          ]} />
        )}
      </Card>
      <Card title={t('审核记录', 'Review history')}>
        {reviews.error ? <ProblemMessage error={reviews.error} /> : !reviews.data ? <Loading /> : (
          <Table rowKey={(r) => r.at + r.to} rows={reviews.data.items} columns={[
            { key: 'at', title: t('时间', 'When'), render: (r) => dt(r.at) },
            { key: 'change', title: t('状态变化', 'Change'), render: (r) => `${statusName(r.from)} → ${statusName(r.to)}` },
            { key: 'role', title: t('操作角色', 'By role'), render: (r) => r.actorRole },
            { key: 'reason', title: t('理由', 'Reason'), render: (r) => r.reason ?? '—' },
          ]} />
        )}
      </Card>
    </>
  );
}
