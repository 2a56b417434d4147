import type { Database, Queryable } from '../platform/db.ts';
import { DomainError, notFound } from '../platform/errors.ts';
import { type Actor, ensure } from '../accounts/actor.ts';
import { canSeeEvent } from '../access/visibility.ts';
import { logQuery, NO_FLUSH_WAIT, queryLogInsert } from '../access/query-log.ts';
import { codeUri, isCodeKey } from '../events/events-fns.ts';
import { canonicalGs1Uri } from '../events/epc-uri.ts';
import { formatQuantity } from '../batches/batches-fns.ts';
import { divisionPath } from '../registry/division.ts';
import type { CodesService } from '../codes/codes-service.ts';
import { parseCodeOrThrow } from '../codes/codes-fns.ts';
import { parseCode } from '../codes/code-scheme.ts';
import { applyLevel, frontierKeys, orderedEvents, presentEvent, startTrace, type TraceEdge } from './trace-fns.ts';
import { pgLineageSource, traceDal, type NodeDetailRow } from './trace-dal.ts';
import { type LineageSource, type TraceDirection, MAX_TRACE_NODES } from './trace-types.ts';

export interface TraceDeps {
  db: Database;
  codes: Pick<CodesService, 'resolve'>;
  /** The level reader; this node's store unless a federated source is given. */
  source?: (q: Queryable) => LineageSource;
  maxNodes?: number;
}

const codeUnknown = (traceCode: string) =>
  notFound('CODE_UNKNOWN', '本平台没有这个追溯码', 'No such trace code on this platform node', { traceCode });
const eventNotFound = () => notFound('EVENT_NOT_FOUND', '事件不存在', 'Event not found');

// The kind is part of the code (docs/code-scheme.md): a batch code needs no lookup for an item's batch.
const isItemCode = (key: string) => { const p = parseCode(key); return typeof p !== 'string' && p.kind === 'item'; };

// Consumers get the origin view of a code, never events.
const mayReadEvents = (a: Actor) => a.role !== 'public';

type Operators = Map<string, { id: string; name: string; divisionCode: string }>;

function presentNode(key: string, depth: number, d: NodeDetailRow | undefined) {
  // Foreign EPCs (and, once federated, codes of other nodes) are bare nodes.
  if (!d) return { key, uri: isCodeKey(key) ? codeUri(key) : key, kind: 'epc' as const, depth };
  return {
    key, uri: codeUri(key), kind: d.kind, depth, status: d.status,
    batch: d.batch_id ? {
      id: d.batch_id, lotNumber: d.lot_number!, quantity: formatQuantity(d.quantity!), unit: d.unit!, producedOn: d.produced_on!, expiresOn: d.expires_on,
    } : null,
    product: d.product_id ? { id: d.product_id, name: d.product_name!, spec: d.spec, gtin: d.gtin, categoryCode: d.category_code! } : null,
    operator: { id: d.operator_id, name: d.operator_name, divisionCode: d.operator_division },
    site: d.site_id ? { id: d.site_id, name: d.site_name!, divisionCode: d.site_division!, divisionName: divisionPath(d.site_division!).join(' ') } : null,
  };
}

function presentEdge(e: TraceEdge, operators: Operators) {
  const party = (id: string | null) => (id && operators.get(id)) || null;
  return {
    kind: e.kind, from: e.from, to: e.to, eventID: e.event.eventId, type: e.event.eventType, bizStep: e.event.bizStep,
    eventTime: e.event.eventTime.toISOString(),
    ...(e.kind === 'handover' ? { fromOperator: party(e.fromOperatorId), toOperator: party(e.toOperatorId) } : {}),
  };
}

/**
 * The read side of the event store: the lineage graph of a code (trace) and single events, both under the one
 * visibility rule (src/access/visibility.ts) and both recorded in the query log.
 */
