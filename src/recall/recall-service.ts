import { randomBytes, randomUUID } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import type { Database, Queryable } from '../platform/db.ts';
import { isUniqueViolation } from '../platform/db.ts';
import { DomainError, conflict, invalid, notFound } from '../platform/errors.ts';
import { appendJournal } from '../platform/journal.ts';
import type { Logger } from '../platform/logger.ts';
import { type Actor, actorId, ensure } from '../accounts/actor.ts';
import { incidentPolicy, noticePolicy } from '../accounts/policies.ts';
import { logQuery } from '../access/query-log.ts';
import { covers, divisionPath, getDivision, jurisdictionPrefix } from '../registry/division.ts';
import { formatQuantity } from '../batches/batches-fns.ts';
import { parseCodeOrThrow } from '../codes/codes-fns.ts';
import { identifierKey, isCodeKey } from '../events/events-fns.ts';
import type { captureInTx } from '../events/events-service.ts';
import { quantityAt } from '../records/records-fns.ts';
import { codeOf } from '../records/records-service.ts';
import { createQueueWorker } from '../platform/worker.ts';
import { admitKeys, applyLevel, frontierKeys, startTrace, type TraceState } from '../trace/trace-fns.ts';
import { traceDal } from '../trace/trace-dal.ts';
import { type HoldProposalRow, riskDal } from '../risk/risk-dal.ts';
import { MAX_TRACE_NODES, type Direction } from '../trace/trace-types.ts';
import * as fns from './recall-fns.ts';
import {
  recallDal, type AffectedRow, type AffectedSummaryRow, type IncidentRow, type LotRow, type NoticeListRow, type NoticeRow, type OperatorRow, type StoredHolding,
} from './recall-dal.ts';
import { cteCsv, cteRows, CTE_COLUMNS, siteIdOf, workbook, type CteContext, type Sheet } from './recall-export.ts';
import { createOutboxSender } from './recall-outbox.ts';
import { createWorkflowRunner, type RunView, type StepContext } from './workflow.ts';
import {
  ESCALATE_AFTER_MINUTES, SYSTEM_ACTOR, type CloseIncidentInput, type ExportFormat, type IssueNoticesInput, type NoticeLine,
  type OpenIncidentInput, type OpenRecall, type RespondInput,
} from './recall-types.ts';

export interface RecallDeps {
  db: Database;
  /** The event store's capture path: operators' answers become events through it. */
  capture: typeof captureInTx;
  /** Links in webhook payloads point here. */
  publicUrl: string;
  /** Admits webhook URLs on plain http and private networks (closed networks, tests), at registration and when sending. */
  allowPrivateWebhooks?: boolean;
  /** The clock of every deadline, lease and backoff. */
  now?: () => Date;
  /** Notices created per transaction by the notice step. */
  noticeChunk?: number;
  /** The affected set stops admitting codes here and says `truncated`. */
  maxNodes?: number;
  webhooks?: { timeoutMs?: number; retryBaseMs?: number; retryCapMs?: number; maxAttempts?: number; lookup?: LookupFunction };
  workerPollMs?: number;
}

const incidentNotFound = () => notFound('INCIDENT_NOT_FOUND', '事件不存在', 'Incident not found');
const noticeNotFound = () => notFound('NOTICE_NOT_FOUND', '通知不存在', 'Notice not found');
const incidentClosed = () => conflict('INCIDENT_CLOSED', '事件已结案', 'The incident is closed');
const NOTIFY = 'recall.notify';

/** The issuer of a notice run, as kept in the run's input so that a resumed run acts for the same person. */
interface Issuer { role: Actor['role']; userId?: string; apiKeyId?: string; jurisdiction: string }
interface NotifyInput { incidentId: string; kind: 'recall' | 'hold'; message: string | null; issuer: Issuer }

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const totalsView = (t: fns.UnitTotals) => ({ unit: t.unit, reached: fns.fromMilli(t.reached), onHand: fns.fromMilli(t.onHand), soldToConsumers: fns.fromMilli(t.soldToConsumers) });
/** Affected operators and quantities in one division, with the divisions below it. */
interface DivisionImpact {
  divisionCode: string; name: string; level: string; operators: number; totals: Array<ReturnType<typeof totalsView>>; children: DivisionImpact[];
}
// Division names are fixed (GB/T 2260); tens of thousands of holdings share a few hundred divisions.
const divisionNames = new Map<string, string>();
const divisionName = (code: string) => {
  let name = divisionNames.get(code);
  if (name === undefined) divisionNames.set(code, (name = code === '000000' ? '全国' : divisionPath(code).join(' ') || code));
  return name;
};

/** A failed inspection's automatic hold proposal, as the incident opened from its warning shows it. */
function presentHold(h: HoldProposalRow) {
  return {
    warningId: h.warning_id, startCodes: h.start_codes, affectedCount: h.affected_codes.length, affectedCodes: h.affected_codes,
    affectedOperatorIds: h.affected_operator_ids, truncated: h.truncated, createdAt: h.created_at.toISOString(),
  };
}

/** The hold proposal stored with the risk warning an incident was opened from, if that warning has one (src/risk). */
async function holdOfWarning(q: Queryable, warningId: string | null): Promise<{ row: HoldProposalRow | undefined }> {
  if (!warningId) return { row: undefined };
  return { row: (await riskDal(q).holdProposals([warningId]))[0] };
}

/** An incident; with `hold` (when read one at a time) the hold proposal of its warning, or null. */
function presentIncident(i: IncidentRow, affected?: AffectedSummaryRow, hold?: { row: HoldProposalRow | undefined }) {
  return {
    id: i.id, number: i.number, status: i.status, reason: i.reason, severity: i.severity, description: i.description,
    jurisdiction: i.jurisdiction, jurisdictionName: divisionName(i.jurisdiction), warningId: i.warning_id, codes: i.codes,
    escalateAfterMinutes: i.escalate_after_minutes, openedAt: i.opened_at.toISOString(), openedBy: { id: i.opened_by, role: i.opened_role },
    closedAt: i.closed_at?.toISOString() ?? null, conclusion: i.conclusion, summary: i.summary,
    affected: affected ? {
      computedAt: affected.computed_at.toISOString(), truncated: affected.truncated, codes: affected.codes, operators: affected.operators, holdings: affected.holdings,
    } : null,
    ...(hold ? { holdProposal: hold.row ? presentHold(hold.row) : null } : {}),
  };
}

function presentHolding(h: StoredHolding, o: OperatorRow, lot: LotRow | undefined, within: (division: string) => boolean) {
  return {
    code: h.code, kind: lot?.kind ?? 'epc', product: lot?.product ?? null, lotNumber: lot?.lot_number ?? null, depth: h.depth,
    operator: { id: o.id, name: o.name, uscc: o.uscc, divisionCode: o.division_code, division: divisionName(o.division_code), types: o.types },
    inJurisdiction: within(o.division_code),
    unit: h.unit, reached: h.reached, passedOn: h.passed_on, soldToConsumers: h.sold_to_consumers, processed: h.processed,
    destroyed: h.destroyed, onHand: h.on_hand, soldOn: h.passed_on !== '0' || h.sold_to_consumers !== '0',
  };
}

