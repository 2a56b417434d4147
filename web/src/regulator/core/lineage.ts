/**
 * Turns the trace API's answer (GET /api/v1/trace) into what the explorer shows: a graph of goods (codes) and the
 * parties they passed through, a table of events, and the CSV export. Pure functions over the answer; no fetching.
 */

export interface PartyRef { id: string; name: string; divisionCode: string }
export interface TraceNode {
  key: string; uri: string; kind: 'batch' | 'item' | 'epc'; depth: number; status?: string;
  batch?: { id: string; lotNumber: string; quantity: string; unit: string; producedOn: string; expiresOn: string | null } | null;
  product?: { id: string; name: string; spec: string | null; gtin: string | null; categoryCode: string } | null;
  operator?: PartyRef;
  site?: { id: string; name: string; divisionCode: string; divisionName: string } | null;
}
export interface TraceEdge {
  kind: string; from: string; to: string; eventID: string; type: string; bizStep: string | null; eventTime: string;
  fromOperator?: PartyRef | null; toOperator?: PartyRef | null;
}
export type TraceEvent = Record<string, unknown> & { eventID: string; type: string; bizStep?: string; eventTime: string; recordTime?: string };
export interface TraceAnswer {
  code: string; direction: 'backward' | 'forward' | 'both'; start: string[];
  nodes: TraceNode[]; edges: TraceEdge[]; events: TraceEvent[]; levels: number; truncated: boolean;
}

type Tr = (zh: string, en: string) => string;

const STEPS: Record<string, [string, string]> = {
  commissioning: ['生产赋码', 'Commissioning'], shipping: ['发货', 'Shipping'], receiving: ['收货', 'Receiving'],
  retail_selling: ['零售', 'Retail sale'], inspecting: ['检验', 'Inspection'], destroying: ['销毁', 'Destruction'],
  packing: ['装箱', 'Packing'], unpacking: ['拆箱', 'Unpacking'],
  'urn:suyuan:bizstep:selling': ['销售', 'Sale'], 'urn:suyuan:bizstep:certifying': ['出具证明', 'Certificate'],
  'urn:suyuan:bizstep:applying_inputs': ['投入品使用', 'Inputs applied'],
};
/** A business step's name for people; unknown steps are shown as given. */
export function stepName(step: string | null | undefined, t: Tr): string {
  if (!step) return '—';
  const s = STEPS[step] ?? STEPS[step.replace(/^https:\/\/ref\.gs1\.org\/cbv\/BizStep-/, '')];
  return s ? t(s[0], s[1]) : step;
}

