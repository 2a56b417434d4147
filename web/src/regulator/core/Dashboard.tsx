import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { get, qs } from '../../lib/api.ts';
import { useI18n } from '../../lib/i18n.tsx';
import { Button, Card, Loading, PageTitle, ProblemMessage, Table } from '../../lib/ui.tsx';
import { drawLines, drawMap, type MapFeatureCollection } from './charts.ts';

type Metric = 'operators' | 'batches' | 'events' | 'scans' | 'warnings';
/** GET /api/v1/dashboard (src/dashboard/dashboard-service.ts). */
export interface DashboardData {
  division: { code: string; name: string };
  days: number; from: string; to: string;
  totals: {
    operators: { pending: number; approved: number; rejected: number; suspended: number; total: number };
    warnings: { open: number; acknowledged: number };
    window: Record<Metric, number>;
  };
  series: Array<{ date: string } & Record<Metric, number>>;
  map: { level: 'province' | 'city' | 'county'; items: Array<{ code: string; name: string; operators: number; events: number }> };
  generatedAt: string;
}

const WINDOWS = [7, 30, 90] as const;

function Stat({ metric, value, label, to }: { metric: string; value: number; label: string; to?: string }) {
  const { num } = useI18n();
  return (
    <div className="stat" data-metric={metric}>
      <div className="n">{to ? <Link to={to}>{num(value)}</Link> : num(value)}</div>
      <div className="l">{label}</div>
    </div>
  );
}

function LinesChart({ data }: { data: DashboardData }) {
  const { t } = useI18n();
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => drawLines(el.current!, data.series.map((d) => d.date), [
    { name: t('事件', 'Events'), values: data.series.map((d) => d.events) },
    { name: t('扫码', 'Scans'), values: data.series.map((d) => d.scans) },
    { name: t('新建批次', 'Batches'), values: data.series.map((d) => d.batches) },
    { name: t('主体注册', 'Registrations'), values: data.series.map((d) => d.operators) },
    { name: t('新增预警', 'Warnings raised'), values: data.series.map((d) => d.warnings) },
  ]), [data, t]);
  return <div ref={el} className="chart" role="img" aria-label={t(`近 ${data.days} 天每日趋势图`, `Daily trend, last ${data.days} days`)} />;
}

function ActivityMap({ data, metric, onSelect }: { data: DashboardData; metric: 'events' | 'operators'; onSelect: (code: string) => void }) {
  const { t } = useI18n();
  const el = useRef<HTMLDivElement>(null);
  const code = data.division.code;
  const geo = useQuery({ queryKey: ['geo', code], queryFn: () => get<MapFeatureCollection>(`/api/v1/geo/${code}`), staleTime: Infinity });
  useEffect(() => {
    if (!geo.data) return;
    const values = new Map(data.map.items.map((i) => [i.code, i[metric]]));
    return drawMap(el.current!, {
      mapName: code === '000000' ? 'china' : `division-${code}`, geo: geo.data, values,
      seriesName: metric === 'events' ? t('事件数', 'Events') : t('已备案主体', 'Approved operators'), noData: '0',
      // Provinces and prefectures open their own dashboard; counties are the finest level.
      onSelect: data.map.level === 'county' ? undefined : onSelect,
    });
  }, [geo.data, data, metric, code, onSelect, t]);
  if (geo.error) return <ProblemMessage error={geo.error} />;
  return (
    <>
      {geo.isLoading && <Loading />}
      <div ref={el} className="map" data-map={code} role="img"
        aria-label={t(`${data.division.name}地图，按${metric === 'events' ? '事件数' : '主体数'}着色`, `Map of ${data.division.name} coloured by ${metric}`)} />
    </>
  );
}

