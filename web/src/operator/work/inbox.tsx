/**
 * The operator's inbox (src/recall/recall-routes.ts): recall and hold notices from regulators, acknowledged here
 * (which stops their escalation) and answered with the quantities held, returned or destroyed (recorded as events);
 * and, for the operator's admin, the webhooks that receive the same notices.
 */
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, get, post } from '../../lib/api.ts';
import { useMe } from '../../lib/auth.tsx';
import { useI18n } from '../../lib/i18n.tsx';
import { Badge, Button, Card, Field, Loading, Notice, PageTitle, ProblemMessage, SelectField, Table, TextArea, VocabOptions } from '../../lib/ui.tsx';
import { INCIDENT_REASONS, INCIDENT_STATUSES, named, NOTICE_KINDS, RECALL_LEVELS, RESPONSE_ACTIONS } from '../../lib/vocabulary.ts';
import { fieldErrorOf } from '../org/common.tsx';
import { newRequestId } from './lib.tsx';
import { QUANTITY_PATTERN } from './parts.tsx';

interface NoticeLine { code: string; kind: string; product: string | null; lotNumber: string | null; unit: string; reached: string; passedOn: string; soldToConsumers: string; onHand: string }
interface InboxNotice {
  id: string; kind: 'recall' | 'hold'; message: string | null; createdAt: string; dueAt: string;
  acknowledgedAt: string | null; respondedAt: string | null; escalatedAt: string | null;
  issuedBy: { role: string; jurisdiction: string | null };
  lines: NoticeLine[]; accounted: Array<{ action: string; unit: string; quantity: string }>;
  incident: { id: string; number: string; status: string; reason: string; severity: string; description: string | null; openedAt: string };
}

function NoticeState({ n }: { n: InboxNotice }) {
  const { t } = useI18n();
  if (n.respondedAt) return <Badge tone="good">{t('已报告处置', 'Answered')}</Badge>;
  if (n.acknowledgedAt) return <Badge tone="info">{t('已确认收到', 'Acknowledged')}</Badge>;
  if (n.escalatedAt) return <Badge tone="bad">{t('逾期未确认，已上报', 'Overdue, escalated')}</Badge>;
  return <Badge tone="warn">{t('待确认', 'To acknowledge')}</Badge>;
}

export function InboxPage() {
  const { t, dt } = useI18n();
  const me = useMe();
  const nav = useNavigate();
  const q = useQuery({ queryKey: ['inbox'], queryFn: () => get<{ items: InboxNotice[] }>('/api/v1/inbox') });
  return (
    <>
      <PageTitle>{t('通知收件箱', 'Inbox')}</PageTitle>
      <p className="muted">{t('监管部门发出的召回和暂停销售通知。请及时确认收到，并报告封存、退回或销毁的数量。', 'Recall and hold notices from regulators. Acknowledge them promptly and report the quantities held, returned or destroyed.')}</p>
      {q.isLoading && <Loading />}
      <ProblemMessage error={q.error} />
      {q.data && (
        <Card>
          <Table rowKey={(n) => n.id} rows={q.data.items} empty={t('没有通知', 'No notices')} onRowClick={(n) => nav(`/op/inbox/${n.id}`)}
            columns={[
              { key: 'no', title: t('事件编号', 'Incident'), render: (n) => <Link to={`/op/inbox/${n.id}`}>{n.incident.number}</Link> },
              { key: 'kind', title: t('要求', 'Asks'), render: (n) => named(NOTICE_KINDS, n.kind, t) },
              { key: 'sev', title: t('级别', 'Level'), render: (n) => named(RECALL_LEVELS, n.incident.severity, t, 'short') },
              { key: 'reason', title: t('原因', 'Reason'), render: (n) => named(INCIDENT_REASONS, n.incident.reason, t) },
              { key: 'at', title: t('收到', 'Received'), render: (n) => dt(n.createdAt) },
              { key: 'due', title: t('确认期限', 'Acknowledge by'), render: (n) => dt(n.dueAt) },
              { key: 'state', title: t('状态', 'State'), render: (n) => <NoticeState n={n} /> },
            ]} />
        </Card>
      )}
      {me.role === 'operator-admin' && <WebhooksCard />}
    </>
  );
}

