import { isUniqueViolation, type Database, type Queryable } from '../platform/db.ts';
import { DomainError, invalid } from '../platform/errors.ts';
import { type Actor, actorId, ensure } from '../accounts/actor.ts';
import { eventHashId, type ContextInfo } from './epcis-hash.ts';
import { eventsDal, type NewEvent } from './events-dal.ts';
import { ensureOperatorActive, errorDeclarationOf, indexEvent, isCodeKey, ROLE, type EpcisEvent } from './events-fns.ts';
import { enqueueRiskEvaluation } from '../risk/risk-dal.ts';

/** Who an event belongs to, when the caller knows it better than the event does (native records). */
export interface Attribution { operatorId: string | null; divisionCode: string | null; counterpartyId: string | null }

export interface CaptureInput {
  events: EpcisEvent[];
  context?: ContextInfo;
  source: 'epcis' | 'native' | 'ledger';
  /** rollback: any bad event refuses the whole capture; proceed: good events are stored, bad ones reported. */
  errorBehaviour: 'rollback' | 'proceed';
  attribution?: Array<Attribution | undefined>;
  captureId?: string | null;
}
export interface CaptureError { index: number; code: string; field: string; message: { zh: string; en: string } }
export interface CaptureResult {
  stored: Array<{ index: number; eventId: string; hashId: string; seq: string }>;
  duplicates: Array<{ index: number; eventId: string; hashId: string }>;
  /** Events re-sent with a new errorDeclaration: the declaration was recorded against the stored event (seq). */
  declared: Array<{ index: number; eventId: string; hashId: string; seq: string }>;
  errors: CaptureError[];
}

const OUTBOUND_STEPS = new Set(['shipping', 'departing', 'retail_selling', 'consigning', 'staging_outbound']);
// Steps by which an operator takes in goods that another operator handed over; they may name that operator's codes.
const INBOUND_STEPS = new Set(['receiving', 'arriving', 'accepting', 'unloading']);

/**
 * The capture path shared by EPCIS capture, native records and ledgers: hash, attribute, check, and store
 * events idempotently in the caller's transaction.
 */
export async function captureInTx(q: Queryable, actor: Actor, input: CaptureInput): Promise<CaptureResult> {
  try {
    return await captureOnce(q, actor, input, false);
  } catch (e) {
    // Another event holds the eventID of one whose eventID is its own hash ID, which the quick check does not look
    // up (see storedIds below); the store refused it and rolled back to its savepoint: check every eventID.
    if (isUniqueViolation(e, 'events_event_id_key')) return captureOnce(q, actor, input, true);
    throw e;
  }
}

