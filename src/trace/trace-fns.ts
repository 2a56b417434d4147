import { ROLE, type RoleChar } from '../events/events-fns.ts';
import { type Direction, type LineageEvent, type TraceDirection, MAX_TRACE_NODES } from './trace-types.ts';

/*
 * The lineage engine's rules, free of storage: which identifiers of an event lead on in which direction, and a
 * level-by-level state that admits nodes, records edges and events, and guards cycles and size. The service
 * feeds it one batch of events per level.
 */

// The roles a key must hold in a linking event to travel on, the roles it travels to, and the edge it makes.
interface Link { readonly from: readonly RoleChar[]; readonly to: readonly RoleChar[]; readonly kind: EdgeKind }

// Backward: outputs lead to their inputs, a parent to its contents. Forward: the reverse.
const LINKS: Record<Direction, Readonly<Record<string, Link>>> = {
  backward: {
    TransformationEvent: { from: [ROLE.output, ROLE.outputQuantity], to: [ROLE.input, ROLE.inputQuantity], kind: 'transformation' },
    AggregationEvent: { from: [ROLE.parent], to: [ROLE.child, ROLE.childQuantity], kind: 'aggregation' },
  },
  forward: {
    TransformationEvent: { from: [ROLE.input, ROLE.inputQuantity], to: [ROLE.output, ROLE.outputQuantity], kind: 'transformation' },
    AggregationEvent: { from: [ROLE.child, ROLE.childQuantity], to: [ROLE.parent], kind: 'aggregation' },
  },
};

// The recorder is the receiving party on these steps, so the goods came from the counterparty.
const INBOUND_STEPS = new Set(['receiving', 'arriving', 'accepting', 'unloading']);

export type EdgeKind = 'transformation' | 'aggregation' | 'handover';

/**
 * A link of the graph, always pointing downstream: input → output, content → container, and for a hand-over
 * the same node from one operator to another.
 */
export interface TraceEdge {
  kind: EdgeKind;
  from: string;
  to: string;
  event: LineageEvent;
  fromOperatorId: string | null;
  toOperatorId: string | null;
}

export interface TraceState {
  readonly maxNodes: number;
  /** Levels expanded so far. */
  depth: number;
  /** Admitted nodes by key, with the level at which each was reached. */
  readonly nodes: Map<string, number>;
  /** Keys to expand next, with the directions to expand them in. */
  frontier: Map<string, Set<Direction>>;
  /** `direction|key` pairs ever put on a frontier: the cycle guard. */
  readonly queued: Set<string>;
  /** Events that belong to the trace, by seq. */
  readonly events: Map<string, LineageEvent>;
  readonly edges: Map<string, TraceEdge>;
  truncated: boolean;
}

/** Where an event leads from `key` when travelling in `direction`; null when it does not link that way. */
export function leadsTo(event: Pick<LineageEvent, 'eventType' | 'ids'>, key: string, role: RoleChar, direction: Direction): { kind: EdgeKind; keys: string[] } | null {
  const link = LINKS[direction][event.eventType];
  if (!link || !link.from.includes(role)) return null;
  const keys = [...new Set(event.ids.filter((i) => link.to.includes(i.role) && i.key !== key).map((i) => i.key))];
  return { kind: link.kind, keys };
}

// Object, transaction and association events only say something about the identifiers they name.
function isIdentityEvent(event: Pick<LineageEvent, 'eventType'>): boolean {
  return !LINKS.backward[event.eventType];
}

/** The operators a hand-over goes from and to, or null when the event has no counterparty. */
export function handover(event: Pick<LineageEvent, 'bizStep' | 'operatorId' | 'counterpartyId'>): { from: string | null; to: string | null } | null {
  if (!event.counterpartyId) return null;
  return INBOUND_STEPS.has(event.bizStep ?? '')
    ? { from: event.counterpartyId, to: event.operatorId }
    : { from: event.operatorId, to: event.counterpartyId };
}