function presentNotice(n: NoticeListRow) {
  return {
    id: n.id, incidentId: n.incident_id, kind: n.kind, message: n.message,
    operator: { id: n.operator_id, name: n.operator_name, uscc: n.uscc, divisionCode: n.division_code },
    issuedBy: { id: n.issued_by, role: n.issued_role, jurisdiction: n.issuer_jurisdiction },
    createdAt: n.created_at.toISOString(), dueAt: n.due_at.toISOString(), acknowledgedAt: n.acknowledged_at?.toISOString() ?? null,
    respondedAt: n.responded_at?.toISOString() ?? null, escalatedAt: n.escalated_at?.toISOString() ?? null,
    lines: n.lines, accounted: n.accounted.map((a) => ({ ...a, quantity: formatQuantity(a.quantity) })), webhookDeliveries: n.deliveries,
  };
}

/** The notice line an answer's code (and unit, when given) refers to. */
function lineFor(lines: readonly NoticeLine[], code: string, unit: string | undefined): NoticeLine | undefined {
  return lines.find((l) => l.code === code && (unit === undefined || l.unit === unit));
}

/**
 * Walks the lineage from `keys` level by level with the trace engine over the whole node (the platform acts here,
 * not the caller: affected operators outside a jurisdiction are listed for hand-over), reading each level's
 * movements (in chunks, see `recallDal.movements`) and the identifiers its linking events lead to. Forward walks
 * also follow the item codes of affected batches that moved on their own. Answers the engine's state and the
 * movements of every node reached; with `details`, movements as exports show them.
 */
export async function walkLineage(q: Queryable, keys: string[], direction: Direction, maxNodes: number): Promise<{ state: TraceState; movements: fns.Movement[] }>;
export async function walkLineage(q: Queryable, keys: string[], direction: Direction, maxNodes: number, details: true): Promise<{ state: TraceState; movements: fns.DetailedMovement[] }>;
export async function walkLineage(q: Queryable, keys: string[], direction: Direction, maxNodes: number, details = false): Promise<{ state: TraceState; movements: fns.Movement[] }> {
  const dal = recallDal(q);
  const state = startTrace(keys, direction, maxNodes);
  const movements: fns.Movement[] = [];
  while (state.frontier.size > 0) {
    let level = frontierKeys(state);
    if (direction === 'forward') {
      const items = await traceDal(q).movedItems(level);
      admitKeys(state, items, direction);
      if (items.length) level = frontierKeys(state);
    }
    const found = details ? await dal.detailedMovements(level) : await dal.movements(level, direction);
    for (const m of found) movements.push(m);
    applyLevel(state, fns.linkingEvents(found));
  }
  return { state, movements };
}

/**
 * Problem-food investigation and recall (问题食品排查与召回): incidents on problem codes with their affected set
 * (forward trace with holdings), source candidates (backward traces ranked by what they share), impact by division,
 * operator type and consumer scans, notices to affected operators through the inbox and a webhook outbox, their
 * answers as events, escalation, progress, closing and exports. Steps that touch many operators run as persisted
 * workflow steps.
 */