async function captureOnce(q: Queryable, actor: Actor, input: CaptureInput, everyEventId: boolean): Promise<CaptureResult> {
  const dal = eventsDal(q);
  // Every front door ends here, so the operator rule is enforced here (see also ensureActiveOperator).
  const own = actor.operatorId ? await dal.lockOperator(actor.operatorId) : undefined;
  if (own) ensureOperatorActive(own);
  const errors: CaptureError[] = [];
  const fail = (index: number, code: string, field: string, zh: string, en: string) => errors.push({ index, code, field, message: { zh, en } });
  const prepared: Array<NewEvent & { index: number }> = [];

  // Facts about every Suyuan code, party and site the events name, fetched once for the whole capture.
  const indexed = input.events.map((e) => indexEvent(e));
  // Each distinct key is parsed once (isCodeKey checks the code's check characters): codes repeat across events.
  const codeKeys = [...new Set(indexed.flatMap((x) => x.ids.map((i) => i.key)))].filter(isCodeKey);
  const isCode = new Set(codeKeys);
  const codes = new Map((codeKeys.length ? await dal.codeFacts(codeKeys) : []).map((c) => [c.code, c]));
  const usccs = [...new Set(indexed.flatMap((x) => [...x.sources, ...x.destinations]))];
  const operators = new Map((usccs.length ? await dal.operatorsByUscc(usccs) : []).map((o) => [o.uscc, o]));
  const siteIds = [...new Set(indexed.map((x) => x.bizLocation ?? x.readPoint).map((u) => /^urn:suyuan:site:([0-9a-f-]{36})$/.exec(u ?? '')?.[1]).filter((x): x is string => !!x))];
  const sites = new Map((siteIds.length ? await dal.sitesById(siteIds) : []).map((s) => [s.id, s]));
  const isOperator = !!actor.operatorId;
  const handed = isOperator && codeKeys.length ? await dal.handedTo(codeKeys, actor.operatorId!) : new Set<string>();
  const outputKeys = [...new Set(indexed.flatMap((x) => x.ids.filter((i) => i.role === ROLE.output || i.role === ROLE.outputQuantity).map((i) => i.key)).filter((k) => isCode.has(k)))];
  const used = outputKeys.length ? await dal.usedKeys(outputKeys) : new Set<string>();
  // Hash IDs first: an event re-sent with an errorDeclaration is the stored event (the hash leaves the declaration out).
  const hashIds = input.events.map((e) => eventHashId(e, input.context));
  const eventIds = input.events.map((e, i) => (typeof e.eventID === 'string' && e.eventID ? e.eventID : hashIds[i]));
  // An eventID equal to its event's hash ID (every native record's) can only clash with an event captured under an
  // explicit eventID that is some other event's hash ID: the unique eventID refuses that at insert, and the capture is
  // checked again with every eventID. Leaving them out here saves an index probe per event.
  const { hashes: stored, byEventId: clashes } = await dal.storedIds(hashIds, everyEventId ? eventIds : eventIds.filter((id, i) => id !== hashIds[i]));
  const declarations: Array<{ index: number; eventId: string; hashId: string; declaration: object }> = [];

  input.events.forEach((event, index) => {
    const x = indexed[index];
    const before = errors.length;
    const declaration = errorDeclarationOf(event);
    const original = declaration ? stored.get(hashIds[index]) : undefined;
    if (declaration && original) {
      // A declaration about a stored event: only its recorder (or an admin) may declare it erroneous. Its codes
      // were checked when it was captured and may have changed since (a voided code), so they are not checked again.
      if (actor.role !== 'platform-admin' && original.operator_id !== actor.operatorId) {
        fail(index, 'ERROR_DECLARATION_NOT_YOURS', 'errorDeclaration', '只有记录该事件的主体才能声明其有误', 'Only the operator that recorded the event can declare it erroneous');
      } else {
        declarations.push({ index, eventId: original.event_id, hashId: hashIds[index], declaration });
      }
      return;
    }
    for (const { key, role } of x.ids) {
      if (!isCode.has(key)) continue;
      const c = codes.get(key);
      if (!c) { fail(index, 'CODE_UNKNOWN', 'epcList', `追溯码 ${key} 不存在`, `Trace code ${key} does not exist`); continue; }
      if (c.status === 'void') { fail(index, 'CODE_VOID', 'epcList', `追溯码 ${key} 已作废`, `Trace code ${key} is void`); continue; }
      if (c.status !== 'active') { fail(index, 'CODE_NOT_ACTIVE', 'epcList', `追溯码 ${key} 尚未激活`, `Trace code ${key} is not activated`); continue; }
      if (!isOperator) continue;
      const mine = c.owner_operator_id === actor.operatorId;
      if ((role === ROLE.output || role === ROLE.outputQuantity) && x.eventType === 'TransformationEvent') {
        if (!mine) fail(index, 'CODE_NOT_YOURS', 'outputEPCList', `输出追溯码 ${key} 不属于本主体`, `Output code ${key} belongs to another operator`);
        else if (used.has(key)) fail(index, 'OUTPUT_CODE_REUSED', 'outputEPCList', `加工/混批的输出须使用新码，${key} 已被使用`, `Transformation outputs need new codes; ${key} is already in use`);
        continue;
      }
      if (!mine && !handed.has(key) && !(x.bizStep && INBOUND_STEPS.has(x.bizStep))) {
        fail(index, 'CODE_NOT_YOURS', 'epcList', `追溯码 ${key} 属于其他主体，且未交付给本主体`, `Trace code ${key} belongs to another operator and was not handed to you`);
      }
    }
    if (errors.length > before) return;

    let attribution = input.attribution?.[index];
    if (!attribution) {
      const siteId = /^urn:suyuan:site:([0-9a-f-]{36})$/.exec(x.bizLocation ?? x.readPoint ?? '')?.[1];
      const site = siteId ? sites.get(siteId) : undefined;
      if (site && isOperator && site.operator_id !== actor.operatorId) {
        fail(index, 'SITE_NOT_YOURS', 'bizLocation', '业务地点不属于本主体', 'The business location belongs to another operator');
        return;
      }
      const me = own ? [...operators.values()].find((o) => o.id === actor.operatorId) : undefined;
      const others = (OUTBOUND_STEPS.has(x.bizStep ?? '') ? x.destinations : INBOUND_STEPS.has(x.bizStep ?? '') ? x.sources : [...x.destinations, ...x.sources])
        .map((u) => operators.get(u)).filter((o) => o && o.id !== me?.id && o.id !== actor.operatorId);
      attribution = { operatorId: actor.operatorId ?? null, divisionCode: site?.division_code ?? own?.division_code ?? null, counterpartyId: others[0]?.id ?? null };
    }
    const hashId = hashIds[index];
    const eventId = eventIds[index];
    prepared.push({
      index, hashId, eventId, eventType: x.eventType, action: x.action, bizStep: x.bizStep, disposition: x.disposition,
      eventTime: x.eventTime, readPoint: x.readPoint, bizLocation: x.bizLocation, ...attribution,
      body: { ...event, eventID: eventId }, ids: x.ids,
    });
  });

  // Duplicates: already stored, or repeated inside this capture. An eventID reused for a different event is an error.
  const duplicates: CaptureResult['duplicates'] = [];
  const fresh: typeof prepared = [];
  const seen = new Map<string, string>();
  for (const p of prepared) {
    if (stored.has(p.hashId) || seen.get(p.eventId) === p.hashId) {
      // The same event with a declaration, earlier in this capture: the declaration goes to the event stored now.
      const declaration = errorDeclarationOf(p.body);
      if (declaration && !stored.has(p.hashId)) declarations.push({ index: p.index, eventId: p.eventId, hashId: p.hashId, declaration });
      else duplicates.push({ index: p.index, eventId: p.eventId, hashId: p.hashId });
      continue;
    }
    const clash = clashes.get(p.eventId) ?? seen.get(p.eventId);
    if (clash && clash !== p.hashId) { fail(p.index, 'EVENT_ID_CONFLICT', 'eventID', `事件标识 ${p.eventId} 已用于另一个事件`, `eventID ${p.eventId} is already used by a different event`); continue; }
    seen.set(p.eventId, p.hashId);
    fresh.push(p);
  }
  errors.sort((a, b) => a.index - b.index);
  if (errors.length && input.errorBehaviour === 'rollback') {
    const first = errors[0];
    throw new DomainError('invalid', first.code, `第 ${first.index + 1} 个事件：${first.message.zh}`, `Event ${first.index + 1}: ${first.message.en}`,
      { field: `epcisBody.eventList.${first.index}.${first.field}`, errors });
  }
  const capturedBy = actorId(actor) ?? actor.role;
  const rows = await dal.insertEvents(fresh, { source: input.source, captureId: input.captureId ?? null, capturedBy });
  // The risk rules run for these events once this transaction commits (an outbox row: risk-service.ts says why).
  await enqueueRiskEvaluation(q, rows.map((r) => r.seq));
  // Item codes that now move on their own, by lot: an incident on the lot follows them (migration 0017).
  const items = new Map<string, string>();
  for (const p of fresh) {
    for (const { key } of p.ids) {
      const c = codes.get(key);
      if (c?.kind === 'item' && c.batch_id) items.set(key, c.batch_id);
    }
  }
  if (items.size > 0) {
    // In key order, so that concurrent captures of the same items wait for each other instead of deadlocking.
    const sorted = [...items.keys()].sort();
    await dal.noteMovedItems(sorted, sorted.map((k) => items.get(k)!));
  }
  const seqByHash = new Map(rows.map((r) => [r.hash_id, r.seq]));
  const result: CaptureResult = { stored: [], duplicates, declared: [], errors };
  for (const p of fresh) {
    const seq = seqByHash.get(p.hashId);
    // A concurrent capture of the same event won the race: it is a duplicate, not a loss.
    if (seq) result.stored.push({ index: p.index, eventId: p.eventId, hashId: p.hashId, seq });
    else duplicates.push({ index: p.index, eventId: p.eventId, hashId: p.hashId });
  }
  // Declarations are annotations of the stored event (the store is append-only); the same one again adds nothing.
  for (const d of declarations) {
    const seq = stored.get(d.hashId)?.seq ?? seqByHash.get(d.hashId);
    const added = seq ? await dal.insertDeclaration(seq, d.declaration, { captureId: input.captureId ?? null, declaredBy: capturedBy }) : false;
    if (added) result.declared.push({ index: d.index, eventId: d.eventId, hashId: d.hashId, seq: seq! });
    else duplicates.push({ index: d.index, eventId: d.eventId, hashId: d.hashId });
  }
  duplicates.sort((a, b) => a.index - b.index);
  return result;
}

/** The caller's operator, when it is one, must be active to record events (403 OPERATOR_NOT_ACTIVE otherwise). */
export async function ensureActiveOperator(q: Queryable, actor: Actor): Promise<void> {
  if (!actor.operatorId) return;
  const o = await eventsDal(q).lockOperator(actor.operatorId);
  if (o) ensureOperatorActive(o);
}

/** The event store service: capture for operators and admins. */
export function createEventsService(deps: { db: Database }) {
  return {
    /** Captures events in one transaction (see captureInTx). */
    async capture(actor: Actor, input: CaptureInput): Promise<CaptureResult> {
      ensure(actor, actor.role === 'platform-admin' || actor.role === 'operator-admin' || actor.role === 'operator-staff');
      if (input.events.length === 0) throw invalid('EPCIS_NO_EVENTS', '文档中没有事件', 'The document holds no events', { field: 'epcisBody.eventList' });
      return deps.db.tx((q) => captureInTx(q, actor, input));
    },
  };
}
export type EventsService = ReturnType<typeof createEventsService>;