export function InboxNoticePage() {
  const { t, dt, num } = useI18n();
  const { id } = useParams();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['inbox', id], queryFn: () => get<InboxNotice>(`/api/v1/inbox/${id}`) });
  const ack = useMutation({
    mutationFn: () => post<InboxNotice>(`/api/v1/inbox/${id}/ack`),
    onSuccess: (n) => { qc.setQueryData(['inbox', id], n); qc.invalidateQueries({ queryKey: ['inbox'], exact: true }); },
  });
  const n = q.data;
  return (
    <>
      <PageTitle actions={<Link to="/op/inbox">{t('返回收件箱', 'Back to the inbox')}</Link>}>
        {n ? <>{named(NOTICE_KINDS, n.kind, t)} · {n.incident.number}</> : t('通知', 'Notice')}
      </PageTitle>
      {q.isLoading && <Loading />}
      <ProblemMessage error={q.error} />
      {n && (
        <>
          <Card title={t('通知', 'Notice')} actions={<NoticeState n={n} />}>
            <dl className="facts">
              <dt>{t('要求', 'Asks')}</dt><dd>{named(NOTICE_KINDS, n.kind, t)}</dd>
              <dt>{t('级别', 'Level')}</dt><dd>{named(RECALL_LEVELS, n.incident.severity, t)}</dd>
              <dt>{t('原因', 'Reason')}</dt><dd>{named(INCIDENT_REASONS, n.incident.reason, t)}</dd>
              {n.incident.description && <><dt>{t('说明', 'Description')}</dt><dd>{n.incident.description}</dd></>}
              {n.message && <><dt>{t('监管部门留言', "Regulator's message")}</dt><dd>{n.message}</dd></>}
              <dt>{t('发出', 'Issued')}</dt><dd>{dt(n.createdAt)}{n.issuedBy.jurisdiction ? ` · ${n.issuedBy.jurisdiction}` : ''}</dd>
              <dt>{t('确认期限', 'Acknowledge by')}</dt><dd>{dt(n.dueAt)}</dd>
              <dt>{t('确认收到', 'Acknowledged')}</dt><dd>{n.acknowledgedAt ? dt(n.acknowledgedAt) : '—'}</dd>
              <dt>{t('事件状态', 'Incident')}</dt><dd>{named(INCIDENT_STATUSES, n.incident.status, t)}</dd>
            </dl>
            {!n.acknowledgedAt && (
              <div className="form-actions" style={{ marginTop: 12 }}>
                <Button busy={ack.isPending} onClick={() => ack.mutate()}>{t('确认收到', 'Acknowledge')}</Button>
              </div>
            )}
            <ProblemMessage error={ack.error} />
            {ack.isSuccess && <Notice>{t('已确认收到', 'Acknowledged')}</Notice>}
          </Card>
          <Card title={t('涉及的货品', 'Goods concerned')}>
            <Table rowKey={(l) => `${l.code}-${l.unit}`} rows={n.lines}
              columns={[
                { key: 'code', title: t('追溯码', 'Code'), render: (l) => <code>{l.code}</code> },
                { key: 'product', title: t('产品', 'Product'), render: (l) => l.product ?? '—' },
                { key: 'lot', title: t('批次号', 'Lot'), render: (l) => l.lotNumber ?? '—' },
                { key: 'reached', title: t('收到', 'Reached you'), className: 'num', render: (l) => `${l.reached} ${l.unit}` },
                { key: 'passed', title: t('已转出', 'Passed on'), className: 'num', render: (l) => `${l.passedOn} ${l.unit}` },
                { key: 'sold', title: t('已售消费者', 'Sold to consumers'), className: 'num', render: (l) => `${l.soldToConsumers} ${l.unit}` },
                { key: 'hand', title: t('在库', 'On hand'), className: 'num', render: (l) => `${l.onHand} ${l.unit}` },
              ]} />
            {n.accounted.length > 0 && (
              <p style={{ marginBottom: 0 }}>
                {t('已报告', 'Reported so far')}: {n.accounted.map((a) => `${named(RESPONSE_ACTIONS, a.action, t)} ${num(Number(a.quantity))} ${a.unit}`).join('；')}
              </p>
            )}
          </Card>
          {n.incident.status === 'open' && n.lines.length > 0 && <RespondCard n={n} />}
        </>
      )}
    </>
  );
}

