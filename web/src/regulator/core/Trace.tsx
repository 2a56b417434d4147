import { lazy, Suspense, useCallback, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { get, qs } from '../../lib/api.ts';
import { useI18n } from '../../lib/i18n.tsx';
import { CodeScanner } from '../../lib/scanner.tsx';
import { Badge, Button, Card, Loading, Notice, PageTitle, ProblemMessage, SelectField, Table } from '../../lib/ui.tsx';
import { buildGraph, eventRows, eventsOfNode, saveFile, stepName, traceCsv, type TraceAnswer, type TraceNode } from './lineage.ts';

const TraceGraph = lazy(() => import('./TraceGraph.tsx'));
const DIRECTIONS = [['backward', '向上追溯（来源）', 'Backward (sources)'], ['forward', '向下追踪（去向）', 'Forward (destinations)'], ['both', '双向', 'Both']] as const;
type Direction = (typeof DIRECTIONS)[number][0];

/** The events behind the selected node, newest last, with their full EPCIS form on demand. */
function EventList({ events }: { events: TraceAnswer['events'] }) {
  const { t, dt } = useI18n();
  if (events.length === 0) return <p className="muted">{t('该节点没有可见的事件。', 'No visible events for this node.')}</p>;
  return (
    <ol>
      {events.map((e) => (
        <li key={e.eventID}>
          <strong>{stepName(e.bizStep, t)}</strong> · {dt(e.eventTime)}<br />
          <span className="muted">{e.type}</span>
          <details><summary>{t('事件详情', 'Event details')}</summary><pre className="query-json">{JSON.stringify(e, null, 2)}</pre></details>
        </li>
      ))}
    </ol>
  );
}

function NodeFacts({ n }: { n: TraceNode }) {
  const { t } = useI18n();
  return (
    <dl className="facts">
      <dt>{t('追溯码', 'Code')}</dt><dd><code>{n.key}</code></dd>
      {n.product && <><dt>{t('产品', 'Product')}</dt><dd>{n.product.name}{n.product.spec ? `（${n.product.spec}）` : ''}</dd></>}
      {n.batch && <><dt>{t('批次', 'Lot')}</dt><dd>{n.batch.lotNumber} · {n.batch.quantity} {n.batch.unit}</dd></>}
      {n.operator && <><dt>{t('所属主体', 'Owner')}</dt><dd>{n.operator.name}</dd></>}
      {n.site && <><dt>{t('场所', 'Site')}</dt><dd>{n.site.name} · {n.site.divisionName}</dd></>}
      {n.status && <><dt>{t('状态', 'Status')}</dt><dd>{n.status}</dd></>}
    </dl>
  );
}

/** The trace explorer: a code (typed or scanned) → its lineage as a graph and as tables; export as JSON or CSV. */
export default function Trace() {
  const { t, dt } = useI18n();
  const [params, setParams] = useSearchParams();
  const code = params.get('code') ?? '';
  const direction = (DIRECTIONS.some((d) => d[0] === params.get('direction')) ? params.get('direction') : 'both') as Direction;
  const [view, setView] = useState<'graph' | 'table'>('graph');
  const [selected, setSelected] = useState<string | null>(null);
  const q = useQuery({
    queryKey: ['trace', code, direction], enabled: !!code,
    queryFn: () => get<TraceAnswer>(`/api/v1/trace${qs({ code, direction })}`),
  });
  const go = useCallback((c: string, d: Direction = direction) => {
    setSelected(null);
    setParams(c.trim() ? { code: c.trim(), direction: d } : {});
  }, [direction, setParams]);
  const a = q.data;
  const graph = useMemo(() => (a ? buildGraph(a, t) : null), [a, t]);
  const rows = useMemo(() => (a ? eventRows(a, t) : []), [a, t]);
  const node = graph && selected ? graph.nodes.find((n) => n.id === selected) ?? null : null;
  const nodeEvents = useMemo(() => (a && graph && node ? eventsOfNode(a, graph, node) : []), [a, graph, node]);
  const fileBase = `trace-${code.replace(/[^\w-]+/g, '_').slice(0, 40)}-${direction}`;

  return (
    <>
      <PageTitle>{t('追溯查询', 'Trace explorer')}</PageTitle>
      <Card>
        <CodeScanner label={t('追溯码、扫码链接、GS1 数字链接或 EPC', 'Trace code, scan URL, GS1 Digital Link or EPC')} onCode={(c) => go(c)} />
        <div className="tabs" role="group" aria-label={t('追溯方向', 'Direction')} style={{ marginTop: 12 }}>
          {DIRECTIONS.map(([d, zh, en]) => (
            <button key={d} type="button" aria-pressed={direction === d} onClick={() => code ? go(code, d) : setParams({ direction: d })}>{t(zh, en)}</button>
          ))}
        </div>
        {code && <p className="muted">{t('当前查询：', 'Tracing: ')}<code>{code}</code></p>}
      </Card>
      {q.error && <ProblemMessage error={q.error} />}
      {q.isFetching && <Loading />}
      {a && graph && (
        <>
          <div className="row" style={{ marginBottom: 12 }}>
            <Badge tone="info">{t(`${a.nodes.length} 个追溯码`, `${a.nodes.length} codes`)}</Badge>
            <Badge tone="info">{t(`${a.events.length} 个事件`, `${a.events.length} events`)}</Badge>
            <Badge>{t(`${a.levels} 层`, `${a.levels} levels`)}</Badge>
            <span style={{ flex: 1 }} />
            <Button kind="secondary" onClick={() => saveFile(`${fileBase}.json`, 'application/json', JSON.stringify(a, null, 2))}>{t('导出 JSON', 'Export JSON')}</Button>
            <Button kind="secondary" onClick={() => saveFile(`${fileBase}.csv`, 'text/csv;charset=utf-8', traceCsv(a, t))}>{t('导出 CSV', 'Export CSV')}</Button>
          </div>
          {a.truncated && <Notice>{t('结果过大，已截断；请从更具体的追溯码开始。', 'The result was cut short; start from a more specific code.')}</Notice>}
          <div className="tabs" role="group" aria-label={t('显示方式', 'View')}>
            <button type="button" aria-pressed={view === 'graph'} onClick={() => setView('graph')}>{t('关系图', 'Graph')}</button>
            <button type="button" aria-pressed={view === 'table'} onClick={() => setView('table')}>{t('表格', 'Table')}</button>
          </div>
          {view === 'graph' ? (
            <div className="trace-layout">
              <div>
                <Suspense fallback={<Loading />}>
                  <TraceGraph nodes={graph.nodes} edges={graph.edges} selected={selected} onSelect={setSelected} />
                </Suspense>
                <SelectField label={t('选择节点', 'Pick a node')} value={selected ?? ''} onChange={(e) => setSelected(e.target.value || null)}>
                  <option value="">{t('（未选择）', '(none)')}</option>
                  {graph.nodes.map((n) => <option key={n.id} value={n.id}>{n.type === 'party' ? t('主体：', 'Operator: ') : t('货品：', 'Goods: ')}{n.label.replace('\n', ' ')}</option>)}
                </SelectField>
              </div>
              <Card className="trace-panel" title={node ? node.label.replace('\n', ' ') : t('节点事件', 'Node events')}>
                {!node ? <p className="muted">{t('点击图中的节点查看其事件。', 'Click a node in the graph to see its events.')}</p> : (
                  <section aria-label={t('节点事件', 'Node events')}>
                    {node.code && <NodeFacts n={node.code} />}
                    {node.party && <p className="muted">{t('行政区划：', 'Division: ')}{node.party.divisionCode}</p>}
                    <h3>{t(`事件（${nodeEvents.length}）`, `Events (${nodeEvents.length})`)}</h3>
                    <EventList events={nodeEvents} />
                  </section>
                )}
              </Card>
            </div>
          ) : (
            <>
              <Card title={t('事件', 'Events')}>
                <Table caption={t('按时间排列的事件', 'Events in time order')} rowKey={(r) => r.eventID} rows={rows} columns={[
                  { key: 'time', title: t('时间', 'Time'), render: (r) => dt(r.time) },
                  { key: 'step', title: t('环节', 'Step'), render: (r) => r.step },
                  { key: 'goods', title: t('货品', 'Goods'), render: (r) => r.goods },
                  { key: 'from', title: t('交出方', 'From'), render: (r) => r.from },
                  { key: 'to', title: t('接收方', 'To'), render: (r) => r.to },
                  { key: 'type', title: t('事件类型', 'Event type'), render: (r) => r.type },
                ]} />
              </Card>
              <Card title={t('追溯码', 'Codes')}>
                <Table caption={t('链路中的追溯码', 'Codes in the lineage')} rowKey={(n) => n.key} rows={a.nodes} columns={[
                  { key: 'code', title: t('追溯码', 'Code'), render: (n) => <code>{n.key}</code> },
                  { key: 'product', title: t('产品', 'Product'), render: (n) => n.product?.name ?? '—' },
                  { key: 'lot', title: t('批次', 'Lot'), render: (n) => n.batch?.lotNumber ?? '—' },
                  { key: 'owner', title: t('所属主体', 'Owner'), render: (n) => n.operator?.name ?? '—' },
                  { key: 'site', title: t('场所', 'Site'), render: (n) => n.site ? `${n.site.name} · ${n.site.divisionName}` : '—' },
                  { key: 'depth', title: t('层级', 'Level'), className: 'num', render: (n) => n.depth },
                ]} />
              </Card>
            </>
          )}
        </>
      )}
    </>
  );
}
