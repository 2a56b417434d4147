import { useMemo, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { post } from '../../lib/api.ts';
import { useMe } from '../../lib/auth.tsx';
import { useI18n } from '../../lib/i18n.tsx';
import { Badge, Button, Card, Field, Loading, Notice, PageTitle, ProblemMessage, SelectField, Table } from '../../lib/ui.tsx';
import { validateProduct } from '../../../../src/catalog/catalog-fns.ts';
import { precheck, useCategories, useFieldError, useOperator, useProducts, type Category, type Product } from './common.tsx';

/** The category tree flattened in code order, each with its depth (codes are paths: AGRI.MEAT.PORK). */
function flatten(items: Category[]): (Category & { depth: number })[] {
  return [...items].sort((a, b) => a.code.localeCompare(b.code)).map((c) => ({ ...c, depth: c.code.split('.').length - 1 }));
}

export function useCategoryName() {
  const { lang } = useI18n();
  const cats = useCategories();
  return (code: string) => {
    const c = cats.data?.items.find((x) => x.code === code);
    return c ? (lang === 'zh' ? c.nameZh : c.nameEn) : code;
  };
}

/** Products (GTIN with its mod-10 check, category from the catalog) and the form to add one. */
export function Products() {
  const { t } = useI18n();
  const products = useProducts();
  const op = useOperator();
  const catName = useCategoryName();
  const qc = useQueryClient();
  const [added, setAdded] = useState<Product | null>(null);
  const approved = op.data?.status === 'approved';
  return (
    <>
      <PageTitle>{t('产品', 'Products')}</PageTitle>
      {added && <Notice>{t(`已登记产品“${added.name}”。`, `Product "${added.name}" added.`)} <Link to="/op/batches?new=1">{t('登记批次', 'Record a batch')}</Link></Notice>}
      {op.data && !approved && (
        <div className="notice" role="status">{t('主体审核通过后才能登记产品。', 'Products can be added once the operator is approved.')}</div>
      )}
      {approved && <ProductForm onDone={(p) => { setAdded(p); qc.invalidateQueries({ queryKey: ['products'] }); }} />}
      <Card title={t('产品列表', 'Product list')}>
        {products.isLoading && <Loading />}
        <ProblemMessage error={products.error} />
        {products.data && (
          <Table rows={products.data.items} rowKey={(p) => p.id} empty={t('还没有产品', 'No products yet')} columns={[
            { key: 'n', title: t('名称', 'Name'), render: (p) => <>{p.name}{p.spec ? <span className="muted"> · {p.spec}</span> : null}</> },
            { key: 'c', title: t('分类', 'Category'), render: (p) => <>{catName(p.categoryCode)} {p.keyTraced && <Badge tone="info">{t('重点追溯', 'key-trace')}</Badge>}</> },
            { key: 'g', title: 'GTIN', render: (p) => (p.gtin ? <code>{p.gtin}</code> : '—') },
            { key: 'u', title: t('单位', 'Unit'), render: (p) => p.unit },
            { key: 's', title: t('保质期（天）', 'Shelf life (days)'), render: (p) => p.shelfLifeDays ?? '—', className: 'num' },
            { key: 'b', title: '', render: (p) => <Link to={`/op/batches?product=${p.id}`}>{t('批次', 'Batches')}</Link> },
          ]} />
        )}
      </Card>
    </>
  );
}

function ProductForm({ onDone }: { onDone: (p: Product) => void }) {
  const me = useMe();
  const { t, lang } = useI18n();
  const cats = useCategories();
  const tree = useMemo(() => flatten(cats.data?.items ?? []), [cats.data]);
  const empty = { name: '', categoryCode: '', spec: '', unit: '', shelfLifeDays: '', gtin: '' };
  const [f, setF] = useState(empty);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fieldError = useFieldError(error);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }));
  const body = () => ({
    name: f.name, categoryCode: f.categoryCode, spec: f.spec || null, unit: f.unit,
    shelfLifeDays: f.shelfLifeDays === '' ? null : Number(f.shelfLifeDays), gtin: f.gtin.trim() || null,
  });
  // The GTIN check digit as the user types, with the API's own rule and message.
  let gtinError: string | null = null;
  if (f.gtin.trim().length >= 8) {
    try { precheck(() => validateProduct({ ...body(), name: 'x', unit: 'x' })); } catch (e) { gtinError = problemText(e, lang); }
  }
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      precheck(() => validateProduct(body()));
      setBusy(true);
      onDone(await post<Product>(`/api/v1/operators/${me.operatorId}/products`, body()));
      setF(empty);
    } catch (err) { setError(err); } finally { setBusy(false); }
  };
  return (
    <Card title={t('登记产品', 'Add a product')}>
      <form className="form" onSubmit={submit} aria-label={t('登记产品', 'Add a product')}>
        <Field label={t('产品名称', 'Product name')} required maxLength={200} value={f.name} onChange={set('name')} error={fieldError('name')} />
        <SelectField label={t('产品分类', 'Category')} required value={f.categoryCode} onChange={set('categoryCode')} error={fieldError('categoryCode')}
          hint={t('标“重点追溯”的分类今日列入重点追溯产品目录', 'Categories marked key-trace are on the key-trace catalog today')}>
          <option value="">{cats.isLoading ? t('加载中…', 'Loading…') : t('请选择', 'Choose')}</option>
          {tree.map((c) => (
            <option key={c.code} value={c.code}>
              {'\u3000'.repeat(c.depth)}{lang === 'zh' ? c.nameZh : c.nameEn}{c.keyTraced ? t('（重点追溯）', ' (key-trace)') : ''}
            </option>
          ))}
        </SelectField>
        <Field label={t('规格', 'Specification')} maxLength={200} value={f.spec} onChange={set('spec')} placeholder={t('如：500g/袋', 'e.g. 500 g bag')} />
        <Field label={t('计量单位', 'Unit')} required maxLength={20} value={f.unit} onChange={set('unit')} placeholder={t('如：kg、袋、头', 'e.g. kg, bag, head')} error={fieldError('unit')} />
        <Field label={t('保质期（天）', 'Shelf life (days)')} type="number" min={1} max={36500} step={1} value={f.shelfLifeDays} onChange={set('shelfLifeDays')} error={fieldError('shelfLifeDays')} />
        <Field label={t('GTIN 商品条码（可选）', 'GTIN (optional)')} inputMode="numeric" maxLength={14} value={f.gtin} onChange={set('gtin')}
          hint={t('8、12、13 或 14 位，末位为 GS1 校验位', '8, 12, 13 or 14 digits ending in the GS1 check digit')} error={gtinError ?? fieldError('gtin')} />
        <ProblemMessage error={error} />
        <div className="form-actions"><Button type="submit" busy={busy}>{t('登记产品', 'Add product')}</Button></div>
      </form>
    </Card>
  );
}

/** The message of a precheck refusal in the current language. */
function problemText(e: unknown, lang: 'zh' | 'en'): string {
  const p = (e as { problem?: { message?: { zh: string; en: string } } }).problem;
  return p?.message ? p.message[lang] : String(e);
}
