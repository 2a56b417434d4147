import { useEffect, useState, type FormEvent } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, objectUrl, post, qs } from '../../lib/api.ts';
import { useI18n } from '../../lib/i18n.tsx';
import { Badge, Button, Card, Loading, Notice, PageTitle, ProblemMessage, SelectField, Table, TextArea, VocabOptions } from '../../lib/ui.tsx';
import { named } from '../../lib/vocabulary.ts';
import { COMPLAINT_CATEGORIES, COMPLAINT_STATUSES, statusTone } from './labels.ts';
import { CodeLink, Facts, FilterBar, ParamFilter } from './parts.tsx';

/** A complaint as GET /api/v1/complaints[/:id] presents it (src/complaints/complaints-service.ts). */
export interface Complaint {
  id: string; reference: string; receivedAt: string; category: string; text: string; contact: string | null; code: string | null;
  channel: string | null; divisionCode: string | null;
  operator: { id: string; name: string | null; uscc: string | null } | null; product: { id: string; name: string | null } | null;
  photo: { contentType: string; size: number } | null;
  status: string; statusNote: string | null; statusChangedAt: string | null;
}

/** Complaints reaching the regulator's jurisdiction, newest first. */
export function ComplaintList() {
  const { t, dt } = useI18n();
  const [params] = useSearchParams();
  const status = params.get('status') ?? '';
  const q = useQuery({ queryKey: ['complaints', status], queryFn: () => get<{ items: Complaint[] }>(`/api/v1/complaints${qs({ status })}`) });
  return (
    <>
      <PageTitle>{t('投诉举报', 'Complaints')}</PageTitle>
      <FilterBar label={t('筛选投诉', 'Filter complaints')}>
        <ParamFilter param="status" label={t('状态', 'Status')} names={COMPLAINT_STATUSES} />
      </FilterBar>
      {q.isLoading && <Loading />}
      <ProblemMessage error={q.error} />
      {q.data && (
        <Table<Complaint>
          rows={q.data.items} rowKey={(c) => c.id} empty={t('暂无投诉', 'No complaints')}
          columns={[
            { key: 'ref', title: t('编号', 'Reference'), render: (c) => <Link to={`/reg/complaints/${c.id}`}>{c.reference}</Link> },
            { key: 'at', title: t('收到时间', 'Received'), render: (c) => dt(c.receivedAt) },
            { key: 'status', title: t('状态', 'Status'), render: (c) => <Badge tone={statusTone(c.status)}>{named(COMPLAINT_STATUSES, c.status, t)}</Badge> },
            { key: 'text', title: t('内容', 'Complaint'), render: (c) => <span className="risk-clip">{c.text}</span> },
            { key: 'cat', title: t('类别', 'Category'), render: (c) => named(COMPLAINT_CATEGORIES, c.category, t) },
            { key: 'about', title: t('涉及', 'About'), render: (c) => c.product?.name ?? c.operator?.name ?? '—' },
            { key: 'code', title: t('追溯码', 'Code'), render: (c) => (c.code ? <CodeLink code={c.code} /> : '—') },
          ]}
        />
      )}
    </>
  );
}

const NEXT: Record<string, string[]> = { received: ['investigating', 'closed'], investigating: ['closed'], closed: [] };