/** The regulator's landing page: figures for the jurisdiction (or a division inside it), trends, and the map. */
export default function Dashboard() {
  const { t, num, dt } = useI18n();
  const [days, setDays] = useState<number>(30);
  const [division, setDivision] = useState<string | undefined>();
  const [metric, setMetric] = useState<'events' | 'operators'>('events');
  const q = useQuery({ queryKey: ['dashboard', days, division], queryFn: () => get<DashboardData>(`/api/v1/dashboard${qs({ days, division })}`) });
  const d = q.data;
  const w = d?.totals.window;
  return (
    <>
      <PageTitle actions={division && <Button kind="secondary" onClick={() => setDivision(undefined)}>{t('返回辖区', 'Back to my jurisdiction')}</Button>}>
        {t('监管概览', 'Dashboard')}{d ? ` · ${d.division.name}` : ''}
      </PageTitle>
      <div className="tabs" role="group" aria-label={t('时间范围', 'Time window')}>
        {WINDOWS.map((n) => (
          <button key={n} type="button" aria-pressed={days === n} onClick={() => setDays(n)}>{t(`近 ${n} 天`, `Last ${n} days`)}</button>
        ))}
      </div>
      {q.error && <ProblemMessage error={q.error} />}
      {q.isLoading && <Loading />}
      {d && w && (
        <>
          <p className="muted">{t(`统计区间 ${d.from} 至 ${d.to}（北京时间），生成于 ${dt(d.generatedAt)}`, `From ${d.from} to ${d.to} (China time), generated ${dt(d.generatedAt)}`)}</p>
          <div className="stats" aria-label={t('关键指标', 'Key figures')}>
            <Stat metric="operators-approved" value={d.totals.operators.approved} label={t('已备案主体', 'Approved operators')} />
            <Stat metric="operators-pending" value={d.totals.operators.pending} label={t('待审核主体', 'Pending review')} to="/reg/review" />
            <Stat metric="operators-suspended" value={d.totals.operators.suspended} label={t('暂停主体', 'Suspended')} />
            <Stat metric="batches" value={w.batches} label={t(`近 ${d.days} 天新建批次`, `Batches, ${d.days} days`)} />
            <Stat metric="events" value={w.events} label={t(`近 ${d.days} 天追溯事件`, `Events, ${d.days} days`)} />
            <Stat metric="scans" value={w.scans} label={t(`近 ${d.days} 天消费者扫码`, `Consumer scans, ${d.days} days`)} />
            <Stat metric="warnings-open" value={d.totals.warnings.open} label={t('未处理预警', 'Open warnings')} to="/reg/warnings" />
          </div>
          <div className="grid" style={{ marginTop: 16 }}>
            <Card title={t('每日趋势', 'Per day')}>
              <LinesChart data={d} />
              <details>
                <summary>{t('查看数据表', 'Show as a table')}</summary>
                <Table caption={t('每日数据', 'Per day')} rowKey={(r) => r.date} rows={[...d.series].reverse()} columns={[
                  { key: 'date', title: t('日期', 'Date'), render: (r) => r.date },
                  { key: 'events', title: t('事件', 'Events'), className: 'num', render: (r) => num(r.events) },
                  { key: 'scans', title: t('扫码', 'Scans'), className: 'num', render: (r) => num(r.scans) },
                  { key: 'batches', title: t('批次', 'Batches'), className: 'num', render: (r) => num(r.batches) },
                  { key: 'operators', title: t('注册', 'Registrations'), className: 'num', render: (r) => num(r.operators) },
                  { key: 'warnings', title: t('预警', 'Warnings'), className: 'num', render: (r) => num(r.warnings) },
                ]} />
              </details>
            </Card>
          </div>
          <Card title={t('辖区活跃度地图', 'Activity map')} actions={
            <div className="tabs" role="group" aria-label={t('地图指标', 'Map measure')} style={{ margin: 0 }}>
              <button type="button" aria-pressed={metric === 'events'} onClick={() => setMetric('events')}>{t('事件数', 'Events')}</button>
              <button type="button" aria-pressed={metric === 'operators'} onClick={() => setMetric('operators')}>{t('主体数', 'Operators')}</button>
            </div>
          }>
            <ActivityMap data={d} metric={metric} onSelect={setDivision} />
            <p className="muted">{d.map.level === 'county' ? t('可拖动、缩放地图。', 'Drag and zoom the map.') : t('点击地区查看其概览；可拖动、缩放地图。', 'Click an area to open its dashboard; drag and zoom the map.')}</p>
            <Table caption={t('各地区数据', 'By area')} rowKey={(r) => r.code} rows={d.map.items}
              empty={t('本期间没有数据', 'No activity in this period')} columns={[
                { key: 'name', title: t('地区', 'Area'), render: (r) => d.map.level === 'county'
                  ? r.name : <button type="button" className="btn btn-link" onClick={() => setDivision(r.code)}>{r.name}</button> },
                { key: 'code', title: t('代码', 'Code'), render: (r) => <code>{r.code}</code> },
                { key: 'operators', title: t('已备案主体', 'Approved operators'), className: 'num', render: (r) => num(r.operators) },
                { key: 'events', title: t(`近 ${d.days} 天事件`, `Events, ${d.days} days`), className: 'num', render: (r) => num(r.events) },
              ]} />
          </Card>
        </>
      )}
    </>
  );
}
