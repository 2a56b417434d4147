import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post, qs } from '../lib/api.ts';
import { useI18n } from '../lib/i18n.tsx';
import { Badge, Button, Card, Field, Notice, PageTitle, ProblemMessage, SelectField, Table } from '../lib/ui.tsx';
import { chinaToday } from '../lib/divisions.ts';

interface Category { code: string; parentCode: string | null; nameZh: string; nameEn: string; keyTraced: boolean }
interface Listing { id: string; categoryCode: string; categoryNameZh: string; categoryNameEn: string; effectiveFrom: string; effectiveTo: string | null; note: string | null }


/** The key-trace catalog (重点追溯产品目录): what is listed on a date, list a category, end a listing. */
export function CatalogPage() {
  const { t } = useI18n();
  const client = useQueryClient();
  const [asOf, setAsOf] = useState(chinaToday());
  const [form, setForm] = useState({ categoryCode: '', effectiveFrom: chinaToday(), effectiveTo: '', note: '' });
  const [ending, setEnding] = useState<Record<string, string>>({});
  const [done, setDone] = useState<string | null>(null);
  const categories = useQuery({ queryKey: ['categories'], queryFn: () => get<{ items: Category[] }>('/api/v1/categories') });
  const listings = useQuery({ queryKey: ['key-trace', asOf], queryFn: () => get<{ asOf: string; items: Listing[] }>(`/api/v1/key-trace-catalog${qs({ asOf })}`) });
  const refresh = () => { client.invalidateQueries({ queryKey: ['key-trace'] }); client.invalidateQueries({ queryKey: ['categories'] }); };
  const add = useMutation({
    mutationFn: () => post<Listing>('/api/v1/key-trace-catalog', {
      categoryCode: form.categoryCode, effectiveFrom: form.effectiveFrom, effectiveTo: form.effectiveTo || null, note: form.note || null,
    }),
    onSuccess: (l) => { setDone(`${t('已列入：', 'Listed: ')}${t(l.categoryNameZh, l.categoryNameEn)}`); refresh(); },
  });
  const end = useMutation({
    mutationFn: (l: Listing) => post<Listing>(`/api/v1/key-trace-catalog/${l.id}/end`, { effectiveTo: ending[l.id] || chinaToday() }),
    onSuccess: () => { setDone(t('已设置截止日期', 'End date set')); refresh(); },
  });
  const cats = categories.data?.items ?? [];
  const depth = (code: string) => code.split('.').length - 1;
  const submit = (e: FormEvent) => { e.preventDefault(); add.mutate(); };
  return (
    <>
      <PageTitle>{t('重点追溯产品目录', 'Key-trace product catalog')}</PageTitle>
      {done && <Notice>{done}</Notice>}
      <Card title={t('列入目录', 'List a category')}>
        <form className="form" onSubmit={submit} aria-label={t('列入目录', 'List a category')}>
          <SelectField label={t('产品分类', 'Category')} required value={form.categoryCode} onChange={(e) => setForm({ ...form, categoryCode: e.target.value })}
            hint={t('列入上级分类即覆盖其全部下级分类', 'Listing a category covers all categories below it')}>
            <option value="">{t('请选择', 'Choose…')}</option>
            {cats.map((c) => <option key={c.code} value={c.code}>{'\u00a0\u00a0'.repeat(depth(c.code))}{t(c.nameZh, c.nameEn)}（{c.code}）</option>)}
          </SelectField>
          <Field label={t('生效日期', 'Effective from')} type="date" required value={form.effectiveFrom} onChange={(e) => setForm({ ...form, effectiveFrom: e.target.value })} />
          <Field label={t('截止日期（当日起不再适用，可空）', 'Effective to (first day no longer in force; optional)')} type="date" value={form.effectiveTo} onChange={(e) => setForm({ ...form, effectiveTo: e.target.value })} />
          <Field label={t('依据 / 备注', 'Basis / note')} value={form.note} maxLength={1000} onChange={(e) => setForm({ ...form, note: e.target.value })} className="wide" />
          <ProblemMessage error={add.error} />
          <div className="form-actions"><Button type="submit" busy={add.isPending}>{t('列入', 'List')}</Button></div>
        </form>
      </Card>
      <Card title={t('某日有效的目录', 'Catalog in force on a date')} actions={<Field label={t('日期', 'Date')} type="date" value={asOf} onChange={(e) => setAsOf(e.target.value)} />}>
        <ProblemMessage error={listings.error ?? end.error} />
        <Table rows={listings.data?.items ?? []} rowKey={(l) => l.id} empty={t('该日没有列入目录的分类', 'Nothing listed on that date')} columns={[
          { key: 'c', title: t('分类', 'Category'), render: (l) => <>{t(l.categoryNameZh, l.categoryNameEn)} <code>{l.categoryCode}</code></> },
          { key: 'f', title: t('生效', 'From'), render: (l) => l.effectiveFrom },
          { key: 't', title: t('截止', 'To'), render: (l) => l.effectiveTo ?? <Badge tone="info">{t('长期', 'open-ended')}</Badge> },
          { key: 'n', title: t('备注', 'Note'), render: (l) => l.note ?? '' },
          { key: 'a', title: t('结束列入', 'End listing'), render: (l) => (
            <div className="row">
              <Field label={t('截止日期', 'End date')} type="date" value={ending[l.id] ?? chinaToday()} onChange={(e) => setEnding({ ...ending, [l.id]: e.target.value })} />
              <Button kind="secondary" onClick={() => end.mutate(l)} busy={end.isPending && end.variables?.id === l.id}>{t('设置截止', 'Set end')}</Button>
            </div>
          ) },
        ]} />
      </Card>
      <Card title={t('分类树', 'Category tree')}>
        <ul className="tree">
          {cats.map((c) => (
            <li key={c.code} style={{ paddingLeft: depth(c.code) * 18 }}>
              {t(c.nameZh, c.nameEn)} <code className="muted">{c.code}</code> {c.keyTraced && <Badge tone="good">{t('今日重点追溯', 'key-traced today')}</Badge>}
            </li>
          ))}
        </ul>
      </Card>
    </>
  );
}
