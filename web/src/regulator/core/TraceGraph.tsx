/** The lineage graph drawn with cytoscape (loaded with this chunk only): layered left to right, pan, zoom, click. */
import { useEffect, useRef } from 'react';
import cytoscape, { type Core } from 'cytoscape';
import { useI18n } from '../../lib/i18n.tsx';
import type { GraphEdge, GraphNode } from './lineage.ts';

export default function TraceGraph({ nodes, edges, selected, onSelect }: {
  nodes: GraphNode[]; edges: GraphEdge[]; selected: string | null; onSelect: (id: string | null) => void;
}) {
  const { t } = useI18n();
  const el = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | null>(null);

  useEffect(() => {
    const hasIncoming = new Set(edges.map((e) => e.target));
    const c = cytoscape({
      container: el.current!,
      elements: [
        ...nodes.map((n) => ({ data: { id: n.id, label: n.label, type: n.type }, classes: `${n.type}${n.start ? ' start' : ''}` })),
        ...edges.map((e) => ({ data: { id: e.id, source: e.source, target: e.target, label: e.label }, classes: e.kind })),
      ],
      style: [
        { selector: 'node', style: {
          label: 'data(label)', 'text-wrap': 'wrap', 'text-max-width': '150px', 'font-size': 11, color: '#1c2430',
          'text-valign': 'center', 'text-halign': 'center', width: 160, height: 48, 'border-width': 1, 'border-color': '#8a96a8',
        } },
        { selector: 'node.code', style: { shape: 'round-rectangle', 'background-color': '#e3f2ec' } },
        { selector: 'node.party', style: { shape: 'ellipse', 'background-color': '#e8efff', width: 170, height: 54 } },
        { selector: 'node.start', style: { 'border-width': 3, 'border-color': '#0b6e4f' } },
        { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#b45309', 'background-color': '#fde68a' } },
        { selector: 'edge', style: {
          width: 1.5, 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', 'line-color': '#8a96a8', 'target-arrow-color': '#8a96a8',
          label: 'data(label)', 'font-size': 10, color: '#505b6b', 'text-background-color': '#fff', 'text-background-opacity': 1, 'text-rotation': 'autorotate',
        } },
        { selector: 'edge.handover', style: { 'line-color': '#1d4ed8', 'target-arrow-color': '#1d4ed8', width: 2 } },
        { selector: 'edge.produced', style: { 'line-style': 'dashed' } },
      ],
      layout: {
        name: 'breadthfirst', directed: true, spacingFactor: 1.1, padding: 20,
        roots: nodes.filter((n) => !hasIncoming.has(n.id)).map((n) => `#${CSS.escape(n.id)}`).join(','),
        transform: (_node, pos) => ({ x: pos.y, y: pos.x }),
      } as cytoscape.LayoutOptions,
      wheelSensitivity: 0.3,
      minZoom: 0.1,
      maxZoom: 3,
    });
    c.on('tap', 'node', (e) => onSelect(e.target.id()));
    c.on('tap', (e) => { if (e.target === c) onSelect(null); });
    cy.current = c;
    return () => { c.destroy(); cy.current = null; };
  }, [nodes, edges, onSelect]);

  useEffect(() => {
    const c = cy.current;
    if (!c) return;
    c.nodes().unselect();
    if (selected) c.getElementById(selected).select();
  }, [selected]);

  const zoom = (f: number) => { const c = cy.current; if (c) c.zoom({ level: c.zoom() * f, renderedPosition: { x: c.width() / 2, y: c.height() / 2 } }); };
  return (
    <>
      <div className="graph-tools">
        <button type="button" className="btn btn-secondary" onClick={() => zoom(1.25)}>{t('放大', 'Zoom in')}</button>
        <button type="button" className="btn btn-secondary" onClick={() => zoom(0.8)}>{t('缩小', 'Zoom out')}</button>
        <button type="button" className="btn btn-secondary" onClick={() => cy.current?.fit(undefined, 20)}>{t('适应窗口', 'Fit')}</button>
        <span className="muted">
          <span className="legend-dot" style={{ background: '#e3f2ec', border: '1px solid #8a96a8' }} />{t('货品（追溯码）', 'Goods (codes)')}{'　'}
          <span className="legend-dot" style={{ background: '#e8efff', border: '1px solid #8a96a8' }} />{t('经营主体', 'Operators')}
        </span>
      </div>
      <div ref={el} className="graph" data-testid="trace-graph" role="img"
        aria-label={t('追溯关系图：可拖动、缩放，点击节点查看其事件；也可用下方的节点列表选择', 'Lineage graph: drag, zoom, click a node for its events; or pick a node from the list')} />
    </>
  );
}
