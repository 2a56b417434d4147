import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Database, Queryable } from '../platform/db.ts';
import type { Logger } from '../platform/logger.ts';
import { conflict, invalid, notFound } from '../platform/errors.ts';
import { appendJournal } from '../platform/journal.ts';
import { type Actor, actorId, ensure, isOperatorRole } from '../accounts/actor.ts';
import { riskPolicy } from '../accounts/policies.ts';
import { canSeeEvent } from '../access/visibility.ts';
import { logQuery } from '../access/query-log.ts';
import { jurisdictionPrefix } from '../registry/division.ts';
import { type HoldProposalRow, type RiskDal, riskDal, type WarningFilter, type WarningRow } from './risk-dal.ts';
import { evaluateCaptured, evaluateScheduled, holdProposal, RULES, ruleCatalogue, SCHEDULED_RULES } from './risk-rules.ts';
import { createWorker } from '../platform/worker.ts';
import { type AllSettings, type Finding, RULE_IDS, type RuleId, SETTINGS_SCHEMAS } from './risk-types.ts';
import { incidentFromWarning, type IncidentReason, type IncidentSeverity } from './risk-fns.ts';

/** What the risk engine needs of incidents: opening one from a warning (src/recall), idempotent per warning. */
export interface IncidentOpener {
  openIncident(actor: Actor, input: {
    codes: string[]; reason: IncidentReason; severity: IncidentSeverity; description?: string; warningId: string;
  }): Promise<{ created: boolean; incident: { id: string; number: string } & Record<string, unknown> }>;
}

export interface RiskDeps {
  db: Database;
  /** Opens incidents from warnings (one click); without it the route answers that incidents are not available. */
  incidents?: IncidentOpener;
  /** Minutes between scheduled runs offered by this process; 0 leaves them to `suyuan risk run` from cron. */
  scheduleMinutes: number;
}

// Captures evaluated together in one pass, their facts queries shared; a large capture is evaluated alone.
const OUTBOX_BATCH = 50;
const OUTBOX_MAX_EVENTS = 5000;
const OUTBOX_POLL_MS = 1000;
// A scheduled run renews its lease after every rule; a crashed run frees it after this.
const LEASE_SECONDS = 600;

const warningNotFound = () => notFound('RISK_WARNING_NOT_FOUND', '预警不存在', 'Risk warning not found');
const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Who sees which warnings, as one SQL condition over `risk_warnings w` (the same rule as riskPolicy.read). */
function warningVisibility(a: Actor): { sql: string; params: unknown[] } {
  if (a.role === 'platform-admin') return { sql: 'true', params: [] };
  if (a.role === 'regulator' && a.jurisdiction) {
    const prefix = jurisdictionPrefix(a.jurisdiction);
    return prefix === '' ? { sql: 'true', params: [] } : { sql: 'w.division_code LIKE $1', params: [`${prefix}%`] };
  }
  if (isOperatorRole(a) && a.operatorId) return { sql: 'w.operator_id = $1', params: [a.operatorId] };
  return { sql: 'false', params: [] };
}

/** A warning as the API shows it; operators get a hold proposal's size, not the goods and operators downstream of them. */
function presentWarning(w: WarningRow, hold: HoldProposalRow | undefined, fullHold: boolean) {
  const decision = (by: string | null, role: string | null, at: Date | null, reason: string | null) => (at ? { by, role, at: at.toISOString(), reason } : null);
  return {
    id: w.id, seq: w.seq, rule: w.rule, ruleName: RULES[w.rule as RuleId].name, severity: w.severity, status: w.status, subject: w.subject,
    operator: w.operator_id ? { id: w.operator_id, name: w.operator_name } : null, divisionCode: w.division_code, codes: w.codes,
    explanation: { zh: w.explanation_zh, en: w.explanation_en }, facts: w.facts, occurrences: w.occurrences, raisedBy: w.raised_by,
    firstSeenAt: w.first_seen_at.toISOString(), lastSeenAt: w.last_seen_at.toISOString(), incidentId: w.incident_id,
    acknowledged: decision(w.acknowledged_by, w.acknowledged_role, w.acknowledged_at, w.acknowledge_reason),
    closed: decision(w.closed_by, w.closed_role, w.closed_at, w.close_reason),
    holdProposal: !hold ? null : fullHold
      ? { startCodes: hold.start_codes, affectedCodes: hold.affected_codes, affectedOperatorIds: hold.affected_operator_ids, affectedCount: hold.affected_codes.length, truncated: hold.truncated, createdAt: hold.created_at.toISOString() }
      : { affectedCount: hold.affected_codes.length, truncated: hold.truncated, createdAt: hold.created_at.toISOString() },
  };
}