/** A new trace from the start keys (several when one batch has several batch codes). */
export function startTrace(keys: readonly string[], direction: TraceDirection, maxNodes = MAX_TRACE_NODES): TraceState {
  const dirs: Direction[] = direction === 'both' ? ['backward', 'forward'] : [direction];
  const s: TraceState = {
    maxNodes, depth: 0, nodes: new Map(), frontier: new Map(), queued: new Set(), events: new Map(), edges: new Map(), truncated: false,
  };
  for (const key of [...new Set(keys)].slice(0, maxNodes)) {
    s.nodes.set(key, 0);
    s.frontier.set(key, new Set(dirs));
    for (const d of dirs) s.queued.add(`${d}|${key}`);
  }
  s.truncated = new Set(keys).size > maxNodes;
  return s;
}

/** The keys of the current frontier, sorted: the argument of the next level query. */
export function frontierKeys(s: TraceState): string[] {
  return [...s.frontier.keys()].sort();
}

/**
 * Advances the trace by one level with the events that name the frontier's keys: keeps the events that belong
 * (identity events of a node, links followed in the direction of travel), records edges, and makes the next
 * frontier of keys not expanded yet in that direction, admitting new nodes up to the size limit.
 */
export function applyLevel(s: TraceState, events: readonly LineageEvent[]): void {
  const next = new Map<string, Set<Direction>>();
  const pending: TraceEdge[] = [];
  const keep = (e: LineageEvent) => s.events.set(e.seq, e);
  for (const e of events) {
    for (const id of e.ids) {
      const dirs = s.frontier.get(id.key);
      if (!dirs) continue;
      if (isIdentityEvent(e)) {
        keep(e);
        const h = handover(e);
        if (h) pending.push({ kind: 'handover', from: id.key, to: id.key, event: e, fromOperatorId: h.from, toOperatorId: h.to });
        continue;
      }
      for (const d of dirs) {
        const link = leadsTo(e, id.key, id.role, d);
        if (!link) continue;
        keep(e);
        for (const k of link.keys) {
          const [from, to] = d === 'forward' ? [id.key, k] : [k, id.key];
          pending.push({ kind: link.kind, from, to, event: e, fromOperatorId: null, toOperatorId: null });
          if (s.queued.has(`${d}|${k}`)) continue;
          if (!next.has(k)) next.set(k, new Set());
          next.get(k)!.add(d);
        }
      }
    }
  }
  s.depth++;
  const fresh = [...next.keys()].filter((k) => !s.nodes.has(k)).sort();
  const room = Math.max(0, s.maxNodes - s.nodes.size);
  if (fresh.length > room) {
    s.truncated = true;
    for (const k of fresh.slice(room)) next.delete(k);
  }
  for (const k of fresh.slice(0, room)) s.nodes.set(k, s.depth);
  for (const [k, dirs] of next) for (const d of dirs) s.queued.add(`${d}|${k}`);
  for (const edge of pending) {
    if (s.nodes.has(edge.from) && s.nodes.has(edge.to)) s.edges.set(`${edge.event.seq}|${edge.kind}|${edge.from}|${edge.to}`, edge);
  }
  s.frontier = next;
}

/**
 * Admits extra keys to the next level of a trace, as if an edge led there: the item codes of an affected batch
 * that moved on their own (一品一码), which no event links to the batch code.
 */
export function admitKeys(s: TraceState, keys: readonly string[], direction: Direction): void {
  for (const k of keys) {
    if (s.queued.has(`${direction}|${k}`)) continue;
    if (!s.nodes.has(k)) {
      if (s.nodes.size >= s.maxNodes) { s.truncated = true; continue; }
      s.nodes.set(k, s.depth);
    }
    s.queued.add(`${direction}|${k}`);
    if (!s.frontier.has(k)) s.frontier.set(k, new Set());
    s.frontier.get(k)!.add(direction);
  }
}

/** The trace's events in the order they happened (event time, then store sequence). */
export function orderedEvents(s: TraceState): LineageEvent[] {
  return [...s.events.values()].sort((a, b) => a.eventTime.getTime() - b.eventTime.getTime() || compareSeq(a.seq, b.seq));
}

/** Compares two bigint sequence numbers held as decimal strings. */
export function compareSeq(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** An event as the read paths present it: its EPCIS 2.0 JSON with eventID, recordTime and the node's sequence. */
export function presentEvent(e: { eventId: string; recordTime: Date; seq: string; body: Record<string, unknown> }): Record<string, unknown> {
  return { ...e.body, eventID: e.eventId, recordTime: e.recordTime.toISOString(), 'sy:seq': e.seq };
}
