/**
 * The operator's trace (GET /api/v1/trace): one step up and one step down from its own records, as the API's
 * visibility rule allows, shown as a table of events and a table of the goods (nodes) they name.
 */
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useI18n } from '../../lib/i18n.tsx';
import { CodeScanner, extractCode } from '../../lib/scanner.tsx';
import { Badge, Card, Loading, PageTitle, ProblemMessage, SelectField, Table } from '../../lib/ui.tsx';
import { EventDetails, eventKind, eventParty, fetchTrace, GoodsText, type EventBody, type TraceNode } from './lib.tsx';

type Direction = 'backward' | 'forward' | 'both';

export function TracePage() {
  const { t, dt } = useI18n();
  const [params, setParams] = useSearchParams();
  const code = params.get('code') ?? '';
  const direction = (params.get('direction') as Direction) || 'both';
  const [dir, setDir] = useState<Direction>(direction);
  const q = useQuery({ queryKey: ['trace', code, direction], enabled: !!code, queryFn: () => fetchTrace(code, direction) });
  const go = (c: string, d: Direction) => setParams({ code: c, direction: d });
  const data = q.data;
  // Names of the parties of each hand-over, by event; other events are named by the owner of the goods.
  const handover = new Map((data?.edges ?? []).filter((e) => e.kind === 'handover').map((e) => [e.eventID, e]));
  const nodeOf = new Map((data?.nodes ?? []).map((n) => [n.key, n]));
  const parties = (e: EventBody) => {
    const h = handover.get(e.eventID);
    const from = h?.fromOperator?.name ?? eventParty(e, 'source');
    const to = h?.toOperator?.name ?? eventParty(e, 'destination');
    if (from || to) return `${from ?? '—'} → ${to ?? t('消费者', 'consumers')}`;
    return '—';
  };
  const start = data?.nodes.find((n) => data.start.includes(n.key));
  return (
    <>
      <PageTitle>{t('追溯查询', 'Trace')}</PageTitle>
      <Card>
        <p className="muted" style={{ marginTop: 0 }}>
          {t('经营主体只能看到本主体的记录及其上一环节（供货方发给本主体）和下一环节（客户从本主体收货）。', 'An operator sees its own records, the step before it (deliveries to it) and the step after it (its customers\' receipts).')}
        </p>
        <SelectField label={t('方向', 'Direction')} value={dir} onChange={(e) => { const d = e.target.value as Direction; setDir(d); if (code) go(code, d); }}>
          <option value="both">{t('双向', 'Both ways')}</option>
          <option value="backward">{t('向上游（来源）', 'Backward (sources)')}</option>
          <option value="forward">{t('向下游（去向）', 'Forward (destinations)')}</option>
        </SelectField>
        <div style={{ marginTop: 8 }}>
          <CodeScanner onCode={(v) => go(extractCode(v), dir)} label={t('追溯码', 'Trace code')} />
        </div>
      </Card>
      {q.isLoading && <Loading />}
      <ProblemMessage error={q.error} />
      {data && (
        <>
          <Card title={<>{t('追溯码', 'Trace code')} <code>{code}</code></>}>
            {start && <NodeLine n={start} />}
            <p className="muted" style={{ marginBottom: 0 }}>
              {t(`${data.events.length} 个事件 · ${data.nodes.length} 个节点 · ${data.levels} 层`, `${data.events.length} events · ${data.nodes.length} nodes · ${data.levels} levels`)}
              {data.truncated && <> <Badge tone="warn">{t('结果过多，已截断', 'Truncated: too many results')}</Badge></>}
            </p>
          </Card>
          <Card title={t('事件', 'Events')}>
            <Table rowKey={(e) => String(e.eventID)} rows={data.events} empty={t('没有您可见的事件', 'No events you may see')}
              columns={[
                { key: 'time', title: t('时间', 'Time'), render: (e) => dt(e.eventTime) },
                { key: 'kind', title: t('环节', 'Step'), className: 'nowrap', render: (e) => eventKind(e, t) },
                { key: 'parties', title: t('从 → 到', 'From → to'), render: parties },
                { key: 'goods', title: t('货品与数量', 'Goods and quantity'), render: (e) => <GoodsText e={e} /> },
                { key: 'product', title: t('产品', 'Product'), className: 'nowrap', render: (e) => productsOf(e, nodeOf) },
                { key: 'more', title: t('说明', 'Details'), render: (e) => <EventDetails e={e} /> },
              ]} />
          </Card>
          <Card title={t('货品（节点）', 'Goods (nodes)')}>
            <Table rowKey={(n) => n.key} rows={data.nodes}
              columns={[
                { key: 'code', title: t('追溯码', 'Code'), render: (n) => <code>{n.key}</code> },
                { key: 'product', title: t('产品', 'Product'), render: (n) => n.product?.name ?? '—' },
                { key: 'lot', title: t('批次号', 'Lot'), render: (n) => n.batch?.lotNumber ?? '—' },
                { key: 'qty', title: t('批次数量', 'Batch quantity'), className: 'num', render: (n) => (n.batch ? `${n.batch.quantity} ${n.batch.unit}` : '—') },
                { key: 'op', title: t('所属主体', 'Operator'), render: (n) => n.operator?.name ?? '—' },
                { key: 'site', title: t('场所', 'Site'), render: (n) => (n.site ? `${n.site.name}（${n.site.divisionName}）` : '—') },
                { key: 'depth', title: t('层级', 'Level'), className: 'num', render: (n) => n.depth },
              ]} />
          </Card>
        </>
      )}
    </>
  );
}

function productsOf(e: EventBody, nodes: Map<string, TraceNode>) {
  const names = new Set<string>();
  for (const list of [e.quantityList, e.inputQuantityList, e.outputQuantityList, e.childQuantityList] as Array<Array<{ epcClass: string }> | undefined>) {
    for (const x of list ?? []) { const n = nodes.get(x.epcClass.replace(/^urn:suyuan:code:/, '')); if (n?.product) names.add(n.product.name); }
  }
  for (const list of [e.epcList, e.inputEPCList, e.outputEPCList, e.childEPCs] as Array<string[] | undefined>) {
    for (const u of list ?? []) { const n = nodes.get(u.replace(/^urn:suyuan:code:/, '')); if (n?.product) names.add(n.product.name); }
  }
  return names.size ? [...names].join('、') : '—';
}

function NodeLine({ n }: { n: TraceNode }) {
  const { t } = useI18n();
  return (
    <p style={{ margin: 0 }}>
      <strong>{n.product?.name ?? t('外部标识', 'Foreign identifier')}</strong>
      {n.batch && <> · {t('批次', 'lot')} {n.batch.lotNumber} · {n.batch.quantity} {n.batch.unit} · {t('生产日期', 'produced')} {n.batch.producedOn}</>}
      {n.operator && <> · {n.operator.name}</>}
      {n.status && n.status !== 'active' && <> <Badge tone="bad">{n.status}</Badge></>}
    </p>
  );
}
