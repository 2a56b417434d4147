import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post, qs } from '../../lib/api.ts';
import { useMe } from '../../lib/auth.tsx';
import { useI18n } from '../../lib/i18n.tsx';
import { Button, Card, Field, Loading, PageTitle, ProblemMessage, SelectField, Table } from '../../lib/ui.tsx';
import { validateBatch } from '../../../../src/batches/batches-fns.ts';
import { precheck, useFieldError, useOperator, useProducts, useSites, type Batch } from './common.tsx';
import { chinaToday } from '../../lib/divisions.ts';

const PAGE = 50;

/** An operator's batches (newest first, by product), and the form to record one. */
export function Batches() {
  const me = useMe();
  const { t, num } = useI18n();
  const [params, setParams] = useSearchParams();
  const productId = params.get('product') ?? undefined;
  const offset = Number(params.get('offset') ?? 0) || 0;
  const op = useOperator();
  const products = useProducts();
  const approved = op.data?.status === 'approved';
  const showForm = params.get('new') === '1';
  const batches = useQuery({
    queryKey: ['batches', me.operatorId, productId, offset],
    queryFn: () => get<{ items: Batch[]; total: number }>(`/api/v1/operators/${me.operatorId}/batches${qs({ productId, limit: PAGE, offset })}`),
  });
  const setParam = (k: string, v: string | null) => {
    const next = new URLSearchParams(params);
    if (v === null || v === '') next.delete(k); else next.set(k, v);
    if (k !== 'offset') next.delete('offset');
    setParams(next, { replace: true });
  };
  return (
    <>
      <PageTitle actions={approved && !showForm ? <Button onClick={() => setParam('new', '1')}>{t('登记批次', 'Record a batch')}</Button> : undefined}>
        {t('批次', 'Batches')}
      </PageTitle>
      {op.data && !approved && <div className="notice" role="status">{t('主体审核通过后才能登记批次。', 'Batches can be recorded once the operator is approved.')}</div>}
      {approved && showForm && <BatchForm onCancel={() => setParam('new', null)} />}
      <Card title={t('批次列表', 'Batch list')} actions={
        <SelectField label={t('按产品筛选', 'Filter by product')} value={productId ?? ''} onChange={(e) => setParam('product', e.target.value)}>
          <option value="">{t('全部产品', 'All products')}</option>
          {products.data?.items.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
        </SelectField>
      }>
        {batches.isLoading && <Loading />}
        <ProblemMessage error={batches.error} />
        {batches.data && (
          <>
            <Table rows={batches.data.items} rowKey={(b) => b.id} empty={t('还没有批次', 'No batches yet')} columns={[
              { key: 'lot', title: t('批次号', 'Lot'), render: (b) => <Link to={`/op/batches/${b.id}`}>{b.lotNumber}</Link> },
              { key: 'p', title: t('产品', 'Product'), render: (b) => b.productName },
              { key: 'q', title: t('数量', 'Quantity'), render: (b) => `${b.quantity} ${b.unit}`, className: 'num' },
              { key: 'd', title: t('生产/采收日期', 'Produced / harvested'), render: (b) => b.producedOn },
              { key: 'e', title: t('保质期至', 'Expires'), render: (b) => b.expiresOn ?? '—' },
              { key: 's', title: t('场所', 'Site'), render: (b) => b.site.name },
              { key: 'c', title: t('批次码', 'Batch code'), render: (b) => (b.batchCode ? <code>{b.batchCode.display}</code> : '—') },
            ]} />
            <div className="row" style={{ marginTop: 12 }}>
              <span className="muted">{t(`共 ${num(batches.data.total)} 个批次`, `${num(batches.data.total)} batches`)}</span>
              {offset > 0 && <Button kind="secondary" onClick={() => setParam('offset', String(Math.max(0, offset - PAGE)))}>{t('上一页', 'Previous')}</Button>}
              {offset + PAGE < batches.data.total && <Button kind="secondary" onClick={() => setParam('offset', String(offset + PAGE))}>{t('下一页', 'Next')}</Button>}
            </div>
          </>
        )}
      </Card>
    </>
  );
}

function BatchForm({ onCancel }: { onCancel: () => void }) {
  const { t } = useI18n();
  const nav = useNavigate();
  const qc = useQueryClient();
  const products = useProducts();
  const sites = useSites();
  const [params] = useSearchParams();
  const today = chinaToday();
  const [f, setF] = useState({ productId: params.get('product') ?? '', siteId: '', lotNumber: '', quantity: '', unit: '', producedOn: today, expiresOn: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fieldError = useFieldError(error);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }));
  const product = products.data?.items.find((p) => p.id === f.productId);
  const siteId = f.siteId || (sites.data?.length === 1 ? sites.data[0].id : '');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const input = { productId: f.productId, siteId, lotNumber: f.lotNumber, quantity: f.quantity.trim(), unit: f.unit.trim() || null, producedOn: f.producedOn, expiresOn: f.expiresOn || null };
    try {
      // The API's own batch rules (lot, quantity, dates, expiry from shelf life), checked before sending.
      if (product) precheck(() => validateBatch(input, { unit: product.unit, shelf_life_days: product.shelfLifeDays }, today));
      setBusy(true);
      const b = await post<Batch>('/api/v1/batches', input);
      qc.invalidateQueries({ queryKey: ['batches'] });
      qc.invalidateQueries({ queryKey: ['batches-total'] });
      nav(`/op/batches/${b.id}?created=1`);
    } catch (err) { setError(err); } finally { setBusy(false); }
  };
  if (products.data && products.data.items.length === 0) {
    return <Card><p>{t('请先登记产品。', 'Add a product first.')} <Link to="/op/products">{t('产品', 'Products')}</Link></p></Card>;
  }
  if (sites.data && sites.data.length === 0) {
    return <Card><p>{t('请先添加场所（生产或采收地点）。', 'Add a site first (where it is produced or harvested).')} <Link to="/op/org">{t('组织', 'Organisation')}</Link></p></Card>;
  }
  return (
    <Card title={t('登记批次', 'Record a batch')}>
      <form className="form" onSubmit={submit} aria-label={t('登记批次', 'Record a batch')}>
        <SelectField label={t('产品', 'Product')} required value={f.productId} onChange={set('productId')} error={fieldError('productId')}>
          <option value="">{t('请选择', 'Choose')}</option>
          {products.data?.items.map((p) => <option key={p.id} value={p.id}>{p.name}{p.spec ? ` · ${p.spec}` : ''}</option>)}
        </SelectField>
        <SelectField label={t('生产/采收场所', 'Site')} required value={siteId} onChange={set('siteId')} error={fieldError('siteId')}>
          <option value="">{t('请选择', 'Choose')}</option>
          {sites.data?.map((s) => <option key={s.id} value={s.id}>{s.name} · {s.divisionName}</option>)}
        </SelectField>
        <Field label={t('批次号', 'Lot number')} required maxLength={64} value={f.lotNumber} onChange={set('lotNumber')} error={fieldError('lotNumber')} />
        <Field label={t('数量', 'Quantity')} required inputMode="decimal" maxLength={40} value={f.quantity} onChange={set('quantity')} error={fieldError('quantity')}
          hint={t('正数，最多 3 位小数', 'A positive number, at most 3 decimals')} />
        <Field label={t('单位', 'Unit')} maxLength={20} value={f.unit} onChange={set('unit')} placeholder={product?.unit}
          hint={product ? t(`默认为产品单位：${product.unit}`, `Defaults to the product's unit: ${product.unit}`) : undefined} />
        <Field label={t('生产/采收日期', 'Production / harvest date')} type="date" required max={today} value={f.producedOn} onChange={set('producedOn')} error={fieldError('producedOn')} />
        <Field label={t('保质期至', 'Expiry date')} type="date" min={f.producedOn || undefined} value={f.expiresOn} onChange={set('expiresOn')} error={fieldError('expiresOn')}
          hint={product?.shelfLifeDays ? t(`留空则按保质期 ${product.shelfLifeDays} 天计算`, `Empty: production date + ${product.shelfLifeDays} days shelf life`) : undefined} />
        <ProblemMessage error={error} />
        <div className="form-actions">
          <Button type="submit" busy={busy}>{t('登记并生成批次码', 'Record and issue the batch code')}</Button>
          <Button kind="secondary" onClick={onCancel}>{t('取消', 'Cancel')}</Button>
        </div>
      </form>
    </Card>
  );
}