export function createRecallService(deps: RecallDeps) {
  const { db, capture } = deps;
  const clock = deps.now ?? (() => new Date());
  const maxNodes = deps.maxNodes ?? MAX_TRACE_NODES;
  const noticeChunk = deps.noticeChunk ?? 200;
  const outbox = createOutboxSender({ db, now: clock, allowPrivate: deps.allowPrivateWebhooks ?? false, ...deps.webhooks });

  // ---- the lineage walks ----------------------------------------------------------------------

  /**
   * The affected set of the named codes: a forward walk with the holdings it finds. It is read through the pool, not
   * in a transaction, and holds no connection between statements, so a large level is read on several connections at
   * once (`movements`) and no caller waits for the pool while holding one of its connections. Events are append-only:
   * a record committed during the walk only adds what the next refresh would find anyway.
   */
  async function affectedSetOf(named: string[]) {
    const startedAt = clock();
    const { state, movements } = await walkLineage(db.pool, named, 'forward', maxNodes);
    const holdings: StoredHolding[] = fns.holdingsOf(movements).map((h) => ({
      code: h.code, operator_id: h.operatorId, unit: h.unit, depth: state.nodes.get(h.code)!,
      reached: fns.fromMilli(h.reached), passed_on: fns.fromMilli(h.passedOn), sold_to_consumers: fns.fromMilli(h.soldToConsumers),
      processed: fns.fromMilli(h.processed), destroyed: fns.fromMilli(h.destroyed), on_hand: fns.fromMilli(fns.onHand(h)),
    }));
    return { codes: [...state.nodes.keys()], operators: [...new Set(holdings.map((h) => h.operator_id))], holdings, truncated: state.truncated, startedAt };
  }
  /**
   * Stores an affected set as the incident's, unless one computed later is stored already (two notice runs that
   * refresh it side by side); returns its size and whether it was stored.
   */
  async function storeAffected(q: Queryable, incidentId: string, set: Awaited<ReturnType<typeof affectedSetOf>>) {
    const stored = await recallDal(q).replaceAffected(incidentId, { ...set, now: set.startedAt });
    return { codes: set.codes.length, operators: set.operators.length, holdings: set.holdings.length, truncated: set.truncated, stored };
  }

  // ---- access ---------------------------------------------------------------------------------

  /** The incident if the caller may read it (its managers, and regulators it was handed over to); else not found. */
  async function readable(actor: Actor, id: string): Promise<IncidentRow> {
    ensure(actor, actor.role === 'platform-admin' || actor.role === 'regulator');
    const dal = recallDal(db.pool);
    const i = await dal.incident(id);
    if (!i) throw incidentNotFound();
    const handedOver = actor.role === 'regulator' && !incidentPolicy.manage(actor, i) && await dal.holdsWithin(id, jurisdictionPrefix(actor.jurisdiction!));
    if (!incidentPolicy.read(actor, i, handedOver)) throw incidentNotFound();
    return i;
  }
  /** The caller's jurisdiction as a division prefix: '' for admins (everything). */
  const prefixOf = (actor: Actor) => (actor.role === 'regulator' ? jurisdictionPrefix(actor.jurisdiction!) : '');
  const withinOf = (actor: Actor) => { const p = prefixOf(actor); return (division: string) => division.startsWith(p); };

  async function logRead(actor: Actor, kind: string, i: IncidentRow, resultCount: number, extra: Record<string, unknown> = {}) {
    await logQuery(db.pool, actor, { kind, query: { incidentId: i.id, ...extra }, resultCount, subjectDivision: i.jurisdiction });
  }

  /** The affected set with its operators (and, when asked, the lots of its codes, in reading order): what the read paths present. */
  async function affectedOf(q: Queryable, id: string, withLots = false) {
    const dal = recallDal(q);
    const row: AffectedRow = (await dal.affected(id)) ?? { computed_at: new Date(0), truncated: false, codes: 0, operators: [], holdings: [] };
    if (withLots) row.holdings.sort((a, b) => a.depth - b.depth || cmp(a.code, b.code) || cmp(a.operator_id, b.operator_id) || cmp(a.unit, b.unit));
    const operators = new Map((await dal.operators(row.operators)).map((o) => [o.id, o]));
    const lots = new Map(withLots ? (await dal.lots([...new Set(row.holdings.map((h) => h.code))])).map((l) => [l.code, l]) : []);
    return { row, operators, lots };
  }

  // ---- notices --------------------------------------------------------------------------------

  function noticePayload(type: 'recall.notice' | 'recall.notice.escalated', n: NoticeRow, i: Pick<IncidentRow, 'id' | 'number' | 'reason' | 'severity'>) {
    return {
      type, noticeId: n.id, kind: n.kind, message: n.message, createdAt: n.created_at.toISOString(), dueAt: n.due_at.toISOString(),
      incident: { id: i.id, number: i.number, reason: i.reason, severity: i.severity }, lines: n.lines,
      inbox: `${deps.publicUrl}/api/v1/inbox/${n.id}`,
    };
  }

  const toLine = (h: StoredHolding, lot: LotRow | undefined): NoticeLine => ({
    code: h.code, kind: lot?.kind ?? 'epc', product: lot?.product ?? null, lotNumber: lot?.lot_number ?? null, unit: h.unit,
    reached: h.reached, passedOn: h.passed_on, soldToConsumers: h.sold_to_consumers, onHand: h.on_hand,
  });

  /**
   * Creates the notices of one chunk of recipients in one transaction: the notice rows (the in-app inbox), their
   * webhook outbox rows and a journal entry. Recipients that already have the incident's notice of this kind (or its
   * recall, for a hold) are left out, so a resumed step neither repeats nor skips anyone.
   */
  async function noticeChunkTx(input: NotifyInput, runId: string, operatorIds: string[], holdings: readonly StoredHolding[]): Promise<number> {
    return db.tx(async (q) => {
      const dal = recallDal(q);
      const i = (await dal.incident(input.incidentId))!;
      if (i.status !== 'open') throw incidentClosed();
      // A recall goes to operators that were only asked to hold; a hold never follows the recall, which asks more.
      const done = await dal.notified(i.id, operatorIds, fns.coveringKinds(input.kind));
      const todo = new Set(operatorIds.filter((id) => !done.has(id)));
      if (todo.size === 0) return 0;
      const mine = holdings.filter((h) => todo.has(h.operator_id)).sort((a, b) => a.depth - b.depth || cmp(a.code, b.code) || cmp(a.unit, b.unit));
      const lots = new Map((await dal.lots([...new Set(mine.map((h) => h.code))])).map((l) => [l.code, l]));
      const lines = new Map<string, NoticeLine[]>();
      for (const h of mine) {
        const list = lines.get(h.operator_id);
        if (list) list.push(toLine(h, lots.get(h.code))); else lines.set(h.operator_id, [toLine(h, lots.get(h.code))]);
      }
      const now = clock();
      const notices = await dal.insertNotices({
        incidentId: i.id, kind: input.kind, message: input.message, issuedBy: input.issuer.userId ?? (input.issuer.apiKeyId ? `apikey:${input.issuer.apiKeyId}` : null),
        issuedRole: input.issuer.role, issuerJurisdiction: input.issuer.jurisdiction, runId, now,
        dueAt: new Date(now.getTime() + i.escalate_after_minutes * 60_000),
        notices: [...todo].map((operatorId) => ({ operatorId, lines: lines.get(operatorId) ?? [] })),
      });
      const hooks = await dal.webhooks(notices.map((n) => n.operator_id));
      await dal.enqueue(hooks.flatMap((w) => notices.filter((n) => n.operator_id === w.operator_id)
        .map((n) => ({ noticeId: n.id, webhookId: w.id, payload: noticePayload('recall.notice', n, i) }))), 'notice', now);
      await appendJournal(q, issuerActor(input.issuer), {
        type: 'recall.notices_issued', subjectType: 'incident', subjectId: i.id,
        payload: { runId, kind: input.kind, notices: notices.map((n) => ({ id: n.id, operatorId: n.operator_id })) },
      });
      return notices.length;
    });
  }

  const issuerActor = (s: Issuer): Actor => ({ role: s.role, userId: s.userId, apiKeyId: s.apiKeyId, jurisdiction: s.role === 'regulator' ? s.jurisdiction : undefined });

  const runner = createWorkflowRunner({
    db, now: clock,
    definitions: [{
      kind: NOTIFY,
      steps: [
        {
          // Late records (a shipment entered after the incident opened) reach the notices too.
          name: 'refresh_affected',
          run: async (ctx: StepContext) => {
            const named = (await recallDal(db.pool).incident(ctx.input.incidentId))!.codes;
            const set = await affectedSetOf(named);
            // A walk that outlived the lease leaves the run to the worker that took it over.
            await ctx.heartbeat();
            return db.tx(async (q) => {
              const i = (await recallDal(q).incident(ctx.input.incidentId, true))!;
              if (i.status !== 'open') throw incidentClosed();
              return storeAffected(q, i.id, set);
            });
          },
        },
        {
          // The recipients are fixed here, so that a resumed run works through the same list.
          name: 'select_recipients',
          run: async (ctx: StepContext) => {
            const input = ctx.input as NotifyInput;
            const prefix = jurisdictionPrefix(input.issuer.jurisdiction);
            const { operators } = await affectedOf(db.pool, input.incidentId);
            return { operatorIds: [...operators.values()].filter((o) => o.division_code.startsWith(prefix)).map((o) => o.id).sort() };
          },
        },
        {
          name: 'create_notices',
          run: async (ctx: StepContext) => {
            const input = ctx.input as NotifyInput;
            const { operatorIds } = ctx.outputs.select_recipients as { operatorIds: string[] };
            const holdings = (await recallDal(db.pool).affected(input.incidentId))?.holdings ?? [];
            let created = 0;
            for (let k = 0; k < operatorIds.length; k += noticeChunk) {
              created += await noticeChunkTx(input, ctx.runId, operatorIds.slice(k, k + noticeChunk), holdings);
              await ctx.heartbeat();
            }
            return { recipients: operatorIds.length, createdInLastAttempt: created };
          },
        },
      ],
    }],
  });

  /** Marks overdue unacknowledged notices of open incidents as escalated and reminds their operators' webhooks. */
  async function escalateOverdue(): Promise<number> {
    const count = await db.tx(async (q) => {
      const dal = recallDal(q);
      const now = clock();
      const escalated = await dal.escalate(now);
      if (escalated.length === 0) return 0;
      const incidents = new Map<string, IncidentRow>();
      for (const id of new Set(escalated.map((n) => n.incident_id))) incidents.set(id, (await dal.incident(id))!);
      const hooks = await dal.webhooks([...new Set(escalated.map((n) => n.operator_id))]);
      await dal.enqueue(hooks.flatMap((w) => escalated.filter((n) => n.operator_id === w.operator_id)
        .map((n) => ({ noticeId: n.id, webhookId: w.id, payload: noticePayload('recall.notice.escalated', n, incidents.get(n.incident_id)!) }))), 'escalation', now);
      for (const n of escalated) {
        await appendJournal(q, SYSTEM_ACTOR, {
          type: 'recall.notice_escalated', subjectType: 'recall_notice', subjectId: n.id,
          payload: { incidentId: n.incident_id, operatorId: n.operator_id, dueAt: n.due_at.toISOString() },
        });
      }
      return escalated.length;
    });
    if (count) worker.kick();
    return count;
  }

  // Runs left by a crash, escalations and webhook deliveries, in the background of the server.
  const worker = createQueueWorker('recall background step', {
    pollMs: deps.workerPollMs ?? 5000,
    runNext: async () => (await runner.resumeDue(5)) + (await escalateOverdue()) + (await outbox.dispatch(50)) > 0,
  });

  // ---- progress -------------------------------------------------------------------------------

  async function progressOf(q: Queryable, i: IncidentRow, loaded?: readonly StoredHolding[]) {
    const dal = recallDal(q);
    const holdings = loaded ?? (await dal.affected(i.id))?.holdings ?? [];
    const milli = (x: string) => fns.toMilli(x) ?? 0;
    const units = fns.progressByUnit(
      holdings.map((h) => ({ operatorId: h.operator_id, code: h.code, unit: h.unit, reached: milli(h.reached), onHand: milli(h.on_hand), soldToConsumers: milli(h.sold_to_consumers) })),
      (await dal.askedLines(i.id)).flatMap((n) => n.lines.map((l) => ({ operatorId: n.operator_id, code: l.code, unit: l.unit, onHand: milli(l.onHand) }))),
      (await dal.reported(i.id)).map((r) => ({ operatorId: r.operator_id, code: r.code, unit: r.unit, action: r.action, quantity: milli(r.quantity) })),
    );
    const quantities = units.map((u) => ({
      ...totalsView(u), held: fns.fromMilli(u.held), returned: fns.fromMilli(u.returned), destroyed: fns.fromMilli(u.destroyed),
      toAccount: fns.fromMilli(u.toAccount), accounted: fns.fromMilli(u.accounted),
      // Share of what the operators were asked about (and what the ones not asked yet hold) that they have accounted for.
      accountedShare: u.toAccount > 0 ? Math.round((u.accounted / u.toAccount) * 10000) / 10000 : null,
    }));
    return { incidentId: i.id, status: i.status, notices: await dal.noticeCounts(i.id), quantities };
  }

  // ---- export ---------------------------------------------------------------------------------

  async function sourcesOf(q: Queryable, i: IncidentRow) {
    const named = i.codes;
    const traces: fns.Upstream[] = [];
    for (const code of named) {
      const { state, movements } = await walkLineage(q, [code], 'backward', maxNodes);
      const operators = new Map<string, Set<fns.OperatorPart>>();
      for (const m of movements) {
        // A linking event counts when the trace followed it, not when it shows what a named code was later made into.
        if (m.links && !state.events.has(m.seq)) continue;
        for (const [id, part] of fns.operatorParts(m)) operators.set(id, (operators.get(id) ?? new Set()).add(part));
      }
      traces.push({ code, nodes: state.nodes, operators });
    }
    const ranked = fns.rankSources(traces);
    const batches = ranked.batches.slice(0, 200);
    const details = new Map((await traceDal(q).nodeDetails(batches.map((b) => b.key).filter(isCodeKey))).map((d) => [d.code, d]));
    const ops = new Map((await recallDal(q).operators(ranked.operators.map((o) => o.id))).map((o) => [o.id, o]));
    return {
      incidentId: i.id, codes: named,
      batches: batches.map((b) => {
        const d = details.get(b.key);
        return {
          code: b.key, shared: b.codes.length, of: named.length, codes: b.codes, depth: b.depth,
          product: d?.product_name ?? null, lotNumber: d?.lot_number ?? null, producedOn: d?.produced_on ?? null,
          operator: d ? { id: d.operator_id, name: d.operator_name, divisionCode: d.operator_division } : null,
        };
      }),
      operators: ranked.operators.slice(0, 200).map((o) => {
        const x = ops.get(o.id);
        return { id: o.id, name: x?.name ?? null, uscc: x?.uscc ?? null, divisionCode: x?.division_code ?? null, shared: o.codes.length, of: named.length, codes: o.codes, parts: o.parts };
      }),
    };
  }

  async function impactOf(q: Queryable, i: IncidentRow, loaded?: Awaited<ReturnType<typeof affectedOf>>) {
    const dal = recallDal(q);
    // The scan counts take PostgreSQL longest: ask for them first, on a pool they run while the holdings are placed.
    const scansByDay = dal.scansByDay(i.id);
    scansByDay.catch(() => {});
    const { row, operators } = loaded ?? await affectedOf(q, i.id);
    const placed: fns.PlacedHolding[] = row.holdings.map((h) => {
      const o = operators.get(h.operator_id)!;
      return {
        operatorId: h.operator_id, divisionCode: o.division_code, types: o.types, unit: h.unit,
        reached: fns.toMilli(h.reached) ?? 0, onHand: fns.toMilli(h.on_hand) ?? 0, soldToConsumers: fns.toMilli(h.sold_to_consumers) ?? 0,
      };
    });
    const byCode = new Map<string, fns.PlacedHolding[]>();
    placed.forEach((p, k) => {
      const code = row.holdings[k].code;
      const list = byCode.get(code);
      if (list) list.push(p); else byCode.set(code, [p]);
    });
    const scans = new Map<string, { divisionCode: string; day: string; scans: number }>();
    // A code's (or a lot's) scans over many days count in one place: where the holdings of its codes put them.
    const placeOf = new Map<string, string>();
    for (const s of await scansByDay) {
      const at = s.codes.join(' ');
      let divisionCode = placeOf.get(at);
      if (divisionCode === undefined) placeOf.set(at, (divisionCode = fns.consumerDivision(s.codes.flatMap((c) => byCode.get(c) ?? []))));
      const key = `${divisionCode}|${s.day}`;
      const row = scans.get(key) ?? { divisionCode, day: s.day, scans: 0 };
      row.scans += s.scans;
      scans.set(key, row);
    }
    const present = (n: fns.ImpactNode): DivisionImpact => ({
      divisionCode: n.code, name: getDivision(n.code)?.name ?? n.code, level: n.level, operators: n.operators,
      totals: n.totals.map(totalsView), children: n.children.map(present),
    });
    const scanRows = [...scans.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.divisionCode < b.divisionCode ? -1 : 1));
    return {
      incidentId: i.id,
      operators: new Set(placed.map((p) => p.operatorId)).size,
      byDivision: fns.impactByDivision(placed).map(present),
      byOperatorType: fns.impactByType(placed).map((t) => ({ ...t, totals: t.totals.map(totalsView) })),
      scans: {
        total: scanRows.reduce((n, r) => n + r.scans, 0),
        byDivisionAndDay: scanRows.map((r) => ({ ...r, division: divisionName(r.divisionCode) })),
      },
    };
  }

  /** The CTE rows of the affected lots from a fresh forward walk (late records and operators' answers included). */
  async function cteOf(q: Queryable, i: IncidentRow) {
    const { state, movements } = await walkLineage(q, i.codes, 'forward', maxNodes, true);
    const details = await traceDal(q).nodeDetails([...state.nodes.keys()].filter(isCodeKey));
    const opIds = new Set<string>();
    const siteIds = new Set<string>();
    for (const m of movements) {
      for (const id of [m.operatorId, m.counterpartyId]) if (id) opIds.add(id);
      const site = siteIdOf(m.details?.bizLocation);
      if (site) siteIds.add(site);
    }
    const dal = recallDal(q);
    const ctx: CteContext = {
      lots: new Map(details.map((d) => [d.code, {
        product: d.product_name ? `${d.product_name}${d.spec ? ` ${d.spec}` : ''}` : null, lotNumber: d.lot_number,
        source: d.site_name ? `${d.site_name}, ${divisionPath(d.site_division!).join('')} (${d.operator_name})` : d.operator_name,
      }])),
      operators: new Map((await dal.operators([...opIds])).map((o) => [o.id, { name: o.name, uscc: o.uscc, divisionCode: o.division_code }])),
      sites: new Map((await dal.sites([...siteIds])).map((s) => [s.id, { name: s.name, divisionCode: s.division_code, gln: s.gln }])),
    };
    return cteRows(movements, ctx);
  }

  async function exportWorkbook(q: Queryable, actor: Actor, i: IncidentRow) {
    const dal = recallDal(q);
    const within = withinOf(actor);
    const loaded = await affectedOf(q, i.id, true);
    const { row: affected, operators, lots } = loaded;
    const holdings = affected.holdings.map((h) => presentHolding(h, operators.get(h.operator_id)!, lots.get(h.code), within));
    const [sources, impact, progress, notices, ctes] = [
      await sourcesOf(q, i), await impactOf(q, i, loaded), await progressOf(q, i, affected.holdings), await dal.notices({ incidentId: i.id }), await cteOf(q, i),
    ];
    const flat: Array<Array<string | number | null>> = [];
    const walkTree = (n: DivisionImpact) => {
      for (const t of n.totals) flat.push([n.level, n.divisionCode, n.name, n.operators, t.unit, Number(t.reached), Number(t.onHand), Number(t.soldToConsumers)]);
      n.children.forEach(walkTree);
    };
    impact.byDivision.forEach(walkTree);
    const accounted = (n: NoticeListRow, action: string) => n.accounted.filter((a) => a.action === action).map((a) => `${formatQuantity(a.quantity)} ${a.unit}`).join('; ');
    const sheets: Sheet[] = [
      {
        name: '事件 Incident', columns: ['项目 Field', '内容 Value'],
        rows: [
          ['事件编号 Number', i.number], ['状态 Status', i.status], ['原因 Reason', i.reason], ['级别 Severity', i.severity],
          ['辖区 Jurisdiction', `${i.jurisdiction} ${divisionName(i.jurisdiction)}`], ['说明 Description', i.description],
          ['立案时间 Opened', i.opened_at.toISOString()], ['问题追溯码 Codes', i.codes.join('; ')],
          ['受影响追溯码 Affected codes', affected.codes],
          ['受影响主体 Affected operators', impact.operators], ['截断 Truncated', affected.truncated ? 'yes' : 'no'],
          ['结案时间 Closed', i.closed_at?.toISOString() ?? null], ['结论 Conclusion', i.conclusion],
        ],
      },
      {
        name: '受影响 Affected',
        columns: ['追溯码 Code', '类型 Kind', '产品 Product', '批次号 Lot', '层级 Depth', '主体 Operator', '统一社会信用代码 USCC', '区划 Division',
          '单位 Unit', '到达 Reached', '转出 Passed on', '售予消费者 Sold to consumers', '加工/装箱 Processed', '销毁 Destroyed', '在库 On hand', '已售出 Sold on'],
        rows: holdings.map((h) => [h.code, h.kind, h.product, h.lotNumber, h.depth, h.operator.name, h.operator.uscc, `${h.operator.divisionCode} ${h.operator.division}`,
          h.unit, Number(h.reached), Number(h.passedOn), Number(h.soldToConsumers), Number(h.processed), Number(h.destroyed), Number(h.onHand), h.soldOn ? 'yes' : 'no']),
      },
      {
        name: '可疑来源 Source lots', columns: ['追溯码 Code', '共同 Shared', '问题码数 Of', '层级 Depth', '产品 Product', '批次号 Lot', '生产日期 Produced', '主体 Operator', '涉及问题码 Codes'],
        rows: sources.batches.map((b) => [b.code, b.shared, b.of, b.depth, b.product, b.lotNumber, b.producedOn, b.operator?.name ?? null, b.codes.join('; ')]),
      },
      {
        name: '可疑主体 Source operators', columns: ['主体 Operator', '统一社会信用代码 USCC', '区划 Division', '共同 Shared', '问题码数 Of', '角色 Parts', '涉及问题码 Codes'],
        rows: sources.operators.map((o) => [o.name, o.uscc, o.divisionCode, o.shared, o.of, o.parts.join('; '), o.codes.join('; ')]),
      },
      {
        name: '影响评估 Impact', columns: ['层级 Level', '区划代码 Division', '名称 Name', '主体数 Operators', '单位 Unit', '到达 Reached', '在库 On hand', '售予消费者 Sold to consumers'],
        rows: [...flat, ...impact.byOperatorType.flatMap((t) => t.totals.map((x) => ['type', t.type, t.type, t.operators, x.unit, Number(x.reached), Number(x.onHand), Number(x.soldToConsumers)]))],
      },
      {
        name: '消费者扫码 Scans', columns: ['区划代码 Division', '名称 Name', '日期 Day', '扫码次数 Scans'],
        rows: impact.scans.byDivisionAndDay.map((s) => [s.divisionCode, s.division, s.day, s.scans]),
      },
      {
        name: '通知 Notices',
        columns: ['主体 Operator', '统一社会信用代码 USCC', '区划 Division', '类型 Kind', '发出 Sent', '期限 Due', '确认 Acknowledged', '升级 Escalated', '封存 Held', '退回 Returned', '销毁 Destroyed'],
        rows: notices.map((n) => [n.operator_name, n.uscc, n.division_code, n.kind, n.created_at.toISOString(), n.due_at.toISOString(), n.acknowledged_at?.toISOString() ?? null,
          n.escalated_at?.toISOString() ?? null, accounted(n, 'held'), accounted(n, 'returned'), accounted(n, 'destroyed')]),
      },
      {
        name: '进度 Progress',
        columns: ['单位 Unit', '到达 Reached', '在库 On hand', '售予消费者 Sold to consumers', '封存 Held', '退回 Returned', '销毁 Destroyed', '应核销 To account for', '已落实 Accounted', '落实比例 Share'],
        rows: progress.quantities.map((p) => [p.unit, Number(p.reached), Number(p.onHand), Number(p.soldToConsumers), Number(p.held), Number(p.returned), Number(p.destroyed),
          Number(p.toAccount), Number(p.accounted), p.accountedShare]),
      },
      {
        name: '关键追溯事件 CTEs', columns: CTE_COLUMNS.map(([, en, zh]) => `${zh} ${en}`),
        rows: ctes.map((r) => CTE_COLUMNS.map(([k]) => (k === 'quantity' && r.quantity !== '' ? Number(r.quantity) : r[k]))),
      },
    ];
    return { body: await workbook(sheets), rows: ctes.length };
  }

  async function noticesOf(actor: Actor, id: string) {
    await readable(actor, id);
    const dal = recallDal(db.pool);
    const prefix = prefixOf(actor);
    const { row, operators } = await affectedOf(db.pool, id);
    const outside = prefix === '' ? [] : [...operators.values()].filter((o) => !o.division_code.startsWith(prefix));
    const notices = await dal.notices({ incidentId: id });
    // Once the incident is a recall, an operator elsewhere that only had the hold still needs its regulator's recall.
    const covering = fns.coveringKinds(notices.some((n) => n.kind === 'recall') ? 'recall' : 'hold');
    const notified = new Set(notices.filter((n) => covering.includes(n.kind)).map((n) => n.operator_id));
    const handover = outside.filter((o) => !notified.has(o.id))
      .sort((a, b) => cmp(a.division_code, b.division_code) || cmp(a.name, b.name))
      .map((o) => ({
        operator: { id: o.id, name: o.name, uscc: o.uscc, divisionCode: o.division_code }, division: divisionName(o.division_code),
        codes: new Set(row.holdings.filter((h) => h.operator_id === o.id).map((h) => h.code)).size,
      }));
    return { notices: notices.map(presentNotice), handover };
  }

  async function inboxNotice(actor: Actor, noticeId: string) {
    const dal = recallDal(db.pool);
    const n = (await dal.notices({ noticeId }))[0];
    if (!n || !noticePolicy.answer(actor, n)) throw noticeNotFound();
    return inboxView(n, (await dal.incident(n.incident_id))!);
  }

  return {
    /**
     * Opens an incident on problem codes (an item code brings in its lot) and computes its affected set. A regulator
     * may name goods owned or handled in its jurisdiction; the platform (SYSTEM_ACTOR) names any. Opening twice
     * from the same warning answers the first incident.
     */
    async openIncident(actor: Actor, input: OpenIncidentInput) {
      ensure(actor, incidentPolicy.open(actor));
      const existing = async () => {
        const dal = recallDal(db.pool);
        const i = input.warningId ? await dal.incidentByWarning(input.warningId) : undefined;
        return i && { created: false, incident: presentIncident(i, await dal.affectedSummary(i.id), await holdOfWarning(db.pool, i.warning_id)) };
      };
      const before = await existing();
      if (before) return before;
      // The named codes are checked and their affected set walked before the transaction, through the pool (see
      // affectedSetOf); the transaction only writes the incident, its affected set and the journal entry.
      const dal = recallDal(db.pool);
      const codes: string[] = [];
      for (const [k, raw] of input.codes.entries()) codes.push(await codeOf(db.pool, raw, `codes.${k}`));
      const prefix = prefixOf(actor);
      const rows = new Map((await dal.namedCodes(codes, prefix)).map((r) => [r.code, r]));
      codes.forEach((code, k) => {
        const r = rows.get(code);
        const field = `codes.${k}`;
        if (!r) throw notFound('CODE_UNKNOWN', `追溯码 ${code} 不存在`, `Trace code ${code} does not exist`, { field, traceCode: code });
        if (r.status === 'unassigned') throw conflict('CODE_NOT_ACTIVE', `追溯码 ${code} 尚未启用`, `Trace code ${code} is not in use`, { field, traceCode: code });
        if (actor.role === 'regulator' && !covers(actor.jurisdiction!, r.owner_division) && !r.seen_here) {
          throw new DomainError('forbidden', 'OUTSIDE_JURISDICTION', `追溯码 ${code} 的货品未在本辖区出现`, `The goods of ${code} have not been in your jurisdiction`, { field, traceCode: code });
        }
      });
      const items = [...rows.values()].filter((r) => r.kind === 'item').map((r) => r.code);
      const named = [...new Set([...codes, ...(items.length ? await dal.batchCodesOfItems(items) : [])])];
      const set = await affectedSetOf(named);
      try {
        return await db.tx(async (q) => {
          const dal = recallDal(q);
          const severity = input.severity;
          const i = await dal.insertIncident({
            reason: input.reason, severity, description: input.description || null,
            jurisdiction: actor.role === 'regulator' ? actor.jurisdiction! : fns.commonDivision([...new Set([...rows.values()].map((r) => r.owner_division))]),
            warningId: input.warningId ?? null, codes: named, escalateAfterMinutes: input.escalateAfterMinutes ?? ESCALATE_AFTER_MINUTES[severity],
            openedBy: actorId(actor) ?? actor.username ?? null, openedRole: actor.role, now: clock(),
          });
          const affected = await storeAffected(q, i.id, set);
          await appendJournal(q, actor, {
            type: 'incident.opened', subjectType: 'incident', subjectId: i.id,
            payload: { number: i.number, codes: named, reason: i.reason, severity, warningId: i.warning_id, affected },
          });
          return { created: true, incident: presentIncident(i, await dal.affectedSummary(i.id), await holdOfWarning(q, i.warning_id)) };
        });
      } catch (e) {
        // A concurrent open from the same warning won the race.
        const after = isUniqueViolation(e, 'incidents_warning_key') ? await existing() : undefined;
        if (after) return after;
        throw e;
      }
    },

    /** Incidents the caller may read, newest first. */
    async list(actor: Actor, f: { status?: 'open' | 'closed'; limit?: number }) {
      ensure(actor, actor.role === 'platform-admin' || actor.role === 'regulator');
      const rows = await recallDal(db.pool).incidents({ prefix: actor.role === 'regulator' ? prefixOf(actor) : null, status: f.status, limit: Math.min(f.limit ?? 100, 500) });
      return { items: rows.map((i) => presentIncident(i)) };
    },

    /** One incident with its named codes. */
    async get(actor: Actor, id: string) {
      const i = await readable(actor, id);
      const dal = recallDal(db.pool);
      return presentIncident(i, await dal.affectedSummary(id), await holdOfWarning(db.pool, i.warning_id));
    },

    /** The affected set: every holding of every affected code, with who holds it and whether it was sold on. */
    async affected(actor: Actor, id: string) {
      const i = await readable(actor, id);
      const { row, operators, lots } = await affectedOf(db.pool, id, true);
      const within = withinOf(actor);
      const holdings = row.holdings.map((h) => presentHolding(h, operators.get(h.operator_id)!, lots.get(h.code), within));
      await logRead(actor, 'incident.affected', i, holdings.length);
      return { incidentId: id, computedAt: row.computed_at.toISOString(), truncated: row.truncated, codes: row.codes, operators: row.operators.length, holdings };
    },

    /** Source candidates: the named codes' backward traces, ranking the batches and operators they share. */
    async sources(actor: Actor, id: string) {
      const i = await readable(actor, id);
      const out = await db.tx(async (q) => {
        await q.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
        return sourcesOf(q, i);
      });
      await logRead(actor, 'incident.sources', i, out.batches.length);
      return out;
    },

    /** Impact assessment: affected operators and quantities by division and operator type, and consumer scans by division and day. */
    async impact(actor: Actor, id: string) {
      const i = await readable(actor, id);
      const out = await impactOf(db.pool, i);
      await logRead(actor, 'incident.impact', i, out.operators);
      return out;
    },

    /**
     * Issues recall or hold notices to every affected operator in the caller's jurisdiction (all, for an admin), as
     * a persisted workflow run started here; operators elsewhere are listed for hand-over.
     */
    async issueNotices(actor: Actor, id: string, input: IssueNoticesInput) {
      const i = await readable(actor, id);
      if (i.status !== 'open') throw incidentClosed();
      const issuer: Issuer = { role: actor.role, userId: actor.userId, apiKeyId: actor.apiKeyId, jurisdiction: actor.role === 'regulator' ? actor.jurisdiction! : '000000' };
      const runId = await db.tx(async (q) => {
        const run = await runner.start(q, NOTIFY, id, { incidentId: id, kind: input.kind, message: input.message || null, issuer } satisfies NotifyInput, actor);
        await appendJournal(q, actor, { type: 'incident.notify_started', subjectType: 'incident', subjectId: id, payload: { runId: run, kind: input.kind } });
        return run;
      });
      const run = await runner.run(runId);
      worker.kick();
      return { run, handover: (await noticesOf(actor, id)).handover };
    },

    /** The incident's notices, and the affected operators outside the caller's jurisdiction that still need one (hand-over). */
    notices: noticesOf,

    /** How much of the affected quantity the operators have accounted for, and how the notices stand. */
    async progress(actor: Actor, id: string) {
      const i = await readable(actor, id);
      return progressOf(db.pool, i);
    },

    /** Closes the incident with a conclusion and a summary of its progress; its notice runs must have finished. */
    async close(actor: Actor, id: string, input: CloseIncidentInput) {
      const seen = await readable(actor, id);
      ensure(actor, incidentPolicy.manage(actor, seen));
      return db.tx(async (q) => {
        const dal = recallDal(q);
        const i = (await dal.incident(id, true))!;
        if (i.status !== 'open') throw incidentClosed();
        const unfinished = await dal.unfinishedRuns(id);
        if (unfinished) {
          throw conflict('INCIDENT_STEPS_UNFINISHED', `还有 ${unfinished} 个通知流程未完成，请先恢复`, `${unfinished} notice runs have not finished; resume them first`, { runs: unfinished });
        }
        const summary = await progressOf(q, i);
        const closed = await dal.closeIncident(id, { closedBy: actorId(actor), now: clock(), conclusion: input.conclusion, summary: { notices: summary.notices, quantities: summary.quantities } });
        await appendJournal(q, actor, { type: 'incident.closed', subjectType: 'incident', subjectId: id, payload: { conclusion: input.conclusion } });
        return presentIncident(closed);
      });
    },

    /** The incident's workflow runs with their steps' status and attempts. */
    async runs(actor: Actor, id: string): Promise<{ items: RunView[] }> {
      await readable(actor, id);
      return { items: await runner.runsOf(id) };
    },

    /** Resumes a failed or stalled run of the incident from its first unfinished step. */
    async resumeRun(actor: Actor, id: string, runId: string): Promise<RunView> {
      await readable(actor, id);
      const runs = await runner.runsOf(id);
      if (!runs.some((r) => r.id === runId)) throw notFound('RUN_NOT_FOUND', '流程不存在', 'Run not found');
      const run = await runner.run(runId, { force: true });
      worker.kick();
      return run;
    },

    /** The investigators' export: an XLSX workbook, or the FSMA 204 sortable spreadsheet of CTEs (CSV). */
    async export(actor: Actor, id: string, format: ExportFormat): Promise<{ filename: string; contentType: string; body: Buffer }> {
      const i = await readable(actor, id);
      const out = await db.tx(async (q) => {
        await q.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
        if (format === 'csv') {
          const rows = await cteOf(q, i);
          return { body: cteCsv(rows), rows: rows.length };
        }
        return exportWorkbook(q, actor, i);
      });
      await logRead(actor, 'incident.export', i, out.rows, { format });
      return format === 'csv'
        ? { filename: `incident-${i.number}-fsma204.csv`, contentType: 'text/csv; charset=utf-8', body: out.body }
        : { filename: `incident-${i.number}.xlsx`, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body: out.body };
    },

    // ---- the operator's inbox -----------------------------------------------------------------

    /** The notices addressed to the caller's operator, newest first, with their incidents. */
    async inbox(actor: Actor) {
      ensure(actor, (actor.role === 'operator-admin' || actor.role === 'operator-staff') && !!actor.operatorId);
      const dal = recallDal(db.pool);
      const rows = await dal.notices({ operatorId: actor.operatorId });
      const incidents = new Map<string, IncidentRow>();
      for (const id of new Set(rows.map((n) => n.incident_id))) incidents.set(id, (await dal.incident(id))!);
      return { items: rows.map((n) => inboxView(n, incidents.get(n.incident_id)!)) };
    },

    /** One notice of the caller's operator; another operator's notice is reported as not found. */
    inboxNotice,

    /** Acknowledges a notice (the first acknowledgement counts); stops its escalation. */
    async acknowledge(actor: Actor, noticeId: string) {
      await db.tx(async (q) => {
        const dal = recallDal(q);
        const n = await dal.notice(noticeId, true);
        if (!n || !noticePolicy.answer(actor, n)) throw noticeNotFound();
        if (n.acknowledged_at) return;
        await dal.acknowledge(noticeId, actorId(actor), clock());
        await appendJournal(q, actor, { type: 'recall.notice_acknowledged', subjectType: 'recall_notice', subjectId: noticeId, payload: { incidentId: n.incident_id } });
      });
      return inboxNotice(actor, noticeId);
    },

    /**
     * Records what the operator did with the goods a notice lists: held, returned or destroyed, each action stored as
     * an EPCIS event through the capture path (non_conformant, recalled, destroyed) in the same transaction. A retry
     * with the same requestId answers the first response and stores nothing.
     */
    async respond(actor: Actor, noticeId: string, input: RespondInput) {
      return db.tx(async (q) => {
        const dal = recallDal(q);
        const n = await dal.notice(noticeId, true);
        if (!n || !noticePolicy.answer(actor, n)) throw noticeNotFound();
        const prior = input.requestId ? await dal.responseByRequest(noticeId, input.requestId) : undefined;
        const lines: fns.AnswerLine[] = input.lines.map((l, k) => {
          const field = `lines.${k}`;
          const typed = l.code.trim();
          const code = /^[0-9A-Za-z\s-]+$/.test(typed) ? parseCodeOrThrow(typed, `${field}.code`).code : identifierKey(typed);
          const line = lineFor(n.lines, code, l.unit);
          if (!line) throw invalid('CODE_NOT_IN_NOTICE', `通知中没有追溯码 ${code}（单位 ${l.unit ?? '—'}）`, `The notice lists no ${code}${l.unit ? ` in ${l.unit}` : ''}`, { field: `${field}.code` });
          const quantity = quantityAt(l.quantity, `${field}.quantity`);
          if (line.kind !== 'batch' && quantity !== '1') throw invalid('ITEM_QUANTITY', '单品码每行数量为 1', 'An item line counts one', { field: `${field}.quantity` });
          return { code, kind: line.kind, action: l.action, quantity, unit: line.unit };
        });
        if (prior) {
          // A retried answer is the stored one; the same request id with other lines is a mistake, not a retry.
          const same = (x: Array<[string, string, string, string]>) => x.map(([c, a, qty, u]) => `${c}|${a}|${fns.toMilli(qty)}|${u}`).sort().join('\n');
          if (same(prior.lines) !== same(lines.map((l) => [l.code, l.action, l.quantity, l.unit]))) {
            throw conflict('REQUEST_ID_REUSED', '该请求号已用于另一份报告', 'This requestId was already used for a different answer', { field: 'requestId', requestId: input.requestId });
          }
          return { responseId: prior.id, noticeId, replayed: true, eventIds: prior.event_ids };
        }
        const i = (await dal.incident(n.incident_id))!;
        if (i.status !== 'open') throw incidentClosed();
        const responseId = randomUUID();
        const now = clock();
        const events = fns.answerEvents({ eventTime: now.toISOString(), lines, recall: { incidentId: i.id, incidentNumber: i.number, noticeId, responseId, kind: n.kind } });
        const division = (await dal.operators([n.operator_id]))[0].division_code;
        const captured = await capture(q, actor, {
          events, source: 'native', errorBehaviour: 'rollback',
          attribution: events.map(() => ({ operatorId: n.operator_id, divisionCode: division, counterpartyId: null })),
        });
        const eventIds = [...captured.stored, ...captured.duplicates].sort((a, b) => a.index - b.index).map((s) => s.eventId);
        await dal.insertResponse({
          id: responseId, noticeId, requestId: input.requestId ?? null, note: input.note || null, eventIds, actorId: actorId(actor), actorRole: actor.role, now, lines,
        });
        await appendJournal(q, actor, { type: 'recall.notice_answered', subjectType: 'recall_notice', subjectId: noticeId, payload: { incidentId: i.id, responseId, lines, eventIds } });
        return { responseId, noticeId, replayed: false, eventIds };
      });
    },

    // ---- webhooks -----------------------------------------------------------------------------

    /** The caller's operator's active webhooks (secrets are shown once, at registration). */
    async webhooks(actor: Actor) {
      ensure(actor, noticePolicy.manageWebhooks(actor));
      return { items: (await recallDal(db.pool).webhooks([actor.operatorId!])).map((w) => ({ id: w.id, url: w.url, createdAt: w.created_at.toISOString() })) };
    },

    /** Registers a webhook for the operator's notices; answers its signing secret, once. */
    async addWebhook(actor: Actor, input: { url: string }) {
      ensure(actor, noticePolicy.manageWebhooks(actor));
      const problem = fns.webhookUrlProblem(input.url, deps.allowPrivateWebhooks ?? false);
      if (problem) {
        const why = { WEBHOOK_URL_INVALID: ['地址须为 http(s) URL，且不含用户名密码', 'The URL must be http(s) without credentials'], WEBHOOK_URL_NOT_HTTPS: ['地址须使用 https', 'The URL must use https'], WEBHOOK_URL_PRIVATE: ['不能使用内网或本机地址', 'Private and loopback addresses are not allowed'] }[problem];
        throw invalid(problem, why[0], why[1], { field: 'url' });
      }
      return db.tx(async (q) => {
        const secret = `whsec_${randomBytes(32).toString('base64url')}`;
        const w = await recallDal(q).insertWebhook({ operatorId: actor.operatorId!, url: input.url, secret, createdBy: actorId(actor) });
        await appendJournal(q, actor, { type: 'recall.webhook_registered', subjectType: 'operator', subjectId: actor.operatorId!, payload: { webhookId: w.id, url: w.url } });
        return { id: w.id, url: w.url, createdAt: w.created_at.toISOString(), secret };
      });
    },

    /** Revokes a webhook of the caller's operator; its pending deliveries are given up. */
    async removeWebhook(actor: Actor, webhookId: string) {
      ensure(actor, noticePolicy.manageWebhooks(actor));
      await db.tx(async (q) => {
        const w = await recallDal(q).revokeWebhook(webhookId, actor.operatorId!);
        if (!w) throw notFound('WEBHOOK_NOT_FOUND', 'Webhook 不存在', 'Webhook not found');
        await appendJournal(q, actor, { type: 'recall.webhook_revoked', subjectType: 'operator', subjectId: actor.operatorId!, payload: { webhookId } });
      });
    },

    // ---- for other capabilities and the background ------------------------------------------

    /** The open incidents covering any of these codes (an item code also through its batch): the consumer page's recall warning. */
    async openRecallsFor(codes: string[]): Promise<OpenRecall[]> {
      if (codes.length === 0) return [];
      return (await recallDal(db.pool).openRecalls(codes)).map((r) => ({
        code: r.code, incidentId: r.id, number: r.number, action: r.recalling ? 'recall' : 'hold', severity: r.severity, openedAt: r.opened_at.toISOString(),
      }));
    },

    /** Sends the webhook deliveries that are due; returns how many were attempted. */
    dispatchOutbox: (limit?: number) => outbox.dispatch(limit),
    escalateOverdue,
    /** Resumes notice runs left failed or stalled; returns how many ran. */
    resumeRuns: (limit?: number) => runner.resumeDue(limit),
    /** Starts the background worker: stalled runs, escalations and webhook deliveries. */
    startWorker: (log: Logger) => worker.start(log),
    /** Stops the worker after the pass under way. */
    stopWorker: () => worker.stop(),
  };

  function inboxView(n: NoticeListRow, i: IncidentRow) {
    return {
      ...presentNotice(n),
      incident: { id: i.id, number: i.number, status: i.status, reason: i.reason, severity: i.severity, description: i.description, openedAt: i.opened_at.toISOString() },
    };
  }
}
export type RecallService = ReturnType<typeof createRecallService>;