/** One complaint: text, photo, the code's trace, contact details (regulators only), and its status with a note. */
export function ComplaintDetail() {
  const { id = '' } = useParams();
  const { t, dt } = useI18n();
  const client = useQueryClient();
  const q = useQuery({ queryKey: ['complaint', id], queryFn: () => get<Complaint>(`/api/v1/complaints/${id}`) });
  const [photo, setPhoto] = useState<string | null>(null);
  const [photoError, setPhotoError] = useState<unknown>(null);
  const hasPhoto = !!q.data?.photo;
  useEffect(() => {
    if (!hasPhoto) return;
    let url: string | null = null;
    objectUrl(`/api/v1/complaints/${id}/photo`).then((u) => { url = u; setPhoto(u); }).catch(setPhotoError);
    return () => { if (url) URL.revokeObjectURL(url); };
  }, [id, hasPhoto]);
  const [status, setStatus] = useState('');
  const [note, setNote] = useState('');
  const [noteMissing, setNoteMissing] = useState(false);
  const change = useMutation({
    mutationFn: (to: string) => post<Complaint>(`/api/v1/complaints/${id}/status`, { status: to, note: note.trim() || undefined }),
    onSuccess: (c) => {
      client.setQueryData(['complaint', id], (old: Complaint | undefined) => ({ ...old, ...c }));
      client.invalidateQueries({ queryKey: ['complaints'] });
      setNote('');
      setStatus('');
    },
  });
  if (q.isLoading) return <Loading />;
  if (!q.data) return <ProblemMessage error={q.error} />;
  const c = q.data;
  const next = NEXT[c.status] ?? [];
  const chosen = status || next[0] || '';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    // As the API: a note is optional, except when closing (what was found and done).
    const missing = chosen === 'closed' && !note.trim();
    setNoteMissing(missing);
    change.reset();
    if (!missing) change.mutate(chosen);
  };
  const code = c.code;
  return (
    <>
      <PageTitle actions={<Link to="/reg/complaints">{t('返回投诉列表', 'Back to complaints')}</Link>}>
        {t('投诉 ', 'Complaint ')}{c.reference}
      </PageTitle>
      <div className="row risk-badges"><Badge tone={statusTone(c.status)}>{named(COMPLAINT_STATUSES, c.status, t)}</Badge></div>
      <Card title={t('投诉内容', 'What was reported')}>
        <p className="risk-explanation">{c.text}</p>
        <Facts items={[
          [t('收到时间', 'Received'), dt(c.receivedAt)],
          [t('类别', 'Category'), named(COMPLAINT_CATEGORIES, c.category, t)],
          [t('涉及产品', 'Product'), c.product?.name ?? '—'],
          [t('涉及主体', 'Operator'), c.operator?.name ?? '—'],
          [t('追溯码', 'Trace code'), code ? <CodeLink code={code} /> : '—'],
          // /reg admits regulators and admins only, and only they receive complaints.
          [t('联系方式', 'Contact'), c.contact || t('未留', 'None given')],
        ]} />
        {code && <p><Link to={`/reg/incidents/new?code=${encodeURIComponent(code)}`}>{t('以此追溯码立案', 'Open an incident on this code')}</Link></p>}
      </Card>
      {hasPhoto && (
        <Card title={t('照片', 'Photo')}>
          <ProblemMessage error={photoError} />
          {photo ? <img className="risk-photo" src={photo} alt={t('投诉人上传的照片', 'Photo sent with the complaint')} /> : !photoError && <Loading />}
        </Card>
      )}
      <Card title={t('办理', 'Handling')}>
        {change.isSuccess && <Notice>{t('状态已更新。', 'Status updated.')}</Notice>}
        {next.length > 0 ? (
          <form className="form" noValidate onSubmit={submit}>
            <SelectField label={t('新状态', 'New status')} required value={chosen} onChange={(e) => setStatus(e.target.value)}>
              <VocabOptions names={COMPLAINT_STATUSES} values={next} />
            </SelectField>
            <TextArea className="wide" label={t('办理说明', 'Note')} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)}
              required={chosen === 'closed'} error={noteMissing ? t('办结时请填写办理说明', 'Say what was found and done when closing') : null}
              hint={t('办结时必填，最多 2000 字', 'Required when closing; up to 2000 characters')} />
            <ProblemMessage error={change.error} />
            <div className="form-actions"><Button type="submit" busy={change.isPending}>{t('更新状态', 'Update the status')}</Button></div>
          </form>
        ) : <p className="muted">{t('已办结。', 'Closed.')}</p>}
        {c.statusNote && <p>{t('最近办理：', 'Last step: ')}{dt(c.statusChangedAt ?? null)} · {c.statusNote}</p>}
      </Card>
    </>
  );
}
