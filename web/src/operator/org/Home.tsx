import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { get } from '../../lib/api.ts';
import { useMe } from '../../lib/auth.tsx';
import { useI18n } from '../../lib/i18n.tsx';
import { Badge, Card, Loading, PageTitle, ProblemMessage, Stats } from '../../lib/ui.tsx';
import { STATUS_NAMES, isAdmin, isWorker, useOperator, useProducts, useSites, useTypeName, type Review } from './common.tsx';

/** The workbench start page: the operator, its review status (with the reason when suspended or rejected), counts and shortcuts. */
export function OperatorHome() {
  const me = useMe();
  const { t, dt } = useI18n();
  const typeName = useTypeName();
  const op = useOperator();
  const worker = isWorker(me);
  const sites = useSites();
  const products = useProducts();
  const batches = useQuery({
    queryKey: ['batches-total', me.operatorId], enabled: worker && !!me.operatorId,
    queryFn: () => get<{ total: number }>(`/api/v1/operators/${me.operatorId}/batches?limit=1`),
  });
  const warnings = useQuery({
    queryKey: ['warnings-open', me.operatorId], enabled: !!me.operatorId,
    queryFn: () => get<{ items: unknown[]; next: string | null }>('/api/v1/risk/warnings?status=open&limit=500'),
  });
  const inbox = useQuery({
    queryKey: ['inbox-count', me.operatorId], enabled: worker,
    queryFn: () => get<{ items: { acknowledgedAt: string | null }[] }>('/api/v1/inbox'),
  });
  const status = op.data?.status;
  const reviews = useQuery({
    queryKey: ['reviews', me.operatorId], enabled: !!status && status !== 'approved',
    queryFn: async () => (await get<{ items: Review[] }>(`/api/v1/operators/${me.operatorId}/reviews`)).items,
  });
  if (!me.operatorId) return <PageTitle>{t('工作台', 'Workbench')}</PageTitle>;
  if (op.isLoading) return <Loading />;
  if (op.error) return <ProblemMessage error={op.error} />;
  const o = op.data!;
  const [zh, en, tone] = STATUS_NAMES[o.status];
  const reason = reviews.data?.filter((r) => r.to === o.status).at(-1)?.reason;
  const openWarnings = warnings.data ? (warnings.data.next ? `${warnings.data.items.length}+` : warnings.data.items.length) : undefined;
  return (
    <div className="org-page">
      <PageTitle>{o.name}</PageTitle>
      <div className="status-line">
        <Badge tone={tone}>{t(zh, en)}</Badge>
        <span className="muted">{t('统一社会信用代码', 'USCC')} <code>{o.uscc}</code></span>
        <span className="muted">{o.divisionName}</span>
        <span className="muted">{o.types.map(typeName).join('、')}</span>
      </div>
      {o.status === 'pending' && (
        <div className="notice" role="status">
          {t(`本主体的注册正在等待${o.divisionName}所属监管部门审核。审核通过前不能登记产品、批次或赋码。`,
            `This operator's registration awaits review by the regulator of ${o.divisionName}. Products, batches and codes can be recorded once it is approved.`)}
        </div>
      )}
      {(o.status === 'suspended' || o.status === 'rejected') && (
        <div className="problem" role="alert">
          <strong>{o.status === 'suspended' ? t('本主体已被暂停，不能登记批次或赋码。', 'This operator is suspended; it cannot record batches or issue codes.')
            : t('本主体的注册已被驳回。', 'This operator\'s registration was rejected.')}</strong>
          {reason && <p style={{ margin: '6px 0 0' }}>{t('原因', 'Reason')}: {reason}</p>}
        </div>
      )}
      <Stats label={t('统计', 'Counts')} style={{ margin: '16px 0' }} items={[
        { label: t('场所', 'Sites'), value: sites.data?.length, to: '/op/org' },
        worker && { label: t('产品', 'Products'), value: products.data?.total, to: '/op/products' },
        worker && { label: t('批次', 'Batches'), value: batches.data?.total, to: '/op/batches' },
        { label: t('未处理风险预警', 'Open risk warnings'), value: openWarnings },
        worker && { label: t('未确认通知', 'Unacknowledged notices'), value: inbox.data?.items.filter((n) => !n.acknowledgedAt).length },
      ]} />
      <Card title={t('快捷操作', 'Shortcuts')}>
        <ul className="shortcuts">
          {worker && o.status === 'approved' && <li><Link to="/op/batches?new=1">{t('登记批次', 'Record a batch')}</Link></li>}
          {worker && <li><Link to="/op/products">{t('产品', 'Products')}</Link></li>}
          {worker && <li><Link to="/op/batches">{t('批次与标签', 'Batches and labels')}</Link></li>}
          <li><Link to="/op/pools">{worker ? t('码池与扫码激活', 'Code pools and activation') : t('码池', 'Code pools')}</Link></li>
          {isAdmin(me) && <li><Link to="/op/org?tab=staff">{t('员工账号', 'Staff accounts')}</Link></li>}
          {isAdmin(me) && <li><Link to="/op/org?tab=keys">{t('API 密钥', 'API keys')}</Link></li>}
        </ul>
      </Card>
      <p className="muted">{t('注册时间', 'Registered')}: {dt(o.createdAt)}</p>
    </div>
  );
}
