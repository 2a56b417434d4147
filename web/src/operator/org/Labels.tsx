import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { download, objectUrl, qs } from '../../lib/api.ts';
import { useI18n } from '../../lib/i18n.tsx';
import { Button, Card, Field, PageTitle, ProblemMessage, SelectField } from '../../lib/ui.tsx';

// The API's limit of labels per file (MAX_LABELS_PER_FILE in src/labels/labels-routes.ts).
const MAX_LABELS = 2000;

/** Label files for a batch's or a pool's codes: PDF preview (A4 sheet or 60×40 mm thermal) and download, ZPL download. */
export function LabelsPage({ source }: { source: 'batches' | 'code-pools' }) {
  const { id } = useParams();
  const { t } = useI18n();
  const [layout, setLayout] = useState<'a4' | 'thermal'>('a4');
  const [kind, setKind] = useState<'' | 'batch' | 'item'>('');
  const [limit, setLimit] = useState('500');
  const [dpi, setDpi] = useState('203');
  const [preview, setPreview] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => () => { if (preview) URL.revokeObjectURL(preview); }, [preview]);
  const limitOk = /^\d+$/.test(limit) && Number(limit) >= 1 && Number(limit) <= MAX_LABELS;
  const query = qs({ layout, kind: kind || undefined, limit });
  const base = `/api/v1/${source}/${id}`;
  const run = async (what: string, fn: () => Promise<void>) => {
    if (!limitOk) return;
    setBusy(what); setError(null);
    try { await fn(); } catch (e) { setError(e); } finally { setBusy(null); }
  };
  const back = source === 'batches' ? `/op/batches/${id}` : `/op/pools/${id}`;
  return (
    <>
      <PageTitle>{t('打印标签', 'Print labels')}</PageTitle>
      <p><Link to={back}>← {source === 'batches' ? t('返回批次', 'Back to the batch') : t('返回码池', 'Back to the pool')}</Link></p>
      <Card title={t('标签设置', 'Label options')}>
        <form className="form" onSubmit={(e) => e.preventDefault()} aria-label={t('标签设置', 'Label options')}>
          <SelectField label={t('版式', 'Layout')} value={layout} onChange={(e) => { setLayout(e.target.value as 'a4' | 'thermal'); setPreview(null); }}>
            <option value="a4">{t('A4 不干胶标签纸', 'A4 label sheet')}</option>
            <option value="thermal">{t('60×40 mm 热敏标签', '60×40 mm thermal labels')}</option>
          </SelectField>
          {source === 'batches' && (
            <SelectField label={t('码类型', 'Codes')} value={kind} onChange={(e) => { setKind(e.target.value as '' | 'batch' | 'item'); setPreview(null); }}>
              <option value="">{t('批次码和单品码', 'Batch and item codes')}</option>
              <option value="batch">{t('仅批次码', 'Batch code only')}</option>
              <option value="item">{t('仅单品码', 'Item codes only')}</option>
            </SelectField>
          )}
          <Field label={t('最多张数', 'At most (labels)')} type="number" min={1} max={MAX_LABELS} step={1} required value={limit}
            onChange={(e) => { setLimit(e.target.value); setPreview(null); }}
            error={limitOk ? null : t(`须在 1 到 ${MAX_LABELS} 之间`, `Must be 1 to ${MAX_LABELS}`)} hint={t('按生成顺序', 'In issue order')} />
          <SelectField label={t('ZPL 打印机分辨率', 'ZPL printer resolution')} value={dpi} onChange={(e) => setDpi(e.target.value)}>
            <option value="203">203 dpi</option>
            <option value="300">300 dpi</option>
          </SelectField>
          <ProblemMessage error={error} />
          <div className="form-actions">
            <Button busy={busy === 'preview'} onClick={() => run('preview', async () => setPreview(await objectUrl(`${base}/labels.pdf${query}`)))}>
              {t('预览 PDF', 'Preview PDF')}
            </Button>
            <Button kind="secondary" busy={busy === 'pdf'} onClick={() => run('pdf', () => download(`${base}/labels.pdf${query}`, `labels-${id}-${layout}.pdf`))}>
              {t('下载 PDF', 'Download PDF')}
            </Button>
            <Button kind="secondary" busy={busy === 'zpl'} onClick={() => run('zpl', () => download(`${base}/labels.zpl${qs({ layout, kind: kind || undefined, limit, dpi })}`, `labels-${id}.zpl`))}>
              {t('下载 ZPL', 'Download ZPL')}
            </Button>
          </div>
        </form>
      </Card>
      {preview && (
        <Card title={t('PDF 预览', 'PDF preview')}>
          <iframe className="label-preview" src={preview} title={t('标签 PDF 预览', 'Label PDF preview')} />
        </Card>
      )}
    </>
  );
}