export function createTraceService(deps: TraceDeps) {
  const { db, codes } = deps;
  const sourceOf = deps.source ?? pgLineageSource;
  const maxNodes = deps.maxNodes ?? MAX_TRACE_NODES;

  /** The keys a trace input starts from: a Suyuan code in any form, the batch codes of a Digital Link lot, or a foreign EPC. */
  async function startKeys(q: Queryable, input: string): Promise<{ keys: string[]; suyuan: boolean }> {
    const s = input.trim();
    const urn = /^urn:suyuan:code:(.*)$/i.exec(s);
    if (urn) return { keys: [parseCodeOrThrow(urn[1]).code], suyuan: true };
    if (/^https?:\/\//i.test(s)) {
      const scan = /\/t\/[^/?#]+\/?(?:[?#].*)?$/.test(s);
      let r;
      try {
        r = await codes.resolve(s);
      } catch (e) {
        // A link this node cannot read may still be a foreign EPC that events name; a bad scan URL is a bad code.
        if (scan || !(e instanceof DomainError && e.kind === 'invalid')) throw e;
      }
      if (r?.code && (scan || r.status !== 'unknown')) return { keys: [r.code], suyuan: true };
      if (r?.batch) {
        const batchCodes = await traceDal(q).batchCodes(r.batch.id);
        if (batchCodes.length) return { keys: batchCodes, suyuan: true };
      }
      return { keys: [...new Set([s, canonicalGs1Uri(s) ?? s])], suyuan: false };
    }
    if (/^[a-z][a-z0-9+.-]*:/i.test(s)) return { keys: [...new Set([s, canonicalGs1Uri(s) ?? s])], suyuan: false };
    return { keys: [parseCodeOrThrow(s).code], suyuan: true };
  }

  return {
    /**
     * The lineage graph of a code: expanded level by level with one batched query per level, through events the
     * caller may see only; at most `maxNodes` nodes, else `truncated`. Each statement runs on its own (no
     * transaction): events and their identifiers are append-only (triggers refuse UPDATE and DELETE), so a level
     * sees every event an earlier level saw plus those committed since, and a trace is the lineage as of a moment
     * during it. Holding one snapshot cost a BEGIN and a COMMIT round trip on every trace.
     */
    async trace(actor: Actor, input: { code: string; direction: TraceDirection }) {
      ensure(actor, mayReadEvents(actor));
      const q = db.pool;
      const start = await startKeys(q, input.code);
      // Backward, an item's origin is its batch's; forward, the item goes only where it was sent, not its whole batch.
      if (input.direction === 'backward' && start.suyuan && start.keys.length === 1 && isItemCode(start.keys[0])) {
        start.keys.push(...(await traceDal(q).itemBatchCodes(start.keys[0])));
      }
      const source = sourceOf(q);
      const state = startTrace(start.keys, input.direction, maxNodes);
      while (state.frontier.size > 0) {
        // The service holds the rule too, so that no source, local or federated, can widen what a caller sees.
        const events = (await source.expand(frontierKeys(state), actor)).filter((e) =>
          canSeeEvent(actor, { operator_id: e.operatorId, counterparty_id: e.counterpartyId, division_code: e.divisionCode }));
        applyLevel(state, events);
      }
      const parties = new Set<string>();
      for (const e of state.edges.values()) for (const id of [e.fromOperatorId, e.toOperatorId]) if (id) parties.add(id);
      // The query-log entry goes in with the node details, in one statement that writes nothing else, so that its
      // commit need not wait for the WAL flush (query-log.ts and docs/architecture.md say what a crash can lose).
      const log = queryLogInsert(actor, {
        kind: 'trace', query: { code: input.code, direction: input.direction }, resultCount: state.events.size, subjectCode: start.keys[0],
      }, 3, 'FROM no_flush_wait');
      const graph = await traceDal(q).graphDetails([...state.nodes.keys()].filter(isCodeKey), [...parties],
        { with: `${NO_FLUSH_WAIT}, logged AS (${log.sql})`, params: log.params });
      const details = new Map(graph.nodes.map((d) => [d.code, d]));
      const operators: Operators = new Map(graph.operators.map((o) => [o.id, { id: o.id, name: o.name, divisionCode: o.division_code }]));
      const events = orderedEvents(state);
      const subject = details.get(start.keys[0]);
      if (start.suyuan && !subject) throw codeUnknown(start.keys[0]);
      return {
        code: input.code,
        direction: input.direction,
        start: start.keys,
        nodes: [...state.nodes].map(([key, depth]) => presentNode(key, depth, details.get(key))),
        edges: [...state.edges.values()].map((e) => presentEdge(e, operators)),
        events: events.map(presentEvent),
        levels: state.depth,
        truncated: state.truncated,
      };
    },

    /** One event by its eventID; an event the caller may not see is reported as not found, like a missing one. */
    async event(actor: Actor, eventId: string) {
      ensure(actor, mayReadEvents(actor));
      const row = await traceDal(db.pool).eventById(eventId);
      const visible = !!row && canSeeEvent(actor, row);
      // The subject's division is logged even when hidden: its regulator should see who went looking.
      await logQuery(db.pool, actor, { kind: 'event', query: { eventID: eventId }, resultCount: visible ? 1 : 0, subjectDivision: row?.division_code ?? null });
      if (!visible) throw eventNotFound();
      return presentEvent({ eventId: row.event_id, recordTime: row.record_time, seq: row.seq, body: row.body });
    },
  };
}
export type TraceService = ReturnType<typeof createTraceService>;