interface AnswerLine { key: string; code: string; unit: string; action: string; quantity: string }

/** Reports what was done with the goods: one line per code and action; one requestId per form, so a re-submit stores nothing twice. */
function RespondCard({ n }: { n: InboxNotice }) {
  const { t, pick } = useI18n();
  const qc = useQueryClient();
  const first = (l: NoticeLine, i: number): AnswerLine => ({ key: `a${i}`, code: l.code, unit: l.unit, action: n.kind === 'recall' ? 'returned' : 'held', quantity: l.onHand !== '0' ? l.onHand : '' });
  const [lines, setLines] = useState<AnswerLine[]>(() => n.lines.map(first));
  const [note, setNote] = useState('');
  const [requestId, setRequestId] = useState(newRequestId);
  const answer = useMutation({
    mutationFn: () => post<{ responseId: string; replayed: boolean; eventIds: string[] }>(`/api/v1/inbox/${n.id}/responses`, {
      requestId, note: note.trim() || undefined,
      lines: lines.map((l) => ({ code: l.code, unit: l.unit, action: l.action, quantity: l.quantity.trim() })),
    }),
    onSuccess: () => { qc.invalidateQueries({ queryKey: ['inbox'] }); },
  });
  const set = (i: number, p: Partial<AnswerLine>) => setLines(lines.map((x, k) => (k === i ? { ...x, ...p } : x)));
  const submit = (e: FormEvent) => { e.preventDefault(); answer.mutate(); };
  if (answer.data) {
    return (
      <Card title={t('报告处置', 'Report what you did')}>
        <Notice>
          {answer.data.replayed ? t('重复提交：返回首次报告的结果', 'Re-submitted: the first report stands') : t('已报告处置，并记录为追溯事件', 'Reported, and recorded as trace events')}
          {' '}({answer.data.eventIds.length} {t('个事件', 'events')})
        </Notice>
        <Button kind="secondary" onClick={() => { answer.reset(); setRequestId(newRequestId()); setLines(n.lines.map(first)); setNote(''); }}>{t('再报告一次', 'Report more')}</Button>
      </Card>
    );
  }
  return (
    <Card title={t('报告处置', 'Report what you did')}>
      <form className="form" onSubmit={submit}>
        {lines.map((l, i) => (
          <fieldset key={l.key} className="wide" style={{ border: '1px solid var(--line)', borderRadius: 8, padding: 12, display: 'grid', gap: 8, gridTemplateColumns: 'repeat(auto-fit, minmax(180px, 1fr))' }}>
            <legend><code>{l.code}</code> · {l.unit}</legend>
            <SelectField label={t('处置', 'Action')} value={l.action} onChange={(e) => set(i, { action: e.target.value })} error={fieldErrorOf(answer.error, pick, `lines.${i}.action`)}>
              <VocabOptions names={RESPONSE_ACTIONS} />
            </SelectField>
            <Field label={`${t('数量', 'Quantity')}（${l.unit}）`} value={l.quantity} required inputMode="decimal" pattern={QUANTITY_PATTERN}
              onChange={(e) => set(i, { quantity: e.target.value })} error={fieldErrorOf(answer.error, pick, `lines.${i}.quantity`, `lines.${i}.code`)} />
            {lines.length > 1 && <div className="form-actions"><Button kind="link" onClick={() => setLines(lines.filter((_, k) => k !== i))}>{t('删除此行', 'Remove this line')}</Button></div>}
          </fieldset>
        ))}
        <div className="form-actions">
          {n.lines.map((nl) => (
            <Button key={`${nl.code}-${nl.unit}`} kind="secondary" onClick={() => setLines([...lines, { ...first(nl, 0), key: newRequestId(), quantity: '' }])}>
              {t(`为 ${nl.code} 再加一行`, `Another line for ${nl.code}`)}
            </Button>
          ))}
        </div>
        <TextArea className="wide" label={t('备注', 'Note')} value={note} maxLength={1000} onChange={(e) => setNote(e.target.value)} error={fieldErrorOf(answer.error, pick, 'note')} />
        <ProblemMessage error={answer.error} />
        <div className="form-actions"><Button type="submit" busy={answer.isPending}>{t('提交处置报告', 'Submit the report')}</Button></div>
      </form>
    </Card>
  );
}

