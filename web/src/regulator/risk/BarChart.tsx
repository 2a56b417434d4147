import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../../lib/i18n.tsx';
import type { BarSeries } from './echarts-bar.ts';

/**
 * A bar chart drawn by ECharts, imported only when a chart is first shown. The chart is a picture of a table next to
 * it, so it is labelled as an image with its summary; the numbers stay readable in the table.
 */
export function BarChart({ label, categories, series, stacked, horizontal }: {
  label: string; categories: string[]; series: BarSeries[]; stacked?: boolean; horizontal?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const { t } = useI18n();
  const [failed, setFailed] = useState(false);
  const key = JSON.stringify([categories, series, stacked, horizontal]);
  useEffect(() => {
    let dispose: (() => void) | undefined;
    let cancelled = false;
    import('./echarts-bar.ts').then((m) => {
      if (!cancelled && ref.current) dispose = m.drawBars(ref.current, categories, series, { stacked, horizontal });
    }).catch(() => setFailed(true));
    return () => { cancelled = true; dispose?.(); };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  if (categories.length === 0) return null;
  if (failed) return <p className="muted">{t('图表加载失败，数据见下表。', 'The chart could not load; the table below has the figures.')}</p>;
  const height = horizontal ? Math.max(160, categories.length * 34 + 60) : 300;
  return <div ref={ref} className="chart" role="img" aria-label={label} style={{ height }} />;
}