/** Every identifier an EPCIS event names (EPCs, parent, children, inputs, outputs, quantity classes). */
export function namedIds(e: TraceEvent): Set<string> {
  const out = new Set<string>();
  const add = (v: unknown) => { if (typeof v === 'string') out.add(v); };
  for (const k of ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList']) for (const v of (e[k] as unknown[] | undefined) ?? []) add(v);
  add(e.parentID);
  for (const k of ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList']) {
    for (const q of (e[k] as Array<{ epcClass?: string }> | undefined) ?? []) add(q.epcClass);
  }
  return out;
}

function inputsOf(e: TraceEvent | undefined): Set<string> {
  const out = new Set<string>();
  if (!e) return out;
  for (const v of (e.inputEPCList as string[] | undefined) ?? []) out.add(v);
  for (const q of (e.inputQuantityList as Array<{ epcClass?: string }> | undefined) ?? []) if (q.epcClass) out.add(q.epcClass);
  return out;
}

export interface GraphNode { id: string; label: string; type: 'code' | 'party'; start: boolean; code?: TraceNode; party?: PartyRef }
export interface GraphEdge { id: string; source: string; target: string; label: string; kind: string; eventIDs: string[] }

/** A code's label: product and lot (or the code itself when the node is a bare identifier). */
export function codeLabel(n: TraceNode): string {
  if (!n.product) return n.key;
  return `${n.product.name}\n${n.batch?.lotNumber ?? n.key}${n.kind === 'item' ? ` · ${n.key.slice(-6)}` : ''}`;
}

/**
 * The explorer's graph: goods (codes) and parties (operators) as nodes; a party → the goods it produced; goods →
 * goods for transformations and aggregations, always in the direction things flowed (inputs to outputs, children into
 * their parent); and party → party for each hand-over (shipping, receiving, sale), labelled with the goods.
 */
export function buildGraph(a: TraceAnswer, t: Tr): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const nodes = new Map<string, GraphNode>();
  const edges = new Map<string, GraphEdge>();
  const byKey = new Map(a.nodes.map((n) => [n.key, n]));
  const events = new Map(a.events.map((e) => [e.eventID, e]));
  const start = new Set(a.start);
  const party = (p: PartyRef) => {
    const id = `p:${p.id}`;
    if (!nodes.has(id)) nodes.set(id, { id, label: p.name, type: 'party', start: false, party: p });
    return id;
  };
  const edge = (source: string, target: string, kind: string, label: string, eventID?: string) => {
    const id = `${kind}|${source}|${target}`;
    let e = edges.get(id);
    if (!e) edges.set(id, (e = { id, source, target, label: '', kind, eventIDs: [] }));
    const labels = new Set(e.label ? e.label.split('、') : []);
    if (label) labels.add(label);
    e.label = [...labels].join('、');
    if (eventID && !e.eventIDs.includes(eventID)) e.eventIDs.push(eventID);
  };
  for (const n of a.nodes) {
    const id = `c:${n.key}`;
    nodes.set(id, { id, label: codeLabel(n), type: 'code', start: start.has(n.key), code: n });
    if (n.operator) edge(party(n.operator), id, 'produced', t('生产', 'produced'));
  }
  for (const e of a.edges) {
    if (e.kind === 'handover') {
      if (!e.fromOperator || !e.toOperator || e.fromOperator.id === e.toOperator.id) continue;
      const goods = byKey.get(e.from)?.product?.name ?? e.from;
      edge(party(e.fromOperator), party(e.toOperator), 'handover', goods, e.eventID);
      continue;
    }
    let [from, to] = [e.from, e.to];
    const ev = events.get(e.eventID);
    const fromUri = byKey.get(from)?.uri ?? from;
    const toUri = byKey.get(to)?.uri ?? to;
    if (e.kind === 'transformation' && inputsOf(ev).has(toUri)) [from, to] = [to, from];
    if (e.kind === 'aggregation' && ev?.parentID === fromUri) [from, to] = [to, from];
    if (!nodes.has(`c:${from}`) || !nodes.has(`c:${to}`)) continue;
    edge(`c:${from}`, `c:${to}`, e.kind, e.kind === 'transformation' ? t('加工转化', 'transformed') : t('组合', 'aggregated'), e.eventID);
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}

/** The events behind a graph node: a code's are those naming it; a party's are its hand-overs and its goods' events. */
export function eventsOfNode(a: TraceAnswer, g: { edges: GraphEdge[] }, node: GraphNode): TraceEvent[] {
  const ids = new Set<string>();
  const uris = new Set<string>();
  if (node.code) uris.add(node.code.uri);
  if (node.party) {
    for (const e of g.edges) if (e.kind === 'handover' && (e.source === node.id || e.target === node.id)) e.eventIDs.forEach((x) => ids.add(x));
    for (const n of a.nodes) if (n.operator?.id === node.party.id) uris.add(n.uri);
  }
  return a.events.filter((e) => ids.has(e.eventID) || [...namedIds(e)].some((x) => uris.has(x)))
    .sort((x, y) => x.eventTime.localeCompare(y.eventTime));
}

export interface EventRow { eventID: string; time: string; step: string; type: string; goods: string; from: string; to: string }

/** One row per event, in time order: when, which step, which goods, from whom to whom (for hand-overs). */
export function eventRows(a: TraceAnswer, t: Tr): EventRow[] {
  const byUri = new Map(a.nodes.map((n) => [n.uri, n]));
  const handover = new Map(a.edges.filter((e) => e.kind === 'handover').map((e) => [e.eventID, e]));
  return [...a.events].sort((x, y) => x.eventTime.localeCompare(y.eventTime)).map((e) => {
    const goods = [...namedIds(e)].map((id) => byUri.get(id)).filter((n): n is TraceNode => !!n)
      .map((n) => (n.product ? `${n.product.name} ${n.batch?.lotNumber ?? ''}`.trim() : n.key));
    const h = handover.get(e.eventID);
    return {
      eventID: e.eventID, time: e.eventTime, step: stepName(e.bizStep, t), type: e.type,
      goods: [...new Set(goods)].join('、') || '—', from: h?.fromOperator?.name ?? '—', to: h?.toOperator?.name ?? '—',
    };
  });
}

/** RFC 4180 CSV (with a BOM so that spreadsheet programs read the Chinese correctly). */
export function toCsv(header: string[], rows: string[][]): string {
  const cell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return `\uFEFF${[header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

/** The explorer's CSV export: the event table. */
export function traceCsv(a: TraceAnswer, t: Tr): string {
  return toCsv(
    [t('时间', 'Time'), t('环节', 'Step'), t('事件类型', 'Event type'), t('货品', 'Goods'), t('交出方', 'From'), t('接收方', 'To'), 'eventID'],
    eventRows(a, t).map((r) => [r.time, r.step, r.type, r.goods, r.from, r.to, r.eventID]),
  );
}

/** Hands a generated file to the browser as a download. */
export function saveFile(name: string, type: string, content: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement('a');
  link.href = url; link.download = name; document.body.appendChild(link); link.click(); link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