/** Webhooks for the operator's notices (operator-admin): the signing secret is shown once, when added. */
function WebhooksCard() {
  const { t, dt, pick } = useI18n();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['webhooks'], queryFn: () => get<{ items: Array<{ id: string; url: string; createdAt: string }> }>('/api/v1/inbox/webhooks') });
  const [url, setUrl] = useState('');
  const add = useMutation({
    mutationFn: () => post<{ id: string; url: string; secret: string }>('/api/v1/inbox/webhooks', { url: url.trim() }),
    onSuccess: () => { setUrl(''); qc.invalidateQueries({ queryKey: ['webhooks'] }); },
  });
  const remove = useMutation({
    mutationFn: (id: string) => api('DELETE', `/api/v1/inbox/webhooks/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['webhooks'] }),
  });
  return (
    <Card title="Webhook">
      <p className="muted" style={{ marginTop: 0 }}>{t('通知同时以签名的 POST 请求推送到这些地址（失败会重试）。', 'Notices are also POSTed, signed, to these addresses (retried on failure).')}</p>
      <ProblemMessage error={q.error} />
      {q.data && (
        <Table rowKey={(w) => w.id} rows={q.data.items} empty={t('尚未登记 Webhook', 'No webhooks yet')}
          columns={[
            { key: 'url', title: t('地址', 'URL'), render: (w) => <code style={{ wordBreak: 'break-all' }}>{w.url}</code> },
            { key: 'at', title: t('登记时间', 'Added'), render: (w) => dt(w.createdAt) },
            { key: 'rm', title: t('操作', 'Action'), render: (w) => <Button kind="danger" busy={remove.isPending && remove.variables === w.id} onClick={() => remove.mutate(w.id)}>{t('撤销', 'Revoke')}</Button> },
          ]} />
      )}
      <ProblemMessage error={remove.error} />
      <form className="form" style={{ marginTop: 12 }} onSubmit={(e) => { e.preventDefault(); add.mutate(); }}>
        <Field label={t('Webhook 地址（https）', 'Webhook URL (https)')} type="url" value={url} required maxLength={2000} onChange={(e) => setUrl(e.target.value)}
          error={fieldErrorOf(add.error, pick, 'url')} placeholder="https://" />
        <ProblemMessage error={add.error} />
        <div className="form-actions"><Button type="submit" busy={add.isPending}>{t('添加 Webhook', 'Add a webhook')}</Button></div>
      </form>
      {add.data && (
        <Notice>
          {t('已登记。签名密钥只显示这一次，请立即保存', 'Registered. The signing secret is shown only now; keep it')}: <code style={{ wordBreak: 'break-all' }}>{add.data.secret}</code>
        </Notice>
      )}
    </Card>
  );
}