/** The node's settings per rule: its overrides over the defaults in code; an override the schema no longer accepts yields the defaults. */
async function loadSettings(q: Queryable) {
  const rows = new Map((await riskDal(q).settings()).map((r) => [r.rule, r]));
  const effective = Object.fromEntries(RULE_IDS.map((id) => {
    const parsed = SETTINGS_SCHEMAS[id].safeParse(rows.get(id)?.settings ?? {});
    return [id, parsed.success ? parsed.data : SETTINGS_SCHEMAS[id].parse({})];
  })) as AllSettings;
  return { rows, effective };
}

/**
 * Risk warnings (风险预警): rules evaluated after every capture and on a schedule, warnings deduplicated per rule and
 * subject and never deleted, acknowledged or closed with who and why; rule settings per node.
 */
export function createRiskService(deps: RiskDeps) {
  const { db } = deps;
  const holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  let log: Logger | undefined;

  /** Stores findings as warnings; a new failed-inspection warning gets its hold proposal in the same transaction. */
  async function store(q: Queryable, dal: RiskDal, findings: Finding[], raisedBy: 'capture' | 'schedule', settings: AllSettings) {
    const rows = await dal.upsertWarnings(findings, raisedBy);
    for (const w of rows) {
      if (w.inserted && w.rule === 'inspection_failed' && settings.inspection_failed.proposeHold) {
        await dal.insertHoldProposal({ warningId: w.id, ...(await holdProposal(q, dal, w.codes)) });
      }
    }
    const created = rows.filter((r) => r.inserted).length;
    return { findings: findings.length, created, updated: rows.length - created };
  }

  /**
   * Evaluates the rules for captured events once their capture has committed, a pass of up to OUTBOX_BATCH captures
   * at a time, until none is due. Why an outbox and not the capture's own transaction: capture is the trade path
   * (records, EPCIS, ledgers), and neither a rule's facts queries, nor the forward trace of a hold proposal, nor a
   * failing rule may slow down or refuse a record. The capture only adds one row in its transaction, and that row is
   * deleted in the transaction that stores the warnings, so every committed capture is evaluated once. A capture whose
   * evaluation fails is retried later on its own, without holding up the others. Passes are polled (LISTEN/NOTIFY
   * would take a global lock at the commit of every capture) and serialised by a lock, so dedup and mass balance see
   * each other's results.
   */
  async function evaluatePending() {
    const total = { captures: 0, events: 0, failed: 0 };
    for (;;) {
      const pass = await db.tx(async (q) => {
        const dal = riskDal(q);
        await dal.lockEvaluation();
        const rows = await dal.nextOutbox(OUTBOX_BATCH, OUTBOX_MAX_EVENTS);
        if (rows.length === 0) return null;
        const { effective } = await loadSettings(q);
        const evaluate = async (seqs: string[]) => {
          await q.query('SAVEPOINT risk_rules');
          try {
            const findings = await evaluateCaptured({ dal, events: await dal.eventsBySeq(seqs), now: new Date() }, effective);
            await store(q, dal, findings, 'capture', effective);
            await q.query('RELEASE SAVEPOINT risk_rules');
            return null;
          } catch (e) {
            await q.query('ROLLBACK TO SAVEPOINT risk_rules');
            return e as Error;
          }
        };
        const deferred = new Set<string>();
        if (await evaluate(rows.flatMap((r) => r.seqs))) {
          // One capture broke the pass: each is evaluated alone so that the others go through.
          for (const r of rows) {
            const error = await evaluate(r.seqs);
            if (!error) continue;
            deferred.add(r.id);
            log?.error({ err: error, outboxId: r.id }, 'risk evaluation failed; retried later');
            await dal.deferOutbox(r.id, error.message);
          }
        }
        await dal.deleteOutbox(rows.filter((r) => !deferred.has(r.id)).map((r) => r.id));
        return { captures: rows.length, events: rows.reduce((n, r) => n + r.seqs.length, 0), failed: deferred.size };
      });
      if (!pass) return total;
      total.captures += pass.captures;
      total.events += pass.events;
      total.failed += pass.failed;
    }
  }

  /** One scheduled run under the lease: the outbox first, then every scheduled rule in its own transaction. */
  async function runScheduled(minIntervalSeconds: number | null) {
    const lease = await riskDal(db.pool).acquireLease(holder, LEASE_SECONDS, minIntervalSeconds);
    if (!lease) return { ran: false as const };
    const result: { outbox?: Awaited<ReturnType<typeof evaluatePending>>; rules: Record<string, { findings: number; created: number; updated: number }> } = { rules: {} };
    let completed = false;
    try {
      result.outbox = await evaluatePending();
      for (const id of SCHEDULED_RULES) {
        result.rules[id] = await db.tx(async (q) => {
          const dal = riskDal(q);
          await dal.lockEvaluation();
          const { effective } = await loadSettings(q);
          return store(q, dal, await evaluateScheduled(id, { dal, now: new Date(), lastRunAt: lease.lastRunAt }, effective), 'schedule', effective);
        });
        await riskDal(db.pool).renewLease(holder, LEASE_SECONDS);
      }
      completed = true;
    } finally {
      // A failed run is not a last run: the next one sweeps from the last completed run again.
      await riskDal(db.pool).releaseLease(holder, completed ? result : null);
    }
    return { ran: true as const, ...result };
  }

  // Every OUTBOX_POLL_MS: the captures waiting in the outbox (of this process or any other). Every scheduleMinutes, when
  // set: the scheduled rules, which only the instance holding the database lease runs; instances tick at different
  // phases, and the lease admits one run per interval (less a tenth for clock drift).
  const worker = createWorker('risk', [
    { name: 'outbox', everyMs: OUTBOX_POLL_MS, run: evaluatePending },
    ...(deps.scheduleMinutes > 0 ? [{ name: 'schedule', everyMs: deps.scheduleMinutes * 60_000, run: () => runScheduled(deps.scheduleMinutes * 54) }] : []),
  ]);

  async function settingsViews() {
    const { rows, effective } = await loadSettings(db.pool);
    return RULE_IDS.map((id) => ({
      rule: id, defaults: SETTINGS_SCHEMAS[id].parse({}), overrides: rows.get(id)?.settings ?? {}, effective: effective[id],
      updatedBy: rows.get(id)?.updated_by ?? null, updatedAt: iso(rows.get(id)?.updated_at ?? null),
    }));
  }

  async function visibleWarning(q: Queryable, actor: Actor, id: string, forUpdate = false) {
    const w = await riskDal(q).warningById(id, forUpdate);
    if (!w || !riskPolicy.read(actor, w)) throw warningNotFound();
    return w;
  }

  async function view(q: Queryable, actor: Actor, w: WarningRow) {
    const [hold] = await riskDal(q).holdProposals([w.id]);
    return presentWarning(w, hold, actor.role === 'platform-admin' || actor.role === 'regulator');
  }

  return {
    /** Evaluates the rules for every capture waiting in the outbox (the worker's pass; also run by `suyuan risk run`). */
    evaluatePending,

    /** Runs the scheduled rules now (after the outbox), unless another instance holds the lease: `suyuan risk run`. */
    async run(actor: Actor) {
      ensure(actor, riskPolicy.manage(actor));
      return runScheduled(null);
    },

    /** The warnings the caller may see, newest first, a page at a time; every read is logged. */
    async list(actor: Actor, f: Partial<WarningFilter>) {
      ensure(actor, actor.role !== 'public');
      const limit = Math.min(f.limit ?? 100, 500);
      const rows = await riskDal(db.pool).listWarnings(warningVisibility(actor), { ...f, limit });
      const holds = new Map((await riskDal(db.pool).holdProposals(rows.map((r) => r.id))).map((h) => [h.warning_id, h]));
      const full = actor.role === 'platform-admin' || actor.role === 'regulator';
      await logQuery(db.pool, actor, { kind: 'risk.warnings', query: { ...f, limit }, resultCount: rows.length });
      return { items: rows.map((r) => presentWarning(r, holds.get(r.id), full)), next: rows.length === limit ? rows[rows.length - 1].seq : null };
    },

    /** One warning with the events behind it that the caller may see, each saying whether it was declared erroneous. */
    async get(actor: Actor, id: string) {
      ensure(actor, actor.role !== 'public');
      const w = await riskDal(db.pool).warningById(id);
      const visible = !!w && riskPolicy.read(actor, w);
      await logQuery(db.pool, actor, { kind: 'risk.warning', query: { id }, resultCount: visible ? 1 : 0, subjectDivision: w?.division_code ?? null });
      if (!visible) throw warningNotFound();
      const evidence = (await riskDal(db.pool).evidence(w.event_seqs)).filter((e) => canSeeEvent(actor, e));
      // An event declared erroneous since stays evidence of what was seen, marked: the warning is closed by a person.
      return { ...(await view(db.pool, actor, w)), events: evidence.map((e) => ({ seq: e.seq, eventId: e.event_id, errorDeclared: e.declared })) };
    },

    /** Marks a warning seen and being handled, with the reason; new evidence still reaches it. */
    async acknowledge(actor: Actor, id: string, reason: string) {
      return db.tx(async (q) => {
        const w = await visibleWarning(q, actor, id, true);
        ensure(actor, riskPolicy.acknowledge(actor, w));
        if (w.status !== 'open') throw conflict('RISK_WARNING_NOT_OPEN', `预警当前状态为 ${w.status}，只能确认未处理的预警`, `The warning is ${w.status}; only open warnings can be acknowledged`, { status: w.status });
        await riskDal(q).acknowledge(id, { actorId: actorId(actor), role: actor.role }, reason);
        await appendJournal(q, actor, { type: 'risk.warning.acknowledged', subjectType: 'risk_warning', subjectId: id, payload: { reason } });
        return view(q, actor, (await riskDal(q).warningById(id))!);
      });
    },

    /** Closes a warning for good, with the reason; the same finding later opens a new warning. */
    async close(actor: Actor, id: string, reason: string) {
      return db.tx(async (q) => {
        const w = await visibleWarning(q, actor, id, true);
        ensure(actor, riskPolicy.close(actor, w));
        if (w.status === 'closed') throw conflict('RISK_WARNING_CLOSED', '预警已关闭', 'The warning is closed already');
        await riskDal(q).close(id, { actorId: actorId(actor), role: actor.role }, reason);
        await appendJournal(q, actor, { type: 'risk.warning.closed', subjectType: 'risk_warning', subjectId: id, payload: { reason } });
        return view(q, actor, (await riskDal(q).warningById(id))!);
      });
    },

    /**
     * Opens an incident from a warning in one click (admins and the warning's regulators): its codes, the reason its
     * rule stands for and the recall level its severity maps to; a failed inspection's hold proposal shows on the
     * incident. A second click answers the same incident (`created: false`). An open warning is acknowledged with
     * the incident's number.
     */
    async openIncident(actor: Actor, id: string) {
      const w = await visibleWarning(db.pool, actor, id);
      ensure(actor, riskPolicy.close(actor, w));
      if (!deps.incidents) throw conflict('INCIDENTS_UNAVAILABLE', '本节点未启用事件处置', 'Incidents are not available on this node');
      if (!w.incident_id && w.status === 'closed') throw conflict('RISK_WARNING_CLOSED', '预警已关闭', 'The warning is closed already');
      const plan = incidentFromWarning(w);
      if (!plan) {
        throw conflict('RISK_WARNING_NO_CODES', '该预警未涉及平台追溯码，请在事件处置中按追溯码立案',
          'The warning names no trace code of the platform; open an incident on the codes instead');
      }
      const opened = await deps.incidents.openIncident(actor, { ...plan, warningId: w.id });
      const warning = await db.tx(async (q) => {
        const now = await visibleWarning(q, actor, id, true);
        if (now.status === 'open') {
          const reason = `已立案 ${opened.incident.number} / incident ${opened.incident.number} opened`;
          await riskDal(q).acknowledge(id, { actorId: actorId(actor), role: actor.role }, reason);
          await appendJournal(q, actor, { type: 'risk.warning.acknowledged', subjectType: 'risk_warning', subjectId: id, payload: { reason, incidentId: opened.incident.id } });
        }
        return view(q, actor, (await riskDal(q).warningById(id))!);
      });
      return { created: opened.created, incident: opened.incident, warning };
    },

    /** The rule catalogue with each setting's default and the value in force. */
    async rules(actor: Actor) {
      ensure(actor, actor.role !== 'public');
      return { items: ruleCatalogue((await loadSettings(db.pool)).effective) };
    },

    /** Every rule's settings on this node: defaults, overrides and what is in force. */
    async settings(actor: Actor) {
      ensure(actor, riskPolicy.manage(actor));
      return { items: await settingsViews() };
    },

    /** Replaces a rule's overrides on this node (`{}` restores the defaults); each value is checked against the rule's schema. */
    async updateSettings(actor: Actor, input: { rule: RuleId; settings: Record<string, unknown> }) {
      ensure(actor, riskPolicy.manage(actor));
      const parsed = SETTINGS_SCHEMAS[input.rule].safeParse(input.settings);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw invalid('RISK_SETTINGS_INVALID', `规则 ${input.rule} 的设置无效：${issue.message}`, `Invalid settings for rule ${input.rule}: ${issue.message}`,
          { field: ['settings', ...issue.path.map(String)].join('.') });
      }
      const data = parsed.data as Record<string, unknown>;
      const overrides = Object.fromEntries(Object.keys(input.settings).map((k) => [k, data[k]]));
      await db.tx(async (q) => {
        await riskDal(q).saveSettings(input.rule, overrides, actorId(actor));
        await appendJournal(q, actor, { type: 'risk.settings', subjectType: 'risk_rule', subjectId: input.rule, payload: { settings: overrides } });
      });
      return (await settingsViews()).find((i) => i.rule === input.rule)!;
    },

    /** Starts the outbox poll and, when configured, the in-process schedule. */
    startWorker(logger: Logger) {
      log = logger;
      worker.start(logger);
    },
    /** Stops the worker after the passes under way. */
    stopWorker: () => worker.stop(),
  };
}
export type RiskService = ReturnType<typeof createRiskService>;
